"""Attendance from clerks' log-in/log-out and pauses, per clerk per day (published monthly)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select

from hallcall.broker.storage.orm import PauseRow, StaffSessionRow


@dataclass(frozen=True)
class Interval:
    who: str
    window: str
    start: datetime
    end: datetime | None
    reason: str | None = None


def _split_by_day(
    iv: Interval, zone: ZoneInfo, now: datetime
) -> list[tuple[date, float, datetime, datetime]]:
    """Cut an interval at local midnights: [(day, seconds, start, end)]."""
    start, end = iv.start.astimezone(zone), (iv.end or now).astimezone(zone)
    out = []
    while start < end:
        midnight = datetime.combine(start.date() + timedelta(days=1), time.min, tzinfo=zone)
        stop = min(end, midnight)
        out.append((start.date(), (stop - start).total_seconds(), start, stop))
        start = stop
    return out


def attendance_rows(
    sessions: list[Interval],
    pauses: list[Interval],
    zone: ZoneInfo,
    start: date,
    end: date,
    now: datetime,
) -> list[dict]:
    days: dict[tuple[str, date], dict] = defaultdict(
        lambda: {
            "on_duty_s": 0.0,
            "pause_s": 0.0,
            "first_in": None,
            "last_out": None,
            "windows": set(),
            "reasons": [],
        }
    )
    for s in sessions:
        for day, secs, a, b in _split_by_day(s, zone, now):
            if not start <= day <= end:
                continue
            d = days[(s.who, day)]
            d["on_duty_s"] += secs
            d["first_in"] = a if d["first_in"] is None else min(d["first_in"], a)
            d["last_out"] = b if d["last_out"] is None else max(d["last_out"], b)
            d["windows"].add(s.window)
    for p in pauses:
        for day, secs, _, _ in _split_by_day(p, zone, now):
            if start <= day <= end and (p.who, day) in days:
                d = days[(p.who, day)]
                d["pause_s"] += secs
                d["reasons"].append(p.reason or "")
    rows = []
    for (who, day), d in sorted(days.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        rows.append(
            {
                "date": day.isoformat(),
                "staff": who,
                "windows": ", ".join(sorted(d["windows"])),
                "first_in": d["first_in"].strftime("%H:%M"),
                "last_out": d["last_out"].strftime("%H:%M"),
                "on_duty_min": round(d["on_duty_s"] / 60, 1),
                "pause_min": round(d["pause_s"] / 60, 1),
                "pauses": len(d["reasons"]),
                "pause_reasons": ", ".join(sorted(set(d["reasons"]))),
            }
        )
    return rows


def load_attendance(
    engine: Engine, hall_id: str, zone: ZoneInfo, start: date, end: date, now: datetime
) -> list[dict]:
    """The attendance of hall `hall_id`'s clerks on the days [start, end]."""
    lo = datetime.combine(start, time.min, tzinfo=zone)
    hi = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    with engine.connect() as c:
        sessions = [
            Interval(r.staff, r.window, r.login_at, r.logout_at)
            for r in c.execute(
                select(StaffSessionRow).where(
                    StaffSessionRow.hall_id == hall_id,
                    StaffSessionRow.login_at < hi,
                    (StaffSessionRow.logout_at.is_(None)) | (StaffSessionRow.logout_at > lo),
                )
            )
        ]
        pauses = [
            Interval(r.staff or "", r.window, r.started_at, r.ended_at, r.reason)
            for r in c.execute(
                select(PauseRow).where(
                    PauseRow.hall_id == hall_id,
                    PauseRow.started_at < hi,
                    (PauseRow.ended_at.is_(None)) | (PauseRow.ended_at > lo),
                )
            )
        ]
    return attendance_rows(sessions, pauses, zone, start, end, now)
