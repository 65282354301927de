"""`hallcall report ...`, `hallcall complaint ...` and `hallcall case ...`: reports, complaints
and rectification cases (差评整改) from the database."""

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


def _today(config):
    return datetime.now(UTC).astimezone(ZoneInfo(config.hall.timezone)).date()


def _case_line(c, today) -> str:
    about = ", ".join(
        x
        for x in (
            f"ticket {c.number or c.ticket_id}",
            c.department and f"department {c.department}",
            c.matter and f"matter {c.matter}",
            f"window {c.window}",
            c.staff and f"clerk {c.staff}",
        )
        if x
    )
    state = c.status(today)
    return f"#{c.id} [{state.upper() if state == 'overdue' else state}] due {c.due_on} (score {c.score}/{c.scale}; {about})"


def cmd_case_list(args) -> int:
    from hallcall.broker.reports.rectification import CaseBook

    config, engine = _open(args)
    today = _today(config)
    book = CaseBook(config, engine)
    cases = book.list(open_only=not args.all, overdue_on=today if args.overdue else None)
    if not cases:
        print("no cases" if args.all else ("no overdue cases" if args.overdue else "no open cases"))
    for c in cases:
        print(_case_line(c, today))
    return 0


def cmd_case_show(args) -> int:
    from hallcall.broker.reports.rectification import CaseBook, CaseError

    config, engine = _open(args)
    book = CaseBook(config, engine)
    try:
        c = book.get(args.id)
    except CaseError as exc:
        print(f"case not shown: {exc}", file=sys.stderr)
        return 2
    print(_case_line(c, _today(config)))
    print(f"  opened {c.opened_at.isoformat()}")
    reasons = book.reasons(c)
    if reasons:
        print(f"  the visitor's reasons: {', '.join(reasons)}")
    if c.callback_at:
        print(f"  callback {c.callback_at.isoformat()} by {c.callback_by}: {c.callback_outcome}")
    if c.fixed_at:
        print(f"  fix {c.fixed_at.isoformat()}: {c.fix}")
    if c.appealed_at:
        print(f"  appeal {c.appealed_at.isoformat()}: {c.appeal_reason}")
    if c.appeal_decided_at:
        print(
            f"  appeal {c.appeal_decision} {c.appeal_decided_at.isoformat()} by "
            f"{c.appeal_decided_by}: {c.appeal_decision_reason}"
        )
    if c.closed_at:
        print(f"  closed {c.closed_at.isoformat()} by {c.closed_by}")
    return 0


def _case_step(args, what: str, step) -> int:
    from hallcall.broker.reports.rectification import CaseBook, CaseError

    config, engine = _open(args)
    try:
        c = step(CaseBook(config, engine), datetime.now(UTC))
    except CaseError as exc:
        print(f"{what} not recorded: {exc}", file=sys.stderr)
        return 2
    print(f"case #{c.id}: {what} recorded ({c.status(_today(config))})")
    return 0


def cmd_case_callback(args) -> int:
    return _case_step(
        args, "callback", lambda b, now: b.callback(args.id, args.by, args.outcome, now)
    )


def cmd_case_fix(args) -> int:
    return _case_step(args, "fix", lambda b, now: b.fix(args.id, args.text, now))


def cmd_case_appeal(args) -> int:
    return _case_step(args, "appeal", lambda b, now: b.appeal(args.id, args.reason, now))


def cmd_case_decide(args) -> int:
    return _case_step(
        args,
        "decision",
        lambda b, now: b.decide(args.id, args.decision, args.by, args.reason, now),
    )


def cmd_case_close(args) -> int:
    return _case_step(args, "closing", lambda b, now: b.close(args.id, args.by, now))


def _register_cases(sub) -> None:
    p = sub.add_parser("case", help="rectification cases (差评整改) opened by bad ratings")
    csub = p.add_subparsers(dest="case_command", required=True)
    a = csub.add_parser("list", help="list open cases (--all: every case; --overdue: overdue)")
    _common(a)
    a.add_argument("--all", action="store_true")
    a.add_argument("--overdue", action="store_true")
    a.set_defaults(func=cmd_case_list)
    a = csub.add_parser("show", help="one case with its callback, fix, appeal and decision")
    _common(a)
    a.add_argument("id", type=int)
    a.set_defaults(func=cmd_case_show)
    a = csub.add_parser("callback", help="record the callback to the visitor (回访)")
    _common(a)
    a.add_argument("id", type=int)
    a.add_argument("--by", required=True, help="who called")
    a.add_argument("--outcome", required=True)
    a.set_defaults(func=cmd_case_callback)
    a = csub.add_parser("fix", help="record what was done (整改)")
    _common(a)
    a.add_argument("id", type=int)
    a.add_argument("--text", required=True)
    a.set_defaults(func=cmd_case_fix)
    a = csub.add_parser("appeal", help="appeal a mistaken or malicious rating (申诉)")
    _common(a)
    a.add_argument("id", type=int)
    a.add_argument("--reason", required=True)
    a.set_defaults(func=cmd_case_appeal)
    a = csub.add_parser("decide", help="the manager's decision on an appeal")
    _common(a)
    a.add_argument("id", type=int)
    a.add_argument("decision", choices=["upheld", "rejected"])
    a.add_argument("--by", required=True, help="the manager deciding")
    a.add_argument("--reason", required=True)
    a.set_defaults(func=cmd_case_decide)
    a = csub.add_parser(
        "close", help="close a case (after a callback and a fix, or an upheld appeal)"
    )
    _common(a)
    a.add_argument("id", type=int)
    a.add_argument("--by", required=True)
    a.set_defaults(func=cmd_case_close)


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
    _register_cases(sub)
