"""The dashboard's alarms: plain Python, no I/O, the time passed in.

`raised(picture)` lists every alarm the hall is in now:

- `long_wait`: a queue's longest-waiting visitor has waited more than the hall's limit
  (`[hall] wait_limit_min`, 30 min by default);
- `over_service`: a window's current service runs over its matter's `service_limit_min`;
- `device_lost`: a device's retained status says `lost` (its last will: it vanished);
- `paper_out`: a kiosk's printer says `paper_out`;
- `sign_offline`: an LED sign's driver reports one of its signs offline;
- `dissatisfied`: a visitor gave the lowest rating, for `RATING_ALARM_MIN` after it.

`AlarmWatch` remembers which alarms are up and calls every `on_alarm(alarm)` hook once when an
alarm goes up (again after it cleared): the notification service hooks in there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

log = logging.getLogger(__name__)

AlarmKind = Literal[
    "long_wait", "over_service", "device_lost", "paper_out", "sign_offline", "dissatisfied"
]
#: How long a dissatisfied rating stays on screen as an alarm.
RATING_ALARM_MIN = 30
#: Most serious first, for the screen's order.
SEVERITY: dict[str, int] = {
    "device_lost": 0,
    "paper_out": 1,
    "long_wait": 2,
    "over_service": 3,
    "dissatisfied": 4,
    "sign_offline": 5,
}


@dataclass(frozen=True)
class Alarm:
    kind: AlarmKind
    #: Stable identity while the cause lasts (e.g. "paper_out:kiosk/kiosk-1").
    key: str
    #: What it is about: a department id, a window id, "kind/id" of a device, a ticket id.
    subject: str
    #: The departments it concerns; empty for the whole hall's things (kiosks, the lobby).
    departments: tuple[str, ...]
    #: Since when the cause holds (the visitor's queueing, the call, the status heard, the rating).
    since: datetime
    #: How long it has lasted and the limit it broke, in minutes, where that applies.
    minutes: float | None = None
    limit_min: float | None = None
    #: The ticket number concerned (long_wait, over_service, dissatisfied).
    number: str | None = None
    #: The window's number (over_service, dissatisfied, a sign's or pad's window).
    window_number: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "subject": self.subject,
            "departments": list(self.departments),
            "since": self.since.isoformat(),
            "minutes": None if self.minutes is None else round(self.minutes, 1),
            "limit_min": self.limit_min,
            "number": self.number,
            "window_number": self.window_number,
        }


@dataclass(frozen=True)
class QueueFacts:
    department: str
    waiting: int
    #: When the visitor waiting longest joined the queue; None if unknown or nobody waits.
    oldest_since: datetime | None = None
    oldest_number: str | None = None


@dataclass(frozen=True)
class ServiceFacts:
    """The ticket being served at one window."""

    window: str
    window_number: int
    department: str
    number: str
    called_at: datetime
    limit_s: int | None


@dataclass(frozen=True)
class DeviceFacts:
    kind: str
    id: str
    state: str  # online | offline | lost | unknown (never heard)
    health: dict[str, Any]
    since: datetime | None
    #: The window a sign or rating pad belongs to (hall file), and that window's departments.
    window_number: int | None = None
    departments: tuple[str, ...] = ()


@dataclass(frozen=True)
class RatingFacts:
    ticket_id: str
    number: str | None
    window_number: int | None
    department: str | None
    score: int
    at: datetime


@dataclass(frozen=True)
class Picture:
    """What the hall looks like at `now`, as far as the alarms care."""

    now: datetime
    wait_limit_min: float
    queues: list[QueueFacts] = field(default_factory=list)
    services: list[ServiceFacts] = field(default_factory=list)
    devices: list[DeviceFacts] = field(default_factory=list)
    ratings: list[RatingFacts] = field(default_factory=list)


def _minutes(since: datetime, now: datetime) -> float:
    return max(0.0, (now - since).total_seconds() / 60)


def device_alarm(d: DeviceFacts, kind: AlarmKind, now: datetime, part: str = "") -> Alarm:
    name = f"{d.kind}/{d.id}"
    key = f"{kind}:{name}" + (f":{part}" if part else "")
    return Alarm(kind, key, name, d.departments, d.since or now, window_number=d.window_number)


def raised(p: Picture) -> list[Alarm]:
    """Every alarm up at `p.now`, most serious first, then longest-standing first."""
    found: list[Alarm] = []
    for q in p.queues:
        if q.waiting and q.oldest_since is not None:
            waited = _minutes(q.oldest_since, p.now)
            if waited > p.wait_limit_min:
                found.append(
                    Alarm(
                        "long_wait",
                        f"long_wait:{q.department}",
                        q.department,
                        (q.department,),
                        q.oldest_since,
                        waited,
                        p.wait_limit_min,
                        q.oldest_number,
                    )
                )
    for s in p.services:
        if s.limit_s:
            took = _minutes(s.called_at, p.now)
            if took * 60 > s.limit_s:
                found.append(
                    Alarm(
                        "over_service",
                        f"over_service:{s.window}:{s.number}",
                        s.window,
                        (s.department,),
                        s.called_at,
                        took,
                        round(s.limit_s / 60, 1),
                        s.number,
                        s.window_number,
                    )
                )
    for d in p.devices:
        if d.state == "lost":
            found.append(device_alarm(d, "device_lost", p.now))
            continue
        if d.state != "online":
            continue
        if d.kind == "kiosk" and d.health.get("printer") == "paper_out":
            found.append(device_alarm(d, "paper_out", p.now))
        signs = d.health.get("signs")
        if d.kind == "sign" and isinstance(signs, dict):
            for sign, state in sorted(signs.items()):
                if state == "offline":
                    found.append(device_alarm(d, "sign_offline", p.now, sign))
    for r in p.ratings:
        if r.score == 1 and p.now - r.at <= timedelta(minutes=RATING_ALARM_MIN):
            found.append(
                Alarm(
                    "dissatisfied",
                    f"dissatisfied:{r.ticket_id}",
                    r.ticket_id,
                    (r.department,) if r.department else (),
                    r.at,
                    number=r.number,
                    window_number=r.window_number,
                )
            )
    found.sort(key=lambda a: (SEVERITY[a.kind], a.since, a.key))
    return found


AlarmHook = Callable[[Alarm], None]


class AlarmWatch:
    """Tells every hook once about each alarm that goes up.

    `update(alarms)` takes what `raised` found now and returns the alarms that were not up
    before; each hook is called with each of them (a hook that raises is logged, never stops
    the others). An alarm that clears and comes back is told again.
    """

    def __init__(self, hooks: Iterable[AlarmHook] = ()):
        self.hooks: list[AlarmHook] = list(hooks)
        self.up: dict[str, Alarm] = {}

    def on_alarm(self, hook: AlarmHook) -> None:
        self.hooks.append(hook)

    def update(self, alarms: Iterable[Alarm]) -> list[Alarm]:
        now_up = {a.key: a for a in alarms}
        new = [a for key, a in now_up.items() if key not in self.up]
        self.up = now_up
        for alarm in new:
            for hook in self.hooks:
                try:
                    hook(alarm)
                except Exception:  # a notification that fails must not stop the dashboard
                    log.exception("on_alarm hook failed for %s", alarm.key)
        return new
