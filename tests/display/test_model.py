"""The lobby model without Qt: retained state in, picture and fresh calls out."""

from __future__ import annotations

import gc
import tracemalloc

import pytest

from hallcall.display.model import Call, LobbyModel, fresh_calls
from tests.display.synthetic import SyntheticHall


def feed(model: LobbyModel, messages) -> list[Call]:
    fresh: list[Call] = []
    for topic, payload in messages:
        fresh += model.apply(topic, payload)
    return fresh


def online(model: LobbyModel) -> LobbyModel:
    model.set_connected(True)
    model.apply("server/status", {"state": "online"})
    return model


def test_opening_picture_has_every_window_and_department_in_both_languages():
    hall = SyntheticHall(windows=20)
    model = online(LobbyModel(("zh", "en")))
    assert feed(model, hall.opening()) == []
    snap = model.snapshot()
    assert snap.online
    assert snap.hall_name == ("市民服务中心综合办事大厅", "Citizen Service Centre")
    assert [w.number for w in snap.windows] == list(range(1, 21))
    w1 = snap.windows[0]
    assert w1.status == "open" and w1.status_text == ("空闲", "Available")
    assert w1.department == (
        "不动产登记中心（房屋产权与抵押登记）",
        "Real Estate Registration (Property & Mortgage)",
    )
    assert w1.clerk == ("欧阳明轩", "Ouyang Mingxuan") and w1.post == ("A岗", "Post A")
    assert [q.prefix for q in snap.queues] == list("ABCDEFGH")
    assert snap.newest is None and snap.recent == ()
    assert snap.notice[0].startswith("请提前")


def test_new_calls_are_found_in_order_and_shown_newest_first():
    hall = SyntheticHall()
    model = online(LobbyModel(("zh",), recent=4))
    feed(model, hall.opening())
    fresh = feed(model, hall.call(0))
    assert [c.number for c in fresh] == ["A001"]
    fresh = feed(model, [*hall.call(1), *hall.call(2)])
    assert [c.window for c in fresh] == ["w02", "w03"]
    snap = model.snapshot()
    assert snap.newest.number == "C001" and snap.newest.window_number == 3
    assert [c.number for c in snap.recent] == ["B001", "A001"]
    serving = {w.number: w.current for w in snap.windows if w.status == "serving"}
    assert serving == {1: "A001", 2: "B001", 3: "C001"}


def test_a_recall_of_the_same_ticket_is_a_new_call():
    hall = SyntheticHall()
    model = online(LobbyModel())
    feed(model, hall.opening())
    feed(model, hall.call(4))
    fresh = feed(model, hall.call(4, recall=True))
    assert len(fresh) == 1 and fresh[0].recall and fresh[0].number == "E001"
    assert model.snapshot().newest.recall


def test_calls_in_the_retained_list_at_start_are_not_announced():
    hall = SyntheticHall()
    for i in range(7):
        hall.call(i)
    model = online(LobbyModel())
    assert feed(model, hall.opening()) == []  # the morning is history
    assert model.snapshot().newest.number == "G001"
    assert [c.number for c in feed(model, hall.call(7))] == ["H001"]


def test_the_newest_call_is_shown_big_only_while_its_window_still_serves_it():
    """Issue #12 item 4: not after the ticket was finished, nor while the window is paused."""
    hall = SyntheticHall()
    model = online(LobbyModel())
    feed(model, hall.opening())
    feed(model, hall.call(0))
    snap = model.snapshot()
    assert snap.newest.number == "A001" and snap.recent == ()
    w = hall.windows[0]
    for status, current in (("open", None), ("paused", None), ("closed", None)):
        topic, payload = hall.window_state(w, status, current)
        model.apply(topic, payload)
        snap = model.snapshot()
        assert snap.newest is None, status
        assert [c.number for c in snap.recent] == ["A001"], (
            "it is still listed among the recent calls"
        )
    feed(model, hall.call(1))
    assert model.snapshot().newest.number == "B001"


def test_a_broker_restart_republishing_the_same_list_announces_nothing():
    hall = SyntheticHall()
    model = online(LobbyModel())
    feed(model, hall.opening())
    feed(model, hall.call(0))
    before = model.snapshot()
    model.apply("server/status", {"state": "offline"})
    assert not model.snapshot().online
    model.apply("server/status", {"state": "online"})
    assert feed(model, hall.republish()) == []  # same content, new seq numbers
    assert model.snapshot() == before


def test_older_states_never_move_the_picture_back():
    hall = SyntheticHall()
    model = online(LobbyModel())
    feed(model, hall.opening())
    old = hall.call(0)
    new = hall.call(0, recall=True)
    feed(model, new)
    assert feed(model, old) == []  # replayed, older seq
    assert model.snapshot().newest.recall


def test_a_full_list_of_new_calls_after_a_gap_counts_only_later_calls():
    hall = SyntheticHall(calls_kept=10)
    model = online(LobbyModel())
    feed(model, hall.opening())
    feed(model, hall.call(0))
    burst = [m for i in range(1, 13) for m in hall.call(i)]  # 12 calls, the display heard none
    fresh = model.apply(*burst[-1])
    assert len(fresh) == 10  # everything in the list is newer than what was held
    assert fresh[-1].window == "w13"


def test_fresh_calls_alignment_rules():
    def c(i, recall=False):
        return Call(f"t{i}", f"A{i:03d}", "d", "w1", 1, None, recall)

    old = [c(3), c(2), c(1)]
    assert fresh_calls(old, old) == []
    assert fresh_calls(old, [c(4), c(3), c(2)]) == [c(4)]
    assert fresh_calls(old, [c(5), c(4), c(3)]) == [c(5), c(4)]
    assert fresh_calls(old, [c(3, True), c(3), c(2)]) == [c(3, True)]
    assert fresh_calls([], [c(1)]) == [c(1)]
    assert fresh_calls(old, []) == []


def test_status_pause_and_close_are_shown_with_reason_and_no_clerk_when_closed():
    hall = SyntheticHall(windows=3, departments=3)
    model = online(LobbyModel(("zh", "en")))
    feed(model, hall.opening())
    topic, paused = hall.window_state(hall.windows[0], "paused", None)
    paused["pause_reason"] = "系统维护"
    topic2, closed = hall.window_state(hall.windows[1], "closed", None)
    feed(model, [(topic, paused), (topic2, closed)])
    w1, w2, w3 = model.snapshot().windows
    assert (w1.status, w1.status_text, w1.pause_reason) == (
        "paused",
        ("暂停服务", "Paused"),
        "系统维护",
    )
    assert w2.status == "closed" and w2.clerk == ("", "")
    assert w3.status == "open" and w3.current is None
    # A reason code from a clerk terminal is said in the display's languages, never raw.
    paused["pause_reason"], paused["seq"] = "break", paused["seq"] + 100
    feed(model, [(topic, paused)])
    assert model.snapshot().windows[0].pause_reason == "休息 · Break"
    only_en = online(LobbyModel(("en",)))
    feed(only_en, hall.opening() + [(topic, paused)])
    assert only_en.snapshot().windows[0].pause_reason == "Break"


def test_offline_until_connected_and_the_broker_is_online():
    model = LobbyModel()
    assert not model.snapshot().online and model.snapshot().server_state == "unknown"
    model.set_connected(True)
    assert not model.online
    model.apply("server/status", {"state": "online", "version": "1"})
    assert model.online
    model.set_connected(False)
    assert not model.snapshot().online and not model.snapshot().connected


def test_junk_is_ignored():
    model = online(LobbyModel())
    assert model.apply("state/calls", {"calls": []}) == []  # no seq
    assert model.apply("state/calls", {"seq": 1, "calls": "nope"}) == []
    assert model.apply("state/calls", {"seq": 2, "calls": [{"number": "A1"}, 5]}) == []
    assert model.apply("state/window/w1", {"seq": 3, "status": "weird"}) == []
    assert model.snapshot().windows == ()  # what the contract refuses changes nothing
    assert model.calls == ()
    for i in range(600):  # a flood of unknown windows cannot grow the model without bound
        window = {"window": f"x{i}", "number": i, "flex": False, "departments": []}
        model.apply(f"state/window/x{i}", {"seq": 10 + i, "status": "open", **window})
    assert len(model.snapshot().windows) == 256


def test_a_day_of_2400_calls_keeps_memory_flat():
    hall = SyntheticHall(windows=20)
    model = online(LobbyModel(("zh", "en")))
    feed(model, hall.opening())
    day = hall.day(2400)

    def run(n):
        for _ in range(n * 3):
            topic, payload = next(day)
            model.apply(topic, payload)
            model.snapshot()

    # The test's own synthetic hall keeps growing its generator state: count only what the
    # model and the contract's parsing keep.
    kept = [tracemalloc.Filter(False, "*/tests/*"), tracemalloc.Filter(False, tracemalloc.__file__)]

    def held() -> int:
        gc.collect()
        return sum(
            s.size for s in tracemalloc.take_snapshot().filter_traces(kept).statistics("filename")
        )

    run(600)  # warm up: every window, queue and call row is made and cached once
    gc.collect()
    tracemalloc.start()
    try:
        run(300)
        first = held()
        run(1500)
        last = held()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert model.new_calls == 2400
    # 1,500 more calls may not leave more than a few KB behind (no growth per call).
    assert last - first < 20_000, (first, last, peak)
    assert peak < 2_000_000


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_payloads_of_the_real_queue_service(hall):
    """The model reads what the queue broker really publishes (no MQTT needed)."""
    model = online(LobbyModel(("zh", "en")))
    hall.publications += hall.service.republish_all()  # what the broker sends on connect
    hall.issue("registrar")
    hall.issue("finance")
    hall.login("w01", "s101")
    hall.login("w03", "s201")

    def retained():
        return [(p.topic.split("/", 3)[3], p.payload) for p in hall.publications if p.retained]

    fresh = feed(model, retained())
    assert fresh == []  # the first calls list is a baseline
    hall.publications.clear()
    hall.next("w01")
    hall.window("w01", "call.recall")
    hall.next("w03")
    fresh = feed(model, retained())
    assert [(c.number, c.window_number, c.recall) for c in fresh] == [
        ("A001", 1, False),
        ("A001", 1, True),
        ("B001", 3, False),
    ]
    snap = model.snapshot()
    assert snap.newest.number == "B001" and snap.newest.department[0] == "财务处（学费与报销）"
    w1 = next(w for w in snap.windows if w.id == "w01")
    assert w1.current == "A001" and w1.clerk == ("张敏", "Zhang Min")
