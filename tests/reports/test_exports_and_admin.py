"""CSV, XLSX and HTML outputs; complaints; the report and admin commands; backup."""

from __future__ import annotations

import csv
import logging
import shutil
import sqlite3
import subprocess
import threading
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from hallcall.broker.admin.backup import BackupError, backup
from hallcall.broker.calendars import calendar_for, china
from hallcall.broker.domain.working_days import add_working_days
from hallcall.broker.reports.complaints import ComplaintBook, ComplaintError
from hallcall.broker.reports.export import write_csv, write_html, write_xlsx
from hallcall.broker.reports.report import build_report
from hallcall.cli import main
from tests.support.hall import SHANGHAI
from tests.support.screens import SCREENSHOTS

TODAY = date(2026, 11, 23)


def busy_morning(hall, clock):
    for _ in range(6):
        hall.issue()
    hall.issue("finance", matter="tuition")
    hall.login("w01", "s101")
    hall.login("w03", "s201")
    for outcome in ("done", "needs_documents", "returned"):
        hall.next("w01")
        clock.advance(minutes=4)
        t = hall.finish("w01", outcome)
        hall.ok(
            "rating",
            "pad-w01",
            "rating.submit",
            ticket_id=t["id"],
            score=3 if outcome == "done" else 1,
        )
    hall.next("w03")
    clock.advance(minutes=30)  # tuition's limit is 10 minutes: over time
    hall.finish("w03")
    hall.ok("window", "w01", "window.pause", reason="training")
    clock.advance(minutes=15)
    hall.ok("window", "w01", "window.resume")


@pytest.fixture
def report(hall, clock, engine, hall_config):
    busy_morning(hall, clock)
    ComplaintBook(hall_config, engine).add("态度不好", "window", clock.now(), window="w01")
    return build_report(hall_config, engine, TODAY, TODAY, lang="zh", now=clock.now())


def test_report_figures_of_a_morning(report):
    hall = report.table("hall").rows[0]
    assert (
        hall["issued"],
        hall["served"],
        hall["done"],
        hall["returned"],
        hall["needs_documents"],
    ) == (7, 4, 2, 1, 1)
    fin = {r["key"]: r for r in report.table("department").rows}["finance"]
    assert (fin["overtime"], fin["overtime_rate"]) == (1, 1.0)
    clerk = {r["key"]: r for r in report.table("clerk").rows}["s101"]
    assert (clerk["rating_1"], clerk["rating_3"], clerk["bad_rating_rate"]) == (
        2,
        1,
        pytest.approx(2 / 3),
    )
    att = report.table("attendance").rows
    s101 = next(r for r in att if r["staff"] == "s101")
    assert (s101["pauses"], s101["pause_min"], s101["pause_reasons"]) == (1, 15.0, "training")
    assert report.table("complaints").rows[0]["state"] == "待答复"


def test_durations_to_the_second():
    """Not in 0.1-minute (6 s) steps: m:ss on the page, minutes to 0.01 in CSV and XLSX."""
    from hallcall.broker.reports.export import cell, html_cell, mmss
    from hallcall.broker.reports.report import Column

    col = Column("wait_mean_s", "平均等候", "Wait mean", "seconds")
    assert (mmss(425), mmss(59.6), mmss(4350), mmss(None)) == ("7:05", "1:00", "72:30", "–")
    assert html_cell(col, 427) == "7:07" and cell(col, 427) == 7.12


def test_csv_xlsx_html_outputs(report, tmp_path, hall_config):
    paths = write_csv(report, tmp_path / "csv")
    assert len(paths) == len(report.tables)
    dep_csv = next(p for p in paths if p.name.endswith("_department.csv"))
    raw = dep_csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheet programs read the Chinese correctly
    with dep_csv.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert rows[0]["部门"] == "教务处（学籍与成绩）" and "平均等候（分钟）" in rows[0]
    assert rows[0]["平均办理（分钟）"] == "4.0"  # minutes with up to two decimals
    by_name = {r["部门"]: r for r in rows}
    assert by_name["财务处（学费与报销）"]["超时率（%）"] == "100.0"

    xlsx = write_xlsx(report, tmp_path / "r.xlsx")
    wb = load_workbook(xlsx)
    assert wb.sheetnames == [t.title("zh") for t in report.tables]
    ws = wb["按部门"]
    assert ws["A1"].value == "部门" and ws.max_row == 1 + len(report.table("department").rows)

    page = write_html(report, tmp_path / "r.html", hall_config.hall.name.zh)
    text = page.read_text(encoding="utf-8")
    assert text.count("<svg") == 6 and "考核" in text and "<script" not in text
    assert "附录" in text and "平均办理（分:秒）" in text and ">4:00<" in text


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_html_report_in_headless_chromium(report, tmp_path, hall_config):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("chromium is needed for this test (scripts/setup.sh --test installs it)")
    page = write_html(report, tmp_path / "report.html", hall_config.hall.name.zh)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "report-html.png"
    shot.unlink(missing_ok=True)
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--hide-scrollbars",
            "--window-size=1280,2400",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert shot.exists() and shot.stat().st_size > 20_000
    pdf = tmp_path / "report.pdf"
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile2'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")


def test_complaints_due_in_five_working_days(hall_config, engine, hall):
    book = ComplaintBook(hall_config, engine)
    friday = datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI)
    c = book.add("等候时间太长", "phone", friday, staff="s201")
    assert c.due_on == date(2026, 12, 4) and c.department == "finance"
    assert add_working_days(date(2026, 11, 23), 5, calendar_for(hall_config)) == date(2026, 11, 30)
    assert [x.id for x in book.list(open_only=True)] == [c.id]
    assert c.overdue(date(2026, 12, 5)) and not c.overdue(date(2026, 12, 4))
    answered = book.answer(c.id, "已致电解释并致歉", friday + timedelta(days=3))
    assert answered.answer and book.list(open_only=True) == []
    with pytest.raises(ComplaintError, match="already answered"):
        book.answer(c.id, "again", friday)
    for bad in (
        dict(text=" ", channel="phone", window="w01"),
        dict(text="x", channel="fax", window="w01"),
        dict(text="x", channel="phone", window="w99"),
        dict(text="x", channel="phone"),
        dict(text="x", channel="phone", ticket_id="nope"),
    ):
        with pytest.raises(ComplaintError):
            book.add(now=friday, **bad)
    assert len(book.list()) == 1


def test_complaints_count_chinas_holidays_and_the_halls_own_days(hall_config, engine, caplog):
    """5 working days over 2026's golden week and its 调休 Saturday, and the hall's own days."""
    from hallcall.config.schema import WorkingDays

    book = ComplaintBook(hall_config, engine)
    # Wednesday 30 September: Thu 8, Fri 9, Sat 10 (调休), Mon 12, Tue 13 October.
    assert book.due_on(datetime(2026, 9, 30, 15, 0, tzinfo=SHANGHAI)) == date(2026, 10, 13)
    # Friday 13 February: Sat 14 (调休), then the Spring Festival until Mon 23.
    c = book.add("窗口无人", "phone", datetime(2026, 2, 13, 16, 0, tzinfo=SHANGHAI), window="w01")
    assert c.due_on == date(2026, 2, 27)
    own = hall_config.model_copy(
        update={
            "working_days": WorkingDays(
                closed_days=[date(2026, 12, 31)], extra_working_days=[date(2026, 12, 26)]
            )
        }
    )
    # Wednesday 23 December: Thu 24, Fri 25, Sat 26 (the hall opens), Mon 28, Tue 29.
    assert ComplaintBook(own, engine).due_on(datetime(2026, 12, 23, 10, tzinfo=SHANGHAI)) == date(
        2026, 12, 29
    )
    # Monday 28 December: Tue 29, Wed 30, (Thu 31 closed), then into 2027.
    if not china().knows(2027):  # until chinesecalendar's release with 2027: weekdays, logged
        with caplog.at_level(logging.WARNING, logger="hallcall.broker.calendars"):
            due = ComplaintBook(own, engine).due_on(datetime(2026, 12, 28, 10, tzinfo=SHANGHAI))
        assert due == date(2027, 1, 5)
        assert "2027" in caplog.text and "not known" in caplog.text


def test_a_complaint_about_a_ticket_finds_its_window_and_clerk(hall, hall_config, engine, clock):
    hall.issue()
    hall.login("w01", "s101")
    hall.next("w01")
    t = hall.finish("w01")
    c = ComplaintBook(hall_config, engine).add(
        "没有一次性告知", "online", clock.now(), ticket_id=t["id"]
    )
    assert (c.window, c.staff, c.department) == ("w01", "s101", "registrar")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_report_and_complaint_commands(hall, clock, db_url, tmp_path, capsys):
    busy_morning(hall, clock)
    cfg = ["--config", "config/src/hallcall/config/halls/example-university.toml", "--db", db_url]
    assert main(["complaint", "add", *cfg, "--text", "等太久", "--window", "w03"]) == 0
    assert "answer due by" in capsys.readouterr().out
    assert main(["complaint", "list", *cfg]) == 0
    assert "[open]" in capsys.readouterr().out
    assert main(["complaint", "add", *cfg, "--text", "x", "--window", "w99"]) == 2
    assert (
        main(["report", *cfg, "--period", "2026-11", "--out", str(tmp_path), "--lang", "en"]) == 0
    )
    out = capsys.readouterr().out
    assert "7 tickets issued, 4 served" in out
    assert (tmp_path / "campus-hall_2026-11-01_2026-11-30.xlsx").exists()
    assert (tmp_path / "campus-hall_2026-11-01_2026-11-30.html").exists()
    assert main(["report", *cfg, "--period", "someday", "--out", str(tmp_path)]) == 2
    assert (
        main(["report", *cfg, "--period", "2026-11", "--format", "pdf", "--out", str(tmp_path)])
        == 2
    )


def test_backup_while_the_hall_runs(hall, clock, db_url, tmp_path):
    """A copy taken while commands keep coming is consistent and complete up to its moment."""
    for _ in range(5):
        hall.issue()
    stop = threading.Event()

    def keep_issuing():
        while not stop.is_set():
            hall.issue("finance")

    writer = threading.Thread(target=keep_issuing)
    writer.start()
    try:
        target = tmp_path / ("hall.backup.db" if db_url.startswith("sqlite") else "hall.dump")
        if not db_url.startswith("sqlite") and shutil.which("pg_dump") is None:
            pytest.fail("pg_dump missing")
        path = backup(db_url, target)
    finally:
        stop.set()
        writer.join()
    if db_url.startswith("sqlite"):
        con = sqlite3.connect(path)
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        issued = con.execute(
            "SELECT count(*) FROM tickets WHERE department='registrar'"
        ).fetchone()[0]
        counter = con.execute(
            "SELECT last_number FROM ticket_counters WHERE department='finance'"
        ).fetchone()
        finance = con.execute("SELECT count(*) FROM tickets WHERE department='finance'").fetchone()[
            0
        ]
        assert issued == 5 and (counter is None or counter[0] == finance)
    else:
        listing = subprocess.run(
            ["pg_restore", "--list", str(path)], capture_output=True, text=True, check=True
        )
        assert "TABLE DATA public tickets" in listing.stdout
    with pytest.raises(BackupError):
        backup("sqlite:///" + str(tmp_path / "missing.db"), tmp_path / "x.db")
    if db_url.startswith("sqlite"):  # the command refuses to overwrite an earlier backup
        assert main(["backup", "--db", db_url, "--out", str(path)]) == 1
        assert main(["backup", "--db", db_url, "--out", str(path), "--force"]) == 0
