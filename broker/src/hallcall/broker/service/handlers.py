"""One handler per command: `(command, context) -> reply data`.

A handler only translates: it calls the hall aggregate, hands the domain events it returns to
the context, and builds the reply's data from the aggregate's state. Every rule is in
`broker/src/hallcall/broker/domain/hall.py`; sender checks and idempotency are the message bus's middleware.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hallcall.broker.domain import events as ev
from hallcall.broker.domain.errors import Invalid
from hallcall.broker.domain.hall import HallDay
from hallcall.broker.domain.model import Outcome, Post, Priority, Ticket
from hallcall.broker.service.projections import (
    remote_ticket_view,
    ticket_status_view,
    ticket_view,
    window_state,
)
from hallcall.broker.service.unit_of_work import UnitOfWork
from hallcall.protocol import payloads as p
from hallcall.protocol.idnumber import id_hash
from hallcall.protocol.topics import Sender
from hallcall.version import __version__


@dataclass
class Context:
    hall: HallDay
    sender: Sender
    now: datetime
    #: The store, for the one query that reads it (an earlier day's ticket by its token).
    uow: UnitOfWork | None = None
    events: list[ev.Event] = field(default_factory=list)

    def emit(self, events: list[ev.Event]) -> None:
        self.events += events

    def ticket(self, t: Ticket, with_wait: bool = False) -> dict[str, Any]:
        return {"ticket": ticket_view(self.hall, t, self.now, with_wait)}

    def taken_ticket(self, t: Ticket) -> dict[str, Any]:
        """The ticket as the device that took it gets it: with its wait and its status token."""
        view = ticket_view(self.hall, t, self.now, with_wait=True)
        view["token"] = t.token
        return {"ticket": view}

    def window(self, window_id: str) -> dict[str, Any]:
        return window_state(self.hall, window_id, self.hall.next_seq())


def ticket_issue(cmd: p.TicketIssue, ctx: Context) -> dict[str, Any]:
    t, events = ctx.hall.issue(
        ctx.now, cmd.department, cmd.matter, Priority(cmd.priority), cmd.lang, id_hash=cmd.id_hash
    )
    ctx.emit(events)
    return ctx.taken_ticket(t)


def appointment_checkin(cmd: p.AppointmentCheckin, ctx: Context) -> dict[str, Any]:
    if cmd.id_hash is not None:
        t, events = ctx.hall.check_in_by_card(ctx.now, cmd.id_hash)
    else:
        assert cmd.code is not None  # the payload model requires one of the two
        t, events = ctx.hall.check_in(ctx.now, cmd.code)
    ctx.emit(events)
    return ctx.taken_ticket(t)


def ticket_pickup(cmd: p.TicketPickup, ctx: Context) -> dict[str, Any]:
    """A pickup ticket (出件) by pickup code or ID card hash, in the pickup queue."""
    t, events = ctx.hall.take_pickup(ctx.now, cmd.code, cmd.id_hash, cmd.lang)
    ctx.emit(events)
    return ctx.taken_ticket(t)


def window_login(cmd: p.WindowLogin, ctx: Context) -> dict[str, Any]:
    ctx.emit(ctx.hall.login(ctx.now, ctx.sender.id, cmd.staff, Post(cmd.post), cmd.pin))
    return ctx.window(ctx.sender.id)


def window_logout(cmd: p.WindowLogout, ctx: Context) -> dict[str, Any]:
    ctx.emit(ctx.hall.logout(ctx.now, ctx.sender.id))
    return ctx.window(ctx.sender.id)


def call_next(cmd: p.CallNext, ctx: Context) -> dict[str, Any]:
    t, events = ctx.hall.call_next(ctx.now, ctx.sender.id)
    ctx.emit(events)
    return ctx.ticket(t)


def call_recall(cmd: p.CallRecall, ctx: Context) -> dict[str, Any]:
    t, events = ctx.hall.recall(ctx.now, ctx.sender.id)
    ctx.emit(events)
    return ctx.ticket(t)


def ticket_no_show(cmd: p.TicketNoShow, ctx: Context) -> dict[str, Any]:
    t, events = ctx.hall.no_show(ctx.now, ctx.sender.id)
    ctx.emit(events)
    return ctx.ticket(t)


def ticket_transfer(cmd: p.TicketTransfer, ctx: Context) -> dict[str, Any]:
    t, events = ctx.hall.transfer(ctx.now, ctx.sender.id, cmd.department, cmd.matter)
    ctx.emit(events)
    return ctx.ticket(t, with_wait=True)


def ticket_finish(cmd: p.TicketFinish, ctx: Context) -> dict[str, Any]:
    t, events = ctx.hall.finish(ctx.now, ctx.sender.id, Outcome(cmd.outcome), cmd.missing)
    ctx.emit(events)
    reply = ctx.ticket(t)
    if any(isinstance(e, ev.PickupCodeIssued) for e in events):
        # The clerk's terminal alone is told the code, to tell the visitor (never published).
        reply["ticket"]["pickup_code"] = t.pickup_code
    return reply


def window_pause(cmd: p.WindowPause, ctx: Context) -> dict[str, Any]:
    ctx.emit(ctx.hall.pause(ctx.now, ctx.sender.id, cmd.reason))
    return ctx.window(ctx.sender.id)


def window_resume(cmd: p.WindowResume, ctx: Context) -> dict[str, Any]:
    ctx.emit(ctx.hall.resume(ctx.now, ctx.sender.id))
    return ctx.window(ctx.sender.id)


def rating_submit(cmd: p.RatingSubmit, ctx: Context) -> dict[str, Any]:
    ctx.emit(ctx.hall.rate(ctx.now, ctx.sender.id, cmd.ticket_id, cmd.score, cmd.reasons))
    return {"ticket_id": cmd.ticket_id, "recorded": True}


def ticket_status(cmd: p.TicketStatusQuery, ctx: Context) -> dict[str, Any]:
    """A query: the aggregate holds today's and open tickets; an earlier day's is in the store."""
    held = ctx.hall.ticket_by_token(cmd.token)
    stored = None
    if held is None and ctx.uow is not None:
        stored = ctx.uow.ticket_by_token(ctx.hall.id, cmd.token)
    return ticket_status_view(ctx.hall, ctx.hall.ticket_status(ctx.now, cmd.token, stored), ctx.now)


def ticket_rate(cmd: p.TicketRate, ctx: Context) -> dict[str, Any]:
    """The phone page's rating: the pad's rule, through the aggregate; an earlier day's ticket
    is found in the store only to be told it can no longer be rated."""
    stored = None
    if ctx.hall.ticket_by_token(cmd.token) is None and ctx.uow is not None:
        stored = ctx.uow.ticket_by_token(ctx.hall.id, cmd.token)
    t, events = ctx.hall.rate_by_token(
        ctx.now, cmd.token, cmd.score, cmd.reasons, ctx.sender.id, stored
    )
    ctx.emit(events)
    return {"ticket_id": t.id, "number": t.number, "recorded": True}


def ticket_remote(cmd: p.TicketRemote, ctx: Context) -> dict[str, Any]:
    taken, events = ctx.hall.take_remote(ctx.now, cmd.department, cmd.matter, cmd.lang)
    ctx.emit(events)
    return remote_ticket_view(ctx.hall, taken, ctx.now)


def window_assign(cmd: p.WindowAssign, ctx: Context) -> dict[str, Any]:
    ctx.emit(ctx.hall.assign(ctx.now, cmd.window, list(cmd.departments)))
    return ctx.window(cmd.window)


def appointment_book(cmd: p.AppointmentBook, ctx: Context) -> dict[str, Any]:
    hashed = cmd.id_hash
    if cmd.id_number is not None:  # hashed at once; the number goes no further than here
        if ctx.hall.id_hash_key is None:
            raise Invalid(
                "this hall has no readable [idcard] hash_key_file: an ID number cannot be taken"
            )
        hashed = id_hash(cmd.id_number, ctx.hall.id_hash_key)
    appt, events = ctx.hall.book(
        ctx.now, cmd.department, cmd.matter, cmd.booked_at, cmd.code, cmd.phone, cmd.lang, hashed
    )
    ctx.emit(events)
    return {
        "appointment": {
            "code": appt.code,
            "department": appt.department,
            "matter": appt.matter,
            "booked_at": p.iso(appt.booked_at),
            # Whether a card checks it in (never the hash itself).
            "id_card": appt.id_hash is not None,
        }
    }


def staff_unlock(cmd: p.StaffUnlock, ctx: Context) -> dict[str, Any]:
    events = ctx.hall.unlock(ctx.now, cmd.staff)
    ctx.emit(events)
    return {"staff": cmd.staff, "unlocked": bool(events)}


def day_close(cmd: p.DayClose, ctx: Context) -> dict[str, Any]:
    summary, events = ctx.hall.close_day(ctx.now)
    ctx.emit(events)
    return {"summary": summary}


def device_ping(cmd: p.DevicePing, ctx: Context) -> dict[str, Any]:
    """Changes nothing: the reply itself is the answer (the ACL lets the device command and hear)."""
    return {
        "kind": ctx.sender.kind,
        "id": ctx.sender.id,
        "hall": ctx.hall.id,
        "version": __version__,
    }


HANDLERS: dict[str, Callable[[Any, Context], dict[str, Any]]] = {
    "ticket.issue": ticket_issue,
    "appointment.checkin": appointment_checkin,
    "ticket.pickup": ticket_pickup,
    "window.login": window_login,
    "window.logout": window_logout,
    "call.next": call_next,
    "call.recall": call_recall,
    "ticket.no_show": ticket_no_show,
    "ticket.transfer": ticket_transfer,
    "ticket.finish": ticket_finish,
    "window.pause": window_pause,
    "window.resume": window_resume,
    "rating.submit": rating_submit,
    "ticket.status": ticket_status,
    "ticket.rate": ticket_rate,
    "ticket.remote": ticket_remote,
    "window.assign": window_assign,
    "appointment.book": appointment_book,
    "staff.unlock": staff_unlock,
    "day.close": day_close,
    "device.ping": device_ping,
}
