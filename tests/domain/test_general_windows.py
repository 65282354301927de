"""General windows (综合窗口): skill sets, queues per matter group, "next" across skills, and
document pickup (出件), in plain Python. "Next" is checked against the brute-force rule
(`ordering.pick_next_where`) over random halls and random days."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hallcall.broker.domain import events as ev
from hallcall.broker.domain.errors import Closed, Conflict, Empty, Invalid, NotFound
from hallcall.broker.domain.hall import Appointment, HallDay, HallSnapshot
from hallcall.broker.domain.model import Outcome, Post, Priority, TicketStatus
from hallcall.broker.domain.ordering import pick_next_where, queue_key
from hallcall.broker.domain.skills import PICKUP, resolve
from hallcall.config.loader import load_config
from hallcall.config.schema import HallConfig

ZONE = ZoneInfo("Asia/Shanghai")
NINE = datetime(2026, 11, 23, 9, 0, tzinfo=ZONE)
GENERAL = load_config(
    __import__("pathlib").Path(__file__).resolve().parents[2]
    / "config/src/hallcall/config/halls/example-general-windows.toml"
)
DEPS = ["tax", "land", "social"]
MATTERS = ["m1", "m2", "m3"]
GROUPS = {"g1": ["tax.m1", "land.m1"], "g2": ["social.m2", "tax.m3"]}


def at(minutes: float) -> datetime:
    return NINE + timedelta(minutes=minutes)


def synthetic(windows: list[list[str]], number_end: int = 999) -> HallConfig:
    """Three departments of three matters (m1 time-limited), two matter groups across them, a
    pickup queue, and one fixed window per skill list (its clerk from its first department)."""
    deps = [
        {
            "id": d,
            "name": {"zh": d, "en": d},
            "prefix": "ABC"[i],
            "number_end": number_end,
            "matters": [
                {"id": m, "name": {"zh": m, "en": m}}
                | ({"kind": "time_limited", "promised_days": 3} if m == "m1" else {})
                for m in MATTERS
            ],
        }
        for i, d in enumerate(DEPS)
    ]
    groups = [
        {
            "id": g,
            "name": {"zh": g, "en": g},
            "prefix": "XY"[i],
            "number_end": number_end,
            "matters": refs,
        }
        for i, (g, refs) in enumerate(GROUPS.items())
    ]
    wins, staff = [], []
    for i, skills in enumerate(windows):
        wins.append({"id": f"w{i}", "number": i + 1, "skills": skills})
        first = next((s.split(".")[0] for s in skills if s != "pickup"), "tax")
        staff.append({"id": f"s{i}", "name": {"zh": "s", "en": "s"}, "department": first})
    return HallConfig.model_validate(
        {
            "hall": {"id": "h", "name": {"zh": "h", "en": "h"}, "require_pin": False},
            "departments": deps,
            "matter_groups": groups,
            "windows": wins,
            "staff": staff,
            "pickup": {"enabled": True, "prefix": "Q"},
        }
    )


def open_hall(config: HallConfig) -> HallDay:
    hall = HallDay(config, HallSnapshot())
    hall.roll_over(NINE)
    for i, w in enumerate(config.windows):
        hall.login(NINE, w.id, f"s{i}", Post.A)
    return hall


def expected_queue(config: HallConfig, t) -> str:
    if t.queue == PICKUP:
        return PICKUP
    group = config.group_of(t.department, t.matter)
    return group.id if group else t.department


# --------------------------------------------------------------------------- the hall file
def test_skills_groups_and_pickup_are_checked_with_clear_messages():
    base = synthetic([["tax"]]).model_dump(mode="json")

    def problems(change) -> str:
        raw = copy.deepcopy(base)
        change(raw)
        with pytest.raises(ValueError) as info:
            HallConfig.model_validate(raw)
        return str(info.value)

    assert "window 'w0' skill 'tax.nope' names unknown matter 'nope' of department 'tax'" in (
        problems(lambda r: r["windows"][0].update(skills=["tax.nope"]))
    )
    assert "names unknown department 'court'" in problems(
        lambda r: r["windows"][0].update(skills=["court"])
    )
    assert "matter tax.m1 is in two matter groups: 'g1' and 'g2'" in problems(
        lambda r: r["matter_groups"][1]["matters"].append("tax.m1")
    )
    assert "ticket prefix 'A' is used by department 'tax' and matter group 'g1'" in problems(
        lambda r: r["matter_groups"][0].update(prefix="A")
    )
    assert "ticket prefix 'Q' is used by matter group 'g2' and [pickup]" in problems(
        lambda r: r["matter_groups"][1].update(prefix="Q")
    )
    assert "also a department's" in problems(lambda r: r["matter_groups"][0].update(id="tax"))
    assert "serves pickup but [pickup] is not enabled" in problems(
        lambda r: (r["windows"][0].update(pickup=True), r["pickup"].update(enabled=False))
    )


def test_the_example_hall_with_general_windows_loads():
    c = GENERAL
    assert c.hall.kiosk_start == "matters" and c.pickup.enabled
    general = [w for w in c.windows if w.skills]
    assert len(general) == 2
    for w in general:  # each covers matters of three departments
        assert len(resolve(w.skills).departments) == 3
    assert any(w.serves_pickup for w in c.windows)
    assert c.group_of("real-estate", "property-transfer").prefix == "Z"


# --------------------------------------------------------------------------- queues
def test_a_grouped_matter_is_numbered_and_queued_in_its_group_and_keeps_its_department():
    hall = open_hall(synthetic([["tax.m1", "land"], ["tax"]]))
    t, events = hall.issue(at(1), "tax", "m1")
    assert (t.number, t.department, t.matter, t.queue) == ("X001", "tax", "m1", "g1")
    u, _ = hall.issue(at(2), "land", "m1")
    assert u.number == "X002" and hall.waiting_ahead(u, at(2)) == 1
    plain, _ = hall.issue(at(3), "tax", "m2")
    assert plain.number == "A001" and plain.queue is None
    assert len(hall.queues["g1"]) == 2 and len(hall.queues["tax"]) == 1
    assert isinstance(events[0], ev.TicketIssued) and events[0].seqno == 1


def test_next_at_a_general_window_takes_the_earliest_across_its_skills():
    hall = open_hall(synthetic([["tax.m2", "land.m1"], ["social"]]))
    social, _ = hall.issue(at(1), "social", "m1")
    land, _ = hall.issue(at(2), "land", "m1")  # group g1
    tax, _ = hall.issue(at(3), "tax", "m2")  # the tax queue
    hall.issue(at(4), "tax", "m1")  # g1, but not a skill of w0
    green, _ = hall.issue(at(5), "tax", "m2", Priority.PRIORITY)
    order = []
    for i in range(3):
        t, _ = hall.call_next(at(10 + i), "w0")
        order.append(t.id)
        hall.finish(at(10 + i), "w0", Outcome.RETURNED)
    assert order == [green.id, land.id, tax.id]  # green channel first, then by queued time
    with pytest.raises(Empty):
        hall.call_next(at(20), "w0")
    assert hall.call_next(at(21), "w1")[0].id == social.id


def test_a_flex_window_is_still_assigned_departments():
    config = synthetic([["tax"]])
    flex = config.windows[0].model_copy(
        update={"id": "wf", "number": 9, "flex": True, "skills": []}
    )
    config = config.model_copy(update={"windows": [*config.windows, flex]})
    hall = HallDay(config, HallSnapshot())
    hall.roll_over(NINE)
    hall.login(NINE, "wf", "s0", Post.A)
    t, _ = hall.issue(at(1), "social", "m2")
    hall.assign(at(2), "wf", ["social"])
    assert hall.call_next(at(3), "wf")[0].id == t.id


def test_a_transfer_moves_the_ticket_to_its_new_matters_queue_keeping_its_place():
    hall = open_hall(synthetic([["tax"], ["land"]]))
    first, _ = hall.issue(at(1), "tax", "m2")
    later, _ = hall.issue(at(5), "land", "m1")  # g1
    hall.call_next(at(6), "w0")
    t, _ = hall.transfer(at(7), "w0", "land", "m1")
    assert t.queue == "g1" and t.number == first.number
    assert hall.waiting_ahead(t, at(7)) == 0 and hall.waiting_ahead(later, at(7)) == 1
    assert hall.call_next(at(8), "w1")[0].id == first.id


# --------------------------------------------------------------------------- the rule
def ops():
    issue = st.tuples(
        st.just("issue"),
        st.sampled_from(DEPS),
        st.sampled_from([None, *MATTERS]),
        st.booleans(),
        st.one_of(st.none(), st.integers(-30, 120)),
    )
    call = st.tuples(st.just("next"), st.integers(0, 3))
    end = st.tuples(
        st.just("end"),
        st.integers(0, 3),
        st.sampled_from(["done", "returned", "transfer", "no_show"]),
        st.sampled_from(DEPS),
        st.sampled_from(MATTERS),
    )
    pickup = st.tuples(st.just("pickup"), st.integers(0, 50))
    return st.lists(st.one_of(issue, issue, call, call, end, pickup), min_size=10, max_size=80)


REFS = [*DEPS, *(f"{d}.{m}" for d in DEPS for m in MATTERS)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    windows=st.lists(
        st.lists(st.sampled_from([*REFS, "pickup"]), min_size=1, max_size=5, unique=True),
        min_size=4,
        max_size=4,
    ),
    program=ops(),
)
def test_next_and_people_ahead_agree_with_the_brute_force_rule(windows, program):
    config = synthetic(windows)
    hall = open_hall(config)
    minute, n = 0.0, 0
    for op in program:
        minute += 0.5
        now = at(minute)
        if op[0] == "issue":
            _, dep, matter, green, booked = op
            appt = None
            if booked is not None and not green:
                n += 1
                appt = Appointment(f"c{n}", dep, matter, at(minute + booked), None, "zh")
            hall.issue(
                now, dep, matter, Priority.PRIORITY if green else Priority.NORMAL, appointment=appt
            )
        elif op[0] == "next":
            w = f"w{op[1]}"
            if hall.windows[w].current_ticket is not None:
                continue
            skills = resolve(config.windows[op[1]].skills)
            expected = pick_next_where(hall.tickets.values(), skills.serves, now, hall.due_early)
            if expected is None:
                with pytest.raises(Empty):
                    hall.call_next(now, w)
            else:
                assert hall.call_next(now, w)[0].id == expected.id
        elif op[0] == "end":
            _, i, how, dep, matter = op
            w = f"w{i}"
            current = hall.windows[w].current_ticket
            if current is None:
                continue
            if how == "transfer":
                if dep == hall.tickets[current].department or hall.tickets[current].queue == PICKUP:
                    continue
                hall.transfer(now, w, dep, matter)
            elif how == "no_show":
                hall.no_show(now, w)
            else:
                hall.finish(now, w, Outcome(how))
        else:
            codes = sorted(c for c, pc in hall.pickup_codes.items() if pc.collected_at is None)
            if codes:
                hall.take_pickup(now, codes[op[1] % len(codes)], None)
        # People ahead: counted in each ticket's own queue, by the rule.
        waiting = [t for t in hall.tickets.values() if t.status is TicketStatus.WAITING]
        for t in waiting[:: max(1, len(waiting) // 5)]:
            q = expected_queue(config, t)
            assert hall.queue_id(t) == q
            ahead = sum(
                1
                for o in waiting
                if expected_queue(config, o) == q
                and queue_key(o, now, hall.due_early) < queue_key(t, now, hall.due_early)
            )
            assert hall.waiting_ahead(t, now) == ahead
        assert sum(len(q) for q in hall.queues.values()) == len(waiting)
    # A restart rebuilds every queue and lane in the same order from the tickets alone.
    snap = HallSnapshot(tickets=[copy.copy(t) for t in hall.tickets.values()])
    again = HallDay(config, snap)
    later = at(minute)
    for q, queue in hall.queues.items():
        assert again.queues[q].ids_in_order(later) == queue.ids_in_order(later)
    for lane, queue in hall.lanes.items():
        assert again.lanes[lane].ids_in_order(later) == queue.ids_in_order(later)


# --------------------------------------------------------------------------- pickup
def served(hall: HallDay, window: str, dep: str, matter: str, outcome=Outcome.DONE):
    t, _ = hall.issue(at(1), dep, matter)
    called, _ = hall.call_next(at(2), window)
    assert called.id == t.id
    return hall.finish(at(3), window, outcome)


def test_a_time_limited_matter_done_gets_a_pickup_code_collected_once_at_the_pickup_window():
    hall = open_hall(synthetic([["tax"], ["pickup"]]))
    t, events = served(hall, "w0", "tax", "m1")
    code = t.pickup_code
    assert code is not None and len(code) == 8 and code.isdigit()
    issued = [e for e in events if isinstance(e, ev.PickupCodeIssued)]
    assert issued and issued[0].code == code and issued[0].number == t.number
    # ... before the rating request, in the same command's events (one transaction)
    assert [type(e).__name__ for e in events] == [
        "TicketFinished",
        "PickupCodeIssued",
        "RatingRequested",
    ]
    p, taken = hall.take_pickup(at(10), code, None, "en")
    assert (p.queue, p.number, p.department, p.matter, p.lang) == (
        "pickup",
        "Q001",
        "tax",
        "m1",
        "en",
    )
    assert isinstance(taken[-1], ev.PickupTaken)
    again, none = hall.take_pickup(at(11), code, None)  # a second press: the same ticket
    assert again.id == p.id and none == []
    with pytest.raises(Empty):
        hall.call_next(at(12), "w0")  # the tax window does not call the pickup queue
    assert hall.call_next(at(12), "w1")[0].id == p.id
    _, done = hall.finish(at(13), "w1", Outcome.DONE)
    assert any(isinstance(e, ev.PickupCollected) for e in done)
    with pytest.raises(Conflict) as used:
        hall.take_pickup(at(14), code, None)
    assert used.value.detail == {"reason": "collected"}


def test_no_code_for_an_immediate_matter_or_another_outcome_and_refusals_are_clear():
    hall = open_hall(synthetic([["tax"], ["pickup"]]))
    assert served(hall, "w0", "tax", "m2")[0].pickup_code is None  # immediate
    assert served(hall, "w0", "tax", "m1", Outcome.RETURNED)[0].pickup_code is None
    with pytest.raises(NotFound):
        hall.take_pickup(at(5), "12345678", None)
    with pytest.raises(Invalid):
        hall.take_pickup(at(5), None, None)
    off = synthetic([["tax"]]).model_copy(
        update={"pickup": GENERAL.pickup.model_copy(update={"enabled": False})}
    )
    plain = open_hall(off)
    assert served(plain, "w0", "tax", "m1")[0].pickup_code is None
    with pytest.raises(Closed) as closed:
        plain.take_pickup(at(5), "12345678", None)
    assert closed.value.code == "closed" and closed.value.detail == {"reason": "pickup_off"}


def test_pickup_by_id_card_hash_takes_the_oldest_uncollected_code():
    hall = open_hall(synthetic([["tax"], ["pickup"]]))
    id_hash = "ab" * 32
    firsts = []
    for _ in range(2):
        t, _ = hall.issue(at(1), "tax", "m1")
        t.id_hash = id_hash  # type: ignore[attr-defined]  # Ticket.id_hash: the ID card branch
        hall.call_next(at(2), "w0")
        firsts.append(hall.finish(at(3), "w0", Outcome.DONE)[0])
    p, _ = hall.take_pickup(at(5), None, id_hash)
    assert p.pickup_code == firsts[0].pickup_code
    with pytest.raises(NotFound):
        hall.take_pickup(at(5), None, "cd" * 32)


def test_next_across_skills_does_not_scan_the_waiting_tickets():
    """A general window over lanes of five queues: next + finish + a new ticket cost about the
    same with 5,000 waiting as with 10 (each head is O(log n); a scan would be ~500x)."""
    import random
    import time

    skills = ["tax.m1", "tax.m2", "land", "social.m2", "social.m3"]
    refs = [("tax", "m1"), ("tax", "m2"), ("land", "m3"), ("social", "m2"), ("social", "m3")]

    def cost(n: int) -> float:
        rng = random.Random(n)
        hall = open_hall(synthetic([skills], number_end=99999))
        for i in range(n):
            dep, matter = refs[i % len(refs)]
            hall.issue(
                at(i / 1000),
                dep,
                matter,
                Priority.PRIORITY if rng.random() < 0.05 else Priority.NORMAL,
            )
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            for j in range(300):
                hall.call_next(at(100), "w0")
                hall.finish(at(100), "w0", Outcome.RETURNED)
                dep, matter = refs[j % len(refs)]
                hall.issue(at(100), dep, matter)
            best = min(best, time.perf_counter() - start)
        return best

    small, large = cost(10), cost(5000)
    assert large < 3 * small, (small, large)
