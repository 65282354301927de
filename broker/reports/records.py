"""One flat record per ticket of a period, read from the tickets, their history and ratings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, and_, select

from hallcall.broker.storage.orm import RatingRow, TicketEventRow, TicketRow


@dataclass(frozen=True, slots=True)
class VisitRecord:
    id: str
    number: str
    service_date: date
    issued_at: datetime
    #: The department the ticket was taken for, and the one that ended it.
    issued_department: str
    department: str
    matter: str | None
    status: str  # waiting | called | finished | no_show
    outcome: str | None
    closed_by_system: bool
    #: Who first called the visitor, and when (waiting time ends there).
    first_called_at: datetime | None
    first_window: str | None
    first_staff: str | None
    first_department: str | None
    #: Who ended the visit, and when service began and ended.
    window: str | None
    staff: str | None
    called_at: datetime | None
    finished_at: datetime | None
    #: Departments the ticket was transferred away from, in order.
    transferred_from: tuple[str, ...]
    #: Window and clerk of each transfer, in order.
    transferred_by: tuple[tuple[str | None, str | None], ...]
    score: int | None
    scale: int | None

    #: First call minus issue time; None when never called.
    wait_s: float | None = None
    #: Finished minus called, for visits a clerk served to the end.
    service_s: float | None = None

    @property
    def served(self) -> bool:
        """Finished by a clerk (any outcome); tickets closed by the system do not count."""
        return self.status == "finished" and not self.closed_by_system


def load_records(engine: Engine, hall_id: str, start: date, end: date) -> list[VisitRecord]:
    """Every ticket of hall `hall_id` whose service day is in [start, end] (both included)."""
    t, e, r = TicketRow, TicketEventRow, RatingRow
    in_period = (t.hall_id == hall_id, t.service_date >= start, t.service_date <= end)
    # A ticket's id is unique within its hall only: its history and rating are its hall's.
    event_of = and_(e.hall_id == t.hall_id, e.ticket_id == t.id)
    rating_of = and_(r.hall_id == t.hall_id, r.ticket_id == t.id)
    with engine.connect() as conn:
        tickets = conn.execute(
            select(
                t.id, t.number, t.service_date, t.issued_at, t.original_department, t.department,
                t.matter, t.status, t.outcome, t.closed_by_system, t.window, t.staff, t.called_at,
                t.finished_at,
            ).where(*in_period)
        ).all()
        calls = conn.execute(
            select(e.ticket_id, e.at, e.window, e.staff, e.department)
            .join(t, event_of)
            .where(e.hall_id == hall_id, e.action == "called", *in_period)
            .order_by(e.id)
        ).all()
        moves = conn.execute(
            select(e.ticket_id, e.window, e.staff, e.detail)
            .join(t, event_of)
            .where(e.hall_id == hall_id, e.action == "transferred", *in_period)
            .order_by(e.id)
        ).all()
        ratings = {
            ticket_id: (score, scale)
            for ticket_id, score, scale in conn.execute(
                select(r.ticket_id, r.score, r.scale)
                .join(t, rating_of)
                .where(r.hall_id == hall_id, *in_period)
            ).all()
        }
    first_call: dict[str, tuple] = {}
    for ticket_id, at, window, staff, department in calls:
        if ticket_id not in first_call:
            first_call[ticket_id] = (at, window, staff, department)
    transfers: dict[str, list[tuple]] = {}
    for ticket_id, window, staff, detail in moves:
        transfers.setdefault(ticket_id, []).append(((detail or {}).get("from"), window, staff))
    no_call = (None, None, None, None)
    out = []
    for t in tickets:
        called_first_at, first_window, first_staff, first_department = first_call.get(t.id, no_call)
        tr = transfers.get(t.id, ())
        score, scale = ratings.get(t.id, (None, None))
        served = t.status == "finished" and not t.closed_by_system
        out.append(
            VisitRecord(
                t.id, t.number, t.service_date, t.issued_at, t.original_department, t.department,
                t.matter, t.status, t.outcome, t.closed_by_system,
                called_first_at, first_window, first_staff, first_department,
                t.window, t.staff, t.called_at, t.finished_at,
                tuple(x[0] for x in tr), tuple((x[1], x[2]) for x in tr),
                score, scale,
                (called_first_at - t.issued_at).total_seconds() if called_first_at else None,
                (t.finished_at - t.called_at).total_seconds()
                if served and t.called_at and t.finished_at else None,
            )
        )
    return out
