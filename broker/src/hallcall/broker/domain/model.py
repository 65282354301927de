"""Tickets and windows, and what may happen to them.

A ticket belongs to a department's queue for one service day. It is waiting until a window calls
it, then in service at that window until the clerk finishes it (done / returned / needs
documents), marks it no-show, or transfers it: a transfer puts the same ticket back into another
department's queue at its original place ("内转外不转": the visitor takes no new ticket).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from hallcall.broker.domain.errors import Conflict, Forbidden, Invalid


class TicketStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"  # called to a window and being served there
    FINISHED = "finished"
    NO_SHOW = "no_show"


class Outcome(StrEnum):
    DONE = "done"
    RETURNED = "returned"  # not eligible, or abandoned (退回件)
    NEEDS_DOCUMENTS = "needs_documents"  # 补件


class Priority(StrEnum):
    NORMAL = "normal"
    PRIORITY = "priority"  # green channel for elderly and disabled visitors


class Source(StrEnum):
    WALK_IN = "walk_in"
    APPOINTMENT = "appointment"
    #: Taken on the phone (线上取号, `ticket.remote`); it waits like a walk-in from the moment
    #: it joined the queue (at once, or at its check-in at a kiosk).
    REMOTE = "remote"


class WindowStatus(StrEnum):
    CLOSED = "closed"  # nobody logged in
    OPEN = "open"  # a clerk is on duty (idle or serving)
    PAUSED = "paused"


class Post(StrEnum):
    A = "A"
    B = "B"


OPEN_STATUSES = (TicketStatus.WAITING, TicketStatus.CALLED)


@dataclass
class Ticket:
    id: str
    number: str
    service_date: date
    department: str
    original_department: str
    issued_at: datetime
    #: The time that orders the queue; a transfer keeps it, so the ticket keeps its place.
    queued_at: datetime
    matter: str | None = None
    priority: Priority = Priority.NORMAL
    source: Source = Source.WALK_IN
    booked_at: datetime | None = None
    lang: str = "zh"
    status: TicketStatus = TicketStatus.WAITING
    window: str | None = None
    staff: str | None = None
    post: Post | None = None
    called_at: datetime | None = None
    recalls: int = 0
    transfers: int = 0
    finished_at: datetime | None = None
    outcome: Outcome | None = None
    #: Closed by the system (close of day), not by a clerk.
    closed_by_system: bool = False
    #: Outcome needs_documents: what the visitor must still bring, each {"zh": ..., "en": ...}.
    missing_materials: list[dict[str, str | None]] | None = None
    #: The unguessable token its printed QR code carries (the visitor's status page asks with
    #: it). Given only to the device that took the ticket, never in retained state or events.
    token: str | None = None
    #: The queue it waits in when not its department's: a matter group's id, or "pickup"
    #: (general windows, docs/general-windows.md). None: its department's queue.
    queue: str | None = None
    #: A finished time-limited matter: the code its documents are collected with (出件); a
    #: pickup ticket: the code it collects. Like the token, only in replies, never published.
    pickup_code: str | None = None
    #: Taken with a resident ID card: the keyed hash of its number (issue #15), never shown to
    #: any device; set to None `[idcard] retention_days` after its day.
    id_hash: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def call(self, window: str, staff: str, post: Post, now: datetime) -> None:
        if self.status is not TicketStatus.WAITING:
            raise Conflict(f"ticket {self.number} is {self.status}, not waiting")
        self.status = TicketStatus.CALLED
        self.window, self.staff, self.post = window, staff, post
        self.called_at = now
        self.recalls = 0

    def recall(self, limit: int) -> None:
        self._require_called("recall")
        if self.recalls >= limit:
            raise Conflict(
                f"ticket {self.number} was recalled {self.recalls} times, the limit; "
                "mark it no-show instead"
            )
        self.recalls += 1

    def recalls_left(self, limit: int) -> int:
        return max(0, limit - self.recalls)

    def no_show(self, now: datetime, by_system: bool = False) -> None:
        if by_system:
            if not self.is_open:
                raise Conflict(f"ticket {self.number} is already {self.status}")
        else:
            self._require_called("mark no-show")
        self.status = TicketStatus.NO_SHOW
        self.finished_at = now
        self.closed_by_system = by_system

    def finish(self, outcome: Outcome, now: datetime, by_system: bool = False) -> None:
        self._require_called("finish")
        self.status = TicketStatus.FINISHED
        self.outcome = outcome
        self.finished_at = now
        self.closed_by_system = by_system

    def transfer(self, department: str, matter: str | None) -> None:
        self._require_called("transfer")
        if department == self.department:
            raise Invalid(f"ticket {self.number} is already in department {department!r}")
        self.department = department
        self.matter = matter
        self.status = TicketStatus.WAITING
        self.window = self.staff = None
        self.post = None
        self.called_at = None
        self.recalls = 0
        self.transfers += 1

    def _require_called(self, what: str) -> None:
        if self.status is not TicketStatus.CALLED:
            raise Conflict(f"cannot {what} ticket {self.number}: it is {self.status}")


@dataclass
class WindowState:
    """A service window as the hall runs it today."""

    id: str
    number: int
    flex: bool
    departments: list[str] = field(default_factory=list)
    status: WindowStatus = WindowStatus.CLOSED
    staff: str | None = None
    post: Post | None = None
    pause_reason: str | None = None
    current_ticket: str | None = None
    since: datetime | None = None
    #: A general window's skills from the hall file (matters, departments, "pickup").
    skills: list[str] = field(default_factory=list)

    def login(self, staff: str, post: Post, now: datetime) -> str | None:
        """Put a clerk on duty; returns the clerk who was replaced (A/B hand-over), if any."""
        if self.current_ticket is not None and self.staff != staff:
            raise Conflict("finish the current ticket before another clerk takes over")
        replaced = self.staff if self.staff not in (None, staff) else None
        if self.staff == staff and self.post == post and self.status is not WindowStatus.CLOSED:
            return None
        self.staff, self.post = staff, post
        if self.status is WindowStatus.CLOSED or replaced:
            self.status = WindowStatus.OPEN
            self.pause_reason = None
        self.since = now
        return replaced

    def logout(self, now: datetime) -> None:
        self._require_on_duty("log out")
        if self.current_ticket is not None:
            raise Conflict("finish, transfer or mark no-show the current ticket before logging out")
        self.status = WindowStatus.CLOSED
        self.staff = self.post = self.pause_reason = None
        self.since = now

    def pause(self, reason: str, now: datetime) -> None:
        self._require_on_duty("pause")
        if self.status is WindowStatus.PAUSED:
            raise Conflict("the window is already paused")
        if self.current_ticket is not None:
            raise Conflict("finish the current ticket before pausing")
        self.status = WindowStatus.PAUSED
        self.pause_reason = reason
        self.since = now

    def resume(self, now: datetime) -> None:
        self._require_on_duty("resume")
        if self.status is not WindowStatus.PAUSED:
            raise Conflict("the window is not paused")
        self.status = WindowStatus.OPEN
        self.pause_reason = None
        self.since = now

    def require_can_call(self) -> None:
        self._require_on_duty("call")
        if self.status is WindowStatus.PAUSED:
            raise Conflict("the window is paused; resume before calling")
        if not self.departments and not self.skills:
            raise Conflict("this flex window serves no department; the hall must assign it")

    def require_current(self) -> str:
        self._require_on_duty("serve")
        if self.current_ticket is None:
            raise Conflict("no ticket is being served at this window")
        return self.current_ticket

    def assign(self, departments: list[str]) -> None:
        if not self.flex:
            raise Forbidden(f"window {self.id} is a fixed window; only flex windows are assigned")
        self.departments = list(dict.fromkeys(departments))

    def _require_on_duty(self, what: str) -> None:
        if self.status is WindowStatus.CLOSED or self.staff is None:
            raise Conflict(f"cannot {what}: no clerk is logged in at window {self.id}")
