"""The hall aggregate: every queue rule, tested in plain Python with no database or MQTT.

(The service tests in tests/broker only check that the same rules arrive over the wiring.)
"""

import copy
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hallcall.broker.domain import events as ev
from hallcall.broker.domain.errors import Closed, Conflict, Empty, Forbidden, NotFound
from hallcall.broker.domain.hall import HallDay, HallSnapshot
from hallcall.broker.domain.model import Outcome, Post, Priority, TicketStatus, WindowStatus
from hallcall.config.loader import EXAMPLE_HALL, load_config

ZONE = ZoneInfo("Asia/Shanghai")
NINE = datetime(2026, 11, 23, 9, 0, tzinfo=ZONE)
CONFIG = load_config(EXAMPLE_HALL)


#: Every clerk's PIN in the example hall (a demo value).
PIN = "2468"


def new_hall(config=CONFIG) -> HallDay:
    hall = HallDay(config, HallSnapshot())
    hall.roll_over(NINE)
    return hall


def at(minutes: float) -> datetime:
    return NINE + timedelta(minutes=minutes)


def types(events) -> list[str]:
    return [type(e).__name__ for e in events]


def state(hall: HallDay):
    """Everything a refused command must leave as it was."""
    return copy.deepcopy(
        (
            hall.tickets,
            hall.counters,
            hall.windows,
            hall.last_ended,
            hall.appointments,
            [hall.queues[d].ids_in_order(at(600)) for d in sorted(hall.queues)],
        )
    )


def test_numbers_count_per_department_and_the_cap_closes_it():
    dep = CONFIG.department("registrar").model_copy(update={"daily_cap": 2})
    hall = new_hall(CONFIG.model_copy(update={"departments": [dep, *CONFIG.departments[1:]]}))
    numbers = [hall.issue(at(i), "registrar")[0].number for i in range(2)]
    assert numbers == ["A001", "A002"]
    before = state(hall)
    with pytest.raises(Closed):
        hall.issue(at(3), "registrar")
    assert state(hall) == before
    assert hall.issue(at(4), "finance")[0].number == "B001"


def test_issue_returns_the_event_with_its_counter():
    hall = new_hall()
    t, events = hall.issue(at(0), "registrar", "transcript", Priority.PRIORITY, "en")
    (issued,) = events
    assert isinstance(issued, ev.TicketIssued) and (issued.seqno, issued.issued) == (1, 1)
    assert issued.ticket == t and issued.ticket is not t, "the event keeps a snapshot"


def test_priority_and_due_appointments_go_first_with_the_halls_margin():
    config = CONFIG.model_copy(
        update={"hall": CONFIG.hall.model_copy(update={"appointment_due_early_min": 30})}
    )
    hall = new_hall(config)
    hall.login(at(0), "w01", "s101", Post.A, pin=PIN)
    hall.issue(at(1), "registrar")
    hall.book(at(1), "registrar", None, at(60), "1234", None, None)
    hall.check_in(at(2), "1234")
    hall.issue(at(3), "registrar", priority=Priority.PRIORITY)
    assert hall.call_next(at(4), "w01")[0].number == "A003"  # priority first
    hall.finish(at(5), "w01", Outcome.DONE)
    assert (
        hall.call_next(at(6), "w01")[0].number == "A001"
    )  # appointment not yet due (due at 09:30)
    hall.finish(at(7), "w01", Outcome.DONE)
    hall.issue(at(8), "registrar")
    assert (
        hall.call_next(at(31), "w01")[0].number == "A002"
    )  # due 30 min early, as the hall file says


def test_transfer_keeps_the_place_and_refusals_change_nothing():
    hall = new_hall()
    hall.login(at(0), "w01", "s101", Post.A, pin=PIN)
    hall.issue(at(1), "registrar")
    hall.issue(at(2), "finance")
    hall.call_next(at(3), "w01")
    before = state(hall)
    with pytest.raises(NotFound):
        hall.transfer(at(4), "w01", "nowhere", None)
    assert state(hall) == before
    t, events = hall.transfer(at(4), "w01", "finance", None)
    assert types(events) == ["TicketTransferred"] and events[0].from_department == "registrar"
    assert hall.queues["finance"].ids_in_order(at(5)) == [t.id, "20261123-B001"], (
        "queued at 09:01, ahead of B001"
    )
    assert hall.windows["w01"].current_ticket is None


def test_recall_up_to_the_limit_then_no_show():
    hall = new_hall()
    hall.login(at(0), "w01", "s101", Post.A, pin=PIN)
    hall.issue(at(1), "registrar")
    hall.call_next(at(2), "w01")
    for _ in range(CONFIG.hall.recall_limit):
        hall.recall(at(3), "w01")
    with pytest.raises(Conflict, match="limit"):
        hall.recall(at(4), "w01")
    t, events = hall.no_show(at(5), "w01")
    assert t.status is TicketStatus.NO_SHOW and types(events) == ["TicketNoShow"]
    assert [c.recall for c in hall.calls] == [True, True, False]


def test_a_rebuilt_hall_names_the_same_last_call_when_calls_shared_a_time():
    """Windows pressing next in one batch share its time; the store says which call was last."""
    hall = new_hall()
    for window, staff in (("w01", "s101"), ("w02", "s103"), ("w08", "s102")):
        hall.login(at(0), window, staff, Post.B if staff == "s102" else Post.A, pin=PIN)
        hall.issue(at(1), "registrar")
    for window in ("w01", "w02", "w08"):
        hall.call_next(at(2), window)
    assert hall.last_called_number("registrar") == "A003"
    tickets = copy.deepcopy(list(hall.tickets.values()))
    last = next(t.id for t in tickets if t.number == "A003")
    rebuilt = HallDay(CONFIG, HallSnapshot(tickets=tickets, last_calls={"registrar": last}))
    rebuilt.roll_over(at(3))
    assert rebuilt.last_called_number("registrar") == "A003"


def test_login_eligibility_and_the_b_clerk_hand_over():
    hall = new_hall()
    with pytest.raises(Forbidden):
        hall.login(at(0), "w01", "s201", Post.A, pin=PIN)  # a finance clerk at a registrar window
    hall.login(at(0), "w01", "s101", Post.A, pin=PIN)
    with pytest.raises(Conflict, match="already on duty"):
        hall.login(at(1), "w02", "s101", Post.A, pin=PIN)
    hall.issue(at(1), "registrar")
    hall.call_next(at(2), "w01")
    with pytest.raises(Conflict, match="finish the current ticket"):
        hall.login(at(3), "w01", "s102", Post.B, pin=PIN)
    hall.finish(at(4), "w01", Outcome.DONE)
    events = hall.login(at(5), "w01", "s102", Post.B, pin=PIN)
    assert types(events) == ["ClerkOffDuty", "ClerkOnDuty", "WindowChanged"]
    assert events[-1].replaced == "s101" and hall.windows["w01"].staff == "s102"


def test_flex_windows_pause_and_an_empty_queue():
    hall = new_hall()
    with pytest.raises(Forbidden):
        hall.assign(at(0), "w01", ["finance"])
    hall.assign(at(0), "w07", ["finance"])
    hall.login(at(0), "w07", "s201", Post.A, pin=PIN)
    with pytest.raises(Empty):
        hall.call_next(at(1), "w07")
    assert hall.open_windows("finance") == 1
    hall.pause(at(2), "w07", "break")
    assert hall.open_windows("finance") == 0 and hall.windows["w07"].status is WindowStatus.PAUSED
    hall.issue(at(3), "finance")
    with pytest.raises(Conflict, match="paused"):
        hall.call_next(at(4), "w07")
    assert types(hall.resume(at(5), "w07")) == ["PauseEnded", "WindowChanged"]
    assert hall.call_next(at(6), "w07")[0].number == "B001"


def test_a_pad_rates_only_its_windows_last_finished_ticket_once():
    hall = new_hall()
    hall.login(at(0), "w01", "s101", Post.A, pin=PIN)
    hall.login(at(0), "w02", "s102", Post.A, pin=PIN)
    for i in range(3):
        hall.issue(at(i), "registrar")
    first, _ = hall.call_next(at(3), "w01")
    hall.finish(at(4), "w01", Outcome.DONE)
    second, _ = hall.call_next(at(5), "w01")
    with pytest.raises(Conflict, match="not been served"):
        hall.rate(at(6), "pad-w01", second.id, 3, [])
    hall.finish(at(6), "w01", Outcome.DONE)
    with pytest.raises(Conflict, match="only the last"):
        hall.rate(at(7), "pad-w01", first.id, 3, [])
    other, _ = hall.call_next(at(7), "w02")
    hall.finish(at(8), "w02", Outcome.DONE)
    with pytest.raises(Forbidden):
        hall.rate(at(9), "pad-w01", other.id, 3, [])
    recorded, _case_opened = hall.rate(at(9), "pad-w01", second.id, 1, ["waited_long"])
    assert (recorded.window, recorded.staff, recorded.score) == ("w01", "s101", 1)
    with pytest.raises(Conflict, match="already been rated"):
        hall.rate(at(10), "pad-w01", second.id, 3, [])
    assert hall.last_finished["w01"].rated


def test_close_of_day_ends_every_ticket_and_the_next_day_starts_clean():
    hall = new_hall()
    hall.login(at(0), "w01", "s101", Post.A, pin=PIN)
    for i in range(3):
        hall.issue(at(i), "registrar")
    hall.call_next(at(3), "w01")
    summary, events = hall.close_day(at(60))
    assert summary["finished_by_system"] == ["A001"] and summary["no_show_by_system"] == [
        "A002",
        "A003",
    ]
    assert (summary["issued"], summary["finished"], summary["no_show"]) == (3, 1, 2)
    assert all(w.status is WindowStatus.CLOSED for w in hall.windows.values())
    assert len(hall.queues["registrar"]) == 0 and isinstance(events[-1], ev.DayClosed)
    with pytest.raises(Closed):
        hall.issue(at(61), "registrar")
    assert hall.tickets["20261123-A001"].closed_by_system
    with pytest.raises(Closed):
        hall.rate(at(62), "pad-w01", "20261123-A001", 3, [])
    tomorrow = NINE + timedelta(days=1)
    assert hall.roll_over(tomorrow) == [] and hall.today == date(2026, 11, 24)
    assert hall.issue(tomorrow, "registrar")[0].number == "A001"
    assert hall.tickets.keys() == {"20261124-A001"}, "yesterday's closed tickets leave memory"


def test_after_the_close_of_day_login_assign_and_rating_are_refused_closed():
    hall = new_hall()
    hall.login(at(0), "w01", "s101", Post.A, pin=PIN)
    hall.issue(at(1), "registrar")
    served, _ = hall.call_next(at(2), "w01")
    hall.finish(at(3), "w01", Outcome.DONE)
    hall.close_day(at(60))
    before = state(hall)
    for refused in (
        lambda: hall.login(at(61), "w01", "s101", Post.A, pin=PIN),
        lambda: hall.assign(at(61), "w07", ["finance"]),
        lambda: hall.rate(at(61), "pad-w01", served.id, 3, []),
    ):
        with pytest.raises(Closed):
            refused()
    assert state(hall) == before
    tomorrow = NINE + timedelta(days=1)
    hall.roll_over(tomorrow)
    assert hall.login(tomorrow, "w01", "s101", Post.A, pin=PIN), "the next day opens again"


def test_a_day_left_open_is_closed_when_the_next_one_starts():
    hall = new_hall()
    hall.login(at(0), "w01", "s101", Post.A, pin=PIN)
    hall.issue(at(1), "registrar")
    events = hall.roll_over(NINE + timedelta(days=1))
    closed = [e for e in events if isinstance(e, ev.DayClosed)]
    assert [c.day for c in closed] == [date(2026, 11, 23)]
    assert closed[0].summary["no_show_by_system"] == ["A001"]
    assert any(isinstance(e, ev.ClerkOffDuty) and e.staff == "s101" for e in events)


def test_a_wrong_pin_is_refused_with_the_event_that_counts_it_and_five_lock_the_id():
    from hallcall.broker.domain.errors import Locked

    hall = new_hall()
    for i in range(1, 5):
        with pytest.raises(Forbidden) as refused:
            hall.login(at(0), "w01", "s101", Post.A, pin="0000")
        assert [e.failures for e in refused.value.events] == [i]
        assert hall.windows["w01"].staff is None
    with pytest.raises(Locked) as locked:
        hall.login(at(1), "w01", "s101", Post.A, pin="0000")
    assert locked.value.code == "locked" and locked.value.events[0].locked_until == at(16)
    with pytest.raises(Locked):
        hall.login(at(15), "w01", "s101", Post.A, pin=PIN)
    # After the lock one more wrong PIN locks again at once, twice as long, then four times.
    with pytest.raises(Locked) as again:
        hall.login(at(16), "w01", "s101", Post.A, pin="0000")
    assert again.value.events[0].locked_until == at(16 + 30)
    with pytest.raises(Locked) as third:
        hall.login(at(46), "w01", "s101", Post.A, pin="0000")
    assert third.value.events[0].locked_until == at(46 + 60)
    events = hall.login(at(106), "w01", "s101", Post.A, pin=PIN)
    assert "PinFailuresCleared" in types(events) and hall.windows["w01"].staff == "s101"
    assert "s101" not in hall.pin_failures, "only the right PIN clears the count"


def test_needs_documents_names_the_missing_materials_from_the_matters_guide():
    from hallcall.broker.domain.errors import Invalid

    hall = new_hall()
    hall.issue(at(0), "registrar", "transcript")
    hall.login(at(0), "w01", "s101", Post.A, pin=PIN)
    hall.call_next(at(1), "w01")
    with pytest.raises(Invalid):
        hall.finish(at(2), "w01", Outcome.DONE, [0])
    t, events = hall.finish(at(2), "w01", Outcome.NEEDS_DOCUMENTS, [1])
    assert t.missing_materials == [
        {
            "zh": "他人代办须携带委托书",
            "en": "A letter of authorisation when collecting for someone else",
        }
    ]
    assert events[0].ticket.missing_materials == t.missing_materials
