"""`hallcall report ...` and `hallcall complaint ...`: reports and complaints from the database."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo


def _common(p) -> None:
    p.add_argument("--config", required=True, help="the hall's configuration file")
    p.add_argument(
        "--db", default=os.environ.get("HALLCALL_DB", "sqlite:///hallcall.db"), help="database URL"
    )


def _open(args):
    from hallcall.broker.storage.database import create_db_engine
    from hallcall.broker.storage.migrate import upgrade
    from hallcall.config.loader import load_or_exit as _config

    config = _config(args.config)
    engine = create_db_engine(args.db)
    upgrade(engine)
    return config, engine


def cmd_report(args) -> int:
    from hallcall.broker.reports.export import write_csv, write_html, write_xlsx
    from hallcall.broker.reports.report import build_report, parse_period

    config, engine = _open(args)
    zone = ZoneInfo(config.hall.timezone)
    today = datetime.now(UTC).astimezone(zone).date()
    try:
        start, end = parse_period(args.period, today)
    except ValueError as exc:
        print(f"bad --period {args.period!r}: {exc}", file=sys.stderr)
        return 2
    report = build_report(config, engine, start, end, lang=args.lang)
    out = Path(args.out)
    formats = {f.strip() for f in args.format.split(",")}
    unknown = formats - {"csv", "xlsx", "html"}
    if unknown:
        print(
            f"unknown format(s): {', '.join(sorted(unknown))} (use csv, xlsx, html)",
            file=sys.stderr,
        )
        return 2
    base = f"{config.hall.id}_{start}_{end}"
    written: list[Path] = []
    if "csv" in formats:
        written += write_csv(report, out / f"{base}_csv")
    if "xlsx" in formats:
        written.append(write_xlsx(report, out / f"{base}.xlsx"))
    if "html" in formats:
        written.append(write_html(report, out / f"{base}.html", config.hall.name.get(report.lang)))
    summary = report.table("hall").rows
    served = summary[0]["served"] if summary else 0
    issued = summary[0]["issued"] if summary else 0
    print(f"report {start} .. {end}: {issued} tickets issued, {served} served")
    if not issued:
        print(
            f"  (no tickets in that period; today is {today} in the hall's time zone, {config.hall.timezone})"
        )
    folders = sorted({str(p.parent if p.suffix == ".csv" else p) for p in written})
    for path in folders:
        print(f"  wrote {path}")
    return 0


def cmd_complaint_add(args) -> int:
    from hallcall.broker.reports.complaints import ComplaintBook, ComplaintError

    config, engine = _open(args)
    try:
        c = ComplaintBook(config, engine).add(
            args.text,
            args.channel,
            datetime.now(UTC),
            window=args.window,
            staff=args.staff,
            ticket_id=args.ticket,
        )
    except ComplaintError as exc:
        print(f"complaint not recorded: {exc}", file=sys.stderr)
        return 2
    print(f"complaint #{c.id} recorded; answer due by {c.due_on}")
    return 0


def cmd_complaint_answer(args) -> int:
    from hallcall.broker.reports.complaints import ComplaintBook, ComplaintError

    config, engine = _open(args)
    try:
        c = ComplaintBook(config, engine).answer(args.id, args.text, datetime.now(UTC))
    except ComplaintError as exc:
        print(f"not answered: {exc}", file=sys.stderr)
        return 2
    assert c.answered_at is not None  # answer() has just set it
    late = c.answered_at.date() > c.due_on
    print(f"complaint #{c.id} answered{' (late)' if late else ''}")
    return 0


def cmd_complaint_list(args) -> int:
    from zoneinfo import ZoneInfo

    from hallcall.broker.reports.complaints import ComplaintBook

    config, engine = _open(args)
    zone = ZoneInfo(config.hall.timezone)
    today = datetime.now(UTC).astimezone(zone).date()
    rows = ComplaintBook(config, engine).list(open_only=not args.all)
    if not rows:
        print("no open complaints" if not args.all else "no complaints")
    for c in rows:
        state = "answered" if c.answered_at else ("OVERDUE" if c.overdue(today) else "open")
        about = ", ".join(
            x
            for x in (
                c.window and f"window {c.window}",
                c.staff and f"clerk {c.staff}",
                c.ticket_id and f"ticket {c.ticket_id}",
            )
            if x
        )
        print(f"#{c.id} [{state}] due {c.due_on} ({c.channel}; {about}): {c.text}")
    return 0


def register(sub) -> None:
    p = sub.add_parser(
        "report", help="statistics for a day, month, quarter or range (CSV, XLSX, HTML)"
    )
    _common(p)
    p.add_argument(
        "--period",
        required=True,
        help="2026-11-23 | 2026-11 | 2026Q4 | 2026 | 2026-11-01..2026-11-15 | today | "
        "yesterday | this-month | last-month (days in the hall's time zone)",
    )
    p.add_argument("--format", default="csv,xlsx,html", help="comma-separated: csv, xlsx, html")
    p.add_argument("--out", default="reports", help="output folder")
    p.add_argument(
        "--lang", choices=["zh", "en"], help="language of headings (default: the hall's)"
    )
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("complaint", help="record, answer and list complaints")
    csub = p.add_subparsers(dest="complaint_command", required=True)
    a = csub.add_parser("add", help="record a complaint against a window, clerk or ticket")
    _common(a)
    a.add_argument("--text", required=True)
    a.add_argument("--channel", default="in_person")
    a.add_argument("--window")
    a.add_argument("--staff")
    a.add_argument("--ticket")
    a.set_defaults(func=cmd_complaint_add)
    a = csub.add_parser("answer", help="record the answer to a complaint")
    _common(a)
    a.add_argument("id", type=int)
    a.add_argument("--text", required=True)
    a.set_defaults(func=cmd_complaint_answer)
    a = csub.add_parser("list", help="list open complaints (with --all, every complaint)")
    _common(a)
    a.add_argument("--all", action="store_true")
    a.set_defaults(func=cmd_complaint_list)
