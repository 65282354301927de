"""Who is called next.

Priority visitors (green channel) and appointments that are due come before walk-ins; within a
class the earliest queued ticket comes first. A transferred ticket keeps the time it first
queued, so it keeps its place in the new department's queue.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from hallcall.broker.domain.model import Priority, Source, Ticket, TicketStatus

#: An appointment counts as due this long before its booked time.
APPOINTMENT_EARLY = timedelta(minutes=10)


def queue_key(ticket: Ticket, now: datetime) -> tuple:
    ahead = ticket.priority is Priority.PRIORITY or (
        ticket.source is Source.APPOINTMENT
        and ticket.booked_at is not None
        and ticket.booked_at - APPOINTMENT_EARLY <= now
    )
    return (0 if ahead else 1, ticket.queued_at, ticket.issued_at, ticket.id)


def in_call_order(tickets: Iterable[Ticket], now: datetime) -> list[Ticket]:
    waiting = [t for t in tickets if t.status is TicketStatus.WAITING]
    return sorted(waiting, key=lambda t: queue_key(t, now))


def pick_next(tickets: Iterable[Ticket], departments: Iterable[str], now: datetime) -> Ticket | None:
    """The ticket a window serving `departments` calls next, or None when nobody waits."""
    served = set(departments)
    ordered = in_call_order((t for t in tickets if t.department in served), now)
    return ordered[0] if ordered else None


def waiting_ahead(ticket: Ticket, queue: Iterable[Ticket], now: datetime) -> int:
    """How many waiting tickets of the same department will be called before `ticket`."""
    key = queue_key(ticket, now)
    return sum(
        1
        for other in queue
        if other.id != ticket.id
        and other.status is TicketStatus.WAITING
        and other.department == ticket.department
        and queue_key(other, now) < key
    )
