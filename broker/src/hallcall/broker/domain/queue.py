"""One department's waiting tickets, kept in call order as they come and go.

The rule is `ordering.queue_key`; this keeps it incrementally so that choosing the next ticket
and counting the people ahead cost O(log n), never a scan of the queue. The only part of the
key that changes with time is an appointment becoming due; those wait in `_pending`, sorted by
the moment they become due, and move to the front class when time reaches it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

# sortedcontainers ships no type information (no py.typed, no stubs): SortedList is untyped here.
from sortedcontainers import SortedList  # type: ignore[import-untyped]

from hallcall.broker.domain.model import Priority, Source, Ticket
from hallcall.broker.domain.ordering import APPOINTMENT_EARLY, PlaceKey, QueueKey, place_key

AHEAD, NORMAL = 0, 1


class CallQueue:
    def __init__(self, due_early: timedelta = APPOINTMENT_EARLY):
        self.due_early = due_early
        self._classes = (SortedList(), SortedList())  # AHEAD, NORMAL: place keys
        self._pending = SortedList()  # (due_at, place key) of appointments not yet due
        self._where: dict[str, tuple[int, PlaceKey]] = {}  # ticket id -> (class, place key)
        self._due_at: dict[str, datetime] = {}
        self.priority_waiting = 0
        self._priority_ids: set[str] = set()

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, ticket_id: str) -> bool:
        return ticket_id in self._where

    def add(self, ticket: Ticket, now: datetime) -> None:
        if ticket.id in self._where:
            raise ValueError(f"ticket {ticket.id} is already in the queue")
        key = place_key(ticket)
        cls = NORMAL
        if ticket.priority is Priority.PRIORITY:
            cls = AHEAD
            self._priority_ids.add(ticket.id)
            self.priority_waiting += 1
        elif ticket.source is Source.APPOINTMENT and ticket.booked_at is not None:
            due = ticket.booked_at - self.due_early
            if due <= now:
                cls = AHEAD
            else:
                self._pending.add((due, key))
                self._due_at[ticket.id] = due
        self._classes[cls].add(key)
        self._where[ticket.id] = (cls, key)

    def remove(self, ticket_id: str) -> None:
        cls, key = self._where.pop(ticket_id)
        self._classes[cls].remove(key)
        due = self._due_at.pop(ticket_id, None)
        if due is not None:
            self._pending.remove((due, key))
        if ticket_id in self._priority_ids:
            self._priority_ids.discard(ticket_id)
            self.priority_waiting -= 1

    def promote(self, now: datetime) -> None:
        """Move appointments that have become due to the front class."""
        while self._pending and self._pending[0][0] <= now:
            _due, key = self._pending.pop(0)
            ticket_id = key[2]
            self._due_at.pop(ticket_id, None)
            self._classes[NORMAL].remove(key)
            self._classes[AHEAD].add(key)
            self._where[ticket_id] = (AHEAD, key)

    def head(self, now: datetime) -> QueueKey | None:
        """The full queue key `(class, queued_at, issued_at, id)` of the next ticket, or None."""
        self.promote(now)
        for cls, keys in enumerate(self._classes):
            if keys:
                first = cast(PlaceKey, keys[0])  # SortedList is untyped: it holds place keys
                return (cls, *first)
        return None

    def ahead_of(self, ticket_id: str, now: datetime) -> int:
        """How many waiting tickets of this queue will be called before `ticket_id`."""
        self.promote(now)
        cls, key = self._where[ticket_id]
        ahead, normal = self._classes
        if cls == AHEAD:
            in_ahead: int = ahead.bisect_left(key)
            return in_ahead
        in_normal: int = normal.bisect_left(key)
        return len(ahead) + in_normal

    def ids_in_order(self, now: datetime) -> list[str]:
        self.promote(now)
        return [key[2] for keys in self._classes for key in keys]
