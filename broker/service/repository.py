"""Moves tickets and windows between database rows and the plain domain objects."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hallcall.broker.domain.model import (
    Outcome,
    Post,
    Priority,
    Source,
    Ticket,
    TicketStatus,
    WindowState,
    WindowStatus,
)
from hallcall.broker.storage.orm import TicketEventRow, TicketRow, WindowRow

_TICKET_FIELDS = (
    "id number service_date department original_department matter booked_at lang issued_at "
    "queued_at window staff called_at recalls transfers finished_at closed_by_system"
).split()

_COLUMNS = [getattr(TicketRow, f) for f in _TICKET_FIELDS] + [
    TicketRow.priority, TicketRow.source, TicketRow.status, TicketRow.post, TicketRow.outcome,
]


def ticket_from_tuple(values) -> Ticket:
    """A Ticket from a Core row of _COLUMNS: no ORM objects, for the long waiting lists."""
    n = len(_TICKET_FIELDS)
    t = Ticket(**dict(zip(_TICKET_FIELDS, values[:n], strict=True)))
    priority, source, status, post, outcome = values[n:]
    t.priority = Priority(priority)
    t.source = Source(source)
    t.status = TicketStatus(status)
    t.post = Post(post) if post else None
    t.outcome = Outcome(outcome) if outcome else None
    return t


def waiting_tickets(session: Session, day: date, departments: list[str] | None = None) -> list[Ticket]:
    q = select(*_COLUMNS).where(
        TicketRow.service_date == day, TicketRow.status == TicketStatus.WAITING.value
    )
    if departments is not None:
        q = q.where(TicketRow.department.in_(departments))
    return [ticket_from_tuple(r) for r in session.execute(q)]


def ticket_from_row(row: TicketRow) -> Ticket:
    return ticket_from_tuple([getattr(row, c.key) for c in _COLUMNS])


def copy_ticket_to_row(t: Ticket, row: TicketRow) -> None:
    for f in _TICKET_FIELDS:
        setattr(row, f, getattr(t, f))
    row.priority = t.priority.value
    row.source = t.source.value
    row.status = t.status.value
    row.post = t.post.value if t.post else None
    row.outcome = t.outcome.value if t.outcome else None


class TicketRepository:
    def __init__(self, session: Session):
        self.session = session
        self._rows: dict[str, TicketRow] = {}

    def add(self, ticket: Ticket, seqno: int, appointment_code: str | None = None) -> None:
        row = TicketRow(seqno=seqno, appointment_code=appointment_code)
        copy_ticket_to_row(ticket, row)
        self.session.add(row)
        self.session.flush()  # the history rows below refer to it
        self._rows[ticket.id] = row

    def get(self, ticket_id: str) -> Ticket | None:
        row = self.session.get(TicketRow, ticket_id)
        if row is None:
            return None
        self._rows[row.id] = row
        return ticket_from_row(row)

    def save(self, ticket: Ticket) -> None:
        row = self._rows.get(ticket.id) or self.session.get(TicketRow, ticket.id)
        copy_ticket_to_row(ticket, row)

    def waiting(self, day: date, departments: list[str] | None = None) -> list[Ticket]:
        return waiting_tickets(self.session, day, departments)

    def open_before_or_on(self, day: date) -> list[Ticket]:
        rows = self.session.scalars(
            select(TicketRow)
            .where(
                TicketRow.service_date <= day,
                TicketRow.status.in_([TicketStatus.WAITING.value, TicketStatus.CALLED.value]),
            )
            .order_by(TicketRow.issued_at)
        ).all()
        for row in rows:
            self._rows[row.id] = row
        return [ticket_from_row(r) for r in rows]

    def has_open_before(self, day: date) -> bool:
        return (
            self.session.scalar(
                select(func.count())
                .select_from(TicketRow)
                .where(
                    TicketRow.service_date < day,
                    TicketRow.status.in_([TicketStatus.WAITING.value, TicketStatus.CALLED.value]),
                )
            )
            > 0
        )

    def last_finished_at_window(self, window: str) -> Ticket | None:
        row = self.session.scalars(
            select(TicketRow)
            .where(TicketRow.window == window, TicketRow.finished_at.is_not(None))
            .order_by(TicketRow.finished_at.desc(), TicketRow.id.desc())
            .limit(1)
        ).first()
        return ticket_from_row(row) if row else None

    def record(
        self,
        ticket: Ticket,
        action: str,
        at: datetime,
        detail: dict | None = None,
        window: str | None = None,
        staff: str | None = None,
    ) -> None:
        """Append a step to the ticket's history (who did what, when)."""
        self.session.add(
            TicketEventRow(
                ticket_id=ticket.id,
                at=at,
                action=action,
                department=ticket.department,
                window=window if window is not None else ticket.window,
                staff=staff if staff is not None else ticket.staff,
                detail=detail,
            )
        )


def window_from_row(row: WindowRow, number: int, flex: bool) -> WindowState:
    return WindowState(
        id=row.id,
        number=number,
        flex=flex,
        departments=list(row.departments or []),
        status=WindowStatus(row.status),
        staff=row.staff,
        post=Post(row.post) if row.post else None,
        pause_reason=row.pause_reason,
        current_ticket=row.current_ticket,
        since=row.since,
    )


def copy_window_to_row(w: WindowState, row: WindowRow) -> None:
    row.departments = list(w.departments)
    row.status = w.status.value
    row.staff = w.staff
    row.post = w.post.value if w.post else None
    row.pause_reason = w.pause_reason
    row.current_ticket = w.current_ticket
    row.since = w.since
