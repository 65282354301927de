"""Dashboard users (argon2id password hashes) and their server-side sessions.

A session cookie holds 32 random bytes; the database keeps only their SHA-256, with the
session's CSRF token, when it was made and when it was last used. A session ends at logout,
after `idle` without use or `lifetime` after login, and when its user's password changes or the
user is removed.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, func, insert, select, update

from hallcall.web.storage.tables import sessions, users

ROLES = ("manager", "department_head")
MIN_PASSWORD = 10
#: A hash to verify against when the user does not exist, so a wrong name takes as long as a
#: wrong password (no telling which names exist by the time an answer takes).
_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("not a password: there is no such user")


class UserError(ValueError):
    """A user that cannot be added or changed as asked (the message says why)."""


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str
    department: str | None

    @property
    def is_manager(self) -> bool:
        return self.role == "manager"

    def sees(self, department: str | None) -> bool:
        """May this user see what belongs to `department` (None: the whole hall's things)?"""
        return self.is_manager or (department is not None and department == self.department)


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str
    created_at: datetime


def _digest(cookie: str) -> str:
    return hashlib.sha256(cookie.encode("utf-8")).hexdigest()


def _aware(dt: datetime) -> datetime:
    """SQLite hands back naive datetimes: they were written in UTC."""
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


class UserStore:
    def __init__(
        self,
        engine: Engine,
        *,
        idle: timedelta = timedelta(hours=2),
        lifetime: timedelta = timedelta(hours=12),
    ):
        self.engine = engine
        self.idle, self.lifetime = idle, lifetime
        self.hasher = _HASHER

    # ------------------------------------------------------------------ users
    def add(
        self,
        username: str,
        password: str,
        role: str,
        department: str | None = None,
        now: datetime | None = None,
    ) -> User:
        username = username.strip()
        if not username or len(username) > 64 or any(c.isspace() for c in username):
            raise UserError("a user name is 1-64 characters without spaces")
        self._check(role, department)
        _check_password(password)
        now = now or datetime.now(UTC)
        with self.engine.begin() as conn:
            if conn.execute(select(users.c.id).where(users.c.username == username)).first():
                raise UserError(f"user {username!r} exists already")
            result = conn.execute(
                insert(users).values(
                    username=username,
                    password_hash=self.hasher.hash(password),
                    role=role,
                    department=department if role == "department_head" else None,
                    created_at=now,
                    password_changed_at=now,
                )
            )
            (user_id,) = result.inserted_primary_key or (None,)
        assert user_id is not None
        return User(user_id, username, role, department if role == "department_head" else None)

    def set_password(self, username: str, password: str, now: datetime | None = None) -> None:
        """A new password; every session of the user ends."""
        _check_password(password)
        now = now or datetime.now(UTC)
        with self.engine.begin() as conn:
            user_id = self._id(conn, username)
            conn.execute(
                update(users)
                .where(users.c.id == user_id)
                .values(password_hash=self.hasher.hash(password), password_changed_at=now)
            )
            conn.execute(delete(sessions).where(sessions.c.user_id == user_id))

    def remove(self, username: str) -> None:
        with self.engine.begin() as conn:
            user_id = self._id(conn, username)
            conn.execute(delete(sessions).where(sessions.c.user_id == user_id))
            conn.execute(delete(users).where(users.c.id == user_id))

    def list(self) -> list[User]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(users).order_by(users.c.username)).mappings().all()
        return [User(r["id"], r["username"], r["role"], r["department"]) for r in rows]

    def count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(users)).scalar_one()

    def authenticate(self, username: str, password: str) -> User | None:
        """The user if the password is theirs, else None (as slow either way)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.username == username)).mappings().first()
        stored = row["password_hash"] if row else _DUMMY_HASH
        try:
            self.hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        if self.hasher.check_needs_rehash(stored):
            with self.engine.begin() as conn:
                conn.execute(
                    update(users)
                    .where(users.c.id == row["id"])
                    .values(password_hash=self.hasher.hash(password))
                )
        return User(row["id"], row["username"], row["role"], row["department"])

    # ------------------------------------------------------------------ sessions
    def open_session(
        self, user: User, now: datetime | None = None, address: str | None = None
    ) -> tuple[str, Session]:
        """A new session: (the cookie's value, the session). The cookie is shown only here."""
        now = now or datetime.now(UTC)
        cookie = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            conn.execute(
                insert(sessions).values(
                    id=_digest(cookie),
                    user_id=user.id,
                    csrf=csrf,
                    created_at=now,
                    last_seen_at=now,
                    address=(address or "")[:64] or None,
                )
            )
        return cookie, Session(user, csrf, now)

    def session(self, cookie: str | None, now: datetime | None = None) -> Session | None:
        """The live session of a cookie (its last use moves to `now`), or None."""
        if not cookie or len(cookie) > 128:
            return None
        now = now or datetime.now(UTC)
        key = _digest(cookie)
        with self.engine.begin() as conn:
            row = (
                conn.execute(
                    select(sessions, users.c.username, users.c.role, users.c.department)
                    .join(users, users.c.id == sessions.c.user_id)
                    .where(sessions.c.id == key)
                )
                .mappings()
                .first()
            )
            if row is None:
                return None
            created, seen = _aware(row["created_at"]), _aware(row["last_seen_at"])
            if now - seen > self.idle or now - created > self.lifetime:
                conn.execute(delete(sessions).where(sessions.c.id == key))
                return None
            if now - seen > timedelta(seconds=60):  # one write a minute, not one per request
                conn.execute(update(sessions).where(sessions.c.id == key).values(last_seen_at=now))
        user = User(row["user_id"], row["username"], row["role"], row["department"])
        return Session(user, row["csrf"], created)

    def close_session(self, cookie: str | None) -> None:
        if cookie:
            with self.engine.begin() as conn:
                conn.execute(delete(sessions).where(sessions.c.id == _digest(cookie)))

    def purge(self, now: datetime | None = None) -> int:
        """Remove ended sessions; how many went."""
        now = now or datetime.now(UTC)
        with self.engine.begin() as conn:
            result = conn.execute(
                delete(sessions).where(
                    (sessions.c.last_seen_at < now - self.idle)
                    | (sessions.c.created_at < now - self.lifetime)
                )
            )
        return result.rowcount

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _check(role: str, department: str | None) -> None:
        if role not in ROLES:
            raise UserError(f"role must be one of: {', '.join(ROLES)}")
        if role == "department_head" and not department:
            raise UserError("a department head needs --department")

    @staticmethod
    def _id(conn, username: str) -> int:
        user_id = conn.execute(select(users.c.id).where(users.c.username == username)).scalar()
        if user_id is None:
            raise UserError(f"no user {username!r}")
        return user_id


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > 1024:
        raise UserError("a password of more than 1024 characters is refused")
