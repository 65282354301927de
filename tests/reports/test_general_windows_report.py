"""Reports of a hall with general windows (综合窗口): the matters of every department each
general window served, and the pickups at the pickup window, in the report and its exports;
the table by matter counts each matter across departments, not the pickups."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from hallcall.broker.reports.export import render_html, write_csv, write_xlsx
from hallcall.broker.reports.report import build_report
from hallcall.config.loader import load_config
from tests.support.hall import Hall, start_service, unthrottled

GENERAL = Path("config/src/hallcall/config/halls/example-general-windows.toml")
TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def general_config():
    return unthrottled(load_config(GENERAL))


def test_the_report_counts_per_general_window_and_matter(general_config, engine, clock, tmp_path):
    hall = Hall(start_service(general_config, engine, clock))
    for window, staff in (("w06", "s401"), ("w07", "s402"), ("w08", "s403")):
        hall.login(window, staff)
    hall.issue("real-estate", matter="property-transfer")  # Z001
    hall.issue("social-security", matter="pension-certificate")  # A001
    hall.issue("market", matter="business-licence")  # Z002
    served = []
    for window, score in (("w07", 5), ("w06", 4), ("w06", 2)):
        t = hall.next(window)
        clock.advance(minutes=4)
        done = hall.finish(window)
        hall.ok("rating", f"pad-{window}", "rating.submit", ticket_id=done["id"], score=score)
        served.append((t["number"], done.get("pickup_code")))
    assert [n for n, _ in served] == ["Z001", "A001", "Z002"]
    code = served[0][1]
    hall.ok("kiosk", "kiosk-1", "ticket.pickup", code=code)
    assert hall.next("w08")["queue"] == "pickup"
    clock.advance(minutes=1)
    hall.finish("w08")

    report = build_report(general_config, engine, TODAY, TODAY, lang="en", now=clock.now())
    rows = {r["key"]: r for r in report.table("window_matter").rows}
    assert list(rows) == [
        "w06|social-security/pension-certificate",
        "w06|market/business-licence",
        "w07|real-estate/property-transfer",
        "w08|pickup",
    ]
    licence = rows["w06|market/business-licence"]
    assert (licence["served"], licence["rated"], licence["bad_ratings"]) == (1, 1, 1)
    assert licence["service_mean_s"] == pytest.approx(240)
    assert rows["w06|market/business-licence"]["name"] == "6 · Sole proprietor registration"
    assert rows["w08|pickup"]["name"] == "8 · Document pickup" and rows["w08|pickup"]["served"] == 1
    matters = {r["key"]: r for r in report.table("matter").rows}
    assert matters["real-estate/property-transfer"]["served"] == 1  # the pickup is not counted
    windows = {r["key"]: r for r in report.table("window").rows}
    assert windows["w06"]["served"] == 2 and windows["w06"]["rated"] == 2

    html = render_html(report, "Qingshui")
    assert "General windows, by window and matter" in html
    (path,) = [p for p in write_csv(report, tmp_path) if p.name.endswith("_window_matter.csv")]
    with path.open(encoding="utf-8-sig") as f:
        assert len(list(csv.reader(f))) == 1 + 4
    book = load_workbook(write_xlsx(report, tmp_path / "r.xlsx"))
    sheet = book["General windows, by window and matter"[:31]]
    assert sheet.max_row == 1 + 4 and sheet["A3"].value == "6 · Sole proprietor registration"


def test_a_hall_without_general_windows_has_no_such_table(hall_config, engine, clock):
    report = build_report(hall_config, engine, TODAY, TODAY, lang="en", now=clock.now())
    assert "window_matter" not in [t.name for t in report.tables]
