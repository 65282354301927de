"""The web part's tables (SQLAlchemy Core): dashboard users and server-side sessions."""

from __future__ import annotations

from sqlalchemy import (
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
