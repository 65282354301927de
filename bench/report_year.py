"""How long the reports take on a year of a large hall (about 500,000 tickets).

Fills a SQLite database (in a temporary folder) with a year of tickets, their history and
ratings, written straight through SQLAlchemy Core for speed, then times loading the records,
computing every table, and writing CSV, XLSX and HTML. Prints the numbers.

    .venv/bin/python bench/report_year.py [--tickets 500000] [--db URL]
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select

from hallcall.broker.reports.export import write_csv, write_html, write_xlsx
from hallcall.broker.reports.records import load_records
from hallcall.broker.reports.report import build_report
from hallcall.broker.storage.database import create_db_engine
from hallcall.broker.storage.migrate import upgrade
from hallcall.broker.storage.orm import RatingRow, TicketEventRow, TicketRow
from hallcall.config.loader import EXAMPLE_HALL, load_config


def fill(engine, config, tickets: int, seed: int = 1) -> None:
    """A year of `config`'s hall (its rows carry its hall id)."""
    rng = random.Random(seed)
    hall = config.hall.id
    zone = ZoneInfo(config.hall.timezone)
    days = [date(2025, 1, 1) + timedelta(days=i) for i in range(365)]
    days = [d for d in days if d.weekday() < 5]
    per_day = tickets // len(days)
    staffed = [
        (w.id, [s.id for s in config.staff if s.department in w.departments] or ["s101"])
        for w in config.windows
        if w.departments
    ]
    t_rows, e_rows, r_rows = [], [], []

    def flush(conn):
        if t_rows:
            conn.execute(insert(TicketRow), t_rows)
            conn.execute(insert(TicketEventRow), e_rows)
            if r_rows:
                conn.execute(insert(RatingRow), r_rows)
            t_rows.clear(), e_rows.clear(), r_rows.clear()

    with engine.begin() as conn:
        for day in days:
            counters: dict[str, int] = {}
            start = datetime(day.year, day.month, day.day, 9, tzinfo=zone).astimezone(UTC)
            for _ in range(per_day):
                dep = rng.choice(config.departments)
                matter = rng.choice(dep.matters).id
                counters[dep.id] = counters.get(dep.id, 0) + 1
                n = counters[dep.id]
                number = f"{dep.prefix}{n:04d}"
                tid = f"{day:%Y%m%d}-{number}"
                issued = start + timedelta(seconds=rng.randint(0, 7 * 3600))
                called = issued + timedelta(seconds=rng.randint(30, 3600))
                finished = called + timedelta(seconds=rng.randint(60, 1800))
                window, staff_ids = rng.choice(
                    [s for s in staffed if dep.id in config.window(s[0]).departments] or staffed
                )
                staff = rng.choice(staff_ids)
                no_show = rng.random() < 0.05
                t_rows.append(
                    dict(
                        hall_id=hall,
                        id=tid,
                        service_date=day,
                        seqno=n,
                        number=number,
                        department=dep.id,
                        original_department=dep.id,
                        matter=matter,
                        priority="normal",
                        source="walk_in",
                        appointment_code=None,
                        booked_at=None,
                        lang="zh",
                        status="no_show" if no_show else "finished",
                        issued_at=issued,
                        queued_at=issued,
                        window=window,
                        staff=staff,
                        post="A",
                        called_at=called,
                        recalls=0,
                        transfers=0,
                        finished_at=finished,
                        outcome=None
                        if no_show
                        else rng.choice(["done", "done", "done", "returned", "needs_documents"]),
                        closed_by_system=False,
                    )
                )
                e_rows.append(
                    dict(
                        hall_id=hall,
                        ticket_id=tid,
                        at=issued,
                        action="issued",
                        department=dep.id,
                        window=None,
                        staff=None,
                        detail=None,
                    )
                )
                e_rows.append(
                    dict(
                        hall_id=hall,
                        ticket_id=tid,
                        at=called,
                        action="called",
                        department=dep.id,
                        window=window,
                        staff=staff,
                        detail=None,
                    )
                )
                e_rows.append(
                    dict(
                        hall_id=hall,
                        ticket_id=tid,
                        at=finished,
                        action="no_show" if no_show else "finished",
                        department=dep.id,
                        window=window,
                        staff=staff,
                        detail=None,
                    )
                )
                if not no_show and rng.random() < 0.8:
                    r_rows.append(
                        dict(
                            hall_id=hall,
                            ticket_id=tid,
                            window=window,
                            staff=staff,
                            score=rng.choice([3, 3, 3, 2, 1]),
                            scale=3,
                            reasons=None,
                            pad="pad",
                            rated_at=finished,
                        )
                    )
                if len(t_rows) >= 20000:
                    flush(conn)
        flush(conn)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tickets", type=int, default=500_000)
    ap.add_argument(
        "--db",
        help="database URL (default: a new SQLite file in a temporary folder); "
        "one that already has the example hall's tickets is reported on as it is",
    )
    args = ap.parse_args()
    config = load_config(EXAMPLE_HALL)
    tmp = Path(tempfile.mkdtemp(prefix="hallcall-bench-"))
    engine = create_db_engine(args.db or f"sqlite:///{tmp / 'year.db'}")
    upgrade(engine)
    t0 = time.perf_counter()
    with engine.connect() as conn:
        existing = conn.execute(
            select(func.count()).select_from(TicketRow).where(TicketRow.hall_id == config.hall.id)
        ).scalar()
    if existing:
        print(
            f"using the {existing:,} tickets of {config.hall.id} already in {engine.url.database}"
        )
    else:
        fill(engine, config, args.tickets)
        print(
            f"filled {args.tickets:,} tickets (one year) in {time.perf_counter() - t0:.1f} s"
            f" into {engine.url.database}"
        )
    t1 = time.perf_counter()
    records = load_records(engine, config.hall.id, date(2025, 1, 1), date(2025, 12, 31))
    t2 = time.perf_counter()
    print(f"load_records: {len(records):,} records in {t2 - t1:.2f} s")
    report = build_report(
        config, engine, date(2025, 1, 1), date(2025, 12, 31), lang="zh", records=records
    )
    t3 = time.perf_counter()
    print(f"build_report (every table, attendance, complaints): {t3 - t2:.2f} s")
    write_csv(report, tmp / "csv")
    t4 = time.perf_counter()
    write_xlsx(report, tmp / "year.xlsx")
    t5 = time.perf_counter()
    write_html(report, tmp / "year.html", config.hall.name.zh)
    t6 = time.perf_counter()
    print(f"write CSV {t4 - t3:.2f} s, XLSX {t5 - t4:.2f} s, HTML {t6 - t5:.2f} s")
    print(f"year report end to end (load + compute + 3 formats): {t6 - t1:.2f} s")
    print(
        f"peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )


if __name__ == "__main__":
    main()
