"""The unit of work: a batch of commands in one transaction, on a connection kept for writing.

The statements are SQLAlchemy Core, compiled once; a batch runs them on the DBAPI cursor of one
connection this process keeps for writing (`_Writer`), with SQLAlchemy's own type processors,
so the rows are exactly what Core would write. Profiled, Core's per-execute machinery and the
pool check-out per transaction were most of a command's CPU (0.45 of 0.78 ms on SQLite); the
ORM was worse still (docs/measured-facts.md). What each domain event means as rows is in
`_rows_for`. Loading a hall after a restart (plain Core, not hot) reads only what is still
open plus a little history (last ticket per window, recent service times, latest calls).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, and_, bindparam, exists, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine.interfaces import DBAPICursor
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import PoolProxiedConnection

from hallcall.broker.domain import events as ev
from hallcall.broker.domain.estimate import RECENT_SERVICES
from hallcall.broker.domain.hall import (
    Appointment,
    Call,
    Ended,
    HallSnapshot,
    PickupCode,
    PinFailures,
)
from hallcall.broker.domain.model import (
    OPEN_STATUSES,
    Outcome,
    Post,
    Priority,
    Source,
    Ticket,
    TicketStatus,
    WindowState,
    WindowStatus,
)
from hallcall.broker.domain.numbering import local_day_bounds, service_date
from hallcall.broker.domain.upload import UploadRecord, rating_record
from hallcall.broker.service.unit_of_work import (
    CommitFailed,
    HallBatch,
    RequestKey,
    UnitOfWork,
)
from hallcall.broker.storage.orm import (
    AppointmentRow,
    AuditRow,
    CaseRow,
    ClosedDayRow,
    CommandRow,
    CounterRow,
    HallRow,
    PauseRow,
    PickupCodeRow,
    PinFailureRow,
    RatingRow,
    StaffSessionRow,
    TicketEventRow,
    TicketRow,
    UploadRow,
    WindowRow,
    queue_seqno,
    table_of,
)
from hallcall.broker.storage.outbox import OUTBOX_LOCK_SQL, add_records, outbox_values
from hallcall.config.schema import HallConfig

log = logging.getLogger(__name__)

#: How far back past `default_rating_after_days` the default rating looks: a ticket served
#: longer ago than that (before the setting was turned on, or while the broker was down for a
#: month) is left unrated, so turning it on does not rewrite old reports.
DEFAULT_RATING_LOOKBACK_DAYS = 31

T = table_of(TicketRow)
_TICKET_FIELDS = (
    "id number service_date department original_department matter booked_at lang issued_at "
    "queued_at window staff called_at recalls transfers finished_at closed_by_system missing_materials "
    "token queue pickup_code id_hash"
).split()
_TICKET_COLUMNS = [T.c[f] for f in _TICKET_FIELDS] + [
    T.c.priority,
    T.c.source,
    T.c.status,
    T.c.post,
    T.c.outcome,
]
_OPEN = [s.value for s in OPEN_STATUSES]


def ticket_from_tuple(values) -> Ticket:
    """A Ticket from a row of _TICKET_COLUMNS."""
    n = len(_TICKET_FIELDS)
    t = Ticket(**dict(zip(_TICKET_FIELDS, values[:n], strict=True)))
    priority, source, status, post, outcome = values[n:]
    t.priority = Priority(priority)
    t.source = Source(source)
    t.status = TicketStatus(status)
    t.post = Post(post) if post else None
    t.outcome = Outcome(outcome) if outcome else None
    return t


def _ticket_values(hall_id: str, t: Ticket) -> dict[str, Any]:
    values = {f: getattr(t, f) for f in _TICKET_FIELDS}
    values.update(
        hall_id=hall_id,
        priority=t.priority.value,
        source=t.source.value,
        status=t.status.value,
        post=t.post.value if t.post else None,
        outcome=t.outcome.value if t.outcome else None,
    )
    return values


class SqlUnitOfWork(UnitOfWork):
    def __init__(self, engine: Engine):
        self.engine = engine
        dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
        counters = table_of(CounterRow)
        up = dialect.insert(counters)
        self._upsert_counter = up.on_conflict_do_update(
            index_elements=[counters.c.hall_id, counters.c.department, counters.c.service_date],
            set_={"last_number": up.excluded.last_number, "issued": up.excluded.issued},
        )
        self._insert_closed_day = dialect.insert(table_of(ClosedDayRow)).on_conflict_do_nothing()
        pins = table_of(PinFailureRow)
        up_pin = dialect.insert(pins)
        self._upsert_pin = up_pin.on_conflict_do_update(
            index_elements=[pins.c.hall_id, pins.c.staff],
            set_={
                "failures": up_pin.excluded.failures,
                "last_failed_at": up_pin.excluded.last_failed_at,
                "locked_until": up_pin.excluded.locked_until,
            },
        )
        self._statements = _Statements()
        self._statements.upsert_pin = self._upsert_pin
        self._writer = _Writer(engine)
        #: One Core statement (the unique index on token), built once: a page's look-up of an
        #: earlier day's ticket, the only read on a command's path.
        self._by_token = select(*_TICKET_COLUMNS).where(
            T.c.hall_id == bindparam("k_hall"), T.c.token == bindparam("k_token")
        )

    # ------------------------------------------------------------------ load
    def load(self, config: HallConfig, now: datetime) -> HallSnapshot:
        hall_id = config.hall.id
        zone = ZoneInfo(config.hall.timezone)
        today = service_date(now, zone)
        snap = HallSnapshot()
        with self.engine.begin() as c:
            seq = c.execute(select(HallRow.seq).where(HallRow.id == hall_id)).scalar()
            if seq is None:
                c.execute(insert(HallRow).values(id=hall_id, seq=0, created_at=now))
                seq = 0
            snap.seq = seq
            known = set(
                c.execute(select(WindowRow.id).where(WindowRow.hall_id == hall_id)).scalars()
            )
            missing = [
                {
                    "hall_id": hall_id,
                    "id": w.id,
                    "departments": list(w.departments),
                    "status": "closed",
                }
                for w in config.windows
                if w.id not in known
            ]
            if missing:
                c.execute(insert(WindowRow), missing)
            snap.tickets = [
                ticket_from_tuple(r)
                for r in c.execute(
                    select(*_TICKET_COLUMNS).where(
                        T.c.hall_id == hall_id,
                        or_(T.c.status.in_(_OPEN), T.c.service_date >= today),
                    )
                )
            ]
            for dep, day, last, issued in c.execute(
                select(
                    CounterRow.department,
                    CounterRow.service_date,
                    CounterRow.last_number,
                    CounterRow.issued,
                ).where(CounterRow.hall_id == hall_id, CounterRow.service_date >= today)
            ):
                snap.counters[(dep, day)] = (last, issued)
            for row in c.execute(select(WindowRow.__table__).where(WindowRow.hall_id == hall_id)):
                cfg = config.window(row.id)
                if cfg is None:
                    continue
                snap.windows.append(
                    WindowState(
                        id=row.id,
                        number=cfg.number,
                        flex=cfg.flex,
                        departments=list(row.departments or []),
                        status=WindowStatus(row.status),
                        staff=row.staff,
                        post=Post(row.post) if row.post else None,
                        pause_reason=row.pause_reason,
                        current_ticket=row.current_ticket,
                        since=row.since,
                    )
                )
            snap.last_ended = self._last_per_window(c, hall_id, None)
            snap.last_finished = self._last_per_window(c, hall_id, TicketStatus.FINISHED.value)
            start_of_today, _ = local_day_bounds(today, zone)
            for row in c.execute(
                select(AppointmentRow.__table__).where(
                    AppointmentRow.hall_id == hall_id,
                    AppointmentRow.booked_at >= start_of_today - timedelta(days=1),
                )
            ):
                snap.appointments.append(
                    Appointment(
                        row.code,
                        row.department,
                        row.matter,
                        row.booked_at,
                        row.phone,
                        row.lang,
                        row.ticket_id,
                        remote=row.remote,
                        token=row.token,
                        id_hash=row.id_hash,
                    )
                )
            snap.appointment_codes = set(
                c.execute(
                    select(AppointmentRow.code).where(AppointmentRow.hall_id == hall_id)
                ).scalars()
            )
            snap.recent_services = self._recent_services(c, hall_id)
            E = TicketEventRow
            calls = c.execute(
                select(
                    E.ticket_id,
                    E.department,
                    E.window,
                    E.at,
                    E.action,
                    TicketRow.number,
                    TicketRow.lang,
                )
                .join(
                    TicketRow,
                    and_(
                        TicketRow.hall_id == TicketEventRow.hall_id,
                        TicketRow.id == TicketEventRow.ticket_id,
                    ),
                )
                .where(
                    TicketEventRow.hall_id == hall_id,
                    TicketEventRow.action.in_(["called", "recalled"]),
                )
                .order_by(TicketEventRow.id.desc())
                .limit(config.hall.calls_kept)
            ).all()
            snap.calls = [
                Call(tid, number, dep, window, at, action == "recalled", lang)
                for tid, dep, window, at, action, number, lang in calls
                if window is not None  # a call or recall always names its window
            ]
            # Each queue's latest call: a matter group's is its tickets', whatever department.
            queue = func.coalesce(TicketRow.queue, E.department)
            of_ticket = and_(TicketRow.hall_id == E.hall_id, TicketRow.id == E.ticket_id)
            latest = (
                select(func.max(E.id))
                .join(TicketRow, of_ticket)
                .where(E.hall_id == hall_id, E.action == "called")
                .group_by(queue)
            )
            snap.last_calls = dict(
                c.execute(
                    select(queue, E.ticket_id).join(TicketRow, of_ticket).where(E.id.in_(latest))
                ).all()
            )
            snap.closed_days = set(
                c.execute(
                    select(ClosedDayRow.service_date).where(ClosedDayRow.hall_id == hall_id)
                ).scalars()
            )
            for window, login_at in c.execute(
                select(StaffSessionRow.window, func.min(StaffSessionRow.login_at))
                .where(StaffSessionRow.hall_id == hall_id, StaffSessionRow.logout_at.is_(None))
                .group_by(StaffSessionRow.window)
            ):
                snap.clerks_on_duty_since[window] = login_at
            for staff, failures, locked_until in c.execute(
                select(
                    PinFailureRow.staff, PinFailureRow.failures, PinFailureRow.locked_until
                ).where(PinFailureRow.hall_id == hall_id)
            ):
                snap.pin_failures[staff] = PinFailures(failures, locked_until)
            PC = table_of(PickupCodeRow)
            snap.pickup_code_values = set(
                c.execute(select(PC.c.code).where(PC.c.hall_id == hall_id)).scalars()
            )
            for row in c.execute(
                select(PC).where(PC.c.hall_id == hall_id, PC.c.collected_at.is_(None))
            ):
                snap.pickup_codes.append(
                    PickupCode(
                        row.code,
                        row.ticket_id,
                        row.department,
                        row.matter,
                        row.number,
                        row.service_date,
                        row.issued_at,
                        row.id_hash,
                        row.pickup_ticket_id,
                        row.collected_at,
                    )
                )
        return snap

    def _last_per_window(self, c, hall_id: str, status: str | None) -> dict[str, Ended]:
        cond = [T.c.hall_id == hall_id, T.c.finished_at.is_not(None), T.c.window.is_not(None)]
        if status is not None:
            cond.append(T.c.status == status)
        ranked = (
            select(
                *_TICKET_COLUMNS,
                func.row_number()
                .over(partition_by=T.c.window, order_by=(T.c.finished_at.desc(), T.c.id.desc()))
                .label("rank"),
            )
            .where(*cond)
            .subquery()
        )
        rows = c.execute(
            select(*[ranked.c[col.name] for col in _TICKET_COLUMNS]).where(ranked.c.rank == 1)
        ).all()
        tickets = [ticket_from_tuple(r) for r in rows]
        rated = set(
            c.execute(
                select(RatingRow.ticket_id).where(
                    RatingRow.hall_id == hall_id, RatingRow.ticket_id.in_([t.id for t in tickets])
                )
            ).scalars()
        )
        return {t.window: Ended.of(t, t.id in rated) for t in tickets if t.window is not None}

    def _recent_services(self, c, hall_id: str) -> dict[str, list[float]]:
        queue = func.coalesce(T.c.queue, T.c.department)  # a matter group's, or its department's
        ranked = (
            select(
                queue.label("department"),
                T.c.called_at,
                T.c.finished_at,
                func.row_number()
                .over(partition_by=queue, order_by=T.c.finished_at.desc())
                .label("rank"),
            )
            .where(
                T.c.hall_id == hall_id,
                T.c.status == TicketStatus.FINISHED.value,
                T.c.closed_by_system.is_(False),
                T.c.called_at.is_not(None),
            )
            .subquery()
        )
        out: dict[str, list[float]] = defaultdict(list)
        for dep, called, finished, _ in c.execute(
            select(ranked)
            .where(ranked.c.rank <= RECENT_SERVICES)
            .order_by(ranked.c.department, ranked.c.rank)
        ):
            out[dep].append((finished - called).total_seconds())
        return dict(out)

    # ------------------------------------------------------------------ idempotency
    def request_keys(self, hall_id: str, since: datetime) -> set[RequestKey]:
        with self.engine.connect() as c:
            return {
                (k, d, r)
                for k, d, r in c.execute(
                    select(
                        CommandRow.device_kind, CommandRow.device_id, CommandRow.request_id
                    ).where(CommandRow.hall_id == hall_id, CommandRow.at >= since)
                )
            }

    def stored_reply(self, hall_id: str, key: RequestKey) -> dict[str, Any] | None:
        kind, device, rid = key
        with self.engine.connect() as c:
            return c.execute(
                select(CommandRow.reply).where(
                    CommandRow.hall_id == hall_id,
                    CommandRow.device_kind == kind,
                    CommandRow.device_id == device,
                    CommandRow.request_id == rid,
                )
            ).scalar()

    # ------------------------------------------------------------------ web
    def ticket_by_token(self, hall_id: str, token: str) -> Ticket | None:
        with self.engine.connect() as c:
            row = c.execute(self._by_token, {"k_hall": hall_id, "k_token": token}).first()
        return ticket_from_tuple(row) if row is not None else None

    def record_default_ratings(self, config: HallConfig, now: datetime) -> int:
        rules = config.rectification
        if rules.default_rating_after_days is None or rules.default_level is None:
            return 0
        before = now - timedelta(days=rules.default_rating_after_days)
        since = before - timedelta(days=DEFAULT_RATING_LOOKBACK_DAYS)
        R = table_of(RatingRow)
        hall_id = config.hall.id
        unrated = select(
            T.c.id, T.c.window, T.c.staff, T.c.number, T.c.department, T.c.matter
        ).where(
            T.c.hall_id == hall_id,
            T.c.status == TicketStatus.FINISHED.value,
            T.c.closed_by_system.is_(False),
            T.c.window.is_not(None),
            T.c.finished_at <= before,
            T.c.finished_at > since,
            ~exists().where(R.c.hall_id == T.c.hall_id, R.c.ticket_id == T.c.id),
        )
        try:
            rows = self._insert_default_ratings(unrated, config, now)
        except SQLAlchemyError as exc:
            # Not fatal to the day's start: the next day's start catches up (see the look-back).
            log.error("hall %s: default ratings not recorded: %s", hall_id, exc)
            return 0
        if rows:
            log.info(
                "hall %s: %d ticket(s) not rated within %d days recorded as the default rating %d",
                hall_id,
                len(rows),
                rules.default_rating_after_days,
                rules.default_level,
            )
        return len(rows)

    def _insert_default_ratings(self, unrated, config: HallConfig, now: datetime) -> list:
        rules = config.rectification
        R = table_of(RatingRow)
        hall_id = config.hall.id
        with self.engine.begin() as c:
            rows = list(c.execute(unrated).all())
            if rows:
                c.execute(
                    insert(R),
                    [
                        {
                            "hall_id": hall_id,
                            "ticket_id": r.id,
                            "window": r.window,
                            "staff": r.staff,
                            "score": rules.default_level,
                            "scale": config.hall.rating_scale,
                            "reasons": None,
                            "pad": "default",
                            "rated_at": now,
                            "channel": "default",
                        }
                        for r in rows
                    ],
                )
                if config.upload.enabled:
                    add_records(c, [_default_record(config, r, now) for r in rows])
        return rows

    def purge_id_hashes(self, config: HallConfig, keep_from: date) -> int:
        """One UPDATE per table that keeps a card's hash, in one transaction (a hall's day
        starts once a day: no prepared path)."""
        hall_id = config.hall.id
        start_of_kept, _ = local_day_bounds(keep_from, ZoneInfo(config.hall.timezone))
        A, PC = table_of(AppointmentRow), table_of(PickupCodeRow)
        past = [  # each table, and what "past retention" is in it
            ("ticket", T, T.c.service_date < keep_from),
            ("appointment", A, A.c.booked_at < start_of_kept),
            ("pickup code", PC, PC.c.service_date < keep_from),
        ]
        purged: dict[str, int] = {}
        try:
            with self.engine.begin() as c:
                for what, table, before in past:
                    purged[what] = c.execute(
                        update(table)
                        .where(table.c.hall_id == hall_id, table.c.id_hash.is_not(None), before)
                        .values(id_hash=None)
                    ).rowcount
        except SQLAlchemyError as exc:
            # Not fatal to the day's start: the next day's start purges them.
            log.error("hall %s: ID card hashes not purged: %s", hall_id, exc)
            return 0
        if any(purged.values()):
            log.info(
                "hall %s: ID card hashes past retention purged: %s",
                hall_id,
                ", ".join(f"{n} {what}(s)" for what, n in purged.items()),
            )
        return sum(purged.values())

    # ------------------------------------------------------------------ commit
    def commit(self, batches: list[HallBatch]) -> None:
        rows = _Rows()
        for b in batches:
            rows.add(b, self._statements, self._insert_closed_day)
        try:
            self._writer.transaction(
                lambda c: rows.write(c, self._statements, self._upsert_counter)
            )
        except (SQLAlchemyError, self._writer.errors) as exc:
            log.error("a batch of %d hall(s) was not committed: %s", len(batches), exc)
            raise CommitFailed(str(exc)) from exc


def _default_record(config: HallConfig, r, now: datetime) -> UploadRecord:
    """The upload record of a default rating (channel "default")."""
    assert config.rectification.default_level is not None
    return rating_record(
        config,
        now,
        r.id,
        r.number,
        r.department,
        r.matter,
        r.window,
        r.staff,
        config.rectification.default_level,
        config.hall.rating_scale,
        "default",
    )


class _Prepared:
    """A Core statement compiled once for given parameter names, with its bind processors."""

    def __init__(self, stmt, dialect, keys: tuple[str, ...]):
        compiled = stmt.compile(dialect=dialect, column_keys=list(keys))
        self.sql = compiled.string
        self.names = compiled.positiontup  # None for a named paramstyle (psycopg)
        self.binds = list(compiled.binds)
        processors = {
            name: bind.type.dialect_impl(dialect).bind_processor(dialect)
            for name, bind in compiled.binds.items()
        }
        order = self.names if self.names is not None else self.binds
        self.plan = [(name, processors[name]) for name in order]

    def _values(self, row: dict[str, Any]) -> list[Any]:
        return [row[n] if f is None else f(row[n]) for n, f in self.plan]

    def parameters_of(self, rows: list[dict[str, Any]]) -> list[list[Any]] | list[dict[str, Any]]:
        """The DB-API parameters of `rows`: positional lists, or dicts for a named paramstyle."""
        if self.names is not None:
            return [self._values(r) for r in rows]
        return [dict(zip(self.binds, self._values(r), strict=True)) for r in rows]


class _Writer:
    """The connection this process writes with (the broker is the only writer of its halls).

    Kept open between batches; closed and opened anew after any error, so a database that went
    away (a PostgreSQL restart) is reconnected on the next batch.
    """

    def __init__(self, engine: Engine):
        self.engine = engine
        self.dialect = engine.dialect
        self.errors = engine.dialect.loaded_dbapi.Error
        self._raw: PoolProxiedConnection | None = None
        self._cursor: DBAPICursor | None = None
        self._prepared: dict[tuple[int, tuple[str, ...]], _Prepared] = {}
        self._sqlite = engine.dialect.name == "sqlite"

    def transaction(self, work) -> None:
        if self._raw is None:
            self._raw = self.engine.raw_connection()
        raw = self._raw
        try:
            cursor = raw.cursor()
            if self._sqlite:  # autocommit mode (database.py): take the write lock at once
                cursor.execute("BEGIN IMMEDIATE")
            self._cursor = cursor
            work(self)
            if self._sqlite:
                cursor.execute("COMMIT")
            else:
                raw.commit()
            cursor.close()
        except BaseException:
            self._discard()
            raise

    def _discard(self) -> None:
        raw, self._raw = self._raw, None
        if raw is None:  # nothing was opened
            return
        try:
            if self._sqlite:
                raw.cursor().execute("ROLLBACK")
            else:
                raw.rollback()
        except Exception:  # the connection may be gone: it is invalidated below either way
            pass
        try:
            raw.invalidate()
        except Exception:
            pass

    def lock_outbox(self) -> None:
        """PostgreSQL: the outbox's order lock until the commit (storage/outbox.py)."""
        if not self._sqlite:
            assert self._cursor is not None, "lock_outbox() runs only inside transaction()"
            self._cursor.execute(OUTBOX_LOCK_SQL)

    def execute(self, stmt, rows: list[dict]) -> None:
        keys = tuple(rows[0])
        prepared = self._prepared.get((id(stmt), keys))
        if prepared is None:
            prepared = self._prepared[(id(stmt), keys)] = _Prepared(stmt, self.dialect, keys)
        assert self._cursor is not None, "execute() runs only inside transaction()"
        self._cursor.executemany(prepared.sql, prepared.parameters_of(rows))


class _Rows:
    """The rows of every hall in a batch, gathered so that each statement runs once.

    Order matters only within a hall and only where it is kept: tickets before the rows that
    refer to them, history in event order, attendance and pauses (end before start) in order.
    """

    def __init__(self) -> None:
        self.seq: list[dict] = []
        self.new_tickets: list[dict] = []
        self.changed_tickets: list[dict] = []
        self.counters: list[dict] = []
        self.history: list[dict] = []
        self.ops: list[tuple[Any, dict]] = []
        self.windows: list[dict] = []
        self.replies: list[dict] = []
        self.audit: list[dict] = []
        self.uploads: list[dict] = []

    def add(self, b: HallBatch, s: _Statements, insert_closed_day) -> None:
        hall = b.hall_id
        self.seq.append({"k_id": hall, "seq": b.seq})
        new: dict[str, Ticket] = {}
        issued: dict[str, ev.TicketIssued] = {}
        changed: dict[str, Ticket] = {}
        counters: dict[tuple[str, date], dict] = {}
        for e in b.events:
            ticket = getattr(e, "ticket", None)
            if isinstance(e, ev.TicketIssued):
                t = e.ticket
                new[t.id] = t
                issued[t.id] = e
                queue = t.queue or t.original_department  # its numbers' queue
                counters[(queue, t.service_date)] = {
                    "hall_id": hall,
                    "department": queue,
                    "service_date": t.service_date,
                    "last_number": e.seqno,
                    "issued": e.issued,
                }
            elif isinstance(ticket, Ticket) and not isinstance(e, ev.RatingRequested):
                (new if ticket.id in new else changed)[ticket.id] = ticket
            for stmt, params in _rows_for(hall, e, s, insert_closed_day):
                if stmt is s.insert_event:
                    self.history.append(params)
                else:
                    self.ops.append((stmt, params))
        self.new_tickets += [
            {
                **_ticket_values(hall, t),
                "seqno": issued[t.id].seqno
                if t.queue is None
                else queue_seqno(t.number.rstrip("0123456789"), issued[t.id].seqno),
                "appointment_code": issued[t.id].appointment_code,
            }
            for t in new.values()
        ]
        self.changed_tickets += [_ticket_update_values(hall, t) for t in changed.values()]
        self.counters += counters.values()
        self.windows += [_window_values(hall, w) for w in b.windows]
        self.replies += [
            {
                "hall_id": hall,
                "device_kind": r.kind,
                "device_id": r.device,
                "request_id": r.request_id,
                "op": r.op,
                "reply": r.reply,
                "at": r.at,
            }
            for r in b.replies
        ]
        self.audit += [
            {
                "hall_id": hall,
                "at": a.at,
                "device_kind": a.kind,
                "device_id": a.device,
                "actor": a.actor,
                "op": a.op,
                "request_id": a.request_id,
                "arguments": a.arguments,
                "outcome": a.outcome,
            }
            for a in b.audit
        ]
        self.uploads += [outbox_values(u) for u in b.uploads]

    def write(self, c, s: _Statements, upsert_counter) -> None:
        for stmt, rows in (
            (s.update_seq, self.seq),
            (s.insert_ticket, self.new_tickets),
            (s.update_ticket, self.changed_tickets),
            (upsert_counter, self.counters),
            (s.insert_event, self.history),
        ):
            if rows:
                c.execute(stmt, rows)
        _run_grouped(c, self.ops)
        for stmt, rows in (
            (s.update_window, self.windows),
            (s.insert_command, self.replies),
            (s.insert_audit, self.audit),
        ):
            if rows:
                c.execute(stmt, rows)
        if self.uploads:  # last: the outbox's order lock (PostgreSQL) is held briefly
            c.lock_outbox()
            c.execute(s.insert_upload, self.uploads)


class _Statements:
    """The parametrised statements of the hot path, built once."""

    def __init__(self) -> None:
        ticket_cols = [f for f in _TICKET_FIELDS if f != "id"] + [
            "priority",
            "source",
            "status",
            "post",
            "outcome",
        ]
        self.update_ticket = (
            update(T)
            .where(T.c.hall_id == bindparam("k_hall"), T.c.id == bindparam("k_id"))
            .values({col: bindparam(col) for col in ticket_cols})
        )
        W = table_of(WindowRow)
        self.update_window = (
            update(W)
            .where(W.c.hall_id == bindparam("k_hall"), W.c.id == bindparam("k_id"))
            .values(
                {
                    col: bindparam(col)
                    for col in (
                        "departments",
                        "status",
                        "staff",
                        "post",
                        "pause_reason",
                        "current_ticket",
                        "since",
                    )
                }
            )
        )
        H = table_of(HallRow)
        self.update_seq = update(H).where(H.c.id == bindparam("k_id")).values(seq=bindparam("seq"))
        self.insert_ticket = insert(T)
        self.insert_command = insert(CommandRow)
        self.insert_audit = insert(AuditRow)
        self.insert_event = insert(TicketEventRow)
        S = table_of(StaffSessionRow)
        self.insert_session = insert(S)
        self.end_session = (
            update(S)
            .where(
                S.c.hall_id == bindparam("k_hall"),
                S.c.window == bindparam("k_window"),
                S.c.staff == bindparam("k_staff"),
                S.c.logout_at.is_(None),
            )
            .values(logout_at=bindparam("at"))
        )
        P = table_of(PauseRow)
        self.insert_pause = insert(P)
        self.end_pause = (
            update(P)
            .where(
                P.c.hall_id == bindparam("k_hall"),
                P.c.window == bindparam("k_window"),
                P.c.ended_at.is_(None),
            )
            .values(ended_at=bindparam("at"))
        )
        self.insert_rating = insert(RatingRow)
        self.insert_case = insert(CaseRow)
        self.insert_upload = insert(UploadRow)
        F = table_of(PinFailureRow)
        self.upsert_pin: Any = None  # dialect-specific, set by SqlUnitOfWork
        self.clear_pin = F.delete().where(
            F.c.hall_id == bindparam("k_hall"), F.c.staff == bindparam("k_staff")
        )
        A = table_of(AppointmentRow)
        self.insert_appointment = insert(A)
        self.check_in = (
            update(A)
            .where(A.c.hall_id == bindparam("k_hall"), A.c.code == bindparam("k_code"))
            .values(ticket_id=bindparam("ticket_id"))
        )
        PC = table_of(PickupCodeRow)
        self.insert_pickup_code = insert(PC)
        self.pickup_taken = (
            update(PC)
            .where(PC.c.hall_id == bindparam("k_hall"), PC.c.code == bindparam("k_code"))
            .values(pickup_ticket_id=bindparam("pickup_ticket_id"))
        )
        self.pickup_collected = (
            update(PC)
            .where(PC.c.hall_id == bindparam("k_hall"), PC.c.code == bindparam("k_code"))
            .values(collected_at=bindparam("collected_at"))
        )


def _ticket_update_values(hall: str, t: Ticket) -> dict:
    values = _ticket_values(hall, t)
    values["k_hall"] = values.pop("hall_id")
    values["k_id"] = values.pop("id")
    return values


def _window_values(hall: str, w: WindowState) -> dict:
    return {
        "k_hall": hall,
        "k_id": w.id,
        "departments": list(w.departments),
        "status": w.status.value,
        "staff": w.staff,
        "post": w.post.value if w.post else None,
        "pause_reason": w.pause_reason,
        "current_ticket": w.current_ticket,
        "since": w.since,
    }


def _history(
    hall: str, t: Ticket, action: str, at: datetime, detail: dict | None, window=None, staff=None
) -> dict:
    return {
        "hall_id": hall,
        "ticket_id": t.id,
        "at": at,
        "action": action,
        "department": t.department,
        "window": window if window is not None else t.window,
        "staff": staff if staff is not None else t.staff,
        "detail": detail,
    }


def _rows_for(hall: str, e: ev.Event, s: _Statements, insert_closed_day) -> list[tuple[Any, dict]]:
    """What one domain event means as rows, in the order they must be written."""
    if isinstance(e, ev.TicketIssued):
        t = e.ticket
        return [
            (
                s.insert_event,
                _history(
                    hall,
                    t,
                    "issued",
                    e.at,
                    {"source": t.source.value, "priority": t.priority.value},
                ),
            )
        ]
    if isinstance(e, ev.TicketCalled):
        return [(s.insert_event, _history(hall, e.ticket, "called", e.at, None))]
    if isinstance(e, ev.TicketRecalled):
        return [
            (
                s.insert_event,
                _history(hall, e.ticket, "recalled", e.at, {"recall": e.ticket.recalls}),
            )
        ]
    if isinstance(e, ev.TicketNoShow):
        return [
            (
                s.insert_event,
                _history(
                    hall, e.ticket, "no_show", e.at, {"by": "close_of_day"} if e.by_system else None
                ),
            )
        ]
    if isinstance(e, ev.TicketTransferred):
        detail = {"from": e.from_department, "to": e.ticket.department}
        return [
            (
                s.insert_event,
                _history(hall, e.ticket, "transferred", e.at, detail, e.window, e.staff),
            )
        ]
    if isinstance(e, ev.TicketFinished):
        outcome = e.ticket.outcome.value if e.ticket.outcome else None
        finished: dict[str, Any] = (
            {"outcome": outcome, "by": "close_of_day"} if e.by_system else {"outcome": outcome}
        )
        if e.ticket.missing_materials:
            finished["missing"] = e.ticket.missing_materials
        return [(s.insert_event, _history(hall, e.ticket, "finished", e.at, finished))]
    if isinstance(e, ev.ClerkOnDuty):
        return [
            (
                s.insert_session,
                {
                    "hall_id": hall,
                    "staff": e.staff,
                    "window": e.window,
                    "post": e.post,
                    "login_at": e.at,
                    "logout_at": None,
                },
            )
        ]
    if isinstance(e, ev.ClerkOffDuty):
        return [
            (s.end_session, {"k_hall": hall, "k_window": e.window, "k_staff": e.staff, "at": e.at})
        ]
    if isinstance(e, ev.PauseStarted):
        return [
            (
                s.insert_pause,
                {
                    "hall_id": hall,
                    "window": e.window,
                    "staff": e.staff,
                    "reason": e.reason,
                    "started_at": e.at,
                    "ended_at": None,
                },
            )
        ]
    if isinstance(e, ev.PauseEnded):
        return [(s.end_pause, {"k_hall": hall, "k_window": e.window, "at": e.at})]
    if isinstance(e, ev.RatingRecorded):
        return [
            (
                s.insert_rating,
                {
                    "hall_id": hall,
                    "ticket_id": e.ticket_id,
                    "window": e.window,
                    "staff": e.staff,
                    "score": e.score,
                    "scale": e.scale,
                    "reasons": list(e.reasons) or None,
                    "pad": e.pad,
                    "rated_at": e.at,
                    "channel": e.channel,
                },
            )
        ]
    if isinstance(e, ev.CaseOpened):
        return [
            (
                s.insert_case,
                {
                    "hall_id": hall,
                    "ticket_id": e.ticket_id,
                    "number": e.number,
                    "department": e.department,
                    "matter": e.matter,
                    "window": e.window,
                    "staff": e.staff,
                    "score": e.score,
                    "scale": e.scale,
                    "opened_at": e.at,
                    "due_on": e.due_on,
                },
            )
        ]
    if isinstance(e, ev.AppointmentBooked):
        row: dict[str, Any] = {
            "hall_id": hall,
            "code": e.code,
            "department": e.department,
            "matter": e.matter,
            "booked_at": e.booked_at,
            "phone": e.phone,
            "lang": e.lang,
            "created_at": e.at,
            "ticket_id": None,
            "remote": e.remote,
            "token": e.token,
            "id_hash": e.id_hash,
        }
        return [(s.insert_appointment, row)]
    if isinstance(e, ev.PickupCodeIssued):
        row = {
            "hall_id": hall,
            "code": e.code,
            "ticket_id": e.ticket_id,
            "department": e.department,
            "matter": e.matter,
            "number": e.number,
            "service_date": e.service_date,
            "issued_at": e.at,
            "id_hash": e.id_hash,
            "pickup_ticket_id": None,
            "collected_at": None,
        }
        return [(s.insert_pickup_code, row)]
    if isinstance(e, ev.PickupTaken):
        return [
            (s.pickup_taken, {"k_hall": hall, "k_code": e.code, "pickup_ticket_id": e.ticket_id})
        ]
    if isinstance(e, ev.PickupCollected):
        return [(s.pickup_collected, {"k_hall": hall, "k_code": e.code, "collected_at": e.at})]
    if isinstance(e, ev.AppointmentCheckedIn):
        return [(s.check_in, {"k_hall": hall, "k_code": e.code, "ticket_id": e.ticket_id})]
    if isinstance(e, ev.PinRefused):
        row = {
            "hall_id": hall,
            "staff": e.staff,
            "failures": e.failures,
            "last_failed_at": e.at,
            "locked_until": e.locked_until,
        }
        return [(s.upsert_pin, row)]
    if isinstance(e, ev.PinFailuresCleared):
        return [(s.clear_pin, {"k_hall": hall, "k_staff": e.staff})]
    if isinstance(e, ev.DayClosed):
        return [
            (
                insert_closed_day,
                {"hall_id": hall, "service_date": e.day, "closed_at": e.at, "summary": e.summary},
            )
        ]
    return []


def _run_grouped(c, ops: list[tuple[Any, dict]]) -> None:
    """Run the ops in order, consecutive runs of one statement as one executemany."""
    i = 0
    while i < len(ops):
        stmt = ops[i][0]
        j = i
        while j < len(ops) and ops[j][0] is stmt:
            j += 1
        c.execute(stmt, [params for _, params in ops[i:j]])
        i = j
