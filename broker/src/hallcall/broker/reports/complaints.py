"""Complaints against a window, clerk or ticket, to be answered within five working days.

Working days are the hall's (`[working_days]` in the hall file): China's public holidays and
make-up working days (调休) and the hall's own closed and extra days (`hallcall.broker.calendars`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hallcall.broker.calendars import calendar_for, warn_if_unknown
from hallcall.broker.domain.working_days import add_working_days
from hallcall.broker.storage.orm import ComplaintRow, TicketRow
from hallcall.config.schema import HallConfig

ANSWER_WITHIN_WORKING_DAYS = 5
CHANNELS = ("window", "phone", "letter", "online", "in_person", "other")


class ComplaintError(ValueError):
    """A complaint that cannot be recorded or answered as asked."""


@dataclass(frozen=True)
class Complaint:
    id: int
    received_at: datetime
    channel: str
    window: str | None
    staff: str | None
    ticket_id: str | None
    department: str | None
    text: str
    due_on: date
    answered_at: datetime | None
    answer: str | None

    def overdue(self, today: date) -> bool:
        return self.answered_at is None and today > self.due_on


def _view(r: ComplaintRow) -> Complaint:
    return Complaint(
        r.id,
        r.received_at,
        r.channel,
        r.window,
        r.staff,
        r.ticket_id,
        r.department,
        r.text,
        r.due_on,
        r.answered_at,
        r.answer,
    )


class ComplaintBook:
    """The complaints of one hall (`config.hall.id`): it neither sees nor answers another's."""

    def __init__(self, config: HallConfig, engine: Engine):
        self.config, self.engine = config, engine
        self.hall_id = config.hall.id
        self.zone = ZoneInfo(config.hall.timezone)
        self.calendar = calendar_for(config)

    def due_on(self, received_at: datetime) -> date:
        """The last day to answer a complaint received at `received_at`."""
        day = received_at.astimezone(self.zone).date()
        due = add_working_days(day, ANSWER_WITHIN_WORKING_DAYS, self.calendar)
        warn_if_unknown(self.config, day, due)
        return due

    def add(
        self,
        text: str,
        channel: str,
        now: datetime,
        window: str | None = None,
        staff: str | None = None,
        ticket_id: str | None = None,
    ) -> Complaint:
        text = text.strip()
        if not text:
            raise ComplaintError("a complaint needs its text")
        if channel not in CHANNELS:
            raise ComplaintError(f"channel must be one of: {', '.join(CHANNELS)}")
        if window is not None and self.config.window(window) is None:
            raise ComplaintError(f"unknown window {window!r}")
        if staff is not None and self.config.staff_member(staff) is None:
            raise ComplaintError(f"unknown staff {staff!r}")
        if window is None and staff is None and ticket_id is None:
            raise ComplaintError("name the window, the clerk or the ticket the complaint is about")
        with Session(self.engine) as s, s.begin():
            department = None
            if ticket_id is not None:
                ticket = s.get(TicketRow, (self.hall_id, ticket_id))
                if ticket is None:
                    raise ComplaintError(f"unknown ticket {ticket_id!r}")
                window = window or ticket.window
                staff = staff or ticket.staff
                department = ticket.department
            if department is None and staff is not None:
                member = self.config.staff_member(staff)
                assert member is not None  # no ticket: the staff id was checked above
                department = member.department
            row = ComplaintRow(
                hall_id=self.hall_id,
                received_at=now,
                channel=channel,
                window=window,
                staff=staff,
                ticket_id=ticket_id,
                department=department,
                text=text,
                due_on=self.due_on(now),
            )
            s.add(row)
            s.flush()
            return _view(row)

    def answer(self, complaint_id: int, text: str, now: datetime) -> Complaint:
        if not text.strip():
            raise ComplaintError("an answer needs its text")
        with Session(self.engine) as s, s.begin():
            row = s.get(ComplaintRow, complaint_id)
            if row is None or row.hall_id != self.hall_id:
                raise ComplaintError(f"no complaint #{complaint_id}")
            if row.answered_at is not None:
                raise ComplaintError(f"complaint #{complaint_id} was already answered")
            row.answered_at, row.answer = now, text.strip()
            return _view(row)

    def list(
        self, open_only: bool = False, start: date | None = None, end: date | None = None
    ) -> list[Complaint]:
        with Session(self.engine) as s:
            q = (
                select(ComplaintRow)
                .where(ComplaintRow.hall_id == self.hall_id)
                .order_by(ComplaintRow.received_at)
            )
            if open_only:
                q = q.where(ComplaintRow.answered_at.is_(None))
            rows = [_view(r) for r in s.scalars(q)]
        if start or end:
            rows = [
                c
                for c in rows
                if (start is None or c.received_at.astimezone(self.zone).date() >= start)
                and (end is None or c.received_at.astimezone(self.zone).date() <= end)
            ]
        return rows
