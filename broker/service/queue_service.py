"""The queue service: one command, one transaction, one reply, and what to publish after it.

Every write transaction first locks the hall row, so commands of a hall never interleave (two
clerks pressing "next" at the same moment get different tickets on SQLite and PostgreSQL alike),
and `seq` grows in the order changes were committed. Replies are stored with the command's
request_id in the same transaction: a repeated command changes nothing and gets the same reply.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from hallcall import __version__
from hallcall.broker.domain.errors import (
    Closed,
    Conflict,
    Empty,
    Forbidden,
    Invalid,
    NotFound,
    QueueError,
)
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
from hallcall.broker.domain.ordering import pick_next
from hallcall.broker.service.clock import Clock
from hallcall.broker.service.repository import (
    TicketRepository,
    copy_window_to_row,
    window_from_row,
)
from hallcall.broker.service.views import Views, forget_on_flush
from hallcall.broker.storage.orm import (
    AppointmentRow,
    ClosedDayRow,
    CommandRow,
    CounterRow,
    HallRow,
    PauseRow,
    RatingRow,
    StaffSessionRow,
    TicketRow,
    WindowRow,
)
from hallcall.config.schema import HallConfig
from hallcall.protocol import payloads as p
from hallcall.protocol.topics import Sender, Topics

log = logging.getLogger(__name__)


@dataclass
class Publication:
    topic: str
    payload: dict[str, Any]
    retained: bool


@dataclass
class Result:
    reply: dict[str, Any]
    publications: list[Publication] = field(default_factory=list)


@dataclass
class _Changes:
    windows: set[str] = field(default_factory=set)
    departments: set[str] = field(default_factory=set)
    calls: bool = False
    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


@dataclass
class _Ctx:
    session: Session
    tickets: TicketRepository
    now: datetime
    day: date
    sender: Sender
    changes: _Changes = field(default_factory=_Changes)


@dataclass(frozen=True)
class _WindowReply:
    """A handler's answer that is the (freshly published) state of a window."""

    window: str


class QueueService:
    def __init__(self, config: HallConfig, engine: Engine, clock: Clock | None = None):
        self.config = config
        self.engine = engine
        self.clock = clock or Clock()
        self.zone = ZoneInfo(config.hall.timezone)
        self.topics = Topics(config.hall.id)
        self.views = Views(config)
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        forget_on_flush(self.sessions)
        self._closed_through: date | None = None
        self._handlers: dict[str, Callable[[_Ctx, Any], Any]] = {
            "ticket.issue": self._ticket_issue,
            "appointment.checkin": self._appointment_checkin,
            "window.login": self._window_login,
            "window.logout": self._window_logout,
            "call.next": self._call_next,
            "call.recall": self._call_recall,
            "ticket.no_show": self._ticket_no_show,
            "ticket.transfer": self._ticket_transfer,
            "ticket.finish": self._ticket_finish,
            "window.pause": self._window_pause,
            "window.resume": self._window_resume,
            "rating.submit": self._rating_submit,
            "window.assign": self._window_assign,
            "appointment.book": self._appointment_book,
            "day.close": self._day_close,
        }

    # ================================================================== lifecycle
    def today(self) -> date:
        return service_date(self.clock.now(), self.zone)

    def initialize(self) -> list[Publication]:
        """Bind the database to this hall and bring the windows in line with the config.

        Also closes any earlier day left open (the broker was down at closing time).
        """
        now = self.clock.now()
        with self.sessions.begin() as session:
            hall = session.get(HallRow, self.config.hall.id, with_for_update=True)
            if hall is None:
                other = session.scalars(select(HallRow.id)).first()
                if other is not None:
                    raise RuntimeError(
                        f"this database belongs to hall {other!r}, not {self.config.hall.id!r}"
                    )
                session.add(HallRow(id=self.config.hall.id, seq=0, created_at=now))
                session.flush()
            for wcfg in self.config.windows:
                row = session.get(WindowRow, wcfg.id)
                if row is None:
                    session.add(
                        WindowRow(id=wcfg.id, departments=list(wcfg.departments), status="closed")
                    )
                elif not wcfg.flex:
                    row.departments = list(wcfg.departments)
                else:
                    known = [d for d in row.departments or [] if self.config.department(d)]
                    row.departments = known
        return self.close_past_days()

    def is_closed(self, day: date) -> bool:
        with self.sessions() as session:
            return session.get(ClosedDayRow, day) is not None

    def needs_rollover(self) -> bool:
        return self._closed_through is None or self._closed_through < self.today()

    def server_status(self, state: str = "online", started_at: datetime | None = None) -> dict:
        return p.dump(
            p.ServerStatus(
                state=state,
                version=__version__,
                protocol=1,
                hall=self.config.hall.id,
                started_at=started_at,
            )
        )

    def republish_all(self) -> list[Publication]:
        """Every retained state, freshly built, with new seq numbers (on every (re)connect)."""
        with self.sessions.begin() as session:
            hall = self._lock(session)
            changes = _Changes(
                windows={w.id for w in self.config.windows},
                departments={d.id for d in self.config.departments},
                calls=True,
            )
            return [self._catalog(hall)] + self._publications(session, hall, changes, self.today())

    def _catalog(self, hall: HallRow) -> Publication:
        hall.seq += 1
        return Publication(self.topics.catalog, self.views.catalog(hall.seq), True)

    # ================================================================== commands
    def handle(self, sender: Sender, raw: bytes) -> Result:
        """Validate a raw MQTT payload and execute it; a bad payload changes nothing."""
        try:
            command = p.parse_command(raw)
        except p.BadPayload as bad:
            log.warning("dropped bad command from %s: %s", sender, bad.message)
            return Result(p.error_reply(bad.request_id, bad.code, bad.message))
        return self.execute(sender, command)

    def execute(self, sender: Sender, command: p.Command) -> Result:
        try:
            self._check_sender(sender, command.op)
        except QueueError as exc:
            log.warning("refused %s from %s: %s", command.op, sender, exc.message)
            return Result(p.error_reply(command.request_id, exc.code, exc.message))

        pre: list[Publication] = []
        if self.needs_rollover():
            pre = self.close_past_days()

        now = self.clock.now()
        day = service_date(now, self.zone)
        try:
            with self.sessions.begin() as session:
                hall = self._lock(session)
                stored = session.get(CommandRow, (sender.kind, sender.id, command.request_id))
                if stored is not None:
                    return Result(stored.reply, pre)
                ctx = _Ctx(session, TicketRepository(session), now, day, sender)
                data = self._handlers[command.op](ctx, command)
                pubs = self._publications(session, hall, ctx.changes, day)
                if isinstance(data, _WindowReply):
                    data = next(
                        pub.payload
                        for pub in pubs
                        if pub.topic == self.topics.window_state(data.window)
                    )
                reply = p.ok_reply(command.request_id, data)
                self._store(session, sender, command, reply, now)
                return Result(reply, pre + pubs)
        except QueueError as exc:
            reply = p.error_reply(command.request_id, exc.code, exc.message)
        except IntegrityError as exc:  # a constraint caught what the rules did not
            log.exception("integrity error on %s from %s", command.op, sender)
            reply = p.error_reply(command.request_id, "conflict", f"refused by the database: {exc.orig}")
        # A refused command changed nothing; its reply is kept so a retry gets the same answer.
        with self.sessions.begin() as session:
            self._lock(session)
            stored = session.get(CommandRow, (sender.kind, sender.id, command.request_id))
            if stored is not None:
                return Result(stored.reply, pre)
            self._store(session, sender, command, reply, now)
        return Result(reply, pre)

    def _store(self, session: Session, sender: Sender, command: p.Command, reply: dict, now) -> None:
        session.add(
            CommandRow(
                device_kind=sender.kind,
                device_id=sender.id,
                request_id=command.request_id,
                op=command.op,
                reply=reply,
                at=now,
            )
        )

    def _lock(self, session: Session) -> HallRow:
        hall = session.scalars(
            select(HallRow).where(HallRow.id == self.config.hall.id).with_for_update()
        ).one_or_none()
        if hall is None:
            raise RuntimeError("database not initialised for this hall; call initialize() first")
        return hall

    def _check_sender(self, sender: Sender, op: str) -> None:
        if sender.kind == "window":
            if self.config.window(sender.id) is None:
                raise Forbidden(f"unknown window {sender.id!r}: it is not in the hall configuration")
        elif self.config.device(sender.kind, sender.id) is None:
            raise Forbidden(f"unknown {sender.kind} {sender.id!r}: it is not in the hall configuration")
        if sender.kind not in p.OP_SENDERS[op]:
            allowed = ", ".join(sorted(p.OP_SENDERS[op]))
            raise Forbidden(f"{op} may be sent only by: {allowed}")

    # ================================================================== publications
    def _publications(self, session: Session, hall: HallRow, ch: _Changes, day: date) -> list[Publication]:
        session.flush()
        pubs: list[Publication] = []
        for window in sorted(ch.windows):
            hall.seq += 1
            pubs.append(
                Publication(
                    self.topics.window_state(window),
                    self.views.window_state(session, window, day, hall.seq),
                    True,
                )
            )
        for dep in sorted(ch.departments):
            hall.seq += 1
            pubs.append(
                Publication(
                    self.topics.queue_state(dep), self.views.queue_state(session, dep, day, hall.seq), True
                )
            )
        if ch.calls:
            hall.seq += 1
            pubs.append(Publication(self.topics.calls, self.views.calls_state(session, hall.seq), True))
        for event_type, body in ch.events:
            hall.seq += 1
            pubs.append(
                Publication(self.topics.event(event_type), {"seq": hall.seq, "type": event_type, **body}, False)
            )
        return pubs

    def _event(self, ctx: _Ctx, event_type: str, ticket: Ticket | None = None, **extra: Any) -> None:
        body: dict[str, Any] = {"at": p.iso(ctx.now)}
        if ticket is not None:
            ctx.session.flush()
            body["ticket"] = self.views.ticket(ctx.session, ticket, ctx.now, with_wait=True)
        body.update(extra)
        ctx.changes.events.append((event_type, body))

    # ================================================================== helpers
    def _window(self, ctx: _Ctx, window_id: str) -> tuple[WindowState, WindowRow]:
        cfg = self.config.window(window_id)
        if cfg is None:
            raise NotFound(f"unknown window {window_id!r}")
        row = ctx.session.get(WindowRow, window_id)
        return window_from_row(row, cfg.number, cfg.flex), row

    def _save_window(self, ctx: _Ctx, w: WindowState, row: WindowRow) -> None:
        copy_window_to_row(w, row)
        ctx.changes.windows.add(w.id)
        ctx.changes.departments.update(w.departments)

    def _department(self, dep_id: str, matter_id: str | None):
        dep = self.config.department(dep_id)
        if dep is None:
            raise NotFound(f"unknown department {dep_id!r}")
        if matter_id is not None and dep.matter(matter_id) is None:
            raise NotFound(f"department {dep_id!r} has no matter {matter_id!r}")
        return dep

    def _current_ticket(self, ctx: _Ctx, w: WindowState) -> Ticket:
        ticket = ctx.tickets.get(w.require_current())
        if ticket is None:  # cannot happen while the foreign data is consistent
            raise Conflict(f"the current ticket of window {w.id} is missing")
        return ticket

    def _ticket_reply(self, ctx: _Ctx, t: Ticket, with_wait: bool = False) -> dict:
        ctx.session.flush()
        return {"ticket": self.views.ticket(ctx.session, t, ctx.now, with_wait=with_wait)}

    def _new_ticket(
        self,
        ctx: _Ctx,
        department: str,
        matter: str | None,
        priority: Priority,
        lang: str | None,
        source: Source = Source.WALK_IN,
        booked_at: datetime | None = None,
        appointment_code: str | None = None,
    ) -> Ticket:
        if ctx.session.get(ClosedDayRow, ctx.day) is not None:
            raise Closed("the hall has closed for today; please come back on the next working day")
        dep = self._department(department, matter)
        lang = lang or self.config.hall.default_language
        if lang not in self.config.hall.languages:
            raise Invalid(f"this hall does not offer language {lang!r}")
        counter = ctx.session.get(CounterRow, (dep.id, ctx.day))
        numbers = NumberRange(dep.prefix, dep.number_start, dep.number_end, dep.daily_cap)
        seqno = numbers.next_after(
            counter.last_number if counter else None, counter.issued if counter else 0
        )
        if counter is None:
            ctx.session.add(CounterRow(department=dep.id, service_date=ctx.day, last_number=seqno, issued=1))
        else:
            counter.last_number = seqno
            counter.issued += 1
        number = numbers.format(seqno)
        ticket = Ticket(
            id=ticket_id(ctx.day, number),
            number=number,
            service_date=ctx.day,
            department=dep.id,
            original_department=dep.id,
            issued_at=ctx.now,
            queued_at=booked_at if booked_at is not None else ctx.now,
            matter=matter,
            priority=priority,
            source=source,
            booked_at=booked_at,
            lang=lang,
        )
        ctx.tickets.add(ticket, seqno, appointment_code)
        ctx.tickets.record(ticket, "issued", ctx.now, {"source": source.value, "priority": priority.value})
        ctx.changes.departments.add(dep.id)
        self._event(ctx, "ticket.issued", ticket, department=dep.id)
        return ticket

    # ================================================================== handlers: kiosk
    def _ticket_issue(self, ctx: _Ctx, cmd: p.TicketIssue) -> dict:
        ticket = self._new_ticket(ctx, cmd.department, cmd.matter, Priority(cmd.priority), cmd.lang)
        return self._ticket_reply(ctx, ticket, with_wait=True)

    def _appointment_checkin(self, ctx: _Ctx, cmd: p.AppointmentCheckin) -> dict:
        appt = ctx.session.get(AppointmentRow, cmd.code.upper())
        if appt is None:  # a visitor may type the phone number they booked with instead
            appt = ctx.session.scalars(
                select(AppointmentRow)
                .where(AppointmentRow.phone == cmd.code)
                .order_by(AppointmentRow.booked_at)
            ).all()
            appt = next((a for a in appt if service_date(a.booked_at, self.zone) == ctx.day), None)
        if appt is None:
            raise NotFound("no appointment with this code; please check the code or take a ticket")
        booked_day = service_date(appt.booked_at, self.zone)
        if booked_day != ctx.day:
            raise Conflict(f"this appointment is booked for {booked_day.isoformat()}, not today")
        if appt.ticket_id is not None:
            existing = ctx.tickets.get(appt.ticket_id)
            return self._ticket_reply(ctx, existing, with_wait=True)
        ticket = self._new_ticket(
            ctx,
            appt.department,
            appt.matter,
            Priority.NORMAL,
            appt.lang,
            source=Source.APPOINTMENT,
            booked_at=appt.booked_at,
            appointment_code=appt.code,
        )
        appt.ticket_id = ticket.id
        return self._ticket_reply(ctx, ticket, with_wait=True)

    # ================================================================== handlers: clerk
    def _window_login(self, ctx: _Ctx, cmd: p.WindowLogin) -> _WindowReply:
        staff = self.config.staff_member(cmd.staff)
        if staff is None:
            raise NotFound(f"unknown staff id {cmd.staff!r}")
        w, row = self._window(ctx, ctx.sender.id)
        if not w.flex and staff.department not in w.departments:
            raise Forbidden(f"{cmd.staff} belongs to {staff.department!r}, which window {w.number} does not serve")
        elsewhere = ctx.session.scalars(
            select(WindowRow).where(WindowRow.staff == staff.id, WindowRow.id != w.id)
        ).first()
        if elsewhere is not None:
            raise Conflict(f"{staff.id} is already on duty at window {elsewhere.id}; log out there first")
        before = (w.staff, w.post, w.status)
        replaced = w.login(staff.id, Post(cmd.post), ctx.now)
        if before != (w.staff, w.post, w.status):
            if before[0] is not None:
                self._end_session(ctx, w.id, before[0], ctx.now)
                if before[2] is WindowStatus.PAUSED and replaced:
                    self._end_pause(ctx, w.id, ctx.now)
            ctx.session.add(StaffSessionRow(staff=staff.id, window=w.id, post=cmd.post, login_at=ctx.now))
        self._save_window(ctx, w, row)
        self._event(ctx, "window.changed", window=w.id, staff=staff.id, replaced=replaced)
        return _WindowReply(w.id)

    def _window_logout(self, ctx: _Ctx, cmd: p.WindowLogout) -> _WindowReply:
        w, row = self._window(ctx, ctx.sender.id)
        staff = w.staff
        was_paused = w.status is WindowStatus.PAUSED
        w.logout(ctx.now)
        self._end_session(ctx, w.id, staff, ctx.now)
        if was_paused:
            self._end_pause(ctx, w.id, ctx.now)
        self._save_window(ctx, w, row)
        self._event(ctx, "window.changed", window=w.id, staff=staff)
        return _WindowReply(w.id)

    def _end_session(self, ctx: _Ctx, window: str, staff: str | None, at: datetime) -> None:
        for s in ctx.session.scalars(
            select(StaffSessionRow).where(
                StaffSessionRow.window == window,
                StaffSessionRow.staff == staff,
                StaffSessionRow.logout_at.is_(None),
            )
        ):
            s.logout_at = at

    def _end_pause(self, ctx: _Ctx, window: str, at: datetime) -> None:
        for pause in ctx.session.scalars(
            select(PauseRow).where(PauseRow.window == window, PauseRow.ended_at.is_(None))
        ):
            pause.ended_at = at

    def _call_next(self, ctx: _Ctx, cmd: p.CallNext) -> dict:
        w, row = self._window(ctx, ctx.sender.id)
        w.require_can_call()
        if w.current_ticket is not None:
            current = ctx.tickets.get(w.current_ticket)
            raise Conflict(f"finish, transfer or mark no-show {current.number} before calling the next")
        ticket = pick_next(ctx.tickets.waiting(ctx.day, w.departments), w.departments, ctx.now)
        if ticket is None:
            raise Empty("nobody is waiting for this window")
        ticket.call(w.id, w.staff, w.post, ctx.now)
        w.current_ticket = ticket.id
        ctx.tickets.save(ticket)
        ctx.tickets.record(ticket, "called", ctx.now)
        self._save_window(ctx, w, row)
        ctx.changes.departments.add(ticket.department)
        ctx.changes.calls = True
        self._event(ctx, "ticket.called", ticket, window=w.id, window_number=w.number, staff=w.staff)
        return self._ticket_reply(ctx, ticket)

    def _call_recall(self, ctx: _Ctx, cmd: p.CallRecall) -> dict:
        w, row = self._window(ctx, ctx.sender.id)
        ticket = self._current_ticket(ctx, w)
        ticket.recall(self.config.hall.recall_limit)
        ctx.tickets.save(ticket)
        ctx.tickets.record(ticket, "recalled", ctx.now, {"recall": ticket.recalls})
        ctx.changes.windows.add(w.id)
        ctx.changes.calls = True
        self._event(ctx, "ticket.recalled", ticket, window=w.id, window_number=w.number, staff=w.staff)
        return self._ticket_reply(ctx, ticket)

    def _ticket_no_show(self, ctx: _Ctx, cmd: p.TicketNoShow) -> dict:
        w, row = self._window(ctx, ctx.sender.id)
        ticket = self._current_ticket(ctx, w)
        ticket.no_show(ctx.now)
        w.current_ticket = None
        ctx.tickets.save(ticket)
        ctx.tickets.record(ticket, "no_show", ctx.now)
        self._save_window(ctx, w, row)
        self._event(ctx, "ticket.no_show", ticket, window=w.id, staff=w.staff)
        return self._ticket_reply(ctx, ticket)

    def _ticket_transfer(self, ctx: _Ctx, cmd: p.TicketTransfer) -> dict:
        w, row = self._window(ctx, ctx.sender.id)
        ticket = self._current_ticket(ctx, w)
        self._department(cmd.department, cmd.matter)
        source = ticket.department
        staff = w.staff
        ticket.transfer(cmd.department, cmd.matter)
        w.current_ticket = None
        ctx.tickets.save(ticket)
        ctx.tickets.record(
            ticket, "transferred", ctx.now, {"from": source, "to": cmd.department}, window=w.id, staff=staff
        )
        self._save_window(ctx, w, row)
        ctx.changes.departments.update({source, cmd.department})
        self._event(ctx, "ticket.transferred", ticket, window=w.id, staff=staff, from_department=source, department=cmd.department)
        return self._ticket_reply(ctx, ticket, with_wait=True)

    def _ticket_finish(self, ctx: _Ctx, cmd: p.TicketFinish) -> dict:
        w, row = self._window(ctx, ctx.sender.id)
        ticket = self._current_ticket(ctx, w)
        ticket.finish(Outcome(cmd.outcome), ctx.now)
        w.current_ticket = None
        ctx.tickets.save(ticket)
        ctx.tickets.record(ticket, "finished", ctx.now, {"outcome": cmd.outcome})
        self._save_window(ctx, w, row)
        self._event(ctx, "ticket.finished", ticket, window=w.id, staff=w.staff)
        self._event(
            ctx,
            "rating.requested",
            window=w.id,
            window_number=w.number,
            staff=w.staff,
            ticket_id=ticket.id,
            number=ticket.number,
            scale=self.config.hall.rating_scale,
            timeout_s=self.config.hall.rating_timeout_s,
        )
        return self._ticket_reply(ctx, ticket)

    def _window_pause(self, ctx: _Ctx, cmd: p.WindowPause) -> _WindowReply:
        w, row = self._window(ctx, ctx.sender.id)
        w.pause(cmd.reason, ctx.now)
        ctx.session.add(PauseRow(window=w.id, staff=w.staff, reason=cmd.reason, started_at=ctx.now))
        self._save_window(ctx, w, row)
        self._event(ctx, "window.changed", window=w.id, staff=w.staff)
        return _WindowReply(w.id)

    def _window_resume(self, ctx: _Ctx, cmd: p.WindowResume) -> _WindowReply:
        w, row = self._window(ctx, ctx.sender.id)
        w.resume(ctx.now)
        self._end_pause(ctx, w.id, ctx.now)
        self._save_window(ctx, w, row)
        self._event(ctx, "window.changed", window=w.id, staff=w.staff)
        return _WindowReply(w.id)

    # ================================================================== handlers: rating pad
    def _rating_submit(self, ctx: _Ctx, cmd: p.RatingSubmit) -> dict:
        pad = self.config.device("rating", ctx.sender.id)
        scale = self.config.hall.rating_scale
        if cmd.score > scale:
            raise Invalid(f"score must be 1 to {scale} in this hall")
        ticket = ctx.tickets.get(cmd.ticket_id)
        if ticket is None:
            raise NotFound(f"unknown ticket {cmd.ticket_id!r}")
        if ticket.window is not None and ticket.window != pad.window:
            raise Forbidden(f"this pad rates window {pad.window} only")
        if ticket.status is not TicketStatus.FINISHED or ticket.closed_by_system:
            raise Conflict(f"ticket {ticket.number} has not been served to the end, so it cannot be rated")
        last = ctx.tickets.last_finished_at_window(pad.window)
        if last is None or last.id != ticket.id:
            raise Conflict(f"only the last ticket finished at window {pad.window} can be rated")
        if ctx.session.get(RatingRow, ticket.id) is not None:
            raise Conflict(f"ticket {ticket.number} has already been rated")
        ctx.session.add(
            RatingRow(
                ticket_id=ticket.id,
                window=pad.window,
                staff=ticket.staff,
                score=cmd.score,
                scale=scale,
                reasons=list(cmd.reasons) or None,
                pad=ctx.sender.id,
                rated_at=ctx.now,
            )
        )
        ctx.changes.windows.add(pad.window)
        extra: dict[str, Any] = {"window": pad.window, "staff": ticket.staff, "ticket_id": ticket.id}
        if self.config.hall.show_rating_to_clerk:
            extra["score"] = cmd.score
        self._event(ctx, "rating.recorded", **extra)
        return {"ticket_id": ticket.id, "recorded": True}

    # ================================================================== handlers: admin
    def _window_assign(self, ctx: _Ctx, cmd: p.WindowAssign) -> _WindowReply:
        w, row = self._window(ctx, cmd.window)
        for dep in cmd.departments:
            self._department(dep, None)
        before = set(w.departments)
        w.assign(cmd.departments)
        self._save_window(ctx, w, row)
        ctx.changes.departments.update(before)
        self._event(ctx, "window.changed", window=w.id, departments=w.departments)
        return _WindowReply(w.id)

    def _appointment_book(self, ctx: _Ctx, cmd: p.AppointmentBook) -> dict:
        dep = self._department(cmd.department, cmd.matter)
        if service_date(cmd.booked_at, self.zone) < ctx.day:
            raise Invalid("an appointment cannot be booked in the past")
        code = cmd.code.upper() if cmd.code else None
        if code is not None and ctx.session.get(AppointmentRow, code) is not None:
            raise Conflict(f"appointment code {code} is already used")
        while code is None:
            candidate = f"{secrets.randbelow(10**6):06d}"
            if ctx.session.get(AppointmentRow, candidate) is None:
                code = candidate
        row = AppointmentRow(
            code=code,
            department=dep.id,
            matter=cmd.matter,
            booked_at=cmd.booked_at,
            phone=cmd.phone,
            lang=cmd.lang or self.config.hall.default_language,
            created_at=ctx.now,
        )
        ctx.session.add(row)
        return {
            "appointment": {
                "code": code,
                "department": dep.id,
                "matter": cmd.matter,
                "booked_at": p.iso(cmd.booked_at),
            }
        }

    def _day_close(self, ctx: _Ctx, cmd: p.DayClose) -> dict:
        summary = self._close_through(ctx, ctx.day)
        return {"summary": summary}

    # ================================================================== close of day
    def close_day(self) -> Result:
        """Close today (the admin `day.close` command without MQTT, for the CLI and the timer)."""
        now = self.clock.now()
        with self.sessions.begin() as session:
            hall = self._lock(session)
            ctx = _Ctx(session, TicketRepository(session), now, service_date(now, self.zone), Sender("admin", "system"))
            summary = self._close_through(ctx, ctx.day)
            return Result({"ok": True, "data": {"summary": summary}}, self._publications(session, hall, ctx.changes, ctx.day))

    def close_past_days(self) -> list[Publication]:
        """Close every earlier day that still has open tickets (nothing is left silently)."""
        now = self.clock.now()
        today = service_date(now, self.zone)
        with self.sessions.begin() as session:
            hall = self._lock(session)
            ctx = _Ctx(session, TicketRepository(session), now, today, Sender("admin", "system"))
            pubs: list[Publication] = []
            if ctx.tickets.has_open_before(today) or self._clerks_on_duty_since_before(session, today):
                self._close_through(ctx, today - timedelta(days=1))
                pubs = self._publications(session, hall, ctx.changes, today)
        self._closed_through = today
        return pubs

    def _clerks_on_duty_since_before(self, session: Session, today: date) -> bool:
        start, _ = local_day_bounds(today, self.zone)
        return (
            session.scalars(
                select(StaffSessionRow.id).where(
                    StaffSessionRow.logout_at.is_(None), StaffSessionRow.login_at < start
                )
            ).first()
            is not None
        )

    def _close_through(self, ctx: _Ctx, day: date) -> dict:
        end_of_day = min(ctx.now, local_day_bounds(day, self.zone)[1])
        finished, no_show = [], []
        for t in ctx.tickets.open_before_or_on(day):
            if t.status is TicketStatus.CALLED:
                t.finish(Outcome.DONE, end_of_day, by_system=True)
                finished.append(t.number)
                action, detail = "finished", {"outcome": "done", "by": "close_of_day"}
            else:
                t.no_show(end_of_day, by_system=True)
                no_show.append(t.number)
                action, detail = "no_show", {"by": "close_of_day"}
            ctx.tickets.save(t)
            ctx.tickets.record(t, action, end_of_day, detail)
            ctx.changes.departments.add(t.department)
        for row in ctx.session.scalars(select(WindowRow)):
            cfg = self.config.window(row.id)
            if cfg is None:
                continue
            w = window_from_row(row, cfg.number, cfg.flex)
            if w.status is WindowStatus.CLOSED and w.current_ticket is None:
                continue
            staff = w.staff
            w.current_ticket = None
            if w.status is not WindowStatus.CLOSED:
                w.logout(end_of_day)
            self._end_session(ctx, w.id, staff, end_of_day)
            self._end_pause(ctx, w.id, end_of_day)
            self._save_window(ctx, w, row)
        issued = ctx.session.scalars(select(TicketRow.status).where(TicketRow.service_date == day)).all()
        summary = {
            "date": day.isoformat(),
            "issued": len(issued),
            "finished": sum(1 for s in issued if s == "finished"),
            "no_show": sum(1 for s in issued if s == "no_show"),
            "finished_by_system": finished,
            "no_show_by_system": no_show,
        }
        if ctx.session.get(ClosedDayRow, day) is None:
            ctx.session.add(ClosedDayRow(service_date=day, closed_at=ctx.now, summary=summary))
        ctx.changes.departments.update(d.id for d in self.config.departments)
        self._event(ctx, "day.closed", summary=summary)
        return summary
