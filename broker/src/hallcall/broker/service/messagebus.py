"""The message bus: every hall's commands in, one committed batch, then replies and state out.

`run(messages)` takes the commands that arrived together (for any of its halls), passes each
through the middleware (parse, sender check, idempotency) to its handler in arrival order, and
commits all their effects in one transaction through the unit of work. Only after that commit
does it hand back the replies, the events and each changed retained state once: a device never
hears of a ticket that a power cut could take back. If the commit fails, nothing of the batch
happened: the halls it touched are rebuilt from the database and every command in it is
answered `unavailable`, safe to retry with the same request_id.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from time import perf_counter
from typing import Any, Literal

from hallcall.broker.calendars import calendar_for, warn_if_unknown
from hallcall.broker.domain import events as ev
from hallcall.broker.domain.errors import Forbidden, QueueError
from hallcall.broker.domain.hall import HallDay
from hallcall.broker.domain.upload import UploadRecord, of_rating
from hallcall.broker.service.clock import Clock
from hallcall.broker.service.handlers import HANDLERS, Context
from hallcall.broker.service.projections import Touched, catalog, event_body
from hallcall.broker.service.rate_limit import ALLOW, REFUSE, RateLimiter, unparsed_request_id
from hallcall.broker.service.unit_of_work import (
    AuditEntry,
    CommitFailed,
    HallBatch,
    RequestKey,
    StoredReply,
    UnitOfWork,
)
from hallcall.config.schema import HallConfig
from hallcall.protocol import payloads as p
from hallcall.protocol.idnumber import HashKeyError, key_file_too_open, read_hash_key
from hallcall.protocol.topics import Sender, Topics
from hallcall.version import PROTOCOL_VERSION, __version__

log = logging.getLogger(__name__)
#: One line per command (hall, who, op, result, ms): `hallcall.broker.commands`.
command_log = logging.getLogger("hallcall.broker.commands")

#: Replies kept in memory per hall for repeats; older ones are read back from the database.
REPLY_CACHE = 2048
#: How far back request ids are remembered at start (a device retries within seconds).
REQUEST_MEMORY = timedelta(days=2)


@dataclass
class Publication:
    topic: str
    payload: dict[str, Any]
    retained: bool


@dataclass
class Inbound:
    hall: str
    sender: Sender
    raw: bytes


@dataclass
class Answer:
    """The reply to one inbound command, and where it goes."""

    hall: str
    sender: Sender
    topic: str
    reply: dict[str, Any]


@dataclass
class BatchResult:
    answers: list[Answer] = field(default_factory=list)
    publications: list[Publication] = field(default_factory=list)
    committed: bool = True


class _HallWork:
    """What one batch does to one hall, gathered until the commit."""

    def __init__(self, hall: HallDay):
        self.hall = hall
        self.events: list[ev.Event] = []
        self.bodies: list[
            tuple[str, dict[str, Any]]
        ] = []  # MQTT events, seq given after the states
        self.touched = Touched()
        self.replies: dict[RequestKey, StoredReply] = {}
        self.audit: list[AuditEntry] = []
        self.uploads: list[UploadRecord] = []  # for the higher platform, in the same commit
        self.catalog = False
        self.broken = False
        self.seq_before = hall.seq

    def take(self, events: list[ev.Event]) -> None:
        for e in events:
            self.events.append(e)
            self.touched.add(self.hall, e)
            if isinstance(e, ev.CaseOpened):
                # A case's deadline running into a year chinesecalendar does not know yet.
                warn_if_unknown(self.hall.config, self.hall.service_date(e.at), e.due_on)
            if isinstance(e, ev.RatingRecorded) and self.hall.config.upload.enabled:
                self.uploads.append(of_rating(self.hall, e))
            body = event_body(self.hall, e)
            if body is not None:
                self.bodies.append(body)

    def publications(self, topics: Topics) -> list[Publication]:
        """Retained states (each changed topic once), then events; seq given in that order."""
        hall = self.hall
        pubs = []
        if self.catalog:
            pubs.append(Publication(topics.catalog, catalog(hall.config, hall.next_seq()), True))
        for kind, payload in self.touched.states(hall):
            pubs.append(Publication(topics.root + "state/" + kind, payload, True))
        for event_type, body in self.bodies:
            pubs.append(
                Publication(
                    topics.event(event_type),
                    {"seq": hall.next_seq(), "type": event_type, **body},
                    False,
                )
            )
        return pubs

    def batch(self) -> HallBatch:
        windows = [copy.copy(self.hall.windows[w]) for w in sorted(self.touched.windows)]
        return HallBatch(
            self.hall.id,
            self.hall.seq,
            list(self.events),
            windows,
            list(self.replies.values()),
            list(self.audit),
            uploads=list(self.uploads),
        )


@dataclass
class _Call:
    """One command on its way through the middleware to its handler."""

    work: _HallWork
    msg: Inbound
    command: p.Command
    ctx: Context
    keep: bool = True  # whether its reply is kept for repeats

    @property
    def key(self) -> RequestKey:
        return (self.msg.sender.kind, self.msg.sender.id, self.command.request_id)


#: What `server/status` says of the broker (payloads.ServerStatus.state).
ServerState = Literal["online", "offline"]

Next = Callable[[_Call], dict[str, Any]]
#: A step every command passes before its handler: it answers, or hands on to `call_next`.
Middleware = Callable[[_Call, Next], dict[str, Any]]


class MessageBus:
    def __init__(
        self,
        configs: list[HallConfig],
        uow: UnitOfWork,
        clock: Clock | None = None,
        limiter: RateLimiter | None = None,
    ):
        ids = [c.hall.id for c in configs]
        if len(set(ids)) != len(ids):
            raise ValueError(f"a hall is given twice: {sorted(i for i in ids if ids.count(i) > 1)}")
        self.configs = {c.hall.id: c for c in configs}
        self.uow = uow
        self.clock = clock or Clock()
        #: Checked before a message is even parsed (None: no limits, for tools and tests).
        self.limiter = limiter
        self.topics = {h: Topics(h) for h in self.configs}
        self.halls: dict[str, HallDay] = {}
        self._known: dict[str, set[RequestKey]] = {}
        self._cache: dict[str, OrderedDict[RequestKey, dict[str, Any]]] = {}
        self._lock = threading.RLock()
        self.middleware: list[Middleware] = [self._check_sender, self._idempotent, self._audit]

    # ================================================================== lifecycle
    def start(self) -> list[Publication]:
        """Load every hall (closing days left open) and return all retained state."""
        with self._lock:
            now = self.clock.now()
            for hall_id in self.configs:
                self._warn_about_pins(self.configs[hall_id])
                self._load(hall_id, now)
                self._known[hall_id] = self.uow.request_keys(hall_id, now - REQUEST_MEMORY)
                self._cache[hall_id] = OrderedDict()
            return self.republish_all()

    @staticmethod
    def _warn_about_pins(config: HallConfig) -> None:
        """A hall without PINs, or a clerk who cannot log in for want of one, is said at start."""
        if not config.hall.require_pin:
            log.warning(
                "hall %s: require_pin = false, so anyone may log in as any clerk", config.hall.id
            )
            return
        without = [s.id for s in config.staff if s.pin_hash is None]
        if without:
            log.warning(
                "hall %s: no PIN yet for %s (they cannot log in); set one with "
                "'hallcall admin staff-pin --config HALL STAFF'",
                config.hall.id,
                ", ".join(without),
            )

    def _load(self, hall_id: str, now: datetime) -> HallDay:
        # A loaded hall has no "today" yet: its first use rolls over, closing days left open.
        config = self.configs[hall_id]
        hall = HallDay(config, self.uow.load(config, now), calendar=calendar_for(config))
        hall.id_hash_key = self._hash_key(config)
        self.halls[hall_id] = hall
        return hall

    @staticmethod
    def _hash_key(config: HallConfig) -> bytes | None:
        """The hall's ID card hash key; a missing or short one is said in the log, not fatal
        (the hall runs on; only `appointment.book` with an `id_number` is refused)."""
        path = config.idcard.hash_key_file
        if path is None:
            return None
        try:
            key = read_hash_key(path)
        except HashKeyError as exc:
            log.error("hall %s: %s", config.hall.id, exc)
            return None
        if key_file_too_open(path):
            log.warning(
                "hall %s: anyone may read the ID card hash key file %s", config.hall.id, path
            )
        return key

    def republish_all(self, hall_ids: list[str] | None = None) -> list[Publication]:
        """Every retained state, freshly built, with new seq numbers (on every (re)connect)."""
        with self._lock:
            works = {}
            for hall_id in hall_ids or list(self.halls):
                work = _HallWork(self.halls[hall_id])
                self._roll_over(work)
                work.catalog = True
                work.touched.everything(work.hall)
                works[hall_id] = work
            result = self._commit(works, [])
            return result.publications

    def server_status(
        self,
        state: ServerState = "online",
        started_at: datetime | None = None,
        hall: str | None = None,
    ) -> dict[str, Any]:
        return p.dump(
            p.ServerStatus(
                state=state,
                version=__version__,
                protocol=PROTOCOL_VERSION,
                hall=hall,
                started_at=started_at,
            )
        )

    # ================================================================== commands
    def run(self, messages: list[Inbound]) -> BatchResult:
        """Apply a batch of commands in order and commit them together."""
        with self._lock:
            now = self.clock.now()
            works: dict[str, _HallWork] = {}
            answers: list[tuple[Inbound, dict[str, Any]]] = []
            handled: list[tuple[Inbound, str, dict[str, Any], float]] = []  # for the command log
            for msg in messages:
                if msg.hall not in self.halls:
                    log.warning(
                        "ignored a command for hall %r, which this broker does not serve", msg.hall
                    )
                    continue
                verdict = (
                    ALLOW if self.limiter is None else self.limiter.check(msg.hall, msg.sender)
                )
                if verdict != ALLOW:
                    if verdict == REFUSE:
                        refusal = p.error_reply(
                            unparsed_request_id(msg.raw),
                            "rate_limited",
                            "too many commands from this device; wait a moment and try again",
                        )
                        answers.append((msg, refusal))
                    continue
                work = works.get(msg.hall)
                if work is None:
                    work = works[msg.hall] = _HallWork(self.halls[msg.hall])
                    self._roll_over(work, now)
                started = perf_counter()
                reply, op = self._one(work, msg, now)
                answers.append((msg, reply))
                if op is not None:
                    handled.append((msg, op, reply, perf_counter() - started))
            committing = perf_counter()
            result = self._commit(works, answers)
            if handled and command_log.isEnabledFor(logging.INFO):
                _log_commands(handled, perf_counter() - committing)
            return result

    def _one(
        self, work: _HallWork, msg: Inbound, now: datetime
    ) -> tuple[dict[str, Any], str | None]:
        """The reply, and the op when the command parsed (a bad one is logged apart, limited)."""
        try:
            command = p.parse_command(msg.raw)
        except p.BadPayload as bad:
            log.warning("dropped bad command from %s in %s: %s", msg.sender, msg.hall, bad.message)
            return p.error_reply(bad.request_id, bad.code, bad.message), None
        call = _Call(work, msg, command, Context(work.hall, msg.sender, now, self.uow))
        return self._chain(call), command.op

    def _chain(self, call: _Call) -> dict[str, Any]:
        """The middleware in order, then the handler: each step may answer without the next."""

        def step(i: int) -> Next:
            if i == len(self.middleware):
                return self._handle
            return lambda c: self.middleware[i](c, step(i + 1))

        return step(0)(call)

    def _check_sender(self, call: _Call, call_next: Next) -> dict[str, Any]:
        """Unknown devices and wrong kinds are refused, and the refusal is not kept."""
        ctx, command = call.ctx, call.command
        try:
            ctx.hall.check_sender(ctx.sender.kind, ctx.sender.id)
            if ctx.sender.kind not in p.OP_SENDERS[command.op]:
                allowed = ", ".join(sorted(p.OP_SENDERS[command.op]))
                raise Forbidden(f"{command.op} may be sent only by: {allowed}")
        except QueueError as exc:
            log.warning(
                "refused %s from %s in %s: %s",
                command.op,
                call.msg.sender,
                call.msg.hall,
                exc.message,
            )
            return p.error_reply(command.request_id, exc.code, exc.message, exc.detail)
        return call_next(call)

    def _idempotent(self, call: _Call, call_next: Next) -> dict[str, Any]:
        """A repeated request_id gets the reply it got the first time; a new one's is kept.

        A query (payloads.QUERY_OPS) changes nothing: it is answered afresh every time and its
        reply is not kept, so a page that asks often writes nothing.
        """
        if call.command.op in p.QUERY_OPS:
            call.keep = False
            return call_next(call)
        repeat = self._stored(call.work, call.key)
        if repeat is not None:
            return repeat
        reply = call_next(call)
        if call.keep:
            call.work.replies[call.key] = StoredReply(
                *call.key, call.command.op, reply, call.ctx.now
            )
        return reply

    def _audit(self, call: _Call, call_next: Next) -> dict[str, Any]:
        """Admin commands are written to the audit table: who, from where, with what, how it went.

        A repeat of a request id is not (the middleware before answers it), so each is kept once.
        """
        reply = call_next(call)
        if call.msg.sender.kind == "admin":
            command = call.command
            call.work.audit.append(
                AuditEntry(
                    call.msg.sender.kind,
                    call.msg.sender.id,
                    getattr(command, "actor", None),
                    command.op,
                    command.request_id,
                    _audited(command),
                    "ok" if reply.get("ok") else reply["error"]["code"],
                    call.ctx.now,
                )
            )
        return reply

    def _handle(self, call: _Call) -> dict[str, Any]:
        command, ctx = call.command, call.ctx
        try:
            reply = p.ok_reply(command.request_id, HANDLERS[command.op](command, ctx))
            call.work.take(ctx.events)
        except QueueError as exc:
            # A refused command changed nothing (but what the refusal itself keeps, such as a
            # wrong PIN's count); its reply is kept so a retry gets the same answer, except a
            # rate limit's (the hall's for remote tickets): the same request may run later.
            call.work.take(exc.events)
            if exc.code == "rate_limited":
                call.keep = False
            reply = p.error_reply(command.request_id, exc.code, exc.message, exc.detail)
        except Exception:  # a bug: the hall may be half-changed, so it is reloaded after the batch
            log.exception("%s from %s in %s failed", command.op, call.msg.sender, call.msg.hall)
            call.work.broken = True
            call.keep = False
            reply = p.error_reply(
                command.request_id,
                "unavailable",
                "the queue broker could not run it; please try again",
            )
        return reply

    def _stored(self, work: _HallWork, key: RequestKey) -> dict[str, Any] | None:
        """The reply already given to this request id, if any."""
        if key in work.replies:
            return work.replies[key].reply
        hall = work.hall.id
        cache = self._cache[hall]
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
        if key in self._known[hall]:
            return self.uow.stored_reply(hall, key)
        return None

    # ================================================================== the clock
    def tick(self) -> list[Publication]:
        """Periodic work: close each hall at its configured hour; roll over past midnight."""
        with self._lock:
            now = self.clock.now()
            works = {}
            for hall in self.halls.values():
                work = _HallWork(hall)
                self._roll_over(work, now)
                close_at = hall.config.hall.close_at
                if close_at is not None:
                    local = now.astimezone(hall.zone)
                    hh, mm = (int(x) for x in close_at.split(":"))
                    if local.time() >= time(hh, mm) and not hall.is_closed(local.date()):
                        work.take(hall.close_day(now)[1])
                if work.events:
                    works[hall.id] = work
            return self._commit(works, []).publications

    def close_day(self, hall_id: str) -> tuple[dict[str, Any], list[Publication]]:
        """Close a hall's day now (what the admin `day.close` does, without MQTT)."""
        with self._lock:
            now = self.clock.now()
            work = _HallWork(self.halls[hall_id])
            self._roll_over(work, now)
            summary, events = work.hall.close_day(now)
            work.take(events)
            return summary, self._commit({hall_id: work}, []).publications

    def _roll_over(self, work: _HallWork, now: datetime | None = None) -> None:
        now = now or self.clock.now()
        if work.hall.needs_rollover(now):
            work.take(work.hall.roll_over(now))
            self.uow.record_default_ratings(work.hall.config, now)
            # ID card hashes past the hall's retention: first those held here, then the rows.
            self.uow.purge_id_hashes(work.hall.config, work.hall.purge_id_hashes(now))

    # ================================================================== commit
    def _commit(
        self, works: dict[str, _HallWork], answers: list[tuple[Inbound, dict[str, Any]]]
    ) -> BatchResult:
        result = BatchResult()
        pubs: list[Publication] = []
        batches = []
        for hall_id, work in works.items():
            pubs += work.publications(self.topics[hall_id])
            batch = work.batch()
            if batch or work.hall.seq != work.seq_before:
                batches.append(batch)
        try:
            if batches:
                self.uow.commit(batches)
        except CommitFailed as exc:
            log.error(
                "batch not committed (%s); reloading %s from the database", exc, ", ".join(works)
            )
            now = self.clock.now()
            for hall_id in works:
                self._load(hall_id, now)
            result.committed = False
            for msg, reply in answers:
                rid = reply.get("request_id")
                failed = p.error_reply(
                    rid, "unavailable", "the queue broker could not save it; please try again"
                )
                result.answers.append(self._answer(msg, failed))
            return result
        for hall_id, work in works.items():
            if work.broken:
                self._load(hall_id, self.clock.now())
            known, cache = self._known[hall_id], self._cache.setdefault(hall_id, OrderedDict())
            for key, stored in work.replies.items():
                known.add(key)
                cache[key] = stored.reply
            while len(cache) > REPLY_CACHE:
                cache.popitem(last=False)
        result.publications = pubs
        result.answers = [self._answer(msg, reply) for msg, reply in answers]
        return result

    def _answer(self, msg: Inbound, reply: dict[str, Any]) -> Answer:
        return Answer(
            msg.hall, msg.sender, self.topics[msg.hall].reply(msg.sender.kind, msg.sender.id), reply
        )


def _log_commands(
    handled: list[tuple[Inbound, str, dict[str, Any], float]], commit_s: float
) -> None:
    """One line per command after its commit: hall, who, op, result, ms (its own handling and
    its batch's commit, which it waited for). Off with `hallcall.broker.commands` at WARNING."""
    for msg, op, reply, handle_s in handled:
        error = reply.get("error")
        result = "ok" if reply.get("ok") else (error or {}).get("code", "error")
        command_log.info(
            "%s %s/%s %s %s %.1f ms",
            msg.hall,
            msg.sender.kind,
            msg.sender.id,
            op,
            result,
            (handle_s + commit_s) * 1000,
        )


def _audited(command: p.Command) -> dict[str, Any]:
    """An admin command's arguments for the audit table: an ID number or its hash is personal
    information, so the table records only that one was given (issue #15)."""
    arguments = command.model_dump(mode="json", exclude={"request_id", "op", "actor"})
    given = [arguments.pop(k, None) for k in ("id_number", "id_hash")]
    if any(v is not None for v in given):
        arguments["id_card"] = True
    return arguments


@dataclass
class Result:
    reply: dict[str, Any]
    publications: list[Publication] = field(default_factory=list)


class HallHandle:
    """One hall of a bus, driven one command at a time (tests, the CLI, the demo's printout)."""

    def __init__(self, bus: MessageBus, hall_id: str):
        self.bus = bus
        self.hall_id = hall_id
        self.config = bus.configs[hall_id]
        self.topics = bus.topics[hall_id]
        self.clock = bus.clock

    @property
    def hall(self) -> HallDay:
        return self.bus.halls[self.hall_id]

    def handle(self, sender: Sender, raw: bytes) -> Result:
        result = self.bus.run([Inbound(self.hall_id, sender, raw)])
        reply = (
            result.answers[0].reply
            if result.answers
            else p.error_reply(None, "unavailable", "not run")
        )
        return Result(reply, result.publications)

    def republish_all(self) -> list[Publication]:
        return self.bus.republish_all([self.hall_id])

    def close_day(self) -> Result:
        summary, pubs = self.bus.close_day(self.hall_id)
        return Result({"ok": True, "data": {"summary": summary}}, pubs)

    def server_status(
        self, state: ServerState = "online", started_at: datetime | None = None
    ) -> dict[str, Any]:
        return self.bus.server_status(state, started_at, self.hall_id)
