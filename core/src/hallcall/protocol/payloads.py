"""Payload models of the contract.

Readers ignore unknown fields (the contract grows compatibly), so models allow extra keys;
required fields, types, sizes and enumerations are checked. A command that fails here gets an
`invalid` reply and changes nothing.

Commands come from devices, so they are checked hard (issue #11): size, nesting depth and
number size are bounded before anything else reads the payload; every argument is checked in
pydantic's strict mode (`true` is no score, a number no time); free text is cleaned of
control characters; and no refusal echoes the input or an exception's text.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from hallcall.protocol.idnumber import ID_HASH_PATTERN, valid_id_number
from hallcall.protocol.topics import DEVICE_KINDS, ID_PATTERN, MAX_PAYLOAD_BYTES

#: Bounds checked before a command is parsed: deeper JSON or longer integers are refused.
MAX_DEPTH = 16
MAX_INT_DIGITS = 15

Identifier = Annotated[str, Field(pattern=f"^{ID_PATTERN}$")]
#: The languages a hall speaks to its visitors in.
Language = Literal["zh", "en"]
LocalText = dict[str, str]


def _clean(text: str, max_length: int) -> str:
    """Drop control, format and surrogate characters (tabs and line breaks become spaces)."""
    kept = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat[0] == "C" or cat in ("Zl", "Zp"):
            if ch.isspace():
                kept.append(" ")
        else:
            kept.append(ch)
    cleaned = "".join(kept).strip()
    if not cleaned:
        raise PydanticCustomError("text_empty", "Text should have at least 1 printable character")
    if len(cleaned) > max_length:
        message = "Text should have at most {max_length} characters"
        raise PydanticCustomError("text_too_long", message, {"max_length": max_length})
    return cleaned


def _cleaned(max_length: int) -> AfterValidator:
    """Cleans free text with `_clean`; the Field beside it gives the schema the same bounds."""
    return AfterValidator(lambda text: _clean(text, max_length))


#: Free text as shown on screens and stored: 1 to N printable characters (one alias per N, as a
#: type is no call). The Field is for the schema; `_clean` already checked.
CleanText40 = Annotated[str, _cleaned(40), Field(min_length=1, max_length=40)]
CleanText64 = Annotated[str, _cleaned(64), Field(min_length=1, max_length=64)]
CleanText200 = Annotated[str, _cleaned(200), Field(min_length=1, max_length=200)]


def _printable_id(value: str) -> str:
    if not value.isprintable():
        raise PydanticCustomError("request_id", "request_id should be printable characters only")
    return value


#: Echoed in every reply so a device can match it: printable, so every reply can be encoded.
RequestId = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_printable_id)]
# pydantic types the argument as a PEP 747 TypeForm, which pyright (without its experimental
# features) does not yet accept for an Annotated alias; mypy takes it.
_REQUEST_ID: TypeAdapter[str] = TypeAdapter(RequestId)  # pyright: ignore[reportArgumentType]


def _iso_text(value: Any) -> Any:
    """A time is ISO 8601 text: never a number, nor digits a parser would take as Unix seconds."""
    if not (isinstance(value, str) and re.match(r"\d{4}-", value)):
        raise PydanticCustomError("datetime_type", "Input should be an ISO 8601 date and time")
    return value


#: Lax only after _iso_text: strict mode would refuse the text a validator hands on.
IsoDatetime = Annotated[AwareDatetime, Field(strict=False), BeforeValidator(_iso_text)]


class Payload(BaseModel):
    model_config = ConfigDict(extra="allow")


# --------------------------------------------------------------------------- commands


class Command(BaseModel, extra="allow", strict=True, frozen=True):
    """Strict: JSON types are checked, never coerced ("5" is no integer, true no score).

    Frozen, as a parsed command is a fact: so each command may narrow `op` to its Literal (a
    mutable field could not). Its config is in the class line, where type checkers read
    `frozen`; `extra="allow"` is Payload's, which a frozen class cannot derive from.
    """

    request_id: RequestId
    op: str


#: Extension (issue #15): the keyed hash of a resident ID number (`hallcall.protocol.idnumber.
#: id_hash`, HMAC-SHA256 under the hall's key), never the number. Only on the sender's own
#: command topic; never in a reply, retained state or event.
IdHash = Annotated[str, Field(pattern=ID_HASH_PATTERN)]


def _id_number(value: str) -> str:
    if not valid_id_number(value):
        # Never echoes the value: it is personal information.
        raise PydanticCustomError(
            "id_number", "id_number should be 18 characters with a valid check digit"
        )
    return value.upper()


#: A resident ID number (GB 11643: 17 digits and a MOD 11-2 check character).
IdNumber = Annotated[str, Field(min_length=18, max_length=18), AfterValidator(_id_number)]


class TicketIssue(Command, frozen=True):
    op: Literal["ticket.issue"]
    department: Identifier
    matter: Identifier | None = None
    priority: Literal["normal", "priority"] = "normal"
    lang: Language | None = None
    #: Extension (issue #15): taken with a resident ID card, its keyed hash (kept with the
    #: ticket until the hall's `[idcard] retention_days`, to collect finished documents by card).
    id_hash: IdHash | None = None


class AppointmentCheckin(Command, frozen=True):
    """Check in with the appointment's `code` (or the phone number booked with), or
    (extension, issue #15) with the `id_hash` of the resident ID card laid on the kiosk's
    reader: exactly one of the two."""

    op: Literal["appointment.checkin"]
    code: str | None = Field(default=None, min_length=1, max_length=32, pattern=r"^[A-Za-z0-9+-]+$")
    id_hash: IdHash | None = None

    @model_validator(mode="after")
    def _one_way(self) -> AppointmentCheckin:
        if (self.code is None) == (self.id_hash is None):
            raise ValueError("give exactly one of code and id_hash")
        return self


class TicketPickup(Command, frozen=True):
    """Extension (general windows): a pickup ticket (出件) for finished documents, by the
    pickup code given when the matter was accepted, or by the keyed hash of the resident ID
    card it was taken with: exactly one of the two."""

    op: Literal["ticket.pickup"]
    code: str | None = Field(default=None, min_length=4, max_length=12, pattern=r"^[0-9]+$")
    id_hash: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    lang: Language | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> TicketPickup:
        if (self.code is None) == (self.id_hash is None):
            raise ValueError("give exactly one of code and id_hash")
        return self


class WindowLogin(Command, frozen=True):
    op: Literal["window.login"]
    staff: Identifier
    post: Literal["A", "B"]
    #: The clerk's PIN, 4-12 digits (needed where the hall sets `require_pin`, the default).
    #: The broker checks it against the hall file's hash and never keeps or logs it.
    pin: str | None = Field(default=None, pattern=r"^[0-9]{4,12}$")


class WindowLogout(Command, frozen=True):
    op: Literal["window.logout"]


class CallNext(Command, frozen=True):
    op: Literal["call.next"]


class CallRecall(Command, frozen=True):
    op: Literal["call.recall"]


class TicketNoShow(Command, frozen=True):
    op: Literal["ticket.no_show"]


class TicketTransfer(Command, frozen=True):
    op: Literal["ticket.transfer"]
    department: Identifier
    matter: Identifier | None = None


class TicketFinish(Command, frozen=True):
    op: Literal["ticket.finish"]
    outcome: Literal["done", "returned", "needs_documents"]
    #: With needs_documents: which of the ticket's matter's guide materials are missing, as
    #: their 0-based positions in the catalog's `guide.materials` (the one-time notification).
    missing: list[Annotated[int, Field(ge=0, le=99)]] = Field(default=[], max_length=32)


class WindowPause(Command, frozen=True):
    op: Literal["window.pause"]
    reason: CleanText200


class WindowResume(Command, frozen=True):
    op: Literal["window.resume"]


class RatingSubmit(Command, frozen=True):
    op: Literal["rating.submit"]
    ticket_id: CleanText40
    score: int = Field(ge=1, le=5)
    #: Extension: reasons chosen on a low rating ("waited too long", ...).
    reasons: list[CleanText40] = Field(default=[], max_length=8)


#: A ticket's status token as printed in its QR code: `secrets.token_urlsafe(16)` (22 characters
#: of the URL-safe base64 alphabet); other lengths up to 64 are accepted for later tokens.
Token = Annotated[str, Field(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class TicketStatusQuery(Command, frozen=True):
    """Extension (issue #14, web): the view of the ticket behind a printed QR code's token.

    A query: it changes nothing, so its reply is not kept and a repeat is answered afresh.
    """

    op: Literal["ticket.status"]
    token: Token


class TicketRate(Command, frozen=True):
    """Extension (issue #14, web): the visitor rates the service on the ticket's phone page.

    Bound as the window's rating pad is (the `can_rate` of `ticket.status`), and once: the
    first of the pad and the phone is recorded, the other refused `conflict` with
    `error.detail.reason` "already_rated". `score` and `reasons` are `rating.submit`'s.
    """

    op: Literal["ticket.rate"]
    token: Token
    score: int = Field(ge=1, le=5)
    reasons: list[CleanText40] = Field(default=[], max_length=8)


class TicketRemote(Command, frozen=True):
    """Extension (issue #14, web): a visitor takes a ticket on the phone (线上取号), where the
    hall file's `[remote_tickets]` enables it. It joins the queue at once or when its check-in
    code is checked in at a kiosk (`appointment.checkin`), as the hall file says. No phone
    number or contact travels with it: the web part keeps its daily cap per phone itself.
    """

    op: Literal["ticket.remote"]
    department: Identifier
    matter: Identifier | None = None
    lang: Language | None = None


class AdminCommand(Command, frozen=True):
    """Extension: an admin tool names the person using it, for the audit table."""

    actor: CleanText64 | None = None


class WindowAssign(AdminCommand, frozen=True):
    op: Literal["window.assign"]
    window: Identifier
    departments: list[Identifier] = Field(max_length=32)


class AppointmentBook(AdminCommand, frozen=True):
    """Extension (admin): book an appointment that a visitor later checks in at a kiosk."""

    op: Literal["appointment.book"]
    department: Identifier
    matter: Identifier | None = None
    booked_at: IsoDatetime
    #: Digits only: a visitor types it on the kiosk's numeric keypad (default: 6 random digits).
    code: str | None = Field(default=None, min_length=4, max_length=12, pattern=r"^[0-9]+$")
    phone: str | None = Field(default=None, max_length=32, pattern=r"^\+?[0-9-]{5,31}$")
    lang: Language | None = None
    #: Extension (issue #15): the visitor checks in by laying their resident ID card on a kiosk.
    #: `id_hash` is the number's keyed hash (what `hallcall admin book --id-number` sends: it
    #: hashes with the hall's key file); `id_number`, for a tool without the key, is hashed by
    #: the queue broker, which keeps only the hash and never logs, stores or echoes the number.
    #: At most one of the two.
    id_hash: IdHash | None = None
    id_number: IdNumber | None = None

    @model_validator(mode="after")
    def _one_id(self) -> AppointmentBook:
        if self.id_hash is not None and self.id_number is not None:
            raise ValueError("give id_hash or id_number, not both")
        return self

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:  # a logged one hides it
        for name, value in super().__repr_args__():
            yield name, ("<hidden>" if name == "id_number" and value is not None else value)


class StaffUnlock(AdminCommand, frozen=True):
    """Extension (admin): lift a clerk's wrong-PIN lock (the hall manager, after checking)."""

    op: Literal["staff.unlock"]
    staff: Identifier


class DayClose(AdminCommand, frozen=True):
    """Extension (admin): end the service day as the hall rules require."""

    op: Literal["day.close"]


class DevicePing(Command, frozen=True):
    """Extension (issue #16, any device kind): a probe that changes nothing.

    Its reply proves that the device may publish its own command topic and receive its replies
    (the Mosquitto ACL and the device's credentials), which `hallcall doctor` and every device
    at connect check. A query: not kept, a repeat is answered afresh.
    """

    op: Literal["device.ping"]


AnyCommand = Annotated[
    TicketIssue
    | AppointmentCheckin
    | TicketPickup
    | WindowLogin
    | WindowLogout
    | CallNext
    | CallRecall
    | TicketNoShow
    | TicketTransfer
    | TicketFinish
    | WindowPause
    | WindowResume
    | RatingSubmit
    | TicketStatusQuery
    | TicketRate
    | TicketRemote
    | WindowAssign
    | AppointmentBook
    | StaffUnlock
    | DayClose
    | DevicePing,
    Field(discriminator="op"),
]
# pydantic types the argument as a PEP 747 TypeForm, which pyright (without its experimental
# features) does not yet accept for an Annotated union; mypy takes it.
COMMAND_ADAPTER: TypeAdapter[Command] = TypeAdapter(AnyCommand)  # pyright: ignore[reportArgumentType]


def op_of(model: type[BaseModel]) -> str:
    """The op a command model answers to: the one value of its `op` Literal."""
    (op,) = get_args(model.model_fields["op"].annotation)
    if not isinstance(op, str):
        raise TypeError(f"{model.__name__}.op is no Literal of one string")
    return op


COMMAND_MODELS: dict[str, type[Command]] = {op_of(m): m for m in get_args(get_args(AnyCommand)[0])}

#: Which device kinds may send each op (the contract's "from" column).
OP_SENDERS: dict[str, frozenset[str]] = {
    "ticket.issue": frozenset({"kiosk"}),
    "appointment.checkin": frozenset({"kiosk"}),
    "ticket.pickup": frozenset({"kiosk"}),
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
    "ticket.status": frozenset({"web"}),
    "ticket.rate": frozenset({"web"}),
    "ticket.remote": frozenset({"web"}),
    "window.assign": frozenset({"admin"}),
    "appointment.book": frozenset({"admin"}),
    "staff.unlock": frozenset({"admin"}),
    "day.close": frozenset({"admin"}),
    "device.ping": frozenset(DEVICE_KINDS),
}


#: Ops that only read: they change nothing, so the broker neither keeps their replies nor looks
#: their request_id up (a repeat is answered afresh) and a batch of them commits nothing.
QUERY_OPS: frozenset[str] = frozenset({"ticket.status", "device.ping"})


class BadPayload(Exception):
    """A payload that is not a valid command; `request_id` is kept when it could be read."""

    def __init__(self, message: str, request_id: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.request_id = request_id
        self.code = code


#: JSON strings (closed or not) and brackets: enough to measure nesting in one pass.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]', re.DOTALL)
_OP_NAME = re.compile(r"[a-z][a-z0-9_.-]{0,39}")


def _depth(text: str) -> int:
    """How deep arrays and objects nest, brackets inside strings not counted (no recursion)."""
    depth = deepest = 0
    for token in _TOKEN.finditer(text):
        ch = token.group()[0]
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _load(raw: bytes) -> tuple[Any, list[str]]:
    """The JSON value of a bounded payload, and what in it is out of bounds (not yet refused)."""
    if len(raw) > MAX_PAYLOAD_BYTES:
        raise BadPayload(f"payload is {len(raw)} bytes; the limit is {MAX_PAYLOAD_BYTES}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadPayload("payload is not UTF-8") from None
    if text.count("[") + text.count("{") > MAX_DEPTH and _depth(text) > MAX_DEPTH:
        raise BadPayload(f"payload nests more than {MAX_DEPTH} levels deep (the limit)")
    problems: list[str] = []  # found while parsing, refused after (with the request_id)

    def integer(s: str) -> int:
        if len(s.lstrip("-")) > MAX_INT_DIGITS:  # int() of a long one is slow or a ValueError
            problems.append(f"an integer has more than {MAX_INT_DIGITS} digits (the limit)")
            return 0
        return int(s)

    def real(s: str) -> float:
        if not math.isfinite(value := float(s)):
            problems.append("a number is too large")
            return 0.0
        return value

    def constant(name: str) -> int:
        problems.append(f"{name} is not a JSON number")
        return 0

    try:
        data = json.loads(text, parse_int=integer, parse_float=real, parse_constant=constant)
    except json.JSONDecodeError as exc:
        raise BadPayload(f"payload is not JSON (line {exc.lineno}, column {exc.colno})") from None
    except (ValueError, RecursionError):  # bounded above; kept so nothing escapes as a crash
        raise BadPayload("payload is not JSON") from None
    return data, problems


def request_id_of(raw: bytes) -> str | None:
    """The request_id of any payload when it is valid, else None: safe on any input."""
    try:
        data, _ = _load(raw)
    except BadPayload:
        return None
    return _valid_request_id(data.get("request_id")) if isinstance(data, dict) else None


def _valid_request_id(value: Any) -> str | None:
    try:
        return _REQUEST_ID.validate_python(value, strict=True)
    except ValidationError:
        return None


def parse_command(raw: bytes) -> Command:
    """Check bounds, JSON, request_id, op and arguments; raise BadPayload with a clear message.

    The request_id is echoed only when it is valid (printable, 1 to 64 characters): any other
    payload is answered with request_id null, as one that is not JSON at all.
    """
    data, problems = _load(raw)
    if not isinstance(data, dict):
        raise BadPayload("payload must be a JSON object")
    request_id = _valid_request_id(data.get("request_id"))
    if request_id is None:
        raise BadPayload("request_id must be a string of 1 to 64 printable characters")
    if problems:
        raise BadPayload(f"invalid payload: {problems[0]}", request_id)
    op = data.get("op")
    if not isinstance(op, str):
        raise BadPayload("op must be a string", request_id)
    if op not in COMMAND_MODELS:
        # Named back only when it looks like an op: a reply never echoes arbitrary input.
        named = f" {op!r}" if _OP_NAME.fullmatch(op) else ""
        raise BadPayload(f"unknown op{named}", request_id, code="unknown_op")
    try:
        return COMMAND_ADAPTER.validate_json(raw)
    except ValidationError as exc:
        raise BadPayload(f"invalid {op}: {_problems(exc)}", request_id) from None


def _problems(exc: ValidationError) -> str:
    """Each problem as field and pydantic's message: never the input value or a traceback."""
    return "; ".join(
        f"{'.'.join(str(part) for part in e['loc'][1:]) or 'payload'}: {e['msg']}"
        for e in exc.errors(include_url=False, include_input=False, include_context=False)
    )


# --------------------------------------------------------------------------- replies


class ErrorBody(BaseModel):
    code: str
    message: str
    #: Extension: facts a device words the refusal with (a PIN lock's end, the tries left).
    detail: dict[str, Any] | None = None


class Reply(Payload):
    request_id: str | None
    ok: bool
    data: dict[str, Any] | None = None
    error: ErrorBody | None = None


def ok_reply(request_id: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"request_id": request_id, "ok": True, "data": data or {}}


def error_reply(
    request_id: str | None, code: str, message: str, detail: dict[str, Any] | None = None
) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if detail:
        error["detail"] = detail
    return {"request_id": request_id, "ok": False, "error": error}


#: The error code of the reply a device's client makes itself when a request's deadline passes
#: with no answer (never sent by the broker; the answer may still come later).
TIMEOUT = "timeout"


def timeout_reply(request_id: str, op: str) -> dict[str, Any]:
    return error_reply(request_id, TIMEOUT, f"no reply to {op} in time")


def timed_out(reply: dict[str, Any]) -> bool:
    """True for the reply a device's client makes when no answer came before the deadline."""
    error = reply.get("error")
    return reply.get("ok") is False and isinstance(error, dict) and error.get("code") == TIMEOUT


# --------------------------------------------------------------------------- views


class TicketView(Payload):
    id: str
    number: str
    department: str
    matter: str | None = None
    priority: Literal["normal", "priority"]
    #: Extension (issue #14): "remote", taken on the phone (`ticket.remote`).
    source: Literal["walk_in", "appointment", "remote"]
    status: Literal["waiting", "called", "finished", "no_show"]
    lang: str
    issued_at: datetime
    waiting_ahead: int | None = None
    #: None when no window of its department is open (then `open_windows` is 0).
    estimated_wait_s: int | None = None
    #: Extension: windows open now for its department, given with `waiting_ahead`.
    open_windows: int | None = None
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
    #: Extension: outcome needs_documents, the materials the visitor must still bring, each
    #: {"zh": ..., "en": ...} as the guide said them (the one-time notification).
    missing_materials: list[dict[str, str | None]] | None = None
    #: Extension (issue #14): the ticket's unguessable status token, which its printed QR code
    #: carries (the hall's `status_url`). Only in the reply to the device that took the ticket
    #: (ticket.issue, appointment.checkin); never in retained state or events, which every device
    #: of the hall hears.
    token: str | None = None
    #: Extension (general windows): the queue it waits in: its department's id, a matter
    #: group's id, or "pickup" (the document pickup queue).
    queue: str | None = None
    #: Extension (general windows): a time-limited matter finished "done" gets the code its
    #: documents are collected with (出件). Only in the ticket.finish reply to the clerk's
    #: terminal and the ticket.status reply to the web part; never in retained state or events.
    pickup_code: str | None = None


class CheckinView(Payload):
    """Extension (issue #14): a remote ticket waiting to be checked in at a kiosk (join
    "on_checkin"); the visitor types `code` on the kiosk's appointment keypad, or shows it."""

    #: 6 digits, what `appointment.checkin` takes.
    code: str
    department: str
    matter: str | None = None
    lang: str
    taken_at: datetime
    #: Check in by then (null: any time until the day closes).
    checkin_by: datetime | None = None
    #: Too late to check in (its time or its day is over): it will not join the queue.
    expired: bool = False


class DevicePong(Payload):
    """Extension (issue #16): the data of a good `device.ping` reply: who the broker took the
    sender for (from its topic) and the queue broker's version."""

    kind: str
    id: str
    hall: str
    version: str


class RemoteTicketView(Payload):
    """Extension (issue #14): the data of a good `ticket.remote` reply.

    `join` is the hall's `[remote_tickets] join`: with "now" `ticket` is the ticket in its
    queue (as `ticket.issue` gives it, with `token`, source "remote") and `checkin` null; with
    "on_checkin" `ticket` is null and `checkin` holds the code. `token` is the status token
    of its page either way (`ticket.status`; the ticket issued at check-in keeps it).
    """

    token: str
    join: Literal["now", "on_checkin"]
    ticket: TicketView | None = None
    checkin: CheckinView | None = None


class TicketStatusView(Payload):
    """Extension (issue #14): the data of a good `ticket.status` reply, for the visitor's page.

    `ticket` is the ticket's view as a kiosk gets it (without its token): `waiting_ahead`,
    `estimated_wait_s` and `open_windows` while it waits, `window` and `window_number` once
    called, `outcome` once finished. The rest says what a page must word around it. `ticket`
    is null only for the token of a remote ticket not checked in yet (from `ticket.remote`),
    and then `checkin` says what to check in with; otherwise `checkin` is null.
    """

    ticket: TicketView | None
    #: Extension: a remote ticket waiting for its check-in at a kiosk.
    checkin: CheckinView | None = None
    #: The service day the ticket belongs to (hall time, YYYY-MM-DD).
    service_date: str
    #: The hall's service day now.
    today: str
    #: The ticket is of another day than today (a page says "this ticket was for ...").
    other_day: bool
    #: The ticket's day has been closed (day.close, the hall's close_at, or the next day's start).
    day_closed: bool
    #: The hall is closed for the rest of today: no tickets, no ratings until the next day.
    hall_closed: bool
    #: The ticket was ended by the close of day, not by a clerk.
    closed_by_system: bool
    #: It may still be rated: served to the end by a clerk today, the last ticket its window
    #: ended, not rated yet (the rating pad's rule).
    can_rate: bool


class TicketRatedView(Payload):
    """Extension (issue #14): the data of a good `ticket.rate` reply."""

    ticket_id: str
    number: str
    recorded: bool


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
    #: Extension (general windows): its skills as the hall file gives them ("dep.matter", a
    #: department id, "pickup"), and the queues it calls from.
    skills: list[str] = []
    queues: list[str] = []
    status: Literal["closed", "open", "paused"]
    staff: StaffView | None = None
    pause_reason: str | None = None
    current: TicketView | None = None
    last_finished: LastFinished | None = None
    served_today: int = 0
    since: datetime | None = None


class QueueStateView(Stamped):
    #: The queue's id: a department's, or (general windows, with `kind`) a matter group's or
    #: "pickup"; its topic is state/queue/{department}.
    department: str
    #: Extension (general windows): the same id, and "department", "group" or "pickup".
    queue: str | None = None
    kind: Literal["department", "group", "pickup"] = "department"
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
    #: Extension (general windows): every queue, {id, kind ("department" / "group" /
    #: "pickup"), name, prefix, matters ("dep.matter" of a group)}; and the pickup queue
    #: {enabled, name, prefix}, only where the hall runs one (absent: no pickup queue).
    queues: list[dict[str, Any]] = []
    pickup: dict[str, Any] | None = None


class ServerStatus(Payload):
    state: Literal["online", "offline"]
    #: The queue broker's HallCall version, e.g. "0.1.0" (for the hall manager's update check).
    version: str | None = Field(default=None, description="The queue broker's HallCall version.")
    #: The contract's major version: a device of another one must not act on this broker.
    protocol: int | None = Field(
        default=None,
        description="The MQTT contract's major version (topics under hallcall/v1/): a device "
        "of another major treats the broker as offline and says so.",
    )
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
    #: Extension (issue #14), rating.recorded: where the visitor rated, "pad" or "web" (the
    #: ticket's phone page).
    channel: str | None = None
    #: window.changed
    departments: list[str] | None = None
    replaced: str | None = None
    #: day.closed
    summary: dict[str, Any] | None = None


# --------------------------------------------------------------------------- what devices hear

#: The models of a good reply's `data` that the contract documents, by op (the others' data is
#: a `ticket` (TicketView), a window state, or as docs/protocol.md says).
REPLY_DATA_MODELS: dict[str, type[Payload]] = {
    "ticket.status": TicketStatusView,
    "ticket.rate": TicketRatedView,
    "ticket.remote": RemoteTicketView,
    "device.ping": DevicePong,
}


#: The contract's model for each state, event and status a device subscribes to (topic filters
#: under the hall root). Devices parse what they hear with these, so a malformed state is dropped
#: at the door instead of surfacing as a KeyError deep in a screen.
VIEW_MODELS: dict[str, type[Payload]] = {
    "server/status": ServerStatus,
    "state/catalog": CatalogView,
    "state/window/+": WindowStateView,
    "state/queue/+": QueueStateView,
    "state/calls": CallsStateView,
    "event/+": EventView,
}


def view_model(relative_topic: str) -> type[Payload] | None:
    """The model of what is published on `relative_topic` (e.g. "state/window/w01"), if any."""
    head, _, rest = relative_topic.partition("/")
    if head == "state" and "/" in rest:
        return VIEW_MODELS.get(f"state/{rest.split('/', 1)[0]}/+")
    if head == "event":
        return VIEW_MODELS["event/+"]
    return VIEW_MODELS.get(relative_topic)


def parse_view(relative_topic: str, payload: dict[str, Any]) -> Payload:
    """Validate a heard payload with its contract model; raises pydantic's ValidationError."""
    model = view_model(relative_topic)
    if model is None:
        raise ValueError(f"no contract model for {relative_topic}")
    return model.model_validate(payload)


def iso(dt: datetime) -> str:
    """ISO 8601 UTC with Z, as the contract writes times."""
    return dt.astimezone(UTC).isoformat().replace("+00:00", "Z")


def dump(model: BaseModel) -> dict[str, Any]:
    """A JSON-ready dict (times as ISO 8601 UTC with Z)."""
    return model.model_dump(mode="json", exclude_none=False)


def encode(payload: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON; text UTF-8 cannot carry (a lone surrogate) goes as a \\u escape."""
    try:
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(payload, separators=(",", ":")).encode("ascii")
