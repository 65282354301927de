"""Issuing tickets: numbering, caps, appointments, priority, estimated wait."""

from datetime import timedelta

from sqlalchemy import func, select

from hallcall.broker.storage.orm import CounterRow, TicketEventRow, TicketRow
from tests.support.hall import MORNING, start_service


def count(engine, model):
    with engine.connect() as c:
        return c.execute(select(func.count()).select_from(model)).scalar()


def test_numbers_count_up_per_department_with_their_prefix(hall):
    assert [hall.issue()["number"] for _ in range(3)] == ["A001", "A002", "A003"]
    assert hall.issue("finance")["number"] == "B001"
    t = hall.issue(matter="transcript", lang="en")
    assert (t["number"], t["matter"], t["lang"], t["status"]) == (
        "A004",
        "transcript",
        "en",
        "waiting",
    )
    assert t["id"] == "20261123-A004"
    assert t["issued_at"] == "2026-11-23T01:00:00Z"


def test_numbering_restarts_each_day_and_keeps_history(hall, clock, engine):
    hall.issue()
    hall.issue()
    clock.advance(days=1)
    t = hall.issue()
    assert (t["number"], t["id"]) == ("A001", "20261124-A001")
    with engine.connect() as c:
        rows = c.execute(
            select(CounterRow.service_date, CounterRow.last_number).order_by(
                CounterRow.service_date
            )
        ).all()
    assert [r.last_number for r in rows] == [2, 1]


def test_waiting_ahead_and_estimated_wait(hall, clock):
    first = hall.issue()
    # No window open yet: no estimate is promised (issue #12), the reply says none is open.
    assert (first["waiting_ahead"], first["estimated_wait_s"], first["open_windows"]) == (
        0,
        None,
        0,
    )
    hall.login("w01", "s101")
    hall.issue()
    third = hall.issue()
    # Nobody served yet: the department's default service time (240 s) per person ahead.
    assert (third["waiting_ahead"], third["estimated_wait_s"], third["open_windows"]) == (2, 480, 1)
    # Two windows open: the wait halves. Serve two visitors in 60 s each: the estimate learns.
    hall.login("w02", "s103")
    for _ in range(2):
        hall.next("w01")
        clock.advance(60)
        hall.finish("w01")
    hall.issue()
    t = hall.issue()
    assert t["waiting_ahead"] == 2
    assert t["estimated_wait_s"] == 60  # 2 ahead x 60 s / 2 windows


def test_priority_ticket_counts_only_priority_visitors_ahead(hall):
    hall.issue()
    hall.issue()
    t = hall.issue(priority="priority")
    assert (t["priority"], t["waiting_ahead"]) == ("priority", 0)


def test_unknown_department_or_matter_is_refused_and_changes_nothing(hall, engine):
    assert hall.error("kiosk", "kiosk-1", "ticket.issue", department="nowhere") == "not_found"
    assert (
        hall.error("kiosk", "kiosk-1", "ticket.issue", department="registrar", matter="tuition")
        == "not_found"
    )
    assert (
        hall.error("kiosk", "kiosk-1", "ticket.issue", department="registrar", lang="fr")
        == "invalid"
    )
    assert count(engine, TicketRow) == 0 and count(engine, CounterRow) == 0
    assert hall.publications == []


def test_daily_cap_closes_the_department(hall_config, engine, clock):
    dep = hall_config.department("registrar").model_copy(update={"daily_cap": 2})
    config = hall_config.model_copy(update={"departments": [dep, *hall_config.departments[1:]]})
    from tests.support.hall import Hall

    hall = Hall(start_service(config, engine, clock))
    hall.issue()
    hall.issue()
    reply = hall.send("kiosk", "kiosk-1", "ticket.issue", department="registrar")
    assert reply["error"]["code"] == "closed" and "2 tickets" in reply["error"]["message"]
    assert hall.issue("finance")["number"] == "B001"
    assert count(engine, TicketRow) == 3


def test_history_records_the_issue(hall, engine):
    t = hall.issue()
    with engine.connect() as c:
        ev = c.execute(select(TicketEventRow).where(TicketEventRow.ticket_id == t["id"])).one()
    assert ev.action == "issued" and ev.department == "registrar"


def test_issue_publishes_queue_state_and_event(hall):
    t = hall.issue()
    q = hall.last("state/queue/registrar")
    assert (q["waiting"], q["department"]) == (1, "registrar")
    ev = hall.last("event/ticket.issued")
    assert ev["ticket"]["number"] == t["number"] and ev["seq"] > q["seq"]


def test_appointment_booked_then_checked_in_goes_ahead_when_due(hall, clock):
    booked_at = (MORNING + timedelta(minutes=30)).isoformat()
    appt = hall.ok(
        "admin",
        "office",
        "appointment.book",
        department="registrar",
        matter="transcript",
        booked_at=booked_at,
        phone="13800000000",
    )["appointment"]
    code = appt["code"]
    assert len(code) == 6 and code.isdigit()
    walk_in = hall.issue()
    t = hall.ok("kiosk", "kiosk-1", "appointment.checkin", code=code)["ticket"]
    assert (t["source"], t["number"], t["matter"]) == ("appointment", "A002", "transcript")
    # Checking in twice returns the same ticket; the phone number works as the code.
    assert hall.ok("kiosk", "kiosk-2", "appointment.checkin", code=code)["ticket"]["id"] == t["id"]
    assert (
        hall.ok("kiosk", "kiosk-2", "appointment.checkin", code="13800000000")["ticket"]["id"]
        == t["id"]
    )
    hall.login("w01", "s101")
    clock.advance(minutes=25)  # within 10 minutes of the booked time: due
    assert hall.next("w01")["number"] == "A002"
    hall.finish("w01")
    assert hall.next("w01")["number"] == walk_in["number"]


def test_appointment_checkin_errors(hall, clock):
    assert hall.error("kiosk", "kiosk-1", "appointment.checkin", code="999999") == "not_found"
    tomorrow = (MORNING + timedelta(days=1)).isoformat()
    code = hall.ok(
        "admin", "office", "appointment.book", department="finance", booked_at=tomorrow, code="4242"
    )["appointment"]["code"]
    reply = hall.send("kiosk", "kiosk-1", "appointment.checkin", code=code)
    assert reply["error"]["code"] == "conflict" and "2026-11-24" in reply["error"]["message"]
    assert (
        hall.error(
            "admin",
            "office",
            "appointment.book",
            department="finance",
            booked_at=tomorrow,
            code="4242",
        )
        == "conflict"
    )
    # Letters could not be typed on the kiosk's keypad: refused.
    assert (
        hall.error(
            "admin",
            "office",
            "appointment.book",
            department="finance",
            booked_at=tomorrow,
            code="FIN42",
        )
        == "invalid"
    )
    past = (MORNING - timedelta(days=1)).isoformat()
    assert (
        hall.error("admin", "office", "appointment.book", department="finance", booked_at=past)
        == "invalid"
    )
