"""What happened in a hall: the domain events every command returns.

They are facts in the past tense, made by the hall aggregate. The service turns them into rows
(the unit of work) and into MQTT events and retained state (the projections); the aggregate
itself never knows about either. A ticket in an event is a snapshot taken when it happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from hallcall.broker.domain.model import Ticket


@dataclass(frozen=True)
class Event:
    at: datetime


@dataclass(frozen=True)
class TicketIssued(Event):
    ticket: Ticket
    seqno: int
    #: Tickets the department has issued today, this one included (the daily cap counts them).
    issued: int
    appointment_code: str | None = None


@dataclass(frozen=True)
class TicketCalled(Event):
    ticket: Ticket
    window: str


@dataclass(frozen=True)
class TicketRecalled(Event):
    ticket: Ticket
    window: str


@dataclass(frozen=True)
class TicketNoShow(Event):
    ticket: Ticket
    window: str | None
    by_system: bool = False


@dataclass(frozen=True)
class TicketTransferred(Event):
    ticket: Ticket
    window: str
    staff: str | None
    from_department: str


@dataclass(frozen=True)
class TicketFinished(Event):
    ticket: Ticket
    window: str | None
    by_system: bool = False


@dataclass(frozen=True)
class RatingRequested(Event):
    """The pad of `window` may now rate `ticket` (its last finished ticket), once."""

    window: str
    ticket: Ticket


@dataclass(frozen=True)
class RatingRecorded(Event):
    ticket_id: str
    window: str
    staff: str | None
    score: int
    scale: int
    reasons: tuple[str, ...]
    #: The device that sent it: the rating pad, or the web part for a visitor's phone page.
    pad: str
    #: Where the visitor rated: "pad" (the window's rating pad) or "web" (the phone page).
    channel: str = "pad"


@dataclass(frozen=True)
class CaseOpened(Event):
    """A bad rating of `ticket_id` opened a rectification case (差评整改), due on `due_on`;
    written in the same transaction as its rating."""

    ticket_id: str
    number: str
    department: str | None
    matter: str | None
    window: str
    staff: str | None
    score: int
    scale: int
    due_on: date


@dataclass(frozen=True)
class ClerkOnDuty(Event):
    """A clerk's attendance starts (log-in, or a B clerk taking over)."""

    window: str
    staff: str
    post: str


@dataclass(frozen=True)
class ClerkOffDuty(Event):
    window: str
    staff: str


@dataclass(frozen=True)
class PinRefused(Event):
    """A wrong PIN for `staff` (the PIN itself is never kept): the count toward the lock-out."""

    window: str
    staff: str
    failures: int
    locked_until: datetime | None


@dataclass(frozen=True)
class PinFailuresCleared(Event):
    """A right PIN, or the hall manager's unlock: the staff id's wrong-PIN count starts again."""

    staff: str


@dataclass(frozen=True)
class PauseStarted(Event):
    window: str
    staff: str | None
    reason: str


@dataclass(frozen=True)
class PauseEnded(Event):
    window: str


@dataclass(frozen=True)
class WindowChanged(Event):
    """A window's clerk, status or departments changed (`departments_before` for assign)."""

    window: str
    staff: str | None = None
    replaced: str | None = None
    departments: tuple[str, ...] | None = None
    departments_before: tuple[str, ...] = ()
    #: A log-in (its event names whom it replaced, if anyone).
    login: bool = False
    #: Done by the close of day, not by anyone at the window.
    by_system: bool = False


@dataclass(frozen=True)
class AppointmentBooked(Event):
    code: str
    department: str
    matter: str | None
    booked_at: datetime
    phone: str | None
    lang: str
    #: A remote ticket waiting for its check-in (`ticket.remote`, join "on_checkin"): booked
    #: "now", with the status token its phone page asks with (the ticket gets it at check-in).
    remote: bool = False
    token: str | None = None
    #: Booked with a resident ID card's keyed hash (issue #15): checked in by laying it on a kiosk.
    id_hash: str | None = None


@dataclass(frozen=True)
class AppointmentCheckedIn(Event):
    code: str
    ticket_id: str


@dataclass(frozen=True)
class DayClosed(Event):
    day: date
    summary: dict[str, Any]


@dataclass(frozen=True)
class PickupCodeIssued(Event):
    """A time-limited matter finished "done": the code its documents are collected with (出件),
    written in the same transaction as the finish."""

    code: str
    ticket_id: str
    department: str
    matter: str | None
    number: str
    service_date: date
    id_hash: str | None = None


@dataclass(frozen=True)
class PickupTaken(Event):
    """A pickup ticket was taken with a pickup code (`ticket.pickup`)."""

    code: str
    ticket_id: str


@dataclass(frozen=True)
class PickupCollected(Event):
    """The pickup ticket of a code was finished: the documents were handed over; no second one."""

    code: str
    ticket_id: str
