"""The records of 好差评 sent to a higher (provincial) platform, and how a send's answer is taken.

Every rating (pad, phone page, or the hall's default) and every rectification case's outcome
(closed, appeal decided) becomes one record, frozen when it happens and written to the outbox
in the same transaction as the rating or the case step (docs/ratings-and-deadlines.md). Its
`record_id` is the `Idempotency-Key` of every attempt to send it, so the platform can drop a
repeat: it is derived from what the record is about (the hall and the rated ticket, or the case
and its outcome), never from a counter or a clock.

Plain Python and no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from hallcall.config.schema import HallConfig
from hallcall.protocol.ratings import NATIONAL_RATING_LABELS, rating_labels

if TYPE_CHECKING:
    from hallcall.broker.domain.events import RatingRecorded
    from hallcall.broker.domain.hall import HallDay

Kind = Literal["rating", "case_outcome"]
CaseOutcome = Literal["closed", "appeal_upheld", "appeal_rejected"]
#: What a send's answer means: accepted (2xx), try again later (5xx, 429, 408), or refused
#: for good (any other status: the platform will not take this record as it is).
Verdict = Literal["accepted", "retry", "refused"]


@dataclass(frozen=True)
class UploadRecord:
    hall_id: str
    record_id: str
    kind: Kind
    payload: dict[str, Any]
    at: datetime


def rating_record_id(hall_id: str, ticket_id: str) -> str:
    """A ticket is rated once (`ratings` is keyed by hall and ticket): its rating's key."""
    return f"{hall_id}:rating:{ticket_id}"


def case_record_id(hall_id: str, case_id: int, outcome: CaseOutcome) -> str:
    """A case closes once and its appeal is decided once: each outcome's key."""
    return f"{hall_id}:case:{case_id}:{outcome}"


def national_level(score: int, scale: int) -> int:
    """The score on the national five levels: a three-level hall's 1/2/3 are 不满意, 基本满意,
    满意 (2/3/4), as a three-key pad on a five-level hall gives."""
    return score + 1 if scale == 3 else score


def matter_code(config: HallConfig, department: str | None, matter: str | None) -> str | None:
    """The matter's code from the hall file, else `[upload] default_matter_code` (or None)."""
    dep = config.department(department) if department else None
    m = dep.matter(matter) if dep is not None and matter else None
    return (m.code if m is not None else None) or config.upload.default_matter_code


def _window(config: HallConfig, window: str | None) -> dict[str, Any] | None:
    if window is None:
        return None
    w = config.window(window)
    return {"id": window, "number": w.number if w is not None else None}


def _iso(at: datetime, config: HallConfig) -> str:
    """The time in the hall's zone with its offset ("2026-11-23T10:15:00+08:00")."""
    return at.astimezone(ZoneInfo(config.hall.timezone)).isoformat(timespec="seconds")


def _common(
    config: HallConfig,
    record_id: str,
    kind: Kind,
    at: datetime,
    ticket_id: str,
    number: str | None,
    department: str | None,
    matter: str | None,
    window: str | None,
    staff: str | None,
) -> dict[str, Any]:
    return {
        "record_id": record_id,
        "kind": kind,
        "hall_id": config.hall.id,
        "time": _iso(at, config),
        "ticket_id": ticket_id,
        "ticket_number": number,
        "department": department,
        "matter": matter,
        "matter_code": matter_code(config, department, matter),
        "window": _window(config, window),
        "clerk": staff,
    }


def rating_record(
    config: HallConfig,
    at: datetime,
    ticket_id: str,
    number: str | None,
    department: str | None,
    matter: str | None,
    window: str | None,
    staff: str | None,
    score: int,
    scale: int,
    channel: str,
    reasons: tuple[str, ...] | list[str] = (),
) -> UploadRecord:
    """The record of one rating; `channel` is "pad", "web" (the phone page) or "default"."""
    record_id = rating_record_id(config.hall.id, ticket_id)
    label_set = config.hall.rating_label_set if scale == 5 else "default"
    own = rating_labels(scale, label_set)
    national = national_level(score, scale)
    payload = _common(
        config, record_id, "rating", at, ticket_id, number, department, matter, window, staff
    )
    payload |= {
        "level": {
            "score": score,
            "scale": scale,
            "label": own["zh"][score - 1],
            "national": national,
            "national_label": NATIONAL_RATING_LABELS["zh"][national - 1],
            "national_label_en": NATIONAL_RATING_LABELS["en"][national - 1],
        },
        "channel": channel,
        "reasons": list(reasons),
    }
    return UploadRecord(config.hall.id, record_id, "rating", payload, at)


def case_outcome_record(
    config: HallConfig,
    at: datetime,
    case_id: int,
    outcome: CaseOutcome,
    ticket_id: str,
    number: str | None,
    department: str | None,
    matter: str | None,
    window: str | None,
    staff: str | None,
    due_on: date,
    closed_on: date | None = None,
    reason: str | None = None,
) -> UploadRecord:
    """The record of a case's outcome: closed (on time or late, with the fix), or its appeal
    decided (with the manager's reason); it names the rating's record (`rating_record_id`)."""
    record_id = case_record_id(config.hall.id, case_id, outcome)
    payload = _common(
        config, record_id, "case_outcome", at, ticket_id, number, department, matter, window, staff
    )
    payload |= {
        "rating_record_id": rating_record_id(config.hall.id, ticket_id),
        "case_id": case_id,
        "outcome": outcome,
        "due_on": due_on.isoformat(),
    }
    if outcome == "closed":
        payload["closed_on_time"] = closed_on is not None and closed_on <= due_on
    if reason is not None:  # a closing's fix (整改), an appeal decision's reason
        payload["fix" if outcome == "closed" else "reason"] = reason
    return UploadRecord(config.hall.id, record_id, "case_outcome", payload, at)


def verdict(status: int) -> Verdict:
    """What the platform's HTTP status means for the record."""
    if 200 <= status < 300:
        return "accepted"
    if status >= 500 or status in (408, 429):
        return "retry"
    return "refused"


def next_backoff(current: float | None, max_backoff_s: float) -> float:
    """The wait before the next attempt: 1 s, then doubling, at most `max_backoff_s`."""
    return min(max_backoff_s, 1.0 if current is None else current * 2)


def of_rating(hall: HallDay, e: RatingRecorded) -> UploadRecord:
    """The record of a rating the hall just recorded (its ticket is the window's last ended)."""
    t = hall.tickets.get(e.ticket_id)
    last = hall.last_ended.get(e.window)
    number = t.number if t is not None else (last.number if last is not None else None)
    return rating_record(
        hall.config,
        e.at,
        e.ticket_id,
        number,
        t.department if t is not None else None,
        t.matter if t is not None else None,
        e.window,
        e.staff,
        e.score,
        e.scale,
        e.channel,
        e.reasons,
    )
