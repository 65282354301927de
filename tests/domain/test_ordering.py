from datetime import UTC, date, datetime, timedelta

from hallcall.broker.domain.estimate import estimated_wait_s, typical_service_s
from hallcall.broker.domain.model import Priority, Source, Ticket, TicketStatus
from hallcall.broker.domain.ordering import in_call_order, pick_next, waiting_ahead

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def ticket(number: str, minute: int, department="reg", **kw) -> Ticket:
    at = T0 + timedelta(minutes=minute)
    return Ticket(
        id=number,
        number=number,
        service_date=date(2026, 11, 23),
        department=department,
        original_department=kw.pop("original", department),
        issued_at=at,
        queued_at=kw.pop("queued_at", at),
        **kw,
    )


def test_walk_ins_are_called_first_come_first_served():
    ts = [ticket("A003", 3), ticket("A001", 1), ticket("A002", 2)]
    assert [t.number for t in in_call_order(ts, T0 + timedelta(hours=1))] == [
        "A001",
        "A002",
        "A003",
    ]


def test_priority_visitors_go_ahead_of_walk_ins():
    ts = [ticket("A001", 1), ticket("A002", 2, priority=Priority.PRIORITY), ticket("A003", 3)]
    assert pick_next(ts, ["reg"], T0 + timedelta(hours=1)).number == "A002"


def test_an_appointment_goes_ahead_only_once_it_is_due():
    booked = T0 + timedelta(minutes=60)
    appt = ticket("A003", 3, source=Source.APPOINTMENT, booked_at=booked, queued_at=booked)
    ts = [ticket("A001", 1), ticket("A002", 2), appt]
    early = T0 + timedelta(minutes=30)
    assert [t.number for t in in_call_order(ts, early)] == ["A001", "A002", "A003"]
    due = booked - timedelta(minutes=5)
    assert pick_next(ts, ["reg"], due).number == "A003"


def test_a_transferred_ticket_keeps_its_original_place():
    moved = ticket("A001", 1, department="fin", original="reg")
    ts = [ticket("B004", 4, department="fin"), moved, ticket("B005", 5, department="fin")]
    assert pick_next(ts, ["fin"], T0 + timedelta(hours=1)).number == "A001"


def test_only_waiting_tickets_of_served_departments_are_called():
    called = ticket("A001", 1)
    called.status = TicketStatus.CALLED
    ts = [called, ticket("B001", 0, department="fin"), ticket("A002", 2)]
    assert pick_next(ts, ["reg"], T0).number == "A002"
    assert pick_next(ts, ["other"], T0) is None


def test_waiting_ahead_counts_only_tickets_called_before():
    ts = [ticket("A001", 1), ticket("A002", 2), ticket("A003", 3, priority=Priority.PRIORITY)]
    now = T0 + timedelta(hours=1)
    assert waiting_ahead(ts[1], ts, now) == 2  # the priority ticket and A001
    assert waiting_ahead(ts[2], ts, now) == 0


def test_estimate_uses_the_median_of_recent_services_and_open_windows():
    assert typical_service_s([], 300) == 300
    assert typical_service_s([100, 200, 3600], 300) == 200
    assert estimated_wait_s(0, 200, 1) == 0
    assert estimated_wait_s(6, 200, 2) == 600
    assert estimated_wait_s(3, 200, 0) == 600  # no window open yet: assume one will
