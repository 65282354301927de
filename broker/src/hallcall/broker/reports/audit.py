"""The audit table read back: which person did what from an admin tool, and how it went."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select

from hallcall.broker.storage.orm import AuditRow


def load_audit(engine: Engine, hall_id: str, zone: ZoneInfo, start: date, end: date) -> list[dict]:
    """Hall `hall_id`'s admin commands on the days [start, end] (hall time), oldest first."""
    lo = datetime.combine(start, time.min, tzinfo=zone)
    hi = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    a = AuditRow.__table__.c
    with engine.connect() as c:
        rows = c.execute(
            select(AuditRow.__table__)
            .where(a.hall_id == hall_id, a.at >= lo, a.at < hi)
            .order_by(a.at, a.id)
        ).all()
    return [
        {
            "at": r.at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
            "actor": r.actor or "",
            "device": f"{r.device_kind}/{r.device_id}",
            "op": r.op,
            "arguments": json.dumps(r.arguments, ensure_ascii=False, sort_keys=True),
            "outcome": r.outcome,
        }
        for r in rows
    ]
