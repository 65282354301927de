"""The clerk's commands: login, next, recall, no-show, transfer, finish, pause, A/B, flex windows."""

from sqlalchemy import select

from hallcall.broker.storage.orm import PauseRow, StaffSessionRow, TicketEventRow, TicketRow


def test_next_calls_the_oldest_ticket_of_the_windows_departments(hall):
    hall.issue("finance")
    a1 = hall.issue()
    hall.issue()
    state = hall.login("w01", "s101")
    assert (state["status"], state["staff"]["id"], state["staff"]["post"]) == ("open", "s101", "A")
    assert state["staff"]["name"] == {"zh": "张敏", "en": "Zhang Min"}
    t = hall.next("w01")
    assert (t["number"], t["status"], t["window"], t["window_number"]) == (
        a1["number"],
        "called",
        "w01",
        1,
    )
    assert t["recalls_left"] == 2
    w = hall.last("state/window/w01")
    assert w["current"]["number"] == "A001"
    calls = hall.last("state/calls")["calls"]
    assert (calls[0]["number"], calls[0]["window_number"], calls[0]["recall"]) == ("A001", 1, False)
    ev = hall.last("event/ticket.called")
    assert (ev["window"], ev["window_number"], ev["ticket"]["number"]) == ("w01", 1, "A001")


def test_next_with_nobody_waiting_is_empty(hall):
    hall.login("w01", "s101")
    reply = hall.window("w01", "call.next")
    assert reply["error"]["code"] == "empty"


def test_next_refused_before_login_while_paused_or_while_serving(hall):
    hall.issue()
    hall.issue()
    assert hall.window("w01", "call.next")["error"]["code"] == "conflict"
    hall.login("w01", "s101")
    hall.ok("window", "w01", "window.pause", reason="break")
    assert "paused" in hall.window("w01", "call.next")["error"]["message"]
    hall.ok("window", "w01", "window.resume")
    hall.next("w01")
    reply = hall.window("w01", "call.next")
    assert reply["error"]["code"] == "conflict" and "A001" in reply["error"]["message"]


def test_recall_to_the_limit_then_no_show(hall, engine):
    hall.issue()
    hall.login("w01", "s101")
    hall.next("w01")
    assert hall.ok("window", "w01", "call.recall")["ticket"]["recalls_left"] == 1
    assert hall.ok("window", "w01", "call.recall")["ticket"]["recalls_left"] == 0
    assert hall.last("state/calls")["calls"][0]["recall"] is True
    reply = hall.window("w01", "call.recall")
    assert reply["error"]["code"] == "conflict" and "no-show" in reply["error"]["message"]
    t = hall.ok("window", "w01", "ticket.no_show")["ticket"]
    assert t["status"] == "no_show"
    assert hall.last("state/window/w01")["current"] is None
    with engine.connect() as c:
        actions = (
            c.execute(select(TicketEventRow.action).order_by(TicketEventRow.id)).scalars().all()
        )
    assert actions == ["issued", "called", "recalled", "recalled", "no_show"]


def test_finish_with_each_outcome_and_rating_request(hall, engine):
    for _ in range(3):
        hall.issue()
    hall.login("w01", "s101")
    for outcome in ("done", "returned", "needs_documents"):
        hall.next("w01")
        t = hall.finish("w01", outcome)
        assert (t["status"], t["outcome"]) == ("finished", outcome)
        req = hall.last("event/rating.requested")
        assert (req["window"], req["ticket_id"], req["scale"]) == ("w01", t["id"], 3)
    w = hall.last("state/window/w01")
    assert w["served_today"] == 3
    assert w["last_finished"]["number"] == "A003" and w["last_finished"]["rated"] is False
    assert hall.window("w01", "ticket.finish", outcome="done")["error"]["code"] == "conflict"
    assert hall.window("w01", "ticket.finish", outcome="great")["error"]["code"] == "invalid"


def test_transfer_keeps_number_and_place_in_the_new_queue(hall, engine, clock):
    a1 = hall.issue()
    clock.advance(60)
    hall.issue("finance")  # B001 queued after A001 was issued
    hall.login("w01", "s101")
    hall.next("w01")
    clock.advance(120)
    t = hall.ok("window", "w01", "ticket.transfer", department="finance", matter="tuition")[
        "ticket"
    ]
    assert (t["number"], t["department"], t["status"], t["matter"]) == (
        "A001",
        "finance",
        "waiting",
        "tuition",
    )
    assert t["waiting_ahead"] == 0  # it keeps its place ahead of B001
    assert hall.last("state/queue/finance")["waiting"] == 2
    assert hall.last("state/window/w01")["current"] is None
    hall.login("w03", "s201")
    called = hall.next("w03")
    assert (called["id"], called["transfers"]) == (a1["id"], 1)
    with engine.connect() as c:
        ev = c.execute(select(TicketEventRow).where(TicketEventRow.action == "transferred")).one()
        row = c.execute(select(TicketRow).where(TicketRow.id == a1["id"])).one()
    assert ev.detail == {"from": "registrar", "to": "finance"} and ev.window == "w01"
    assert (row.original_department, row.department) == ("registrar", "finance")


def test_transfer_errors_change_nothing(hall):
    hall.issue()
    hall.login("w01", "s101")
    hall.next("w01")
    assert (
        hall.window("w01", "ticket.transfer", department="nowhere")["error"]["code"] == "not_found"
    )
    assert (
        hall.window("w01", "ticket.transfer", department="registrar")["error"]["code"] == "invalid"
    )
    assert hall.last("state/window/w01")["current"]["status"] == "called"


def test_login_rules(hall):
    assert (
        hall.window("w01", "window.login", staff="nobody", post="A")["error"]["code"] == "not_found"
    )
    # s201 works in finance; window 1 serves the registrar only.
    assert (
        hall.window("w01", "window.login", staff="s201", post="A")["error"]["code"] == "forbidden"
    )
    assert hall.window("w01", "window.login", staff="s101", post="C")["error"]["code"] == "invalid"
    hall.login("w01", "s101")
    assert hall.window("w02", "window.login", staff="s101", post="A")["error"]["code"] == "conflict"
    # Any clerk may work a flex window.
    assert hall.login("w07", "s201")["staff"]["id"] == "s201"


def test_b_clerk_takes_over_and_attendance_is_recorded(hall, engine, clock):
    hall.issue()
    hall.login("w01", "s101", "A")
    hall.next("w01")
    assert (
        hall.window("w01", "window.login", staff="s102", post="B", pin="2468")["error"]["code"]
        == "conflict"
    )
    hall.finish("w01")
    clock.advance(minutes=30)
    state = hall.login("w01", "s102", "B")
    assert (state["staff"]["id"], state["staff"]["post"], state["status"]) == ("s102", "B", "open")
    clock.advance(minutes=30)
    hall.ok("window", "w01", "window.logout")
    with engine.connect() as c:
        sessions = c.execute(select(StaffSessionRow).order_by(StaffSessionRow.id)).all()
    assert [(s.staff, s.post) for s in sessions] == [("s101", "A"), ("s102", "B")]
    assert all(s.logout_at is not None for s in sessions)
    assert (sessions[1].logout_at - sessions[1].login_at).total_seconds() == 1800


def test_pause_and_resume_with_reason(hall, engine, clock):
    hall.login("w01", "s101")
    state = hall.ok("window", "w01", "window.pause", reason="training")
    assert (state["status"], state["pause_reason"]) == ("paused", "training")
    assert hall.window("w01", "window.pause", reason="again")["error"]["code"] == "conflict"
    assert hall.window("w01", "window.pause", reason="")["error"]["code"] == "invalid"
    clock.advance(minutes=10)
    assert hall.ok("window", "w01", "window.resume")["status"] == "open"
    assert hall.window("w01", "window.resume")["error"]["code"] == "conflict"
    with engine.connect() as c:
        pause = c.execute(select(PauseRow)).one()
    assert (pause.reason, (pause.ended_at - pause.started_at).total_seconds()) == ("training", 600)


def test_logout_refused_while_serving(hall):
    hall.issue()
    hall.login("w01", "s101")
    hall.next("w01")
    assert hall.window("w01", "window.logout")["error"]["code"] == "conflict"


def test_flex_window_assigned_at_peak_then_released(hall):
    hall.issue("finance")
    hall.login("w07", "s201")
    assert hall.window("w07", "call.next")["error"]["code"] == "conflict"  # serves nothing yet
    state = hall.ok(
        "admin", "office", "window.assign", window="w07", departments=["finance", "registrar"]
    )
    assert state["departments"] == ["finance", "registrar"]
    assert hall.last("state/queue/finance")["open_windows"] == 1
    assert hall.next("w07")["number"] == "B001"
    hall.finish("w07")
    hall.ok("admin", "office", "window.assign", window="w07", departments=[])
    assert hall.last("state/window/w07")["departments"] == []
    assert hall.last("state/queue/finance")["open_windows"] == 0


def test_flex_assignment_errors(hall):
    assert (
        hall.error("admin", "office", "window.assign", window="w01", departments=["finance"])
        == "forbidden"
    )
    assert (
        hall.error("admin", "office", "window.assign", window="w99", departments=[]) == "not_found"
    )
    assert (
        hall.error("admin", "office", "window.assign", window="w07", departments=["nowhere"])
        == "not_found"
    )
    assert hall.error("window", "w01", "window.assign", window="w07", departments=[]) == "forbidden"
