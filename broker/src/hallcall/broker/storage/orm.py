"""The database tables. One database holds any number of halls: every table is keyed by hall.

Every ticket keeps its full history (`ticket_events`) so reports can be computed from it.
Ticket ids ("20261123-A012") are unique within a hall, so a ticket's key is (hall_id, id).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Id = String(32)


def hall_key() -> Mapped[str]:
    return mapped_column(Id, primary_key=True)


def hall_column() -> Mapped[str]:
    return mapped_column(Id)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every database (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use UTC-aware datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict: JSON, list: JSON}


def table_of(row: type[Base]) -> Table:
    """A mapping's table, for Core statements (SQLAlchemy types `__table__` as any FromClause)."""
    table = row.__table__
    assert isinstance(table, Table)  # every mapping here is a plain table
    return table


class HallRow(Base):
    """A hall this database holds, and its `seq`: the contract's ever-growing counter.

    Only one queue broker process serves a hall (it keeps the hall's day in memory); the row
    is written with every committed batch of its commands.
    """

    __tablename__ = "hall"
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime]


class CounterRow(Base):
    """The last number issued per department and service day (the daily reset keeps history)."""

    __tablename__ = "ticket_counters"
    hall_id: Mapped[str] = hall_key()
    department: Mapped[str] = mapped_column(Id, primary_key=True)
    service_date: Mapped[date] = mapped_column(Date, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)
    issued: Mapped[int] = mapped_column(Integer, default=0)


class TicketRow(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("hall_id", "original_department", "service_date", "seqno"),
        UniqueConstraint("hall_id", "service_date", "number"),
        Index("ix_tickets_queue", "hall_id", "service_date", "status", "department"),
        Index("ix_tickets_window_finished", "hall_id", "window", "finished_at"),
        Index("ix_tickets_department_finished", "hall_id", "department", "status", "finished_at"),
        Index("ux_tickets_token", "token", unique=True),
    )
    hall_id: Mapped[str] = hall_key()
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    service_date: Mapped[date] = mapped_column(Date)
    seqno: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(16))
    department: Mapped[str] = mapped_column(Id)
    original_department: Mapped[str] = mapped_column(Id)
    matter: Mapped[str | None] = mapped_column(Id)
    priority: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    appointment_code: Mapped[str | None] = mapped_column(String(32))
    booked_at: Mapped[datetime | None]
    lang: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[datetime]
    queued_at: Mapped[datetime]
    window: Mapped[str | None] = mapped_column(Id)
    staff: Mapped[str | None] = mapped_column(Id)
    post: Mapped[str | None] = mapped_column(String(1))
    called_at: Mapped[datetime | None]
    recalls: Mapped[int] = mapped_column(Integer, default=0)
    transfers: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(24))
    closed_by_system: Mapped[bool] = mapped_column(Boolean, default=False)
    #: For outcome needs_documents: the materials the visitor was told to bring, each {zh, en}
    #: as the matter's guide said them then (the one-time notification, 一次性告知).
    missing_materials: Mapped[list | None] = mapped_column(JSON, nullable=True)
    #: The unguessable status token its QR code carries (issue #14; every row has one since
    #: migration 0007, which gave the older rows theirs). Never published on MQTT but in the
    #: reply to the kiosk that took the ticket.
    token: Mapped[str | None] = mapped_column(String(32), nullable=True)
    #: The queue it waits in when not its department's: a matter group's id or "pickup"
    #: (general windows, migration 0013). Such a ticket's `seqno` is kept as
    #: `pickup_seqno(prefix, n)`, so it never meets its department's own numbers in the
    #: unique (original_department, service_date, seqno).
    queue: Mapped[str | None] = mapped_column(Id, nullable=True)
    #: A time-limited matter finished "done": its pickup code; a pickup ticket: the code it
    #: collects (`pickup_codes`).
    pickup_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    #: Taken with a resident ID card: the keyed hash of its number (issue #15, migration 0014),
    #: set to NULL `[idcard] retention_days` after its service day.
    id_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


def queue_seqno(prefix: str, seqno: int) -> int:
    """A ticket number's `seqno` column for a queue other than its department's: distinct per
    prefix (prefixes are distinct across a hall's queues), above any department's numbers."""
    code = 0
    for ch in prefix:
        code = code * 26 + (ord(ch) - ord("A") + 1)
    return (1 + code) * 100_000 + seqno


class PickupCodeRow(Base):
    """A pickup code (出件): given when a time-limited matter is finished "done", in the same
    transaction; used once, by the pickup ticket that collects the documents."""

    __tablename__ = "pickup_codes"
    __table_args__ = (
        ForeignKeyConstraint(["hall_id", "ticket_id"], ["tickets.hall_id", "tickets.id"]),
        Index("ix_pickup_codes_hall_collected", "hall_id", "collected_at"),
        Index("ix_pickup_codes_hall_id_hash", "hall_id", "id_hash"),
    )
    hall_id: Mapped[str] = hall_key()
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    ticket_id: Mapped[str] = mapped_column(String(40))
    department: Mapped[str] = mapped_column(Id)
    matter: Mapped[str | None] = mapped_column(Id)
    number: Mapped[str] = mapped_column(String(16))
    service_date: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime]
    #: The keyed hash of the ID card the ticket was taken with, if it was (collect by card).
    id_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    pickup_ticket_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    collected_at: Mapped[datetime | None]


class TicketEventRow(Base):
    """One step in a ticket's life: issued, called, recalled, transferred, finished, no_show."""

    __tablename__ = "ticket_events"
    __table_args__ = (
        ForeignKeyConstraint(["hall_id", "ticket_id"], ["tickets.hall_id", "tickets.id"]),
        Index("ix_ticket_events_ticket", "hall_id", "ticket_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hall_id: Mapped[str] = hall_column()
    ticket_id: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(24))
    department: Mapped[str] = mapped_column(Id)
    window: Mapped[str | None] = mapped_column(Id)
    staff: Mapped[str | None] = mapped_column(Id)
    detail: Mapped[dict | None]


class WindowRow(Base):
    __tablename__ = "windows"
    hall_id: Mapped[str] = hall_key()
    id: Mapped[str] = mapped_column(Id, primary_key=True)
    departments: Mapped[list]
    status: Mapped[str] = mapped_column(String(16))
    staff: Mapped[str | None] = mapped_column(Id)
    post: Mapped[str | None] = mapped_column(String(1))
    pause_reason: Mapped[str | None] = mapped_column(String(200))
    current_ticket: Mapped[str | None] = mapped_column(String(40))
    since: Mapped[datetime | None]


class StaffSessionRow(Base):
    """A clerk's time on duty at a window (attendance), from log-in to log-out."""

    __tablename__ = "staff_sessions"
    __table_args__ = (Index("ix_staff_sessions_hall_staff", "hall_id", "staff"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hall_id: Mapped[str] = hall_column()
    staff: Mapped[str] = mapped_column(Id)
    window: Mapped[str] = mapped_column(Id)
    post: Mapped[str] = mapped_column(String(1))
    login_at: Mapped[datetime]
    logout_at: Mapped[datetime | None]


class PauseRow(Base):
    __tablename__ = "window_pauses"
    __table_args__ = (Index("ix_window_pauses_hall_window", "hall_id", "window"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hall_id: Mapped[str] = hall_column()
    window: Mapped[str] = mapped_column(Id)
    staff: Mapped[str | None] = mapped_column(Id)
    reason: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


class RatingRow(Base):
    """A visitor's anonymous rating of one finished ticket: one per ticket."""

    __tablename__ = "ratings"
    __table_args__ = (
        ForeignKeyConstraint(["hall_id", "ticket_id"], ["tickets.hall_id", "tickets.id"]),
        Index("ix_ratings_hall_staff", "hall_id", "staff"),
    )
    hall_id: Mapped[str] = hall_key()
    ticket_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    window: Mapped[str] = mapped_column(Id)
    staff: Mapped[str | None] = mapped_column(Id)
    score: Mapped[int] = mapped_column(Integer)
    scale: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[list | None]
    #: The device that sent it: the rating pad, or the web part (channel "web").
    pad: Mapped[str] = mapped_column(Id)
    rated_at: Mapped[datetime]
    #: Where the visitor rated: "pad" or "web" (the ticket's phone page, issue #14).
    channel: Mapped[str] = mapped_column(String(8), default="pad", server_default="pad")


class CaseRow(Base):
    """A rectification case (差评整改) opened by a bad rating: one per rated ticket, due in the
    hall's working days; closed after a callback (回访) and a fix, or an upheld appeal (申诉)."""

    __tablename__ = "rectification_cases"
    __table_args__ = (
        ForeignKeyConstraint(["hall_id", "ticket_id"], ["tickets.hall_id", "tickets.id"]),
        Index("ux_rectification_cases_ticket", "hall_id", "ticket_id", unique=True),
        Index("ix_rectification_cases_hall_opened", "hall_id", "opened_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hall_id: Mapped[str] = hall_column()
    ticket_id: Mapped[str] = mapped_column(String(40))
    number: Mapped[str | None] = mapped_column(String(16))
    department: Mapped[str | None] = mapped_column(Id)
    matter: Mapped[str | None] = mapped_column(Id)
    window: Mapped[str] = mapped_column(Id)
    staff: Mapped[str | None] = mapped_column(Id)
    score: Mapped[int] = mapped_column(Integer)
    scale: Mapped[int] = mapped_column(Integer)
    opened_at: Mapped[datetime]
    due_on: Mapped[date] = mapped_column(Date)
    callback_by: Mapped[str | None] = mapped_column(String(80))
    callback_at: Mapped[datetime | None]
    callback_outcome: Mapped[str | None] = mapped_column(String(2000))
    fix: Mapped[str | None] = mapped_column(String(2000))
    fixed_at: Mapped[datetime | None]
    appeal_reason: Mapped[str | None] = mapped_column(String(2000))
    appealed_at: Mapped[datetime | None]
    #: "upheld" (the rating was mistaken or malicious) or "rejected", by `appeal_decided_by`.
    appeal_decision: Mapped[str | None] = mapped_column(String(8))
    appeal_decided_by: Mapped[str | None] = mapped_column(String(80))
    appeal_decision_reason: Mapped[str | None] = mapped_column(String(2000))
    appeal_decided_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(80))


class AppointmentRow(Base):
    __tablename__ = "appointments"
    __table_args__ = (
        ForeignKeyConstraint(["hall_id", "ticket_id"], ["tickets.hall_id", "tickets.id"]),
        Index("ix_appointments_hall_phone", "hall_id", "phone"),
        Index("ux_appointments_token", "token", unique=True),
    )
    hall_id: Mapped[str] = hall_key()
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    department: Mapped[str] = mapped_column(Id)
    matter: Mapped[str | None] = mapped_column(Id)
    booked_at: Mapped[datetime]
    phone: Mapped[str | None] = mapped_column(String(32))
    lang: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime]
    ticket_id: Mapped[str | None] = mapped_column(String(40))
    #: A remote ticket (issue #14) that joins the queue on check-in, booked when it was taken;
    #: `token` is its phone page's status token (the ticket issued at check-in takes it).
    remote: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    token: Mapped[str | None] = mapped_column(String(32), nullable=True)
    #: Booked with a resident ID card (issue #15, migration 0014): the keyed hash of its number,
    #: never the number; set to NULL `[idcard] retention_days` after its booked day.
    id_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class CommandRow(Base):
    """Every answered command, so a repeat with the same request_id gets the same reply."""

    __tablename__ = "commands"
    __table_args__ = (Index("ix_commands_hall_at", "hall_id", "at"),)
    hall_id: Mapped[str] = hall_key()
    device_kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    device_id: Mapped[str] = mapped_column(Id, primary_key=True)
    request_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    op: Mapped[str] = mapped_column(String(40))
    reply: Mapped[dict]
    at: Mapped[datetime]


class AuditRow(Base):
    """An admin command: who (the person named to the admin tool), from where, what, and how it went."""

    __tablename__ = "audit"
    __table_args__ = (Index("ix_audit_hall_at", "hall_id", "at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hall_id: Mapped[str] = hall_column()
    at: Mapped[datetime]
    device_kind: Mapped[str] = mapped_column(String(16))
    device_id: Mapped[str] = mapped_column(Id)
    actor: Mapped[str | None] = mapped_column(String(64))
    op: Mapped[str] = mapped_column(String(40))
    request_id: Mapped[str] = mapped_column(String(64))
    arguments: Mapped[dict]
    outcome: Mapped[str] = mapped_column(String(24))


class PinFailureRow(Base):
    """Wrong PINs in a row for a staff id and its lock, so a restart does not lift the lock."""

    __tablename__ = "pin_failures"
    hall_id: Mapped[str] = hall_key()
    staff: Mapped[str] = mapped_column(Id, primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failed_at: Mapped[datetime]
    locked_until: Mapped[datetime | None]


class ClosedDayRow(Base):
    __tablename__ = "closed_days"
    hall_id: Mapped[str] = hall_key()
    service_date: Mapped[date] = mapped_column(Date, primary_key=True)
    closed_at: Mapped[datetime]
    summary: Mapped[dict | None]


class ComplaintRow(Base):
    """A complaint against a window, clerk or ticket; answered within five working days."""

    __tablename__ = "complaints"
    __table_args__ = (Index("ix_complaints_hall_received", "hall_id", "received_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hall_id: Mapped[str] = hall_column()
    received_at: Mapped[datetime]
    channel: Mapped[str] = mapped_column(String(24))
    window: Mapped[str | None] = mapped_column(Id)
    staff: Mapped[str | None] = mapped_column(Id, index=True)
    ticket_id: Mapped[str | None] = mapped_column(String(40))
    department: Mapped[str | None] = mapped_column(Id)
    text: Mapped[str] = mapped_column(String(2000))
    due_on: Mapped[date] = mapped_column(Date)
    answered_at: Mapped[datetime | None]
    answer: Mapped[str | None] = mapped_column(String(2000))


class UploadRow(Base):
    """The outbox of records for the higher (provincial) platform (`domain.upload`), written in
    the transaction of the rating or case step they record; sent strictly in `id` order."""

    __tablename__ = "upload_outbox"
    __table_args__ = (
        Index("ux_upload_outbox_record", "hall_id", "record_id", unique=True),
        Index("ix_upload_outbox_hall_status", "hall_id", "status", "id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hall_id: Mapped[str] = hall_column()
    #: The record's stable key: its `Idempotency-Key` on every attempt.
    record_id: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict]
    created_at: Mapped[datetime]
    #: "pending", "sent" (accepted by the platform) or "failed" (refused for good).
    status: Mapped[str] = mapped_column(String(8), default="pending", server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None]
