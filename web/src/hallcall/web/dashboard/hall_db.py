"""What the dashboard reads from the queue broker's database (`--db`): read only.

The longest wait of each queue and the day's low ratings come from indexed reads of the
tickets and ratings tables; the day's figures and every report are the reports' own code
(`hallcall.broker.reports`), so the dashboard shows what `hallcall report` writes.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select

from hallcall.broker.reports.records import load_records
from hallcall.broker.reports.report import Report, build_report
from hallcall.broker.storage.orm import RatingRow, TicketRow
from hallcall.config.schema import HallConfig
from hallcall.web.dashboard.alarms import RatingFacts
from hallcall.web.storage.users import User

#: Report tables a department head does not get: they are about the whole hall's people.
HALL_ONLY_TABLES = ("attendance", "audit", "complaints")


def _aware(dt: datetime) -> datetime:
    from datetime import UTC

    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def oldest_waiting(engine: Engine, hall_id: str, today: date) -> dict[str, tuple[datetime, str]]:
    """Department -> (when its longest-waiting visitor joined the queue, their number)."""
    t = TicketRow.__table__
    first = (
        select(t.c.department, func.min(t.c.queued_at).label("since"))
        .where(t.c.hall_id == hall_id, t.c.service_date == today, t.c.status == "waiting")
        .group_by(t.c.department)
        .subquery()
    )
    q = select(first.c.department, first.c.since, t.c.number).join(
        t,
        (t.c.hall_id == hall_id)
        & (t.c.service_date == today)
        & (t.c.status == "waiting")
        & (t.c.department == first.c.department)
        & (t.c.queued_at == first.c.since),
    )
    with engine.connect() as conn:
        rows: list[Any] = list(conn.execute(q))
    return {dep: (_aware(since), number) for dep, since, number in rows}


def low_ratings(engine: Engine, config: HallConfig, since: datetime) -> list[RatingFacts]:
    """The lowest ratings (score 1) given since `since`."""
    r, t = RatingRow.__table__, TicketRow.__table__
    q = (
        select(r.c.ticket_id, r.c.window, r.c.score, r.c.rated_at, t.c.number, t.c.department)
        .join(t, (t.c.hall_id == r.c.hall_id) & (t.c.id == r.c.ticket_id))
        .where(r.c.hall_id == config.hall.id, r.c.rated_at >= since, r.c.score == 1)
        .order_by(r.c.rated_at)
    )
    found = []
    with engine.connect() as conn:
        rows: list[Any] = list(conn.execute(q))
    for ticket_id, window, score, at, number, dep in rows:
        w = config.window(window)
        found.append(
            RatingFacts(ticket_id, number, w.number if w else None, dep, score, _aware(at))
        )
    return found


def report_for(
    config: HallConfig,
    engine: Engine,
    start: date,
    end: date,
    lang: str,
    user: User,
    now: datetime,
) -> Report:
    """The report of [start, end]; a department head's holds only their department's visits."""
    if user.is_manager:
        return build_report(config, engine, start, end, lang=lang, now=now)
    dep = user.department or ""

    def mine(records):
        return [x for x in records if dep in (x.department, x.issued_department)]

    records = mine(load_records(engine, config.hall.id, start, end))
    from hallcall.broker.reports.report import previous_period

    p_start, p_end = previous_period(start, end)
    previous = mine(load_records(engine, config.hall.id, p_start, p_end))
    report = build_report(
        config, engine, start, end, lang=lang, now=now, records=records, previous_records=previous
    )
    report.tables = [t for t in report.tables if t.name not in HALL_ONLY_TABLES]
    # Its records touch other departments too (a transfer in or out): their rows stay theirs.
    own: dict[str, set[str]] = {
        "department": {dep},
        "window": {w.id for w in config.windows if dep in w.departments},
        "clerk": {s.id for s in config.staff if s.department == dep},
        "matter": {m.id for d in config.departments if d.id == dep for m in d.matters},
    }
    own["assessment"] = own["department"] | own["clerk"]
    own["cases"] = own["department"] | own["clerk"]  # 差评整改: its department and its clerks
    for t in report.tables:
        if t.name in own:
            t.rows = [row for row in t.rows if row.get("key") in own[t.name]]
    return report


def today_of(now: datetime, config: HallConfig) -> date:
    return now.astimezone(ZoneInfo(config.hall.timezone)).date()
