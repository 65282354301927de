"""What the live dashboard shows, worded in zh or en, for one user: plain Python, no I/O.

`Inputs` is what was heard (retained states, device statuses) and read (the broker database's
longest waits, low ratings, today's figures) at `now`; `picture()` turns it into the alarms'
`Picture` and `live_view()` into the rows the template renders. A department head gets only
their department's queues, the windows serving it, the signs and pads of those windows, and
the alarms about it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from hallcall.config.schema import HallConfig
from hallcall.protocol.payloads import QueueStateView, WindowStateView
from hallcall.web.dashboard.alarms import (
    Alarm,
    DeviceFacts,
    Picture,
    QueueFacts,
    RatingFacts,
    ServiceFacts,
)
from hallcall.web.dashboard.devices import DeviceSeen
from hallcall.web.dashboard.texts import t
from hallcall.web.storage.users import User


@dataclass
class Inputs:
    config: HallConfig
    now: datetime
    queues: dict[str, QueueStateView] = field(default_factory=dict)
    windows: dict[str, WindowStateView] = field(default_factory=dict)
    devices: dict[tuple[str, str], DeviceSeen] = field(default_factory=dict)
    #: department -> (since, number) of its longest-waiting visitor (None: no database)
    oldest: dict[str, tuple[datetime, str]] | None = None
    ratings: list[RatingFacts] = field(default_factory=list)
    #: The report's "hall" row for today (None: no database)
    figures: dict[str, Any] | None = None
    online: bool = True


def _window_departments(inputs: Inputs, window_id: str | None) -> tuple[str, ...]:
    if window_id is None:
        return ()
    state = inputs.windows.get(window_id)
    if state is not None:
        return tuple(state.departments)
    w = inputs.config.window(window_id)
    return tuple(w.departments) if w else ()


def device_facts(inputs: Inputs) -> list[DeviceFacts]:
    """Every device of the hall file, and any other that spoke; "unknown" if never heard."""
    found: list[DeviceFacts] = []
    listed: dict[tuple[str, str], Any] = {(d.kind, d.id): d for d in inputs.config.devices}
    for w in inputs.config.windows:  # each window's clerk terminal is a device too
        listed.setdefault(("window", w.id), None)
    keys = list(listed) + sorted(k for k in inputs.devices if k not in listed)
    for key in keys:
        kind, device_id = key
        seen = inputs.devices.get(key)
        entry = listed.get(key)
        window_id = device_id if kind == "window" else (entry.window if entry else None)
        win = inputs.config.window(window_id) if window_id else None
        found.append(
            DeviceFacts(
                kind,
                device_id,
                seen.state if seen else "unknown",
                seen.health if seen else {},
                seen.since if seen else None,
                win.number if win else None,
                _window_departments(inputs, window_id),
            )
        )
    return found


def picture(inputs: Inputs) -> Picture:
    queues = []
    for dep, q in sorted(inputs.queues.items()):
        oldest = (inputs.oldest or {}).get(dep)
        queues.append(
            QueueFacts(dep, q.waiting, oldest[0] if oldest else None, oldest[1] if oldest else None)
        )
    services = []
    for w in inputs.windows.values():
        cur = w.current
        if cur is not None and cur.called_at is not None and cur.status == "called":
            services.append(
                ServiceFacts(
                    w.window,
                    w.number,
                    cur.department,
                    cur.number,
                    cur.called_at,
                    cur.service_limit_s,
                )
            )
    return Picture(
        inputs.now,
        inputs.config.hall.wait_limit_min,
        queues,
        services,
        device_facts(inputs),
        inputs.ratings,
    )


def visible(user: User, departments: tuple[str, ...] | list[str]) -> bool:
    return user.is_manager or (user.department is not None and user.department in departments)


def _minutes(seconds: float | None) -> int | None:
    return None if seconds is None else max(0, round(seconds / 60))


def _mmss(seconds: float) -> str:
    total = max(0, int(seconds))
    return f"{total // 60}:{total % 60:02d}"


def dep_name(config: HallConfig, dep: str | None, lang: str) -> str:
    d = config.department(dep) if dep else None
    return d.name.get(lang) if d else (dep or "")


def device_name(
    config: HallConfig, kind: str, device_id: str, number: int | None, lang: str
) -> str:
    label = t(lang, f"kind_{kind}")
    if number is not None:
        return f"{label} {device_id} · {t(lang, 'window')} {number}"
    return f"{label} {device_id}"


def alarm_text(alarm: Alarm, config: HallConfig, lang: str, zone: ZoneInfo) -> str:
    subject = alarm.subject
    if alarm.kind == "long_wait":
        subject = dep_name(config, alarm.subject, lang)
    elif alarm.kind in ("device_lost", "paper_out", "sign_offline"):
        kind, _, device_id = alarm.subject.partition("/")
        subject = device_name(config, kind, device_id, alarm.window_number, lang)
    return t(
        lang,
        f"alarm_{alarm.kind}",
        subject=subject,
        number=alarm.number or "",
        minutes=round(alarm.minutes or 0),
        limit=f"{alarm.limit_min:g}" if alarm.limit_min is not None else "",
        window=alarm.window_number if alarm.window_number is not None else "",
    )


def live_view(inputs: Inputs, alarms: list[Alarm], user: User, lang: str) -> dict[str, Any]:
    """The rows of the live dashboard for `user`, in `lang`."""
    config, now = inputs.config, inputs.now
    zone = ZoneInfo(config.hall.timezone)

    def hhmm(dt: datetime | None) -> str:
        return dt.astimezone(zone).strftime("%H:%M") if dt else ""

    shown_alarms = [
        {
            "kind": a.kind,
            "key": a.key,
            "text": alarm_text(a, config, lang, zone),
            "since": t(lang, "since", time=hhmm(a.since)),
        }
        for a in alarms
        if user.is_manager or (user.department in a.departments)
    ]
    queues = []
    for dep in config.departments:
        if not visible(user, [dep.id]):
            continue
        q = inputs.queues.get(dep.id)
        oldest = (inputs.oldest or {}).get(dep.id) if q and q.waiting else None
        longest_s = (now - oldest[0]).total_seconds() if oldest else None
        over = longest_s is not None and longest_s > config.hall.wait_limit_min * 60
        queues.append(
            {
                "id": dep.id,
                "name": dep.name.get(lang),
                "waiting": q.waiting if q else 0,
                "priority": q.priority_waiting if q else 0,
                "longest": "–"
                if inputs.oldest is None
                else (t(lang, "min", n=_minutes(longest_s)) if longest_s is not None else "0"),
                "longest_over": over,
                "estimated": t(lang, "min", n=_minutes(q.estimated_wait_s)) if q else "–",
                "open_windows": q.open_windows if q else 0,
                "last_called": (q.last_called if q else None) or "–",
            }
        )
    windows = []
    for w in sorted(inputs.windows.values(), key=lambda w: w.number):
        if not visible(user, w.departments):
            continue
        cur = w.current
        service = limit = ""
        over = False
        if cur is not None and cur.called_at is not None:
            took = (now - cur.called_at).total_seconds()
            service = _mmss(took)
            if cur.service_limit_s:
                limit = _mmss(cur.service_limit_s)
                over = took > cur.service_limit_s
        state = t(lang, f"w_{w.status}")
        if w.status == "paused" and w.pause_reason:
            state += f"（{w.pause_reason}）" if lang == "zh" else f" ({w.pause_reason})"
        windows.append(
            {
                "id": w.window,
                "number": w.number,
                "flex": w.flex,
                "departments": "、".join(dep_name(config, d, lang) for d in w.departments)
                if lang == "zh"
                else ", ".join(dep_name(config, d, lang) for d in w.departments),
                "status": w.status,
                "state": state,
                "clerk": w.staff.name.get(lang) if w.staff else "–",
                "post": t(lang, f"post_{w.staff.post}") if w.staff else "",
                "current": cur.number if cur else "–",
                "service": service,
                "limit": limit,
                "over": over,
            }
        )
    devices = []
    for d in device_facts(inputs):
        if not (user.is_manager or user.department in d.departments):
            continue
        notes = []
        printer = d.health.get("printer")
        if d.kind == "kiosk" and printer and printer not in ("ok", "online"):
            notes.append(
                t(
                    lang,
                    "printer",
                    state=t(lang, "paper_out") if printer == "paper_out" else printer,
                )
            )
        signs = d.health.get("signs")
        if isinstance(signs, dict):
            down = sorted(n for n, s in signs.items() if s == "offline")
            if down:
                notes.append(t(lang, "signs_offline", names=", ".join(down)))
        if d.health.get("keys") == "offline":
            notes.append(t(lang, "keys_offline"))
        bad = d.state == "lost" or bool(notes)
        devices.append(
            {
                "key": f"{d.kind}/{d.id}",
                "name": device_name(config, d.kind, d.id, d.window_number, lang),
                "state": d.state,
                "state_text": t(lang, f"d_{d.state}"),
                "notes": "；".join(notes) if lang == "zh" else "; ".join(notes),
                "since": t(lang, "since", time=hhmm(d.since)) if d.since else "",
                "bad": bad,
            }
        )
    figures = None
    if inputs.figures is not None:
        f = inputs.figures
        waiting = sum(q.waiting for q in inputs.queues.values() if visible(user, [q.department]))
        rate = f.get("satisfaction_rate")
        figures = [
            (t(lang, "f_issued"), f.get("issued", 0)),
            (t(lang, "f_served"), f.get("served", 0)),
            (t(lang, "f_waiting"), waiting),
            (t(lang, "f_no_show"), f.get("no_show", 0)),
            (
                t(lang, "f_wait_mean"),
                _mmss(f["wait_mean_s"]) if f.get("wait_mean_s") is not None else "–",
            ),
            (
                t(lang, "f_service_mean"),
                _mmss(f["service_mean_s"]) if f.get("service_mean_s") is not None else "–",
            ),
            (t(lang, "f_overtime"), f.get("overtime", 0)),
            (t(lang, "f_satisfaction"), f"{rate * 100:.0f}%" if rate is not None else "–"),
        ]
    return {
        "alarms": shown_alarms,
        "queues": queues,
        "windows": windows,
        "devices": devices,
        "figures": figures,
        "online": inputs.online,
        "updated": now.astimezone(zone).strftime("%H:%M:%S"),
    }
