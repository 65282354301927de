"""Payload models of the contract.

Readers ignore unknown fields (the contract grows compatibly), so models allow extra keys;
required fields, types, sizes and enumerations are checked. A command that fails here gets an
`invalid` reply and changes nothing.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Annotated, Any, Literal, Union

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from hallcall.protocol.topics import ID_PATTERN, MAX_PAYLOAD_BYTES

Identifier = Annotated[str, Field(pattern=f"^{ID_PATTERN}$")]
LocalText = dict[str, str]


class Payload(BaseModel):
    model_config = ConfigDict(extra="allow")


# --------------------------------------------------------------------------- commands


class Command(Payload):
    request_id: str = Field(min_length=1, max_length=64)
    op: str


class TicketIssue(Command):
    op: Literal["ticket.issue"]
    department: Identifier
    matter: Identifier | None = None
    priority: Literal["normal", "priority"] = "normal"
    lang: Literal["zh", "en"] | None = None


class AppointmentCheckin(Command):
    op: Literal["appointment.checkin"]
    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9+-]+$")


class WindowLogin(Command):
    op: Literal["window.login"]
    staff: Identifier
    post: Literal["A", "B"]


class WindowLogout(Command):
    op: Literal["window.logout"]


class CallNext(Command):
    op: Literal["call.next"]


class CallRecall(Command):
    op: Literal["call.recall"]


class TicketNoShow(Command):
    op: Literal["ticket.no_show"]


class TicketTransfer(Command):
    op: Literal["ticket.transfer"]
    department: Identifier
    matter: Identifier | None = None


class TicketFinish(Command):
    op: Literal["ticket.finish"]
    outcome: Literal["done", "returned", "needs_documents"]


class WindowPause(Command):
    op: Literal["window.pause"]
    reason: str = Field(min_length=1, max_length=200)


class WindowResume(Command):
    op: Literal["window.resume"]


class RatingSubmit(Command):
    op: Literal["rating.submit"]
    ticket_id: str = Field(min_length=1, max_length=40)
    score: int = Field(ge=1, le=5)
    #: Extension: reasons chosen on a low rating ("waited too long", ...).
    reasons: list[Annotated[str, Field(max_length=40)]] = Field(default=[], max_length=8)


class WindowAssign(Command):
    op: Literal["window.assign"]
    window: Identifier
    departments: list[Identifier] = Field(max_length=32)


class AppointmentBook(Command):
    """Extension (admin): book an appointment that a visitor later checks in at a kiosk."""

    op: Literal["appointment.book"]
    department: Identifier
    matter: Identifier | None = None
    booked_at: AwareDatetime
    #: Digits only: a visitor types it on the kiosk's numeric keypad (default: 6 random digits).
    code: str | None = Field(default=None, min_length=4, max_length=12, pattern=r"^[0-9]+$")
    phone: str | None = Field(default=None, max_length=32, pattern=r"^\+?[0-9-]{5,31}$")
    lang: Literal["zh", "en"] | None = None


class DayClose(Command):
    """Extension (admin): end the service day as the hall rules require."""

    op: Literal["day.close"]


AnyCommand = Annotated[
    Union[
        TicketIssue,
        AppointmentCheckin,
        WindowLogin,
        WindowLogout,
        CallNext,
        CallRecall,
        TicketNoShow,
        TicketTransfer,
        TicketFinish,
        WindowPause,
        WindowResume,
        RatingSubmit,
        WindowAssign,
        AppointmentBook,
        DayClose,
    ],
    Field(discriminator="op"),
]
COMMAND_ADAPTER: TypeAdapter[Command] = TypeAdapter(AnyCommand)

COMMAND_MODELS: dict[str, type[Command]] = {
    m.model_fields["op"].annotation.__args__[0]: m  # type: ignore[union-attr]
    for m in AnyCommand.__origin__.__args__  # type: ignore[attr-defined]
}

#: Which device kinds may send each op (the contract's "from" column).
OP_SENDERS: dict[str, frozenset[str]] = {
    "ticket.issue": frozenset({"kiosk"}),
    "appointment.checkin": frozenset({"kiosk"}),
    "window.login": frozenset({"window"}),
    "window.logout": frozenset({"window"}),
    "call.next": frozenset({"window"}),
    "call.recall": frozenset({"window"}),
    "ticket.no_show": frozenset({"window"}),
    "ticket.transfer": frozenset({"window"}),
    "ticket.finish": frozenset({"window"}),
    "window.pause": frozenset({"window"}),
    "window.resume": frozenset({"window"}),
    "rating.submit": frozenset({"rating"}),
    "window.assign": frozenset({"admin"}),
    "appointment.book": frozenset({"admin"}),
    "day.close": frozenset({"admin"}),
}


class BadPayload(Exception):
    """A payload that is not a valid command; `request_id` is kept when it could be read."""

    def __init__(self, message: str, request_id: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.request_id = request_id
        self.code = code


def parse_command(raw: bytes) -> Command:
    """Check size, JSON, request_id, op and arguments; raise BadPayload with a clear message."""
    if len(raw) > MAX_PAYLOAD_BYTES:
        raise BadPayload(f"payload is {len(raw)} bytes; the limit is {MAX_PAYLOAD_BYTES}")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadPayload("payload is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise BadPayload(f"payload is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise BadPayload("payload must be a JSON object")
    rid = data.get("request_id")
    request_id = rid if isinstance(rid, str) and 0 < len(rid) <= 64 else None
    if request_id is None:
        raise BadPayload("request_id must be a string of 1 to 64 characters")
    op = data.get("op")
    if not isinstance(op, str):
        raise BadPayload("op must be a string", request_id)
    if op not in COMMAND_MODELS:
        raise BadPayload(f"unknown op {op!r}", request_id, code="unknown_op")
    try:
        return COMMAND_ADAPTER.validate_python(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'][1:]) or 'payload'}: {e['msg']}"
            for e in exc.errors()
        )
        raise BadPayload(f"invalid {op}: {problems}", request_id) from None


# --------------------------------------------------------------------------- replies


class ErrorBody(BaseModel):
    code: str
    message: str


class Reply(Payload):
    request_id: str | None
    ok: bool
    data: dict[str, Any] | None = None
    error: ErrorBody | None = None


def ok_reply(request_id: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"request_id": request_id, "ok": True, "data": data or {}}


def error_reply(request_id: str | None, code: str, message: str) -> dict[str, Any]:
    return {"request_id": request_id, "ok": False, "error": {"code": code, "message": message}}


# --------------------------------------------------------------------------- views


class TicketView(Payload):
    id: str
    number: str
    department: str
    matter: str | None = None
    priority: Literal["normal", "priority"]
    source: Literal["walk_in", "appointment"]
    status: Literal["waiting", "called", "finished", "no_show"]
    lang: str
    issued_at: datetime
    waiting_ahead: int | None = None
    estimated_wait_s: int | None = None
    booked_at: datetime | None = None
    window: str | None = None
    window_number: int | None = None
    called_at: datetime | None = None
    recalls: int = 0
    recalls_left: int | None = None
    transfers: int = 0
    outcome: str | None = None
    finished_at: datetime | None = None
    #: The matter's service time limit, for the clerk's service timer.
    service_limit_s: int | None = None


class StaffView(Payload):
    id: str
    name: LocalText
    post: Literal["A", "B"]
    department: str
    contact: str | None = None
    photo: str | None = None


class LastFinished(Payload):
    ticket_id: str
    number: str
    finished_at: datetime
    outcome: str
    rated: bool


class Stamped(Payload):
    """Every state and event payload carries `seq`, which only grows across the hall."""

    seq: int


class WindowStateView(Stamped):
    window: str
    number: int
    flex: bool
    departments: list[str]
    status: Literal["closed", "open", "paused"]
    staff: StaffView | None = None
    pause_reason: str | None = None
    current: TicketView | None = None
    last_finished: LastFinished | None = None
    served_today: int = 0
    since: datetime | None = None


class QueueStateView(Stamped):
    department: str
    waiting: int
    priority_waiting: int
    estimated_wait_s: int
    last_called: str | None = None
    open_windows: int
    closed: bool = False


class CallView(Payload):
    ticket_id: str
    number: str
    department: str
    window: str
    window_number: int
    at: datetime
    recall: bool
    lang: str


class CallsStateView(Stamped):
    calls: list[CallView]


class CatalogView(Stamped):
    hall: dict[str, Any]
    departments: list[dict[str, Any]]
    windows: list[dict[str, Any]]
    devices: list[dict[str, Any]]


class ServerStatus(Payload):
    state: Literal["online", "offline"]
    version: str | None = None
    protocol: int | None = None
    hall: str | None = None
    started_at: datetime | None = None


class DeviceStatus(Payload):
    state: Literal["online", "offline", "lost"]


class EventView(Stamped):
    type: str
    at: datetime
    ticket: TicketView | None = None
    window: str | None = None
    window_number: int | None = None
    staff: str | None = None
    department: str | None = None
    from_department: str | None = None
    #: rating.requested / rating.recorded: the ticket to rate, the scale and how long to wait.
    ticket_id: str | None = None
    number: str | None = None
    scale: int | None = None
    timeout_s: int | None = None
    #: rating.recorded, only when the hall lets clerks see scores.
    score: int | None = None
    #: window.changed
    departments: list[str] | None = None
    replaced: str | None = None
    #: day.closed
    summary: dict[str, Any] | None = None


def iso(dt: datetime) -> str:
    """ISO 8601 UTC with Z, as the contract writes times."""
    return dt.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def dump(model: BaseModel) -> dict[str, Any]:
    """A JSON-ready dict (times as ISO 8601 UTC with Z)."""
    return model.model_dump(mode="json", exclude_none=False)


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
