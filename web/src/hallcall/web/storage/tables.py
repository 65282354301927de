"""The web part's tables (SQLAlchemy Core): dashboard users and server-side sessions; the
visitors' contacts and the notifications waiting to be sent to them."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
)

metadata = MetaData()

#: A person who may open the dashboard. `role` is "manager" (the whole hall) or
#: "department_head" (`department` only). Only the argon2id hash of the password is kept.
users = Table(
    "web_users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(32), nullable=False),
    Column("department", String(32), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("password_changed_at", DateTime(timezone=True), nullable=False),
)

#: A logged-in browser. `id` is the SHA-256 of the cookie's random value, so the database
#: never holds a usable session; `csrf` is the token every POST of that session must carry.
sessions = Table(
    "web_sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column(
        "user_id",
        Integer,
        ForeignKey("web_users.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("csrf", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("address", String(64), nullable=True),
    Index("ix_web_sessions_user", "user_id"),
)

#: A visitor who asked to be told when their turn is near (phone page). Kept on the web box
#: only, never sent on MQTT; deleted at `purge_after` (the ticket's end + the retention).
contacts = Table(
    "web_contacts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token", String(64), nullable=False, unique=True),
    Column("ticket_id", String(64), nullable=False),
    Column("number", String(16), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("address", String(320), nullable=False),
    Column("lang", String(8), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("near_sent", Boolean, nullable=False, default=False),
    Column("called_sent", Boolean, nullable=False, default=False),
    Column("ended", Boolean, nullable=False, default=False),
    Column("purge_after", DateTime(timezone=True), nullable=True),
)

#: What is to be sent (the durable outbox): tried again with growing pauses until it goes or
#: its attempts run out. An alarm has no contact: its `url` is the hall's alarm channel.
notifications = Table(
    "web_notifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("contact_id", Integer, ForeignKey("web_contacts.id", ondelete="CASCADE")),
    Column("kind", String(32), nullable=False),
    Column("url", String(1024), nullable=False),
    Column("title", String(200), nullable=False),
    Column("body", String(2000), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_try_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    Column("failed_at", DateTime(timezone=True), nullable=True),
    Column("last_error", String(200), nullable=True),
    Index("ix_web_notifications_due", "sent_at", "failed_at", "next_try_at"),
)

#: Remote tickets taken per phone and day (the daily cap per phone). Only a keyed hash of the
#: number is kept (`phone` = HMAC-SHA256 with `web_secrets.remote_phone_key`), for its day.
remote_phones = Table(
    "web_remote_phones",
    metadata,
    Column("day", String(10), primary_key=True),
    Column("phone", String(64), primary_key=True),
    Column("taken", Integer, nullable=False),
)

#: Keys the web part makes once and keeps (the phone-hash key).
secrets = Table(
    "web_secrets",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(128), nullable=False),
)
