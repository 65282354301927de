"""Retained state and event payloads, built from the hall aggregate in memory.

Retained state is the whole truth a display needs after a reboot, so each payload is complete
rather than a delta. Nothing here reads the database: the aggregate holds the open day.

The views are built as plain dicts, not through the contract's pydantic models (those cost
about 10 us a ticket view against 2, and a command builds several); that they carry exactly the
models' fields is checked by tests/broker/test_contract.py.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hallcall.broker.domain import events as ev
from hallcall.broker.domain.hall import Appointment, HallDay, RemoteTaken, TicketReport
from hallcall.broker.domain.model import Ticket, TicketStatus
from hallcall.broker.domain.skills import PICKUP
from hallcall.config.schema import HallConfig, Matter
from hallcall.protocol import payloads as p
from hallcall.protocol.ratings import rating_labels


def ticket_view(hall: HallDay, t: Ticket, now: datetime, with_wait: bool = False) -> dict[str, Any]:
    window = hall.window_config.get(t.window) if t.window else None
    dep = hall.departments.get(t.department)
    matter = dep.matter(t.matter) if (dep and t.matter) else None
    view: dict[str, Any] = {
        "id": t.id,
        "number": t.number,
        "department": t.department,
        "matter": t.matter,
        "priority": t.priority.value,
        "source": t.source.value,
        "status": t.status.value,
        "lang": t.lang,
        "issued_at": p.iso(t.issued_at),
        "waiting_ahead": None,
        "estimated_wait_s": None,
        "open_windows": None,
        "booked_at": p.iso(t.booked_at) if t.booked_at else None,
        "window": t.window,
        "window_number": window.number if window else None,
        "called_at": p.iso(t.called_at) if t.called_at else None,
        "recalls": t.recalls,
        "recalls_left": t.recalls_left(hall.config.hall.recall_limit)
        if t.status is TicketStatus.CALLED
        else None,
        "transfers": t.transfers,
        "outcome": t.outcome.value if t.outcome else None,
        "finished_at": p.iso(t.finished_at) if t.finished_at else None,
        "service_limit_s": round(matter.service_limit_min * 60) if matter else None,
        "missing_materials": t.missing_materials,
        # Extension (general windows): the queue it waits in, a matter group's or "pickup".
        "queue": (queue := hall.queue_id(t)),
    }
    if with_wait and t.status is TicketStatus.WAITING and t.id in hall.queues[queue]:
        ahead = hall.waiting_ahead(t, now)
        view["waiting_ahead"] = ahead
        # No window open for it now: a wait estimate would be a promise nobody keeps.
        view["open_windows"] = open_ = hall.open_windows(queue)
        view["estimated_wait_s"] = hall.estimated_wait_s(queue, ahead) if open_ else None
    return view


def ticket_status_view(hall: HallDay, report: TicketReport, now: datetime) -> dict[str, Any]:
    """The data of a `ticket.status` reply (payloads.TicketStatusView); never the token."""
    t = report.ticket
    assert report.service_date is not None  # every report names its day
    checkin = None
    if report.booking is not None:
        checkin = checkin_view(report.booking, report.checkin_by, report.expired)
    view = ticket_view(hall, t, now, with_wait=True) if t is not None else None
    if view is not None and t is not None and t.pickup_code and t.queue != PICKUP:
        # Extension (general windows): the code its documents are collected with (出件),
        # for the visitor's page alone (this reply goes to the web part only).
        view["pickup_code"] = t.pickup_code
    return {
        "ticket": view,
        "checkin": checkin,
        "service_date": report.service_date.isoformat(),
        "today": report.today.isoformat(),
        "other_day": report.other_day,
        "day_closed": report.day_closed,
        "hall_closed": report.hall_closed,
        "closed_by_system": t.closed_by_system if t is not None else False,
        "can_rate": report.can_rate,
    }


def checkin_view(
    booking: Appointment, checkin_by: datetime | None, expired: bool = False
) -> dict[str, Any]:
    """A remote ticket waiting for its check-in (payloads.CheckinView); never the token."""
    return {
        "code": booking.code,
        "department": booking.department,
        "matter": booking.matter,
        "lang": booking.lang,
        "taken_at": p.iso(booking.booked_at),
        "checkin_by": p.iso(checkin_by) if checkin_by is not None else None,
        "expired": expired,
    }


def remote_ticket_view(hall: HallDay, taken: RemoteTaken, now: datetime) -> dict[str, Any]:
    """The data of a `ticket.remote` reply (payloads.RemoteTicketView), for the web part alone."""
    ticket = None
    if taken.ticket is not None:
        ticket = ticket_view(hall, taken.ticket, now, with_wait=True)
        ticket["token"] = taken.token
    checkin = None
    if taken.booking is not None:
        checkin = checkin_view(taken.booking, taken.checkin_by)
    return {
        "token": taken.token,
        "join": hall.config.remote_tickets.join,
        "ticket": ticket,
        "checkin": checkin,
    }


def window_state(hall: HallDay, window_id: str, seq: int) -> dict[str, Any]:
    w = hall.windows[window_id]
    staff = hall.staff.get(w.staff) if w.staff else None
    current = None
    if w.current_ticket and w.current_ticket in hall.tickets:
        t = hall.tickets[w.current_ticket]
        current = ticket_view(hall, t, t.called_at or t.issued_at)
    last = hall.last_finished.get(window_id)
    last_finished = None
    if last is not None and not last.closed_by_system:
        last_finished = {
            "ticket_id": last.ticket_id,
            "number": last.number,
            "finished_at": p.iso(last.finished_at),
            "outcome": last.outcome,
            "rated": last.rated,
        }
    return {
        "seq": seq,
        "window": w.id,
        "number": w.number,
        "flex": w.flex,
        # Every department it serves something of; its skills and queues say exactly what.
        "departments": hall.window_departments(window_id),
        "skills": list(w.skills),
        "queues": sorted(hall.window_queues(window_id)),
        "status": w.status.value,
        "staff": {
            "id": staff.id,
            "name": staff.name.model_dump(exclude_none=True),
            "post": w.post.value if w.post else staff.post,
            "department": staff.department,
            "contact": staff.contact,
            "photo": staff.photo,
        }
        if staff
        else None,
        "pause_reason": w.pause_reason,
        "current": current,
        "last_finished": last_finished,
        "served_today": hall.served_today(w.staff) if w.staff else 0,
        "since": p.iso(w.since) if w.since else None,
    }


def queue_kind(hall: HallDay, queue: str) -> str:
    if queue in hall.departments:
        return "department"
    return "pickup" if queue == PICKUP else "group"


def queue_state(hall: HallDay, department: str, seq: int) -> dict[str, Any]:
    """A queue's retained state: a department's, or (general windows) a matter group's or the
    pickup queue's, whose `department` is then the queue's id and `kind` says which."""
    queue = hall.queues[department]
    waiting = len(queue)
    return {
        "seq": seq,
        "department": department,
        "queue": department,
        "kind": queue_kind(hall, department),
        "waiting": waiting,
        "priority_waiting": queue.priority_waiting,
        "estimated_wait_s": hall.estimated_wait_s(department, waiting),
        "last_called": hall.last_called_number(department),
        "open_windows": hall.open_windows(department),
        "closed": hall.today is not None and hall.is_closed(hall.today),
    }


def calls_state(hall: HallDay, seq: int) -> dict[str, Any]:
    calls = []
    for c in hall.calls:
        window = hall.window_config.get(c.window)
        calls.append(
            {
                "ticket_id": c.ticket_id,
                "number": c.number,
                "department": c.department,
                "window": c.window,
                "window_number": window.number if window else 0,
                "at": p.iso(c.at),
                "recall": c.recall,
                "lang": c.lang,
            }
        )
    return {"seq": seq, "calls": calls}


def catalog(config: HallConfig, seq: int) -> dict[str, Any]:
    out = _catalog(config, seq)
    if out.get("pickup") is None:
        out.pop("pickup", None)
    return out


def _catalog(config: HallConfig, seq: int) -> dict[str, Any]:
    hall = config.hall
    return p.dump(
        p.CatalogView(
            seq=seq,
            hall={
                "id": hall.id,
                "name": hall.name.model_dump(exclude_none=True),
                "languages": list(hall.languages),
                "default_language": hall.default_language,
                "timezone": hall.timezone,
                "notice": hall.notice.model_dump(exclude_none=True) if hall.notice else None,
                "recall_limit": hall.recall_limit,
                "rating_scale": hall.rating_scale,
                "rating_labels": rating_labels(hall.rating_scale, hall.rating_label_set),
                # Which names those are: "default" or "national" (政务服务"好差评"'s five).
                "rating_label_set": hall.rating_label_set,
                "rating_timeout_s": hall.rating_timeout_s,
                "show_rating_to_clerk": hall.show_rating_to_clerk,
                "require_pin": hall.require_pin,
                "status_url": hall.status_url,
                # Extension (general windows): what the kiosk's start screen offers first.
                "kiosk_start": hall.kiosk_start,
                # Extension (issue #14): whether visitors may take tickets on the phone.
                "remote_tickets": {
                    "enabled": config.remote_tickets.enabled,
                    "join": config.remote_tickets.join,
                    "departments": list(config.remote_tickets.departments)
                    or [d.id for d in config.departments],
                },
                # Extension (issue #15): what a card does at the kiosks (never the key).
                "idcard": {
                    "card_ticket": config.idcard.card_ticket,
                    "card_checkin": config.idcard.card_checkin,
                    "green_channel_age": config.idcard.green_channel_age,
                },
                "voice": {
                    "languages": hall.voice_languages,
                    "repeat": hall.voice.repeat,
                    "max_age_s": hall.voice.max_age_s,
                    "templates": hall.voice.templates.model_dump(exclude_none=True)
                    if hall.voice.templates
                    else {},
                },
            },
            departments=[
                {
                    "id": d.id,
                    "name": d.name.model_dump(exclude_none=True),
                    "prefix": d.prefix,
                    "matters": [_matter(config, d.id, m) for m in d.matters],
                }
                for d in config.departments
            ],
            windows=[
                {
                    "id": w.id,
                    "number": w.number,
                    "flex": w.flex,
                    "departments": list(w.departments),
                    "skills": list(w.skills),
                    "pickup": w.serves_pickup,
                }
                for w in config.windows
            ],
            queues=_queues(config),
            # Only where the hall runs a pickup queue: no key, no pickup (a reader's default).
            pickup={
                "enabled": True,
                "name": config.pickup.name.model_dump(exclude_none=True),
                "prefix": config.pickup.prefix,
            }
            if config.pickup.enabled
            else None,
            devices=[
                {"kind": d.kind, "id": d.id, "window": d.window}
                for d in config.devices
                if d.kind in ("sign", "rating", "display", "kiosk")
            ],
        )
    )


def _matter(config: HallConfig, dep_id: str, m: Matter) -> dict[str, Any]:
    view = m.model_dump(mode="json", exclude_none=True)
    group = config.group_of(dep_id, m.id)
    if group is not None:
        view["queue"] = group.id  # its tickets wait in that matter group's queue
    return view


def _queues(config: HallConfig) -> list[dict[str, Any]]:
    """Every queue of the hall (general windows): departments', matter groups', pickup."""
    out: list[dict[str, Any]] = [
        {
            "id": d.id,
            "kind": "department",
            "name": d.name.model_dump(exclude_none=True),
            "prefix": d.prefix,
            "matters": [],
        }
        for d in config.departments
    ]
    out += [
        {
            "id": g.id,
            "kind": "group",
            "name": g.name.model_dump(exclude_none=True),
            "prefix": g.prefix,
            "matters": list(g.matters),
        }
        for g in config.matter_groups
    ]
    if config.pickup.enabled:
        out.append(
            {
                "id": PICKUP,
                "kind": "pickup",
                "name": config.pickup.name.model_dump(exclude_none=True),
                "prefix": config.pickup.prefix,
                "matters": [],
            }
        )
    return out


class Touched:
    """Which retained topics a batch changed: each is published once, after the commit."""

    def __init__(self) -> None:
        self.windows: set[str] = set()
        self.departments: set[str] = set()
        self.calls = False

    def __bool__(self) -> bool:
        return bool(self.windows or self.departments or self.calls)

    def window(self, hall: HallDay, window_id: str | None) -> None:
        if window_id is not None and window_id in hall.windows:
            self.windows.add(window_id)
            self.departments.update(hall.window_queues(window_id))

    def everything(self, hall: HallDay) -> None:
        self.windows.update(hall.windows)
        self.departments.update(hall.queues)
        self.calls = True

    def add(self, hall: HallDay, e: ev.Event) -> None:
        # `departments` holds queue ids: a department's, a matter group's, "pickup".
        if isinstance(e, ev.TicketIssued):
            self.departments.add(hall.queue_id(e.ticket))
        elif isinstance(e, ev.TicketCalled):
            self.window(hall, e.window)
            self.departments.add(hall.queue_id(e.ticket))
            self.calls = True
        elif isinstance(e, ev.TicketRecalled):
            self.windows.add(e.window)
            self.calls = True
        elif isinstance(e, (ev.TicketNoShow, ev.TicketFinished)):
            self.window(hall, e.window)
            self.departments.add(hall.queue_id(e.ticket))
        elif isinstance(e, ev.TicketTransferred):
            self.window(hall, e.window)
            self.departments.update({e.from_department, hall.queue_id(e.ticket)})
        elif isinstance(e, ev.RatingRecorded):
            self.windows.add(e.window)
        elif isinstance(e, ev.WindowChanged):
            self.window(hall, e.window)
            self.departments.update(e.departments_before)
            if e.departments is not None:  # an assignment: what it called before may change too
                self.departments.update(hall.queues)
        elif isinstance(e, ev.DayClosed):
            self.departments.update(hall.queues)

    def states(self, hall: HallDay) -> list[tuple[str, dict[str, Any]]]:
        """(kind, payload) of every touched retained state, with fresh seq numbers."""
        out: list[tuple[str, dict[str, Any]]] = []
        for w in sorted(self.windows):
            out.append((f"window/{w}", window_state(hall, w, hall.next_seq())))
        for d in sorted(self.departments):
            if d in hall.queues:
                out.append((f"queue/{d}", queue_state(hall, d, hall.next_seq())))
        if self.calls:
            out.append(("calls", calls_state(hall, hall.next_seq())))
        return out


def event_body(hall: HallDay, e: ev.Event) -> tuple[str, dict[str, Any]] | None:
    """The MQTT event (type, body without seq) for a domain event, or None for internal ones."""
    at = p.iso(e.at)

    def number_of(window: str | None) -> int | None:
        cfg = hall.window_config.get(window) if window else None
        return cfg.number if cfg else None

    if isinstance(e, ev.TicketIssued):
        return "ticket.issued", {
            "at": at,
            "ticket": ticket_view(hall, e.ticket, e.at, True),
            "department": e.ticket.department,
        }
    if isinstance(e, (ev.TicketCalled, ev.TicketRecalled)):
        kind = "ticket.called" if isinstance(e, ev.TicketCalled) else "ticket.recalled"
        return kind, {
            "at": at,
            "ticket": ticket_view(hall, e.ticket, e.at, True),
            "window": e.window,
            "window_number": number_of(e.window),
            "staff": e.ticket.staff,
        }
    if isinstance(e, ev.TicketNoShow) and not e.by_system:
        return "ticket.no_show", {
            "at": at,
            "ticket": ticket_view(hall, e.ticket, e.at, True),
            "window": e.window,
            "staff": e.ticket.staff,
        }
    if isinstance(e, ev.TicketFinished) and not e.by_system:
        return "ticket.finished", {
            "at": at,
            "ticket": ticket_view(hall, e.ticket, e.at, True),
            "window": e.window,
            "staff": e.ticket.staff,
        }
    if isinstance(e, ev.TicketTransferred):
        return "ticket.transferred", {
            "at": at,
            "ticket": ticket_view(hall, e.ticket, e.at, True),
            "window": e.window,
            "staff": e.staff,
            "from_department": e.from_department,
            "department": e.ticket.department,
        }
    if isinstance(e, ev.RatingRequested):
        return "rating.requested", {
            "at": at,
            "window": e.window,
            "window_number": number_of(e.window),
            "staff": e.ticket.staff,
            "ticket_id": e.ticket.id,
            "number": e.ticket.number,
            "scale": hall.config.hall.rating_scale,
            "timeout_s": hall.config.hall.rating_timeout_s,
            #: 需补件: what the visitor must still bring, for the pad to show (one-time notification).
            "missing_materials": e.ticket.missing_materials,
        }
    if isinstance(e, ev.RatingRecorded):
        body: dict[str, Any] = {
            "at": at,
            "window": e.window,
            "staff": e.staff,
            "ticket_id": e.ticket_id,
            "channel": e.channel,
        }
        if hall.config.hall.show_rating_to_clerk:
            body["score"] = e.score
        return "rating.recorded", body
    if isinstance(e, ev.WindowChanged) and not e.by_system:
        if e.departments is not None:
            return "window.changed", {
                "at": at,
                "window": e.window,
                "departments": list(e.departments),
            }
        body = {"at": at, "window": e.window, "staff": e.staff}
        if e.login:
            body["replaced"] = e.replaced
        return "window.changed", body
    if isinstance(e, ev.DayClosed):
        return "day.closed", {"at": at, "summary": e.summary}
    return None
