"""Who is called next.

Priority visitors (green channel) and appointments that are due come before walk-ins; within a
class the earliest queued ticket comes first. A transferred ticket keeps the time it first
queued, so it keeps its place in the new department's queue. An appointment is "due" from
`due_early` before its booked time (the hall file's `appointment_due_early_min`).

These functions state the rule over any collection of tickets; `queue.CallQueue` keeps a
department's queue in this order incrementally, and the domain tests check that both agree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from hallcall.broker.domain.model import Priority, Source, Ticket, TicketStatus

#: A ticket's place within its class: `(queued_at, issued_at, id)`.
PlaceKey = tuple[datetime, datetime, str]
#: Its full place in the queue: `(class, queued_at, issued_at, id)`, class 0 (goes ahead) or 1.
QueueKey = tuple[int, datetime, datetime, str]

#: The default "due" margin: an appointment counts as due this long before its booked time.
APPOINTMENT_EARLY = timedelta(minutes=10)


def goes_ahead(ticket: Ticket, now: datetime, due_early: timedelta = APPOINTMENT_EARLY) -> bool:
    return ticket.priority is Priority.PRIORITY or (
        ticket.source is Source.APPOINTMENT
        and ticket.booked_at is not None
        and ticket.booked_at - due_early <= now
    )


def place_key(ticket: Ticket) -> PlaceKey:
    """The order within a class: first queued first (a transfer keeps `queued_at`)."""
    return (ticket.queued_at, ticket.issued_at, ticket.id)


def queue_key(ticket: Ticket, now: datetime, due_early: timedelta = APPOINTMENT_EARLY) -> QueueKey:
    return (0 if goes_ahead(ticket, now, due_early) else 1, *place_key(ticket))


def in_call_order(
    tickets: Iterable[Ticket], now: datetime, due_early: timedelta = APPOINTMENT_EARLY
) -> list[Ticket]:
    waiting = [t for t in tickets if t.status is TicketStatus.WAITING]
    return sorted(waiting, key=lambda t: queue_key(t, now, due_early))


def pick_next(
    tickets: Iterable[Ticket],
    departments: Iterable[str],
    now: datetime,
    due_early: timedelta = APPOINTMENT_EARLY,
) -> Ticket | None:
    """The ticket a window serving `departments` calls next, or None when nobody waits."""
    served = set(departments)
    ordered = in_call_order((t for t in tickets if t.department in served), now, due_early)
    return ordered[0] if ordered else None


def pick_next_where(
    tickets: Iterable[Ticket],
    serves: Callable[[Ticket], bool],
    now: datetime,
    due_early: timedelta = APPOINTMENT_EARLY,
) -> Ticket | None:
    """The ticket a general window calls next: the earliest, by the same rule, of all waiting
    tickets it `serves` (its skills, `skills.Skills.serves`), whatever queue each waits in."""
    ordered = in_call_order((t for t in tickets if serves(t)), now, due_early)
    return ordered[0] if ordered else None


def waiting_ahead(
    ticket: Ticket, queue: Iterable[Ticket], now: datetime, due_early: timedelta = APPOINTMENT_EARLY
) -> int:
    """How many waiting tickets of the same department will be called before `ticket`."""
    key = queue_key(ticket, now, due_early)
    return sum(
        1
        for other in queue
        if other.id != ticket.id
        and other.status is TicketStatus.WAITING
        and other.department == ticket.department
        and queue_key(other, now, due_early) < key
    )
