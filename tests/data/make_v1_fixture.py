"""Make tests/data/v1_hall.json: every row of a "v1" hall database, for the migration test.

This was run at commit c6f2a3ca88ac85ac79c1dc1f8dfd3186a9fef6a2, the last commit with the
one-hall queue broker (broker/src/hallcall/broker/service/queue_service.py) and the schema at Alembic revision 0003.
That broker no longer exists after the rewrite (hall id on every table), so this script runs
against that commit's code only; it is kept to show how the fixture was made, not to be re-run
by the tests. To re-make the fixture, check out that commit and run it from there, e.g.:

    git worktree add /tmp/v1tree c6f2a3ca88ac85ac79c1dc1f8dfd3186a9fef6a2
    python3 -m venv /tmp/v1venv && /tmp/v1venv/bin/pip install -e /tmp/v1tree
    /tmp/v1venv/bin/python tests/data/make_v1_fixture.py      # writes tests/data/v1_hall.json

What it does: migrates a fresh SQLite database to head (0003) with that commit's own
`hallcall.broker.storage.migrate.upgrade`, then drives the example university hall
(config/src/hallcall/config/halls/example-university.toml) with `QueueService` and a `FakeClock` through two service
days in Asia/Shanghai, sending the raw JSON commands the devices send:

* Monday 2026-11-23: appointments booked (admin) for that day, the next day and later; a flex
  window assigned (admin window.assign); clerks log in on post A, one hands over to a post-B
  clerk; walk-in and priority tickets in all four departments, one appointment checked in by
  code; call next, recall (up to the limit), no-show, transfer to another department, finish
  with every outcome; rating-pad ratings, one with five reasons; a pause with a reason and a
  resume; refused commands whose error replies are stored; a clerk logs out; the day is closed
  by admin day.close with tickets still waiting and one still at a window (so tickets closed by
  the system exist), and a ticket asked for after closing is refused. Two complaints are
  recorded with ComplaintBook (broker/src/hallcall/broker/reports/complaints.py).
* Tuesday 2026-11-24, left open: an appointment checked in by phone number, tickets waiting and
  called, clerks on duty, a window paused, one complaint answered.

Then every table (all of Base.metadata, plus alembic_version) is dumped, values as SQLite
stores them: datetimes as the stored text (UTC, naive), dates as text, booleans as 0/1, JSON
columns as their JSON values (keys in stored order); rows ordered by primary key, so the file is
stable. The broker writes Python None into a JSON column as the JSON text 'null', never as SQL
NULL (SQLAlchemy's JSON default), so a null in a JSON column of the file is that text; the dump
refuses an SQL NULL there rather than blur the two.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from alembic.script import ScriptDirectory
from sqlalchemy import JSON

from hallcall.broker.reports.complaints import ComplaintBook
from hallcall.broker.service.clock import FakeClock
from hallcall.broker.service.queue_service import QueueService
from hallcall.broker.storage.database import create_db_engine
from hallcall.broker.storage.migrate import alembic_config, upgrade
from hallcall.broker.storage.orm import Base
from hallcall.config.loader import EXAMPLE_HALL, load_config
from hallcall.protocol.topics import Sender

V1_REVISION = "0003"
SHANGHAI = ZoneInfo("Asia/Shanghai")
HERE = Path(__file__).resolve().parent

FIVE_REASONS = ["waited_long", "attitude", "unclear", "not_solved", "slow"]


def at(day: int, hh: int, mm: int) -> datetime:
    """An instant in the hall: November `day`, 2026, hh:mm Shanghai time."""
    return datetime(2026, 11, day, hh, mm, tzinfo=SHANGHAI)


class Devices:
    """Sends raw JSON commands as the hall's devices would, with stable request ids."""

    def __init__(self, service: QueueService, clock: FakeClock):
        self.service, self.clock = service, clock
        self.n = 0

    def set_time(self, day: int, hh: int, mm: int) -> None:
        target = at(day, hh, mm)
        if target < self.clock.now():
            raise RuntimeError(f"the clock may only move forward (to {target})")
        self.clock.advance((target - self.clock.now()).total_seconds())

    def send(self, kind: str, device: str, op: str, **args) -> dict:
        self.n += 1
        raw = json.dumps({"request_id": f"v1-{self.n:04d}", "op": op, **args}).encode()
        return self.service.handle(Sender(kind, device), raw).reply

    def ok(self, kind: str, device: str, op: str, **args) -> dict:
        reply = self.send(kind, device, op, **args)
        if not reply["ok"]:
            raise RuntimeError(f"{kind}/{device} {op} {args} was refused: {reply}")
        return reply["data"]

    def refused(self, error: str, kind: str, device: str, op: str, **args) -> None:
        """Send a command the broker must refuse with `error` (its reply is stored too)."""
        reply = self.send(kind, device, op, **args)
        if reply["ok"] or reply["error"]["code"] != error:
            raise RuntimeError(f"{kind}/{device} {op} should be refused with {error!r}: {reply}")

    # The devices of the example hall.
    def admin(self, op: str, **args) -> dict:
        return self.ok("admin", "office", op, **args)

    def issue(self, department: str, kiosk: str = "kiosk-1", **args) -> dict:
        return self.ok("kiosk", kiosk, "ticket.issue", department=department, **args)["ticket"]

    def checkin(self, code: str, kiosk: str = "kiosk-1") -> dict:
        return self.ok("kiosk", kiosk, "appointment.checkin", code=code)["ticket"]

    def win(self, window: str, op: str, **args) -> dict:
        return self.ok("window", window, op, **args)

    def login(self, window: str, staff: str, post: str = "A") -> dict:
        return self.win(window, "window.login", staff=staff, post=post)

    def next(self, window: str) -> dict:
        return self.win(window, "call.next")["ticket"]

    def finish(self, window: str, outcome: str = "done") -> dict:
        return self.win(window, "ticket.finish", outcome=outcome)["ticket"]

    def rate(self, window: str, ticket: dict, score: int, reasons: list[str] | None = None) -> None:
        args = {"ticket_id": ticket["id"], "score": score}
        if reasons:
            args["reasons"] = reasons
        self.ok("rating", f"pad-{window}", "rating.submit", **args)


def expect(ticket: dict, number: str) -> dict:
    if ticket["number"] != number:
        raise RuntimeError(f"expected ticket {number}, got {ticket['number']}")
    return ticket


def day_one(d: Devices, book: ComplaintBook) -> None:
    """Monday 2026-11-23, closed at the end by admin day.close."""
    d.set_time(23, 8, 56)
    d.admin(
        "appointment.book",
        department="registrar",
        matter="transcript",
        booked_at=at(23, 10, 0).isoformat(),
        code="231001",
        phone="13800001001",
        lang="en",
    )
    d.admin(
        "appointment.book",
        department="finance",
        matter="tuition",
        booked_at=at(24, 9, 30).isoformat(),
        code="241002",
        phone="13800001002",
    )
    d.set_time(23, 8, 57)
    d.admin(
        "appointment.book",
        department="student-affairs",
        matter="enrolment-certificate",
        booked_at=at(25, 14, 0).isoformat(),
        code="251003",
    )  # never checked in
    d.refused(
        "conflict",
        "admin",
        "office",
        "appointment.book",
        department="finance",
        booked_at=at(24, 11, 0).isoformat(),
        code="241002",
    )  # code already used
    d.set_time(23, 8, 58)
    d.admin("window.assign", window="w07", departments=["finance", "student-affairs"])

    d.set_time(23, 9, 0)
    for window, staff in [
        ("w01", "s101"),
        ("w02", "s103"),
        ("w03", "s201"),
        ("w05", "s301"),
        ("w06", "s401"),
    ]:
        d.login(window, staff, "A")

    plan = [
        ("registrar", {"matter": "transcript"}),  # A001
        ("registrar", {"matter": "status-change"}),  # A002
        ("registrar", {"matter": "transcript", "priority": "priority", "lang": "en"}),  # A003
        ("finance", {"matter": "tuition"}),  # B001
        ("student-affairs", {"matter": "enrolment-certificate", "lang": "en"}),  # C001
        ("international", {"matter": "visa", "lang": "en"}),  # D001
        ("registrar", {}),  # A004
        ("finance", {"matter": "reimbursement", "priority": "priority"}),  # B002
        ("student-affairs", {"matter": "financial-aid"}),  # C002
        ("registrar", {"matter": "transcript"}),  # A005
        ("international", {"matter": "visa", "priority": "priority"}),  # D002
        ("student-affairs", {}),  # C003
    ]
    for i, (dep, args) in enumerate(plan):
        d.set_time(23, 9, 1 + i)
        d.issue(dep, kiosk="kiosk-1" if i % 3 else "kiosk-2", **args)

    d.set_time(23, 9, 15)
    t = expect(d.next("w01"), "A003")  # priority first
    d.set_time(23, 9, 22)
    d.finish("w01", "done")
    d.rate("w01", t, 3)

    d.set_time(23, 9, 23)
    expect(d.next("w02"), "A001")
    d.set_time(23, 9, 24)
    d.win("w02", "call.recall")
    d.set_time(23, 9, 25)
    d.win("w02", "call.recall")
    d.set_time(23, 9, 26)
    d.refused("conflict", "window", "w02", "call.recall")  # recall_limit = 2
    d.win("w02", "ticket.no_show")

    d.set_time(23, 9, 27)
    expect(d.next("w01"), "A002")
    d.set_time(23, 9, 30)
    d.win("w01", "ticket.transfer", department="finance", matter="tuition")

    d.set_time(23, 9, 31)
    t = expect(d.next("w03"), "B002")  # priority
    d.set_time(23, 9, 50)
    d.finish("w03", "returned")
    d.rate("w03", t, 1, FIVE_REASONS)

    d.set_time(23, 9, 51)
    t5 = expect(d.next("w05"), "C001")
    d.set_time(23, 9, 52)
    t = expect(d.next("w06"), "D002")  # priority, international
    d.set_time(23, 9, 58)
    d.finish("w05", "needs_documents")
    d.rate("w05", t5, 2, ["unclear"])
    d.set_time(23, 10, 0)
    d.checkin("231001", kiosk="kiosk-2")  # A006, booked for 10:00
    d.set_time(23, 10, 10)
    d.finish("w06", "done")
    d.rate("w06", t, 3)

    d.set_time(23, 10, 12)
    expect(d.next("w02"), "A006")  # a due appointment comes before walk-ins
    d.set_time(23, 10, 20)
    d.finish("w02", "done")  # not rated

    d.set_time(23, 10, 21)
    d.win("w01", "window.pause", reason="部门例会 (department meeting)")
    d.set_time(23, 10, 25)
    d.refused("conflict", "window", "w01", "call.next")  # paused
    d.set_time(23, 10, 50)
    d.win("w01", "window.resume")

    d.set_time(23, 11, 0)  # A/B hand-over at window 1
    d.login("w01", "s102", "B")
    d.set_time(23, 11, 1)
    t = expect(d.next("w01"), "A004")
    d.set_time(23, 11, 9)
    d.finish("w01", "done")
    d.rate("w01", t, 2)

    d.set_time(23, 11, 10)
    d.login("w07", "s202", "B")  # the flex window, assigned to finance and student-affairs
    d.next("w07")
    d.set_time(23, 11, 20)
    d.finish("w07", "done")  # window 7 has no rating pad

    d.set_time(23, 11, 30)
    d.refused("conflict", "window", "w04", "call.next")  # nobody logged in at window 4
    d.refused("conflict", "rating", "pad-w01", "rating.submit", ticket_id="20261123-A003", score=3)
    d.refused("invalid", "rating", "pad-w06", "rating.submit", ticket_id="20261123-D002", score=4)

    d.set_time(23, 12, 0)
    d.win("w05", "window.pause", reason="午休 lunch break")  # still paused at closing time

    for i, (dep, args) in enumerate(
        [
            ("registrar", {}),
            ("finance", {"matter": "tuition"}),
            ("registrar", {"priority": "priority"}),
        ]
    ):
        d.set_time(23, 13, 30 + i)
        d.issue(dep, **args)

    d.set_time(23, 14, 0)
    in_service = d.next("w06")  # still at window 6 when the day is closed
    d.set_time(23, 16, 0)
    d.win("w03", "window.logout")

    d.set_time(23, 17, 30)
    summary = d.admin("day.close")["summary"]
    if summary["finished_by_system"] != [in_service["number"]] or not summary["no_show_by_system"]:
        raise RuntimeError(f"unexpected close-of-day summary: {summary}")
    d.set_time(23, 17, 31)
    d.refused("closed", "kiosk", "kiosk-1", "ticket.issue", department="registrar")

    d.set_time(23, 17, 40)
    book.add(
        "等了一个多小时，窗口还让我补材料。Waited over an hour, then sent away for papers.",
        "phone",
        d.clock.now(),
        ticket_id="20261123-B002",
    )
    d.set_time(23, 17, 45)
    book.add(
        "The clerk at window 1 was on the phone during service.",
        "in_person",
        d.clock.now(),
        window="w01",
        staff="s102",
    )


def day_two(d: Devices, book: ComplaintBook) -> None:
    """Tuesday 2026-11-24, left open: waiting and called tickets, clerks on duty."""
    d.set_time(24, 8, 55)
    d.admin("window.assign", window="w08", departments=["registrar", "international"])
    d.set_time(24, 9, 0)
    for window, staff, post in [
        ("w01", "s101", "A"),
        ("w03", "s202", "B"),
        ("w08", "s103", "A"),
        ("w06", "s401", "A"),
    ]:
        d.login(window, staff, post)

    plan = [
        ("registrar", {"matter": "transcript"}),
        ("finance", {"matter": "tuition", "lang": "en"}),
        ("registrar", {"priority": "priority"}),
        ("international", {"matter": "visa"}),
        ("registrar", {"matter": "status-change"}),
        ("finance", {"matter": "reimbursement"}),
        ("student-affairs", {"matter": "financial-aid", "priority": "priority"}),
        ("registrar", {}),
        ("international", {"lang": "en"}),
        ("student-affairs", {"matter": "enrolment-certificate"}),
    ]
    for i, (dep, args) in enumerate(plan):
        d.set_time(24, 9, 1 + i)
        d.issue(dep, kiosk="kiosk-2" if i % 2 else "kiosk-1", **args)

    d.set_time(24, 9, 12)
    t = d.next("w01")
    d.set_time(24, 9, 18)
    d.finish("w01", "done")
    d.rate("w01", t, 3)

    d.set_time(24, 9, 20)
    t = d.next("w03")
    d.set_time(24, 9, 25)
    d.checkin("13800001002", kiosk="kiosk-1")  # by the phone number it was booked with
    d.set_time(24, 9, 33)
    d.finish("w03", "needs_documents")
    d.rate("w03", t, 1, ["waited_long", "come_back"])

    d.set_time(24, 9, 34)
    d.next("w08")
    d.set_time(24, 9, 40)
    d.win("w08", "ticket.transfer", department="student-affairs", matter="enrolment-certificate")

    d.set_time(24, 9, 41)
    t = d.next("w06")
    d.set_time(24, 9, 55)
    d.finish("w06", "returned")
    d.rate("w06", t, 2, ["slow"])
    d.set_time(24, 9, 56)
    d.win("w06", "window.pause", reason="系统维护 system maintenance")  # left paused

    d.set_time(24, 10, 0)
    book.answer(1, "已回电说明补件要求并致歉。Called back, explained, apologised.", d.clock.now())

    d.set_time(24, 10, 5)
    d.next("w03")  # left at the window
    d.set_time(24, 10, 6)
    d.next("w01")  # left at the window
    d.set_time(24, 10, 7)
    d.next("w08")  # left at the window
    d.set_time(24, 10, 8)
    d.issue("finance", kiosk="kiosk-2")  # still waiting


# ------------------------------------------------------------------ dump
def json_columns() -> dict[str, set[str]]:
    return {
        t.name: {c.name for c in t.columns if isinstance(c.type, JSON)}
        for t in Base.metadata.sorted_tables
    }


def dump(db_path: Path, hall_id: str) -> dict:
    expected = {t.name for t in Base.metadata.sorted_tables} | {"alembic_version"}
    con = sqlite3.connect(db_path)  # no type detection: values exactly as stored
    try:
        present = {
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        }
        if present != expected:
            raise RuntimeError(f"tables differ from the ORM: {sorted(present ^ expected)}")
        as_json = json_columns()
        tables = {}
        for name in sorted(expected):
            info = con.execute(f'PRAGMA table_info("{name}")').fetchall()
            columns = [r[1] for r in info]
            pk = [r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5])]
            order = ", ".join(f'"{c}"' for c in pk or columns)
            rows = []
            for row in con.execute(f'SELECT * FROM "{name}" ORDER BY {order}'):
                values = []
                for col, value in zip(columns, row):
                    if col in as_json.get(name, ()):
                        if value is None:  # would be indistinguishable from the text 'null'
                            raise RuntimeError(f"{name}.{col} holds an SQL NULL")
                        value = json.loads(value)
                    elif isinstance(value, bytes):
                        raise RuntimeError(f"{name}.{col} holds bytes")
                    values.append(value)
                rows.append(values)
            tables[name] = {"columns": columns, "rows": rows}
        (version,) = con.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        con.close()
    return {"alembic_version": version, "hall_id": hall_id, "tables": tables}


def write_json(data: dict, path: Path) -> None:
    """Indented, one table row per line, so a diff shows what changed."""
    enc = lambda v: json.dumps(v, ensure_ascii=False)  # noqa: E731  (keys in stored order)
    lines = [
        "{",
        f'  "alembic_version": {enc(data["alembic_version"])},',
        f'  "hall_id": {enc(data["hall_id"])},',
        '  "tables": {',
    ]
    names = list(data["tables"])
    for i, name in enumerate(names):
        table = data["tables"][name]
        lines.append(f"    {enc(name)}: {{")
        lines.append(f'      "columns": {enc(table["columns"])},')
        if table["rows"]:
            lines.append('      "rows": [')
            lines += [f"        {enc(r)}," for r in table["rows"][:-1]]
            lines.append(f"        {enc(table['rows'][-1])}")
            lines.append("      ]")
        else:
            lines.append('      "rows": []')
        lines.append("    }" + ("," if i < len(names) - 1 else ""))
    lines += ["  }", "}", ""]
    text = "\n".join(lines)
    if json.loads(text) != data:
        raise RuntimeError("the written JSON does not read back as the dump")
    path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "v1_hall.json")
    args = parser.parse_args()

    head = ScriptDirectory.from_config(alembic_config(None)).get_current_head()
    if head != V1_REVISION:
        raise SystemExit(f"this script needs the v1 code (Alembic head {V1_REVISION}), not {head}")

    config = load_config(EXAMPLE_HALL)
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "v1_hall.db"
        engine = create_db_engine(f"sqlite:///{db_path}")
        upgrade(engine)
        clock = FakeClock(at(23, 8, 55))
        service = QueueService(config, engine, clock)
        service.initialize()
        devices = Devices(service, clock)
        book = ComplaintBook(config, engine)
        day_one(devices, book)
        day_two(devices, book)
        engine.dispose()  # the last connection checkpoints the WAL into the file
        data = dump(db_path, config.hall.id)

    empty = [name for name, t in data["tables"].items() if not t["rows"]]
    if empty:
        raise SystemExit(f"tables without rows: {empty}")
    write_json(data, args.out)
    for name, table in data["tables"].items():
        print(f"{name:16} {len(table['rows']):4} rows")
    print(
        f"alembic_version {data['alembic_version']}; wrote {args.out} "
        f"({args.out.stat().st_size} bytes)"
    )


if __name__ == "__main__":
    main()
