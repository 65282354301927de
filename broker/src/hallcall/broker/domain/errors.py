"""Refusals of the queue rules, each with the error code the MQTT contract names."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # Only for the annotation: events imports model, which imports this module.
    from hallcall.broker.domain.events import Event


class QueueError(Exception):
    """A command the rules refuse. `code` is one of the contract's error codes."""

    code = "conflict"

    def __init__(
        self,
        message: str,
        code: str | None = None,
        events: Iterable[Event] | None = None,
        detail: dict[str, Any] | None = None,
    ):
        super().__init__(message)
        self.message = message
        #: What a device needs to word the refusal itself (the reply's `error.detail`), if anything.
        self.detail = detail
        if code is not None:
            self.code = code
        #: What the refusal itself must keep (a wrong PIN counts toward the lock-out); usually none.
        self.events = list(events or [])


class Invalid(QueueError):
    code = "invalid"


class NotFound(QueueError):
    code = "not_found"


class Forbidden(QueueError):
    code = "forbidden"


class Conflict(QueueError):
    code = "conflict"


class Empty(QueueError):
    code = "empty"


class UnknownToken(QueueError):
    """No ticket of the hall has this status token (a mistyped or made-up QR link)."""

    code = "unknown_token"


class Closed(QueueError):
    code = "closed"


class Locked(QueueError):
    """A staff id locked after too many wrong PINs, until `locked_until`."""

    code = "locked"
