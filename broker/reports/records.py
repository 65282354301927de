"""One flat record per ticket of a period, read from the tickets, their history and ratings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

from hallcall.broker.storage.orm import RatingRow, TicketEventRow, TicketRow
from sqlalchemy import Engine, select


@dataclass(frozen=True)
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

    @cached_property
    def wait_s(self) -> float | None:
        if self.first_called_at is None:
            return None
        return (self.first_called_at - self.issued_at).total_seconds()

    @property
    def served(self) -> bool:
        """Finished by a clerk (any outcome); tickets closed by the system do not count."""
        return self.status == "finished" and not self.closed_by_system

    @cached_property
    def service_s(self) -> float | None:
        if not self.served or self.called_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.called_at).total_seconds()


def load_records(engine: Engine, start: date, end: date) -> list[VisitRecord]:
    """Every ticket whose service day is in [start, end] (both included)."""
    with engine.connect() as conn:
        t = TicketRow
        tickets = conn.execute(
            select(
                t.id, t.number, t.service_date, t.issued_at, t.original_department, t.department,
                t.matter, t.status, t.outcome, t.closed_by_system, t.window, t.staff, t.called_at,
                t.finished_at,
            ).where(t.service_date >= start, t.service_date <= end)
        ).all()
        in_range = (
            select(TicketRow.id)
            .where(TicketRow.service_date >= start, TicketRow.service_date <= end)
            .scalar_subquery()
        )
        events = conn.execute(
            select(
                TicketEventRow.ticket_id,
                TicketEventRow.action,
                TicketEventRow.at,
                TicketEventRow.window,
                TicketEventRow.staff,
                TicketEventRow.department,
                TicketEventRow.detail,
            )
            .where(
                TicketEventRow.action.in_(["called", "transferred"]),
                TicketEventRow.ticket_id.in_(in_range),
            )
            .order_by(TicketEventRow.id)
        ).all()
        ratings = {
            r.ticket_id: (r.score, r.scale)
            for r in conn.execute(
                select(RatingRow.ticket_id, RatingRow.score, RatingRow.scale).where(
                    RatingRow.ticket_id.in_(in_range)
                )
            )
        }
    first_call: dict[str, tuple] = {}
    transfers: dict[str, list[tuple]] = {}
    for ev in events:
        if ev.action == "called":
            first_call.setdefault(ev.ticket_id, (ev.at, ev.window, ev.staff, ev.department))
        else:
            transfers.setdefault(ev.ticket_id, []).append(
                ((ev.detail or {}).get("from"), ev.window, ev.staff)
            )
    out = []
    for t in tickets:
        fc = first_call.get(t.id, (None, None, None, None))
        tr = transfers.get(t.id, [])
        score, scale = ratings.get(t.id, (None, None))
        out.append(
            VisitRecord(
                id=t.id,
                number=t.number,
                service_date=t.service_date,
                issued_at=t.issued_at,
                issued_department=t.original_department,
                department=t.department,
                matter=t.matter,
                status=t.status,
                outcome=t.outcome,
                closed_by_system=t.closed_by_system,
                first_called_at=fc[0],
                first_window=fc[1],
                first_staff=fc[2],
                first_department=fc[3],
                window=t.window,
                staff=t.staff,
                called_at=t.called_at,
                finished_at=t.finished_at,
                transferred_from=tuple(x[0] for x in tr),
                transferred_by=tuple((x[1], x[2]) for x in tr),
                score=score,
                scale=scale,
            )
        )
    return out
