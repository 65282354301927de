"""The upload outbox (`upload_outbox`): records for the higher platform, kept until accepted.

A record is inserted in the transaction of the rating or case step it records (the queue
broker's batch, the default ratings, `CaseBook`), so a kill -9 never loses one nor keeps one
without its rating. Every writer takes `OUTBOX_LOCK` first on PostgreSQL, so the rows' ids
follow the commit order there as they do on SQLite (one writer at a time): the sender, which
sends strictly by id, never meets a smaller id committed after a larger one it already sent.
`Outbox` is what the sender and `hallcall upload` read and change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, text, update

from hallcall.broker.domain.upload import UploadRecord
from hallcall.broker.storage.orm import UploadRow, table_of

OB = table_of(UploadRow)
#: The transaction-level advisory lock of PostgreSQL that orders the outbox writers.
OUTBOX_LOCK_KEY = 6_854_326_972
OUTBOX_LOCK_SQL = f"SELECT pg_advisory_xact_lock({OUTBOX_LOCK_KEY})"
INSERT = insert(OB)
#: `last_error` is cut to the column's size.
ERROR_CHARS = 500


def outbox_values(r: UploadRecord) -> dict[str, Any]:
    """The row of a new record (pending, never tried)."""
    return {
        "hall_id": r.hall_id,
        "record_id": r.record_id,
        "kind": r.kind,
        "payload": r.payload,
        "created_at": r.at,
        "status": "pending",
        "attempts": 0,
        "last_attempt_at": None,
        "last_error": None,
        "sent_at": None,
    }


def add_records(c: Connection, records: list[UploadRecord]) -> None:
    """Insert `records` in the caller's transaction (after taking the outbox's order lock)."""
    if not records:
        return
    if c.dialect.name == "postgresql":
        c.execute(text(OUTBOX_LOCK_SQL))
    c.execute(INSERT, [outbox_values(r) for r in records])


@dataclass(frozen=True)
class Pending:
    id: int
    record_id: str
    kind: str
    payload: dict[str, Any]
    created_at: datetime
    attempts: int
    last_error: str | None


@dataclass(frozen=True)
class OutboxStatus:
    pending: int
    sent: int
    failed: int
    oldest_pending: Pending | None
    failures: list[tuple[int, str, str | None]]  # (id, record_id, reason) of the failed ones


class Outbox:
    """One hall's outbox."""

    def __init__(self, engine: Engine, hall_id: str):
        self.engine, self.hall_id = engine, hall_id

    def _pending(self, c: Connection) -> Pending | None:
        row = c.execute(
            select(
                OB.c.id,
                OB.c.record_id,
                OB.c.kind,
                OB.c.payload,
                OB.c.created_at,
                OB.c.attempts,
                OB.c.last_error,
            )
            .where(OB.c.hall_id == self.hall_id, OB.c.status == "pending")
            .order_by(OB.c.id)
            .limit(1)
        ).first()
        return Pending(**row._asdict()) if row is not None else None

    def next_pending(self) -> Pending | None:
        """The oldest record not yet accepted nor refused: the only one that may be sent now."""
        with self.engine.connect() as c:
            return self._pending(c)

    def _set(self, record: int, **values: Any) -> None:
        with self.engine.begin() as c:
            c.execute(
                update(OB).where(OB.c.id == record, OB.c.hall_id == self.hall_id).values(values)
            )

    def mark_sent(self, record: int, at: datetime) -> None:
        self._set(record, status="sent", sent_at=at, last_attempt_at=at, attempts=OB.c.attempts + 1)

    def note_failure(self, record: int, error: str, at: datetime) -> None:
        """An attempt that will be tried again (connection error, timeout, 5xx, 429)."""
        self._set(
            record,
            last_error=error[:ERROR_CHARS],
            last_attempt_at=at,
            attempts=OB.c.attempts + 1,
        )

    def mark_failed(self, record: int, reason: str, at: datetime) -> None:
        """Refused for good by the platform (a 4xx): not tried again until `retry`."""
        self._set(
            record,
            status="failed",
            last_error=reason[:ERROR_CHARS],
            last_attempt_at=at,
            attempts=OB.c.attempts + 1,
        )

    def retry(self, record: int | None = None) -> int:
        """Put the failed records (or one of them) back in line; how many."""
        with self.engine.begin() as c:
            q = update(OB).where(OB.c.hall_id == self.hall_id, OB.c.status == "failed")
            if record is not None:
                q = q.where(OB.c.id == record)
            return c.execute(q.values(status="pending")).rowcount

    def status(self) -> OutboxStatus:
        with self.engine.connect() as c:
            counts: dict[str, int] = dict(
                c.execute(
                    select(OB.c.status, func.count())
                    .where(OB.c.hall_id == self.hall_id)
                    .group_by(OB.c.status)
                ).all()
            )
            failures: list[tuple[int, str, str | None]] = [
                (r.id, r.record_id, r.last_error)
                for r in c.execute(
                    select(OB.c.id, OB.c.record_id, OB.c.last_error)
                    .where(OB.c.hall_id == self.hall_id, OB.c.status == "failed")
                    .order_by(OB.c.id)
                )
            ]
            return OutboxStatus(
                counts.get("pending", 0),
                counts.get("sent", 0),
                counts.get("failed", 0),
                self._pending(c),
                failures,
            )
