"""A hall as the queue broker runs it: the aggregate that holds every queue rule.

The queue broker is the only writer of its halls, so the open part of the hall lives here in
memory: each department's queue in call order, the windows and who is on duty, the day's
counters, the last ticket each window finished, appointments, recent service times. Every
command is a method that checks the rules, changes the state and returns the domain events
(`events.py`); nothing here does I/O, and the time is always an argument. `HallSnapshot` is
what a store hands back to rebuild it after a restart.
"""

from __future__ import annotations

import copy
import secrets
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hallcall.broker.domain import events as ev
from hallcall.broker.domain.errors import (
    Closed,
    Conflict,
    Empty,
    Forbidden,
    Invalid,
    Locked,
    NotFound,
    QueueError,
    UnknownToken,
)
from hallcall.broker.domain.estimate import RECENT_SERVICES, estimated_wait_s, typical_service_s
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
from hallcall.broker.domain.numbering import NumberRange, local_day_bounds, service_date, ticket_id
from hallcall.broker.domain.pins import verify_pin
from hallcall.broker.domain.queue import CallQueue
from hallcall.broker.domain.rectification import due_on
from hallcall.broker.domain.skills import PICKUP, Lane, QueueMap, Skills, resolve
from hallcall.broker.domain.working_days import WorkingCalendar
from hallcall.config.schema import Department, HallConfig
from hallcall.protocol.ratings import is_bad_rating


@dataclass
class Appointment:
    code: str
    department: str
    matter: str | None
    booked_at: datetime
    phone: str | None
    lang: str
    ticket_id: str | None = None
    #: A remote ticket waiting for its check-in (`ticket.remote` in a hall that joins them "on
    #: check-in"): booked at the moment it was taken, with the status token its phone page
    #: asks with; the ticket issued at check-in takes that token.
    remote: bool = False
    token: str | None = None
    #: The keyed hash of the ID number it was booked with (issue #15): a card checks it in.
    id_hash: str | None = None


@dataclass
class Ended:
    """The last ticket a window ended (finished or no-show): what a rating pad may rate."""

    ticket_id: str
    number: str
    status: TicketStatus
    finished_at: datetime
    outcome: str | None
    staff: str | None
    closed_by_system: bool
    rated: bool = False

    @classmethod
    def of(cls, t: Ticket, rated: bool = False) -> Ended:
        assert t.finished_at is not None
        outcome = t.outcome.value if t.outcome else None
        return cls(
            t.id, t.number, t.status, t.finished_at, outcome, t.staff, t.closed_by_system, rated
        )


@dataclass
class PickupCode:
    """The code a finished time-limited matter's documents are collected with (出件)."""

    code: str
    ticket_id: str  # the ticket whose matter was accepted ("done")
    department: str
    matter: str | None
    number: str
    service_date: date
    issued_at: datetime
    id_hash: str | None = None
    #: The pickup ticket taken with it (`ticket.pickup`), and when that was finished.
    pickup_ticket: str | None = None
    collected_at: datetime | None = None


#: Digits of a pickup code: typed on a kiosk's keypad; 10^8 of them against a few thousand
#: uncollected, behind the kiosk's rate limit, is not worth guessing.
PICKUP_CODE_DIGITS = 8


@dataclass
class PinFailures:
    """Wrong PINs in a row for one staff id, and until when it is locked (kept across restarts)."""

    failures: int = 0
    locked_until: datetime | None = None


@dataclass(frozen=True)
class Call:
    """One line of the lobby's "latest calls"."""

    ticket_id: str
    number: str
    department: str
    window: str
    at: datetime
    recall: bool
    lang: str


#: Random bytes of a ticket's status token (`secrets.token_urlsafe`: 22 characters for 16).
TOKEN_BYTES = 16


@dataclass(frozen=True)
class TicketReport:
    """What a visitor's status page shows for a ticket (`ticket.status`), besides the ticket."""

    #: None only for a remote ticket not checked in yet (then `booking` is its booking).
    ticket: Ticket | None
    today: date
    #: The ticket belongs to another service day than today.
    other_day: bool
    #: The ticket's service day has been closed.
    day_closed: bool
    #: Today is closed: no new tickets or ratings until the next service day.
    hall_closed: bool
    #: It may still be rated (the rating pad's rule: `HallDay.can_rate`).
    can_rate: bool
    #: A remote ticket waiting for its check-in at a kiosk, and until when it may be.
    booking: Appointment | None = None
    checkin_by: datetime | None = None
    #: Its time to check in is over (or its day is): it will not join the queue.
    expired: bool = False
    #: The day it belongs to (its ticket's, or its booking's).
    service_date: date | None = None


@dataclass(frozen=True)
class RemoteTaken:
    """What `ticket.remote` gives the phone: a ticket in the queue (join "now"), or a booking
    with a check-in code (join "on_checkin"); either way the token of its status page."""

    token: str
    ticket: Ticket | None = None
    booking: Appointment | None = None
    checkin_by: datetime | None = None


@dataclass
class HallSnapshot:
    """What the store loads to rebuild a hall: everything still open, and a little history."""

    seq: int = 0
    tickets: list[Ticket] = field(default_factory=list)  # open ones, and all of today's
    counters: dict[tuple[str, date], tuple[int, int]] = field(default_factory=dict)
    windows: list[WindowState] = field(default_factory=list)
    last_finished: dict[str, Ended] = field(default_factory=dict)  # status finished
    last_ended: dict[str, Ended] = field(default_factory=dict)  # finished or no-show
    appointments: list[Appointment] = field(default_factory=list)
    appointment_codes: set[str] = field(default_factory=set)
    recent_services: dict[str, list[float]] = field(default_factory=dict)  # newest first
    calls: list[Call] = field(default_factory=list)  # newest first
    last_calls: dict[str, str] = field(
        default_factory=dict
    )  # department -> ticket of its latest call
    closed_days: set[date] = field(default_factory=set)
    clerks_on_duty_since: dict[str, datetime] = field(default_factory=dict)  # window -> login
    pin_failures: dict[str, PinFailures] = field(default_factory=dict)  # staff -> wrong PINs
    #: Pickup codes not collected yet, and every code the hall has given (they stay unique).
    pickup_codes: list[PickupCode] = field(default_factory=list)
    pickup_code_values: set[str] = field(default_factory=set)


class HallDay:
    def __init__(
        self,
        config: HallConfig,
        snapshot: HallSnapshot,
        today: date | None = None,
        calendar: WorkingCalendar | None = None,
    ):
        self.config = config
        #: The hall's working days, for a rectification case's deadline (Monday to Friday
        #: unless given: the service gives the hall's, `hallcall.broker.calendars`).
        self.calendar = calendar or WorkingCalendar()
        self.id = config.hall.id
        self.zone = ZoneInfo(config.hall.timezone)
        self.due_early = timedelta(minutes=config.hall.appointment_due_early_min)
        self.departments: dict[str, Department] = {d.id: d for d in config.departments}
        self.window_config = {w.id: w for w in config.windows}
        self.staff = {s.id: s for s in config.staff}
        self.devices = {(d.kind, d.id): d for d in config.devices}
        self.seq = snapshot.seq
        self.today = today
        self.tickets: dict[str, Ticket] = {}
        #: The queues: each department's, each matter group's, the pickup queue (its ids are
        #: distinct, the hall file checks), each in call order, for its length and people ahead;
        #: and their lanes, one per (queue, department, matter), for "next" across skills.
        self.queue_map = QueueMap(config)
        self.queues = {q: CallQueue(self.due_early) for q in self.queue_map.ids}
        self.lanes: dict[Lane, CallQueue] = {
            lane: CallQueue(self.due_early)
            for lanes in self.queue_map.lanes.values()
            for lane in lanes
        }
        self._sources: dict[str, list[CallQueue]] = {}
        self._window_queues: dict[str, frozenset[str]] = {}
        self.pickup_codes = {c.code: c for c in snapshot.pickup_codes}
        self.pickup_code_values = set(snapshot.pickup_code_values) | set(self.pickup_codes)
        self.counters = dict(snapshot.counters)
        self.windows = self._windows(snapshot.windows)
        self.last_finished = dict(snapshot.last_finished)
        self.last_ended = dict(snapshot.last_ended)
        self.appointments = {a.code: a for a in snapshot.appointments}
        self.appointment_codes = set(snapshot.appointment_codes) | set(self.appointments)
        self.recent = {
            d: deque(snapshot.recent_services.get(d, [])[:RECENT_SERVICES], maxlen=RECENT_SERVICES)
            for d in self.queues
        }
        self.calls: deque[Call] = deque(
            snapshot.calls[: config.hall.calls_kept], maxlen=config.hall.calls_kept
        )
        self.closed_days = set(snapshot.closed_days)
        self.on_duty_since = dict(snapshot.clerks_on_duty_since)
        self.pin_failures = {k: copy.copy(v) for k, v in snapshot.pin_failures.items()}
        self.served: Counter[tuple[date, str]] = Counter()
        self.last_called: dict[str, tuple[datetime, str]] = {}
        self._last_calls = dict(snapshot.last_calls)
        #: status token -> ticket id, for the tickets held here (open ones and today's).
        self.by_token: dict[str, str] = {}
        #: Remote tickets taken per (department, day), toward `[remote_tickets] daily_cap`.
        self.remote_taken: Counter[tuple[str, date]] = Counter()
        for t in snapshot.tickets:
            self._track(t)
        #: status token -> code, for the remote bookings held here (taken today or yesterday).
        self.booking_by_token: dict[str, str] = {}
        booked_tickets = set()
        for a in self.appointments.values():
            if a.remote and a.token is not None:
                self.booking_by_token[a.token] = a.code
                self.remote_taken[(a.department, self.service_date(a.booked_at))] += 1
                booked_tickets.add(a.ticket_id)
        for t in snapshot.tickets:  # taken remotely and joined at once (no booking)
            if t.source is Source.REMOTE and t.id not in booked_tickets:
                self.remote_taken[(t.original_department, t.service_date)] += 1
        rate = config.remote_tickets.rate
        #: The hall's token bucket for remote tickets: (tokens, when last filled).
        self._remote_bucket: tuple[float, datetime | None] = (float(rate.burst), None)
        self._open_windows: dict[str, int] | None = None
        #: The hall's ID card hash key (`[idcard] hash_key_file`), read by the service; None
        #: when the hall has none (then only hashes made elsewhere are taken).
        self.id_hash_key: bytes | None = None

    def _windows(self, rows: Iterable[WindowState]) -> dict[str, WindowState]:
        """Windows as the hall file says now: new ones closed, fixed ones with their departments."""
        known = {w.id: w for w in rows}
        windows = {}
        for cfg in self.config.windows:
            w = known.get(cfg.id)
            if w is None:
                w = WindowState(cfg.id, cfg.number, cfg.flex, list(cfg.departments))
            w.number, w.flex = cfg.number, cfg.flex
            w.skills = list(cfg.skills) + (["pickup"] if cfg.pickup else [])
            if not cfg.flex:
                w.departments = list(cfg.departments)
            else:
                w.departments = [d for d in w.departments if d in self.departments]
            windows[cfg.id] = w
        return windows

    def _track(self, t: Ticket) -> None:
        self.tickets[t.id] = t
        if t.token is not None:
            self.by_token[t.token] = t.id
        if t.queue is not None and t.queue not in self.queues:
            t.queue = None  # its group is gone from the hall file: it waits in its department
        if t.status is TicketStatus.WAITING and self.queue_id(t) in self.queues:
            self._enqueue(t, t.issued_at)
        if t.status is TicketStatus.FINISHED and t.staff:
            self.served[(t.service_date, t.staff)] += 1

    # ================================================================== the day
    def service_date(self, now: datetime) -> date:
        return service_date(now, self.zone)

    def is_closed(self, day: date) -> bool:
        return day in self.closed_days

    def _refuse_if_closed(self, now: datetime, message: str) -> None:
        """After the close of day nothing may change today's service (hall rules: close of day)."""
        if self.service_date(now) in self.closed_days:
            raise Closed(message)

    def needs_rollover(self, now: datetime) -> bool:
        """True on a new day, and on first use after loading (days may have been left open)."""
        return self.today is None or self.service_date(now) != self.today

    def roll_over(self, now: datetime) -> list[ev.Event]:
        """A new day: close every earlier day still open (nothing is left silently)."""
        today = self.service_date(now)
        start, _ = local_day_bounds(today, self.zone)
        events: list[ev.Event] = []
        left_open = any(t.is_open and t.service_date < today for t in self.tickets.values())
        if left_open or any(since < start for since in self.on_duty_since.values()):
            events = self._close_through(today - timedelta(days=1), now)
        self.today = today
        self.tickets = {
            k: t for k, t in self.tickets.items() if t.is_open or t.service_date >= today
        }
        self.by_token = {t.token: t.id for t in self.tickets.values() if t.token is not None}
        self.served = Counter({k: n for k, n in self.served.items() if k[0] >= today})
        self.last_called = self._last_called_today(today)
        return events

    def _last_called_today(self, today: date) -> dict[str, tuple[datetime, str]]:
        """Each department's latest call today. Calls in one batch share a time, so the store's
        order of calls decides (`last_calls`): a restart shows the number the lobby showed."""
        latest: dict[str, tuple[datetime, bool, str]] = {}
        for t in self.tickets.values():
            if t.called_at is not None and t.service_date == today:
                q = self.queue_id(t)
                key = (t.called_at, self._last_calls.get(q) == t.id, t.number)
                if q not in latest or latest[q][:2] < key[:2]:
                    latest[q] = key
        return {d: (at, number) for d, (at, _, number) in latest.items()}

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    # ================================================================== look-ups
    def department(self, dep_id: str, matter_id: str | None = None) -> Department:
        dep = self.departments.get(dep_id)
        if dep is None:
            raise NotFound(f"unknown department {dep_id!r}")
        if matter_id is not None and dep.matter(matter_id) is None:
            raise NotFound(f"department {dep_id!r} has no matter {matter_id!r}")
        return dep

    def window(self, window_id: str) -> WindowState:
        w = self.windows.get(window_id)
        if w is None:
            raise NotFound(f"unknown window {window_id!r}")
        return w

    def check_sender(self, kind: str, device_id: str) -> None:
        if kind == "window":
            if device_id not in self.window_config:
                raise Forbidden(
                    f"unknown window {device_id!r}: it is not in the hall configuration"
                )
        elif (kind, device_id) not in self.devices:
            raise Forbidden(f"unknown {kind} {device_id!r}: it is not in the hall configuration")

    def waiting_ahead(self, t: Ticket, now: datetime) -> int:
        """People ahead in the ticket's own queue (its group's, or its department's)."""
        return self.queues[self.queue_id(t)].ahead_of(t.id, now)

    def typical_service_s(self, department: str) -> float:
        """Of a queue (a department's, a matter group's or the pickup queue)."""
        return typical_service_s(
            list(self.recent.get(department, ())), self.default_service_s(department)
        )

    def default_service_s(self, queue: str) -> int:
        dep = self.departments.get(queue)
        if dep is not None:
            return dep.default_service_s
        if queue == PICKUP:
            return self.config.pickup.default_service_s
        group = next((g for g in self.config.matter_groups if g.id == queue), None)
        return group.default_service_s if group else 300

    def open_windows(self, department: str) -> int:
        """Windows open now that call the queue `department` (a department's, or a group's)."""
        if self._open_windows is None:
            counts: Counter[str] = Counter()
            for w in self.windows.values():
                if w.status is WindowStatus.OPEN:
                    counts.update(self.window_queues(w.id))
            self._open_windows = dict(counts)
        return self._open_windows.get(department, 0)

    # ================================================================== general windows
    def queue_id(self, t: Ticket) -> str:
        """The queue a ticket waits in: its matter group's, the pickup queue, or its department's."""
        return t.queue or t.department

    def _lane(self, t: Ticket) -> Lane:
        return (self.queue_id(t), t.department, t.matter)

    def _enqueue(self, t: Ticket, now: datetime) -> None:
        q = self.queue_id(t)
        self.queues[q].add(t, now)
        if q != PICKUP:  # the pickup queue is only ever called whole
            lane = self._lane(t)
            if lane not in self.lanes:  # a matter the hall file no longer has
                self.lanes[lane] = CallQueue(self.due_early)
            self.lanes[lane].add(t, now)

    def _dequeue(self, t: Ticket) -> None:
        q = self.queue_id(t)
        self.queues[q].remove(t.id)
        if q != PICKUP:
            self.lanes[self._lane(t)].remove(t.id)

    def skills(self, window_id: str) -> Skills:
        """What a window serves now: its departments (a flex window's as assigned), its skills."""
        w = self.windows[window_id]
        return resolve([*w.departments, *w.skills])

    def window_departments(self, window_id: str) -> list[str]:
        """Every department a window serves something of (what older devices are told)."""
        w = self.windows[window_id]
        served = set(self.skills(window_id).departments)
        return list(w.departments) + [
            d for d in self.departments if d in served and d not in w.departments
        ]

    def window_queues(self, window_id: str) -> frozenset[str]:
        """The queues a window calls from (whole or some of their lanes)."""
        if window_id not in self._window_queues:
            whole, lanes = self.queue_map.sources(self.skills(window_id))
            self._window_queues[window_id] = frozenset(whole) | {lane[0] for lane in lanes}
        return self._window_queues[window_id]

    def _call_sources(self, window_id: str) -> list[CallQueue]:
        """The call queues whose heads a window's "next" compares: few, fixed by the hall file."""
        sources = self._sources.get(window_id)
        if sources is None:
            whole, lanes = self.queue_map.sources(self.skills(window_id))
            sources = [self.queues[q] for q in whole if q in self.queues]
            sources += [self.lanes[lane] for lane in lanes]
            self._sources[window_id] = sources
        return sources

    def estimated_wait_s(self, department: str, ahead: int) -> int:
        return estimated_wait_s(
            ahead, self.typical_service_s(department), self.open_windows(department)
        )

    def served_today(self, staff: str) -> int:
        if self.today is None:  # not rolled over yet: nothing is counted for a day
            return 0
        return self.served[(self.today, staff)]

    def last_called_number(self, department: str) -> str | None:
        last = self.last_called.get(department)
        return last[1] if last else None

    def _window_changed(self) -> None:
        self._open_windows = None

    # ================================================================== kiosk
    def issue(
        self,
        now: datetime,
        department: str,
        matter: str | None = None,
        priority: Priority = Priority.NORMAL,
        lang: str | None = None,
        *,
        appointment: Appointment | None = None,
        remote: bool = False,
        pickup: PickupCode | None = None,
        id_hash: str | None = None,
    ) -> tuple[Ticket, list[ev.Event]]:
        """A new ticket in its department's queue: a walk-in's, an appointment's at its
        check-in, or a remote one (taken on the phone; `appointment` is its booking when it
        joins on check-in). A remote ticket waits like a walk-in from now, with its booking's
        token if it has one."""
        day = self.service_date(now)
        self._refuse_if_closed(
            now, "the hall has closed for today; please come back on the next working day"
        )
        dep = self.department(department, matter)
        lang = lang or self.config.hall.default_language
        if lang not in self.config.hall.languages:
            raise Invalid(f"this hall does not offer language {lang!r}")
        queue = PICKUP if pickup is not None else self.queue_map.queue_of(dep.id, matter)
        last, issued = self.counters.get((queue, day), (None, 0))
        numbers = self._numbers(queue)
        seqno = numbers.next_after(last, issued)
        self.counters[(queue, day)] = (seqno, issued + 1)
        number = numbers.format(seqno)
        remote = remote or (appointment is not None and appointment.remote)
        booked_at = appointment.booked_at if appointment and not remote else None
        if remote:
            source = Source.REMOTE
        else:
            source = Source.APPOINTMENT if appointment else Source.WALK_IN
        token = appointment.token if appointment and appointment.token else self._new_token()
        t = Ticket(
            id=ticket_id(day, number),
            number=number,
            service_date=day,
            department=dep.id,
            original_department=dep.id,
            issued_at=now,
            queued_at=booked_at if booked_at is not None else now,
            matter=matter,
            priority=priority,
            source=source,
            booked_at=booked_at,
            lang=lang,
            token=token,
            queue=queue if queue != dep.id else None,
            pickup_code=pickup.code if pickup is not None else None,
            id_hash=id_hash if id_hash is not None or appointment is None else appointment.id_hash,
        )
        self.tickets[t.id] = t
        self.by_token[token] = t.id
        self._enqueue(t, now)
        code = appointment.code if appointment else None
        return t, [ev.TicketIssued(now, copy.copy(t), seqno, issued + 1, code)]

    def _numbers(self, queue: str) -> NumberRange:
        """The ticket numbers of a queue: its department's, its matter group's, or pickup's."""
        dep = self.departments.get(queue)
        if dep is not None:
            return NumberRange(dep.prefix, dep.number_start, dep.number_end, dep.daily_cap)
        if queue == PICKUP:
            p = self.config.pickup
            return NumberRange(p.prefix, p.number_start, p.number_end)
        g = next(g for g in self.config.matter_groups if g.id == queue)
        return NumberRange(g.prefix, g.number_start, g.number_end, g.daily_cap)

    # ================================================================== document pickup
    def take_pickup(
        self, now: datetime, code: str | None, id_hash: str | None, lang: str | None = None
    ) -> tuple[Ticket, list[ev.Event]]:
        """A pickup ticket (出件, `ticket.pickup`) for a code, or for the oldest uncollected
        code of an ID card's hash. A code whose pickup ticket is still open gives that ticket
        again (a reprint); a collected one is refused."""
        if not self.config.pickup.enabled:
            raise Closed(
                "this hall has no document pickup queue; please ask at the information desk",
                detail={"reason": "pickup_off"},
            )
        self._refuse_if_closed(
            now, "the hall has closed for today; please come back on the next working day"
        )
        if (code is None) == (id_hash is None):
            raise Invalid("give exactly one of code and id_hash")
        if code is not None:
            pc = self.pickup_codes.get(code)
            if pc is None:
                if code in self.pickup_code_values:
                    raise Conflict(
                        "these documents have already been collected",
                        detail={"reason": "collected"},
                    )
                raise NotFound("no documents wait for this pickup code; please check it")
        else:
            mine = sorted(
                (c for c in self.pickup_codes.values() if c.id_hash == id_hash),
                key=lambda c: c.issued_at,
            )
            pc = next((c for c in mine if c.collected_at is None), None)
            if pc is None:
                raise NotFound("no documents wait for this ID card; please check with a clerk")
        if pc.collected_at is not None:
            raise Conflict(
                "these documents have already been collected", detail={"reason": "collected"}
            )
        held = self.tickets.get(pc.pickup_ticket) if pc.pickup_ticket else None
        if held is not None and held.is_open:
            return held, []
        t, events = self.issue(now, pc.department, pc.matter, Priority.NORMAL, lang, pickup=pc)
        pc.pickup_ticket = t.id
        return t, [*events, ev.PickupTaken(now, pc.code, t.id)]

    def _pickup_on_finish(self, now: datetime, t: Ticket, outcome: Outcome) -> list[ev.Event]:
        """Finishing a pickup ticket collects its code; finishing a time-limited matter "done"
        gives one (in the same events, so in the same transaction as the finish)."""
        if t.queue == PICKUP:
            pc = self.pickup_codes.pop(t.pickup_code or "", None)
            if pc is None:
                return []
            pc.collected_at = now
            return [ev.PickupCollected(now, pc.code, t.id)]
        if not self.config.pickup.enabled or outcome is not Outcome.DONE:
            return []
        dep = self.departments.get(t.department)
        matter = dep.matter(t.matter) if dep is not None and t.matter else None
        if matter is None or matter.kind != "time_limited":
            return []
        while True:
            code = f"{secrets.randbelow(10**PICKUP_CODE_DIGITS):0{PICKUP_CODE_DIGITS}d}"
            if code not in self.pickup_code_values:
                break
        id_hash = getattr(t, "id_hash", None)
        pc = PickupCode(code, t.id, t.department, t.matter, t.number, t.service_date, now, id_hash)
        self.pickup_codes[code] = pc
        self.pickup_code_values.add(code)
        t.pickup_code = code
        return [
            ev.PickupCodeIssued(
                now, code, t.id, t.department, t.matter, t.number, t.service_date, id_hash
            )
        ]

    def check_in(self, now: datetime, code: str) -> tuple[Ticket, list[ev.Event]]:
        day = self.service_date(now)
        appt = self.appointments.get(code.upper())
        if appt is None:  # a visitor may type the phone number they booked with instead
            booked = sorted(
                (a for a in self.appointments.values() if a.phone == code),
                key=lambda a: a.booked_at,
            )
            appt = next((a for a in booked if self.service_date(a.booked_at) == day), None)
        if appt is None:
            raise NotFound("no appointment with this code; please check the code or take a ticket")
        return self._check_in(now, appt)

    def check_in_by_card(self, now: datetime, id_hash: str) -> tuple[Ticket, list[ev.Event]]:
        """A resident ID card laid on a kiosk (issue #15): today's appointment booked with its
        keyed hash, the earliest not checked in yet, is checked in as by its code. None today:
        `not_found`, saying when the card's next appointment is if it has a later one."""
        day = self.service_date(now)
        mine = sorted(
            (a for a in self.appointments.values() if a.id_hash == id_hash),
            key=lambda a: a.booked_at,
        )
        today = [a for a in mine if self.service_date(a.booked_at) == day]
        appt = next((a for a in today if a.ticket_id is None), today[-1] if today else None)
        if appt is None:
            later = [a for a in mine if self.service_date(a.booked_at) > day]
            detail = (
                {
                    "reason": "not_today",
                    "booked_for": self.service_date(later[0].booked_at).isoformat(),
                }
                if later
                else None
            )
            raise NotFound(
                "no appointment today for this ID card; please take a ticket", detail=detail
            )
        return self._check_in(now, appt)

    def _check_in(self, now: datetime, appt: Appointment) -> tuple[Ticket, list[ev.Event]]:
        """Check in one appointment, however it was found (code, phone number, ID card)."""
        day = self.service_date(now)
        booked_day = self.service_date(appt.booked_at)
        if appt.ticket_id is not None and appt.ticket_id in self.tickets:
            return self.tickets[appt.ticket_id], []
        if booked_day != day:
            if appt.remote:
                raise Conflict(
                    f"this code was for a ticket of {booked_day.isoformat()}; please take a new one",
                    detail={"reason": "checkin_expired"},
                )
            raise Conflict(f"this appointment is booked for {booked_day.isoformat()}, not today")
        checkin_by = self.checkin_by(appt)
        if checkin_by is not None and now > checkin_by:
            until = self._until(now, checkin_by.astimezone(self.zone))
            raise Conflict(
                f"this code had to be checked in by {until}; please take a new ticket",
                detail={"reason": "checkin_expired", "until": until},
            )
        t, events = self.issue(
            now, appt.department, appt.matter, Priority.NORMAL, appt.lang, appointment=appt
        )
        appt.ticket_id = t.id
        return t, [*events, ev.AppointmentCheckedIn(now, appt.code, t.id)]

    def _new_token(self) -> str:
        """An unguessable status token for a new ticket (its QR code's link)."""
        while True:
            token = secrets.token_urlsafe(TOKEN_BYTES)
            # Earlier days' are unique by 128 random bits.
            if token not in self.by_token and token not in self.booking_by_token:
                return token

    def _new_code(self) -> str:
        """A check-in code no appointment of the hall has had: 6 digits for a kiosk's keypad."""
        while True:
            code = f"{secrets.randbelow(10**6):06d}"
            if code not in self.appointment_codes:
                return code

    def checkin_by(self, appt: Appointment) -> datetime | None:
        """Until when a remote booking may be checked in (None: until its day closes)."""
        within = self.config.remote_tickets.checkin_within_min
        if not appt.remote or within is None:
            return None
        return appt.booked_at + timedelta(minutes=within)

    # ================================================================== remote tickets
    def take_remote(
        self, now: datetime, department: str, matter: str | None = None, lang: str | None = None
    ) -> tuple[RemoteTaken, list[ev.Event]]:
        """A ticket taken on the phone (线上取号), where the hall file enables it.

        It joins the queue at once (`join = "now"`: a ticket like a walk-in's, source remote),
        or on check-in (`"on_checkin"`: a booking with a check-in code that the kiosk's
        `appointment.checkin` turns into the ticket). The web part keeps the daily cap per
        phone; the rules here are the hall's: on, open, a department that takes them, a window
        open for it, its daily cap of remote tickets, and the hall's rate.
        """
        rules = self.config.remote_tickets
        if not rules.enabled:
            raise Forbidden(
                "this hall does not take tickets from the phone; please take one at the kiosk",
                detail={"reason": "remote_off"},
            )
        self._refuse_if_closed(
            now, "the hall has closed for today; please come back on the next working day"
        )
        dep = self.department(department, matter)
        if rules.departments and dep.id not in rules.departments:
            raise Forbidden(
                f"department {dep.id!r} takes no tickets from the phone; please take one at the kiosk",
                detail={"reason": "remote_off"},
            )
        local = now.astimezone(self.zone).strftime("%H:%M")
        if (rules.open_at and local < rules.open_at) or (
            rules.close_at and local >= rules.close_at
        ):
            raise Closed(
                f"tickets are taken from the phone from {rules.open_at or '00:00'} "
                f"to {rules.close_at or '24:00'} (hall time)",
                detail={"reason": "hours", "open_at": rules.open_at, "close_at": rules.close_at},
            )
        queue = self.queue_map.queue_of(dep.id, matter)  # a matter group's, or its department's
        if rules.require_open_window and self.open_windows(queue) == 0:
            raise Closed(
                f"no window of {dep.id!r} is open now; please try again later",
                detail={"reason": "no_window"},
            )
        day = self.service_date(now)
        if rules.daily_cap is not None and self.remote_taken[(dep.id, day)] >= rules.daily_cap:
            raise Closed(
                f"department {dep.id!r} has given its {rules.daily_cap} tickets from the phone "
                "for today; please take one at the kiosk",
                detail={"reason": "remote_cap"},
            )
        lang = lang or self.config.hall.default_language
        if lang not in self.config.hall.languages:
            raise Invalid(f"this hall does not offer language {lang!r}")
        bucket = self._remote_rate(now)
        events: list[ev.Event]
        if rules.join == "now":
            t, events = self.issue(now, dep.id, matter, Priority.NORMAL, lang, remote=True)
            assert t.token is not None  # issue() gives every ticket one
            taken = RemoteTaken(t.token, ticket=t)
        else:
            token = self._new_token()
            booking = Appointment(
                self._new_code(), dep.id, matter, now, None, lang, remote=True, token=token
            )
            self.appointments[booking.code] = booking
            self.appointment_codes.add(booking.code)
            self.booking_by_token[token] = booking.code
            events = [
                ev.AppointmentBooked(
                    now, booking.code, dep.id, matter, now, None, lang, remote=True, token=token
                )
            ]
            taken = RemoteTaken(token, booking=booking, checkin_by=self.checkin_by(booking))
        self._remote_bucket = bucket
        self.remote_taken[(dep.id, day)] += 1
        return taken, events

    def _remote_rate(self, now: datetime) -> tuple[float, datetime]:
        """The hall's token bucket for remote tickets (`[remote_tickets] rate`) after taking one
        now, or `rate_limited` (not kept: the same request may run later)."""
        rate = self.config.remote_tickets.rate
        tokens, at = self._remote_bucket
        if at is not None:
            tokens = min(rate.burst, tokens + (now - at).total_seconds() * rate.per_minute / 60)
        if tokens < 1:
            raise QueueError(
                "too many tickets are being taken from phones; please try again in a minute",
                code="rate_limited",
            )
        return tokens - 1, now

    # ================================================================== web
    def ticket_by_token(self, token: str) -> Ticket | None:
        """The ticket with this status token, if held here (open, or of today)."""
        ticket_id = self.by_token.get(token)
        return self.tickets.get(ticket_id) if ticket_id is not None else None

    def ticket_status(
        self, now: datetime, token: str, stored: Ticket | None = None
    ) -> TicketReport:
        """The ticket behind a status token as a visitor's page shows it.

        `stored` is the ticket the store found for a token not held here (an earlier day's);
        a token nobody holds is refused `unknown_token`, without echoing it.
        """
        t = self.ticket_by_token(token)
        if t is None and stored is not None and stored.token == token:
            t = stored
        today = self.service_date(now)
        if t is None:
            code = self.booking_by_token.get(token)
            booking = self.appointments.get(code) if code is not None else None
            if booking is None:
                raise UnknownToken("no ticket has this token; please check the link on the ticket")
            day = self.service_date(booking.booked_at)
            checkin_by = self.checkin_by(booking)
            return TicketReport(
                ticket=None,
                today=today,
                other_day=day != today,
                day_closed=self.is_closed(day),
                hall_closed=self.is_closed(today),
                can_rate=False,
                booking=booking,
                checkin_by=checkin_by,
                expired=day != today
                or self.is_closed(day)
                or (checkin_by is not None and now > checkin_by),
                service_date=day,
            )
        return TicketReport(
            ticket=t,
            today=today,
            other_day=t.service_date != today,
            day_closed=self.is_closed(t.service_date),
            hall_closed=self.is_closed(today),
            can_rate=self.can_rate(now, t),
            service_date=t.service_date,
        )

    def can_rate(self, now: datetime, t: Ticket) -> bool:
        """Whether `t` may still be rated: served to the end by a clerk today, the last ticket
        its window ended, not rated yet, and the day not closed (what `rate` accepts)."""
        return t.window is not None and self._rating_refused(now, t.window, t.id) is None

    def rate_by_token(
        self,
        now: datetime,
        token: str,
        score: int,
        reasons: Iterable[str],
        web_id: str,
        stored: Ticket | None = None,
    ) -> tuple[Ticket, list[ev.Event]]:
        """A rating from the visitor's phone page (`ticket.rate`): bound like the pad's, by the
        same rule (`_rating_refused`), and once: whichever of the pad and the phone comes
        first is recorded, the other is refused (`detail.reason` "already_rated").

        `stored` is the ticket the store found for a token not held here (an earlier day's).
        """
        t = self.ticket_by_token(token)
        if t is None and stored is not None and stored.token == token:
            t = stored
        if t is None:
            raise UnknownToken("no ticket has this token; please check the link on the ticket")
        if t.window is None:
            raise Conflict(
                f"ticket {t.number} has not been served to the end, so it cannot be rated",
                detail={"reason": "not_served"},
            )
        return t, self._rate(now, t.window, t.id, score, reasons, web_id, "web")

    # ================================================================== clerk
    def login(
        self, now: datetime, window_id: str, staff_id: str, post: Post, pin: str | None = None
    ) -> list[ev.Event]:
        self._refuse_if_closed(
            now, "the hall has closed for today; windows open again on the next working day"
        )
        staff = self.staff.get(staff_id)
        if staff is None:
            raise NotFound(f"unknown staff id {staff_id!r}")
        w = self.window(window_id)
        skills = self.skills(w.id)
        if not w.flex and not skills.pickup and staff.department not in skills.departments:
            raise Forbidden(
                f"{staff_id} belongs to {staff.department!r}, which window {w.number} does not serve"
            )
        elsewhere = next(
            (o for o in self.windows.values() if o.staff == staff_id and o.id != w.id), None
        )
        if elsewhere is not None:
            raise Conflict(
                f"{staff_id} is already on duty at window {elsewhere.id}; log out there first"
            )
        cleared = self._check_pin(now, w.id, staff_id, staff.pin_hash, pin)
        before = (w.staff, w.post, w.status)
        replaced = w.login(staff_id, post, now)
        events: list[ev.Event] = list(cleared)
        if before != (w.staff, w.post, w.status):
            if before[0] is not None:
                events.append(ev.ClerkOffDuty(now, w.id, before[0]))
                if before[2] is WindowStatus.PAUSED and replaced:
                    events.append(ev.PauseEnded(now, w.id))
            events.append(ev.ClerkOnDuty(now, w.id, staff_id, post.value))
            self.on_duty_since[w.id] = now
        self._window_changed()
        events.append(ev.WindowChanged(now, w.id, staff=staff_id, replaced=replaced, login=True))
        return events

    def _until(self, now: datetime, local: datetime) -> str:
        """The end of a lock as the hall reads it: 09:15, or 11-24 09:15 on another day."""
        same_day = local.date() == now.astimezone(self.zone).date()
        return f"{local:%H:%M}" if same_day else f"{local:%m-%d %H:%M}"

    def _check_pin(
        self, now: datetime, window: str, staff_id: str, pin_hash: str | None, pin: str | None
    ) -> list[ev.Event]:
        """Refuse a log-in without the clerk's right PIN; lock the staff id after too many wrong ones.

        A wrong PIN is refused with the event that counts it (the refusal keeps it, so the lock
        survives a restart); a locked id is refused without even trying the PIN. Returns the
        event that clears the count after a right PIN, if there was one.
        """
        hall = self.config.hall
        if not hall.require_pin:
            return []
        if pin_hash is None:
            raise Forbidden(
                f"{staff_id} has no PIN yet; the hall manager sets one with 'hallcall admin staff-pin {staff_id}'",
                detail={"reason": "no_pin"},
            )
        record = self.pin_failures.get(staff_id)
        if record is not None and record.locked_until is not None:
            if now < record.locked_until:
                until = self._until(now, record.locked_until.astimezone(self.zone))
                raise Locked(
                    f"{staff_id} is locked after {record.failures} wrong PINs until {until} (hall time); "
                    "ask the hall manager if it was not you",
                    detail={"reason": "pin_locked", "until": until},
                )
            # The lock is over, the count is not: one more wrong PIN locks again, for longer.
        if pin is None:
            raise Invalid(
                "pin: this hall needs the clerk's PIN to log in", detail={"reason": "pin_needed"}
            )
        if verify_pin(pin_hash, pin):
            if staff_id in self.pin_failures:
                del self.pin_failures[staff_id]
                return [ev.PinFailuresCleared(now, staff_id)]
            return []
        failures = (record.failures if record else 0) + 1
        locked_until = None
        if failures >= hall.pin_attempts:
            # 15 min, then 30, 60, ... up to a day: a guesser gets a handful of tries a day, not 480
            doubling = min(failures - hall.pin_attempts, 10)
            locked_until = now + timedelta(minutes=min(hall.pin_lockout_min * 2**doubling, 24 * 60))
        self.pin_failures[staff_id] = PinFailures(failures, locked_until)
        refused = [ev.PinRefused(now, window, staff_id, failures, locked_until)]
        if locked_until is not None:
            until = self._until(now, locked_until.astimezone(self.zone))
            raise Locked(
                f"wrong PIN for {staff_id}; after {failures} wrong PINs it is locked until {until} (hall time)",
                events=refused,
                detail={"reason": "pin_locked", "until": until},
            )
        left = hall.pin_attempts - failures
        raise Forbidden(
            f"wrong PIN for {staff_id}; {left} more {'try' if left == 1 else 'tries'} before it is locked",
            events=refused,
            detail={"reason": "wrong_pin", "tries_left": left},
        )

    def logout(self, now: datetime, window_id: str) -> list[ev.Event]:
        w = self.window(window_id)
        staff = w.staff
        was_paused = w.status is WindowStatus.PAUSED
        w.logout(now)
        assert staff is not None  # logout() refuses a window with no clerk logged in
        self.on_duty_since.pop(w.id, None)
        self._window_changed()
        events: list[ev.Event] = [ev.ClerkOffDuty(now, w.id, staff)]
        if was_paused:
            events.append(ev.PauseEnded(now, w.id))
        return [*events, ev.WindowChanged(now, w.id, staff=staff)]

    def call_next(self, now: datetime, window_id: str) -> tuple[Ticket, list[ev.Event]]:
        w = self.window(window_id)
        w.require_can_call()
        staff, post = w.staff, w.post
        # require_can_call() refuses a window with no clerk; login() sets the clerk and post together
        assert staff is not None and post is not None
        if w.current_ticket is not None:
            current = self.tickets[w.current_ticket]
            raise Conflict(
                f"finish, transfer or mark no-show {current.number} before calling the next"
            )
        # The earliest head among the queues and lanes it serves: the rule over all its skills.
        best: tuple[int, datetime, datetime, str] | None = None
        for source in self._call_sources(w.id):
            head = source.head(now)
            if head is not None and (best is None or head < best):
                best = head
        if best is None:
            raise Empty("nobody is waiting for this window")
        t = self.tickets[best[3]]
        self._dequeue(t)
        t.call(w.id, staff, post, now)
        w.current_ticket = t.id
        self.last_called[self.queue_id(t)] = (now, t.number)
        self.calls.appendleft(Call(t.id, t.number, t.department, w.id, now, False, t.lang))
        return t, [ev.TicketCalled(now, copy.copy(t), w.id)]

    def recall(self, now: datetime, window_id: str) -> tuple[Ticket, list[ev.Event]]:
        w = self.window(window_id)
        t = self._current(w)
        t.recall(self.config.hall.recall_limit)
        self.calls.appendleft(Call(t.id, t.number, t.department, w.id, now, True, t.lang))
        return t, [ev.TicketRecalled(now, copy.copy(t), w.id)]

    def no_show(self, now: datetime, window_id: str) -> tuple[Ticket, list[ev.Event]]:
        w = self.window(window_id)
        t = self._current(w)
        t.no_show(now)
        w.current_ticket = None
        self._ended(w.id, t)
        return t, [ev.TicketNoShow(now, copy.copy(t), w.id)]

    def transfer(
        self, now: datetime, window_id: str, department: str, matter: str | None
    ) -> tuple[Ticket, list[ev.Event]]:
        w = self.window(window_id)
        t = self._current(w)
        self.department(department, matter)
        if t.queue == PICKUP:
            raise Invalid(f"{t.number} is a pickup ticket; it is not transferred")
        source, staff = t.department, w.staff
        t.transfer(department, matter)
        queue = self.queue_map.queue_of(department, matter)
        t.queue = queue if queue != department else None
        w.current_ticket = None
        self._enqueue(t, now)
        return t, [ev.TicketTransferred(now, copy.copy(t), w.id, staff, source)]

    def finish(
        self, now: datetime, window_id: str, outcome: Outcome, missing: Iterable[int] = ()
    ) -> tuple[Ticket, list[ev.Event]]:
        """`missing`: for needs_documents, the numbers (0-based) of the matter's guide materials
        the visitor still needs; they are kept in both languages as the guide says them now,
        so the visitor is told everything at once (the one-time notification)."""
        w = self.window(window_id)
        t = self._current(w)
        materials = self._missing_materials(t, outcome, list(missing))
        t.finish(outcome, now)
        t.missing_materials = materials
        pickup = self._pickup_on_finish(now, t, outcome)
        w.current_ticket = None
        self._finished(w.id, t)
        return t, [
            ev.TicketFinished(now, copy.copy(t), w.id),
            *pickup,
            ev.RatingRequested(now, w.id, copy.copy(t)),
        ]

    def _missing_materials(
        self, t: Ticket, outcome: Outcome, missing: list[int]
    ) -> list[dict[str, str | None]] | None:
        if not missing:
            return None
        if outcome is not Outcome.NEEDS_DOCUMENTS:
            raise Invalid("missing: only a needs_documents outcome lists missing materials")
        dep = self.departments.get(t.department)
        matter = dep.matter(t.matter) if dep is not None and t.matter else None
        guide = matter.guide.materials if matter is not None else []
        if not guide:
            raise Invalid(f"missing: ticket {t.number} has no matter whose guide lists materials")
        if len(set(missing)) != len(missing) or any(not 0 <= i < len(guide) for i in missing):
            raise Invalid(f"missing: each must be a different number from 0 to {len(guide) - 1}")
        return [{"zh": guide[i].zh, "en": guide[i].en} for i in sorted(missing)]

    def pause(self, now: datetime, window_id: str, reason: str) -> list[ev.Event]:
        w = self.window(window_id)
        w.pause(reason, now)
        self._window_changed()
        return [
            ev.PauseStarted(now, w.id, w.staff, reason),
            ev.WindowChanged(now, w.id, staff=w.staff),
        ]

    def resume(self, now: datetime, window_id: str) -> list[ev.Event]:
        w = self.window(window_id)
        w.resume(now)
        self._window_changed()
        return [ev.PauseEnded(now, w.id), ev.WindowChanged(now, w.id, staff=w.staff)]

    def _current(self, w: WindowState) -> Ticket:
        t = self.tickets.get(w.require_current())
        if t is None:  # cannot happen while the state is consistent
            raise Conflict(f"the current ticket of window {w.id} is missing")
        return t

    def _finished(self, window: str, t: Ticket) -> None:
        self._ended(window, t)
        if t.staff:
            self.served[(t.service_date, t.staff)] += 1
        if not t.closed_by_system and t.called_at is not None and t.finished_at is not None:
            recent = self.recent.setdefault(self.queue_id(t), deque(maxlen=RECENT_SERVICES))
            recent.appendleft((t.finished_at - t.called_at).total_seconds())

    def _ended(self, window: str, t: Ticket) -> None:
        ended = Ended.of(t)
        self.last_ended[window] = ended
        if t.status is TicketStatus.FINISHED:
            self.last_finished[window] = ended

    # ================================================================== rating pad
    def rate(
        self, now: datetime, pad_id: str, ticket_id: str, score: int, reasons: Iterable[str]
    ) -> list[ev.Event]:
        """A rating from the pad of a window (`rating.submit`)."""
        pad = self.devices[("rating", pad_id)]
        assert pad.window is not None  # the hall file binds every rating pad to a window
        return self._rate(now, pad.window, ticket_id, score, reasons, pad_id, "pad")

    def _rate(
        self,
        now: datetime,
        window: str,
        ticket_id: str,
        score: int,
        reasons: Iterable[str],
        by: str,
        channel: str,
    ) -> list[ev.Event]:
        """Record a rating of `ticket_id` at `window`, if the rating rule lets it, from the
        device `by` (a pad, or the web part for a visitor's phone)."""
        scale = self.config.hall.rating_scale
        refused = self._rating_refused(now, window, ticket_id)
        if score > scale and not isinstance(refused, Closed):
            refused = Invalid(f"score must be 1 to {scale} in this hall")
        if refused is not None:
            raise refused
        last = self.last_ended[window]
        last.rated = True
        finished = self.last_finished.get(window)
        if finished is not None and finished.ticket_id == ticket_id:
            finished.rated = True
        events: list[ev.Event] = [
            ev.RatingRecorded(
                now, ticket_id, window, last.staff, score, scale, tuple(reasons), by, channel
            )
        ]
        if is_bad_rating(score, scale):
            t = self.tickets.get(ticket_id)
            days = self.config.rectification.deadline_working_days
            events.append(
                ev.CaseOpened(
                    now,
                    ticket_id,
                    last.number,
                    t.department if t else None,
                    t.matter if t else None,
                    window,
                    last.staff,
                    score,
                    scale,
                    due_on(self.service_date(now), days, self.calendar),
                )
            )
        return events

    def _rating_refused(self, now: datetime, window: str, ticket_id: str) -> QueueError | None:
        """The one rating rule (the pad, the phone page and `can_rate` all ask it): why the
        ticket may not be rated at `window` now, or None when it may. A ticket may be rated
        once, while it is the last ticket its window ended, served to the end by a clerk, on
        its own day, and while that day is open. Each refusal's `detail.reason` names which
        part failed, for a page or pad to word it."""
        if self.is_closed(self.service_date(now)):
            return Closed(
                "the hall has closed for today; ratings are taken while it is open",
                detail={"reason": "closed"},
            )
        last = self.last_ended.get(window)
        is_last = last is not None and last.ticket_id == ticket_id
        t = self.tickets.get(ticket_id)
        if t is None and not is_last:
            return NotFound(f"unknown ticket {ticket_id!r}")
        if t is not None and t.window is not None and t.window != window:
            return Forbidden(f"this pad rates window {window} only")
        if t is not None:
            number, served = t.number, t.status is TicketStatus.FINISHED and not t.closed_by_system
        else:
            assert last is not None  # is_last
            number = last.number
            served = last.status is TicketStatus.FINISHED and not last.closed_by_system
        if not served:
            return Conflict(
                f"ticket {number} has not been served to the end, so it cannot be rated",
                detail={"reason": "not_served"},
            )
        if not is_last or last is None:
            return Conflict(
                f"only the last ticket finished at window {window} can be rated",
                detail={"reason": "not_last"},
            )
        if last.rated:
            return Conflict(
                f"ticket {number} has already been rated", detail={"reason": "already_rated"}
            )
        # Held here means open or of today: a ticket of an earlier day is rated no more.
        if t is None or t.service_date != self.service_date(now):
            return Conflict(
                f"ticket {number} was served on another day; it can no longer be rated",
                detail={"reason": "other_day"},
            )
        return None

    # ================================================================== admin
    def assign(self, now: datetime, window_id: str, departments: list[str]) -> list[ev.Event]:
        self._refuse_if_closed(
            now, "the hall has closed for today; assign windows on the next working day"
        )
        w = self.window(window_id)
        for dep in departments:
            self.department(dep)
        before = tuple(w.departments)
        w.assign(departments)
        self._window_changed()
        self._sources.pop(w.id, None)
        self._window_queues.pop(w.id, None)
        return [
            ev.WindowChanged(now, w.id, departments=tuple(w.departments), departments_before=before)
        ]

    def book(
        self,
        now: datetime,
        department: str,
        matter: str | None,
        booked_at: datetime,
        code: str | None,
        phone: str | None,
        lang: str | None,
        id_hash: str | None = None,
    ) -> tuple[Appointment, list[ev.Event]]:
        dep = self.department(department, matter)
        if self.service_date(booked_at) < self.service_date(now):
            raise Invalid("an appointment cannot be booked in the past")
        code = code.upper() if code else None
        if code is not None and code in self.appointment_codes:
            raise Conflict(f"appointment code {code} is already used")
        while code is None:
            candidate = f"{secrets.randbelow(10**6):06d}"
            if candidate not in self.appointment_codes:
                code = candidate
        appt = Appointment(
            code,
            dep.id,
            matter,
            booked_at,
            phone,
            lang or self.config.hall.default_language,
            id_hash=id_hash,
        )
        self.appointments[code] = appt
        self.appointment_codes.add(code)
        booked = ev.AppointmentBooked(
            now, code, dep.id, matter, booked_at, phone, appt.lang, id_hash=id_hash
        )
        return appt, [booked]

    def purge_id_hashes(self, now: datetime) -> date:
        """Forget every ID card hash held here whose day is `[idcard] retention_days` past
        (issue #15); returns the first day still kept, for the store to purge its rows too."""
        keep_from = self.service_date(now) - timedelta(days=self.config.idcard.retention_days)
        for a in self.appointments.values():
            if a.id_hash is not None and self.service_date(a.booked_at) < keep_from:
                a.id_hash = None
        for t in self.tickets.values():
            if t.id_hash is not None and t.service_date < keep_from:
                t.id_hash = None
        for pc in self.pickup_codes.values():  # collecting by card ends with the retention too
            if pc.id_hash is not None and pc.service_date < keep_from:
                pc.id_hash = None
        return keep_from

    def unlock(self, now: datetime, staff_id: str) -> list[ev.Event]:
        """The hall manager lifts a wrong-PIN lock (and its count); nothing to do if none."""
        if staff_id not in self.staff:
            raise NotFound(f"unknown staff id {staff_id!r}")
        if self.pin_failures.pop(staff_id, None) is None:
            return []
        return [ev.PinFailuresCleared(now, staff_id)]

    def close_day(self, now: datetime) -> tuple[dict[str, Any], list[ev.Event]]:
        events = self._close_through(self.service_date(now), now)
        closed = next(e for e in events if isinstance(e, ev.DayClosed))
        return closed.summary, events

    # ================================================================== close of day
    def _close_through(self, day: date, now: datetime) -> list[ev.Event]:
        """End every ticket of `day` and before, log every clerk out, and mark the day closed."""
        end_of_day = min(now, local_day_bounds(day, self.zone)[1])
        events: list[ev.Event] = []
        finished, no_show = [], []
        for t in sorted(
            (t for t in self.tickets.values() if t.is_open and t.service_date <= day),
            key=lambda t: t.issued_at,
        ):
            if t.status is TicketStatus.CALLED:
                window = t.window
                t.finish(Outcome.DONE, end_of_day, by_system=True)
                finished.append(t.number)
                if window:
                    self._finished(window, t)
                events.append(ev.TicketFinished(end_of_day, copy.copy(t), window, by_system=True))
            else:
                self._dequeue(t)
                t.no_show(end_of_day, by_system=True)
                no_show.append(t.number)
                events.append(ev.TicketNoShow(end_of_day, copy.copy(t), None, by_system=True))
        for w in self.windows.values():
            if w.status is WindowStatus.CLOSED and w.current_ticket is None:
                continue
            staff = w.staff
            w.current_ticket = None
            if w.status is not WindowStatus.CLOSED:
                w.logout(end_of_day)
            self.on_duty_since.pop(w.id, None)
            if staff:
                events.append(ev.ClerkOffDuty(end_of_day, w.id, staff))
            events.append(ev.PauseEnded(end_of_day, w.id))
            events.append(ev.WindowChanged(end_of_day, w.id, by_system=True))
        self._window_changed()
        of_day = [t for t in self.tickets.values() if t.service_date == day]
        summary = {
            "date": day.isoformat(),
            "issued": len(of_day),
            "finished": sum(1 for t in of_day if t.status is TicketStatus.FINISHED),
            "no_show": sum(1 for t in of_day if t.status is TicketStatus.NO_SHOW),
            "finished_by_system": finished,
            "no_show_by_system": no_show,
        }
        self.closed_days.add(day)
        events.append(ev.DayClosed(now, day, summary))
        return events
