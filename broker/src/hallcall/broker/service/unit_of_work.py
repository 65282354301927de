"""The port between the queue broker and its system of record.

The broker keeps each hall's open day in memory (`HallDay`) and writes behind: the commands
that arrive together are applied in order and their effects committed here in ONE transaction
(group commit: one fsync for the batch). Replies and state go out only after `commit` returns,
so a ticket that was answered survives a power cut. `load` rebuilds a hall after a restart.

`SqlUnitOfWork` (storage) is the real one; `FakeUnitOfWork` below subclasses the same port
for the service's wiring tests.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from hallcall.broker.domain import events as ev
from hallcall.broker.domain.hall import HallSnapshot
from hallcall.broker.domain.model import Ticket, WindowState
from hallcall.broker.domain.upload import UploadRecord
from hallcall.config.schema import HallConfig

RequestKey = tuple[str, str, str]  # device kind, device id, request_id


@dataclass(frozen=True)
class StoredReply:
    """A command's answer, kept so that a repeat with the same request_id gets it again."""

    kind: str
    device: str
    request_id: str
    op: str
    reply: dict[str, Any]
    at: datetime


@dataclass(frozen=True)
class AuditEntry:
    """An admin command as the audit table keeps it: the person, the arguments, the outcome."""

    kind: str
    device: str
    actor: str | None
    op: str
    request_id: str
    arguments: dict[str, Any]
    outcome: str  # "ok" or the refusal's error code
    at: datetime


@dataclass
class HallBatch:
    """Everything one batch changed in one hall."""

    hall_id: str
    seq: int
    events: list[ev.Event] = field(default_factory=list)
    windows: list[WindowState] = field(default_factory=list)  # final state of those touched
    replies: list[StoredReply] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)
    #: Records for the higher platform's outbox (`[upload]`), written in the same transaction.
    uploads: list[UploadRecord] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.events or self.windows or self.replies or self.audit or self.uploads)


class CommitFailed(Exception):
    """The batch was not written: nothing of it happened, so every command may be retried."""


class UnitOfWork(ABC):
    @abstractmethod
    def load(self, config: HallConfig, now: datetime) -> HallSnapshot:
        """The hall's open state (creating its rows on first start)."""

    @abstractmethod
    def request_keys(self, hall_id: str, since: datetime) -> set[RequestKey]:
        """The request ids answered since `since`, so a repeat is known without a read."""

    @abstractmethod
    def stored_reply(self, hall_id: str, key: RequestKey) -> dict[str, Any] | None:
        """The reply kept for a request id, or None."""

    @abstractmethod
    def ticket_by_token(self, hall_id: str, token: str) -> Ticket | None:
        """The kept ticket with this status token (for one the hall no longer holds), or None."""

    @abstractmethod
    def commit(self, batches: list[HallBatch]) -> None:
        """Write every batch in one transaction; raise CommitFailed and write nothing on error."""

    def record_default_ratings(self, config: HallConfig, now: datetime) -> int:
        """Where the hall file says so (`[rectification] default_rating_after_days`), record
        each ticket served but not rated within that many days as the hall's `default_level`
        (channel "default"); how many were recorded. Run at each day's start."""
        return 0

    def purge_id_hashes(self, config: HallConfig, keep_from: date) -> int:
        """Set to NULL every stored ID card hash (issue #15) of an appointment booked for, or a
        ticket of, a day before `keep_from` (the hall's `[idcard] retention_days`); how many
        rows. Run at each day's start."""
        return 0


class FakeUnitOfWork(UnitOfWork):
    """Keeps what was committed in memory; `fail_next` makes the next commit fail."""

    def __init__(self) -> None:
        self.committed: list[HallBatch] = []
        self.replies: dict[tuple[str, RequestKey], dict[str, Any]] = {}
        self.seq: dict[str, int] = {}
        self.fail_next = False

    def load(self, config: HallConfig, now: datetime) -> HallSnapshot:
        return HallSnapshot(seq=self.seq.get(config.hall.id, 0))

    def request_keys(self, hall_id: str, since: datetime) -> set[RequestKey]:
        return {key for (hall, key) in self.replies if hall == hall_id}

    def stored_reply(self, hall_id: str, key: RequestKey) -> dict[str, Any] | None:
        return self.replies.get((hall_id, key))

    def ticket_by_token(self, hall_id: str, token: str) -> Ticket | None:
        for b in self.committed:
            if b.hall_id == hall_id:
                for e in b.events:
                    if isinstance(e, ev.TicketIssued) and e.ticket.token == token:
                        return e.ticket
        return None

    def commit(self, batches: list[HallBatch]) -> None:
        if self.fail_next:
            self.fail_next = False
            raise CommitFailed("the fake was told to fail")
        for b in batches:
            self.committed.append(b)
            self.seq[b.hall_id] = b.seq
            for r in b.replies:
                self.replies[(b.hall_id, (r.kind, r.device, r.request_id))] = r.reply
