"""One flat record per ticket of a period, read from the tickets, their history and ratings.

A ticket's history is cut into legs, one per queue it waited in: the first starts when it was
issued, each transfer ends one leg and starts the next in the receiving department. Waits and
service times are per leg (docs/reports.md), so the second queue and the first clerk's work
before a transfer both count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, and_, select

from hallcall.broker.storage.orm import RatingRow, TicketEventRow, TicketRow


@dataclass(frozen=True, slots=True)
class Leg:
    """One stay in one department's queue and at one of its windows."""

    department: str
    queued_at: datetime
    #: The first call in this department (the wait in its queue ends there).
    called_at: datetime | None = None
    #: The last call or recall: the visitor came to the window, service begins.
    answered_at: datetime | None = None
    window: str | None = None
    staff: str | None = None
    recalls: int = 0
    ended_at: datetime | None = None
    #: transferred | finished | no_show | None (still open at the end of the data).
    end: str | None = None
    by_system: bool = False

    @property
    def wait_s(self) -> float | None:
        """Time in this department's queue: first call minus the time it entered the queue."""
        return (self.called_at - self.queued_at).total_seconds() if self.called_at else None

    @property
    def recall_wait_s(self) -> float | None:
        """From the first call to the last recall: the window waited for the visitor."""
        if not self.recalls or self.called_at is None or self.answered_at is None:
            return None
        return (self.answered_at - self.called_at).total_seconds()

    @property
    def service_s(self) -> float | None:
        """The clerk's work: the last call or recall to the finish or the transfer."""
        if self.end not in ("finished", "transferred") or self.by_system:
            return None
        if self.answered_at is None or self.ended_at is None:
            return None
        return (self.ended_at - self.answered_at).total_seconds()


def legs_of(events: list[tuple[Any, ...]]) -> tuple[Leg, ...]:
    """A ticket's legs from its history [(action, at, department, window, staff, detail)] in order."""
    legs: list[dict[str, Any]] = []
    for action, at, department, window, staff, detail in events:
        detail = detail or {}
        if action == "issued":
            legs.append({"department": department, "queued_at": at})
            continue
        if not legs:  # history begins before the period's data: nothing to attribute
            continue
        leg = legs[-1]
        if action == "called":
            if leg.get("called_at") is None:
                leg["called_at"] = at
            leg.update(answered_at=at, window=window, staff=staff)
        elif action == "recalled":
            leg["answered_at"] = at
            leg["recalls"] = leg.get("recalls", 0) + 1
        elif action == "transferred":
            leg.update(ended_at=at, end="transferred")
            if window is not None:
                leg.update(window=window, staff=staff)
            legs.append({"department": detail.get("to", department), "queued_at": at})
        elif action in ("finished", "no_show"):
            leg.update(ended_at=at, end=action, by_system=detail.get("by") == "close_of_day")
    return tuple(Leg(**leg) for leg in legs)


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
    #: Departments the ticket was transferred away from, in order (None: its history names none).
    transferred_from: tuple[str | None, ...]
    #: Window and clerk of each transfer, in order.
    transferred_by: tuple[tuple[str | None, str | None], ...]
    score: int | None
    scale: int | None

    #: First call minus issue time; None when never called.
    wait_s: float | None = None
    #: The last leg's service (from its last call or recall), for visits a clerk finished.
    service_s: float | None = None
    legs: tuple[Leg, ...] = ()
    #: The queue it waited in when not its department's: a matter group's, or "pickup" (a
    #: pickup ticket, 出件: its matter is the one whose documents it collected).
    queue: str | None = None

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
                t.id,
                t.number,
                t.service_date,
                t.issued_at,
                t.original_department,
                t.department,
                t.matter,
                t.status,
                t.outcome,
                t.closed_by_system,
                t.window,
                t.staff,
                t.called_at,
                t.finished_at,
                t.queue,
            ).where(*in_period)
        ).all()
        # (ticket_id, action, at, department, window, staff, detail); SQLAlchemy cannot type a
        # JSON column's row, so the row type is stated here.
        history: Sequence[
            tuple[str, str, datetime, str, str | None, str | None, dict[str, Any] | None]
        ] = conn.execute(
            select(e.ticket_id, e.action, e.at, e.department, e.window, e.staff, e.detail)
            .join(t, event_of)
            .where(e.hall_id == hall_id, *in_period)
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
    first_call: dict[str, tuple[datetime, str | None, str | None, str]] = {}
    #: (department it left, window, clerk) of each transfer.
    transfers: dict[str, list[tuple[str | None, str | None, str | None]]] = {}
    events: dict[str, list[tuple[Any, ...]]] = {}
    for ticket_id, action, at, department, window, staff, detail in history:
        events.setdefault(ticket_id, []).append((action, at, department, window, staff, detail))
        if action == "called" and ticket_id not in first_call:
            first_call[ticket_id] = (at, window, staff, department)
        elif action == "transferred":
            transfers.setdefault(ticket_id, []).append(((detail or {}).get("from"), window, staff))
    no_call: tuple[None, None, None, None] = (None, None, None, None)
    out = []
    for row in tickets:
        called_first_at, first_window, first_staff, first_department = first_call.get(
            row.id, no_call
        )
        tr = transfers.get(row.id, ())
        score, scale = ratings.get(row.id, (None, None))
        served = row.status == "finished" and not row.closed_by_system
        legs = legs_of(events.get(row.id, []))
        last = legs[-1] if legs else None
        out.append(
            VisitRecord(
                row.id,
                row.number,
                row.service_date,
                row.issued_at,
                row.original_department,
                row.department,
                row.matter,
                row.status,
                row.outcome,
                row.closed_by_system,
                called_first_at,
                first_window,
                first_staff,
                first_department,
                row.window,
                row.staff,
                row.called_at,
                row.finished_at,
                tuple(x[0] for x in tr),
                tuple((x[1], x[2]) for x in tr),
                score,
                scale,
                (called_first_at - row.issued_at).total_seconds() if called_first_at else None,
                last.service_s if served and last is not None else None,
                legs,
                row.queue,
            )
        )
    return out
