"""The report's rectification cases (差评整改): opened / closed / on time / late / overdue /
appealed / upheld per department and per clerk, in the CSV and XLSX exports too. A government
hall on the national five levels: 不满意 and 非常不满意 open cases, 基本满意 does not."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from hallcall.broker.reports.export import write_csv, write_xlsx
from hallcall.broker.reports.rectification import CaseBook
from hallcall.broker.reports.report import build_report
from hallcall.config.loader import load_config
from tests.support.hall import Hall, start_service, unthrottled

GOVERNMENT = Path("config/src/hallcall/config/halls/example-government.toml")
TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def gov_config():
    return unthrottled(load_config(GOVERNMENT))


def test_the_report_counts_cases_per_department_and_clerk(gov_config, engine, clock, tmp_path):
    hall = Hall(start_service(gov_config, engine, clock))
    hall.login("w01", "s101")
    hall.login("w02", "s102")
    # s101: 2 (case), 3 (基本满意: none), 1 (case); s102: 1 (case).
    for window, score in [("w01", 2), ("w01", 3), ("w01", 1), ("w02", 1)]:
        hall.issue("social-security")
        hall.next(window)
        clock.advance(minutes=3)
        t = hall.finish(window)
        hall.ok("rating", f"pad-{window}", "rating.submit", ticket_id=t["id"], score=score)
    book = CaseBook(gov_config, engine)
    first, second, third = book.list()
    assert [c.staff for c in (first, second, third)] == ["s101", "s101", "s102"]
    # 15 working days (the example's), Monday 23 November -> Monday 14 December.
    assert first.due_on == date(2026, 12, 14)
    now = clock.now()
    book.callback(first.id, "李明", "已致歉", now)
    book.fix(first.id, "窗口增加引导", now)
    book.close(first.id, "主任", now)  # on time
    book.appeal(second.id, "误触", now)
    book.decide(second.id, "upheld", "主任", "监控属实", now)
    # The third stays open: on 15 December it is overdue.
    later = now + timedelta(days=22)
    report = build_report(gov_config, engine, TODAY, TODAY, lang="zh", now=later)
    rows = {(r["scope"], r["key"]): r for r in report.table("cases").rows}
    counts = ("opened", "closed", "on_time", "late", "overdue", "appealed", "upheld")
    assert [rows[("部门", "social-security")][k] for k in counts] == [3, 1, 1, 0, 2, 1, 1]
    assert [rows[("工作人员", "s101")][k] for k in counts] == [2, 1, 1, 0, 1, 1, 1]
    assert [rows[("工作人员", "s102")][k] for k in counts] == [1, 0, 0, 0, 1, 0, 0]
    assert rows[("部门", "social-security")]["name"] == gov_config.department(
        "social-security"
    ).name.get("zh")
    # Before its due day nothing is overdue.
    early = build_report(gov_config, engine, TODAY, TODAY, lang="en", now=now)
    assert all(r["overdue"] == 0 for r in early.table("cases").rows)
    assert early.table("cases").title("en") == "Rectification cases"

    # The exports are generic over the report's tables: both carry it.
    paths = write_csv(report, tmp_path / "csv")
    (cases_csv,) = [p for p in paths if p.name.endswith("_cases.csv")]
    with cases_csv.open(encoding="utf-8-sig") as f:
        lines = list(csv.reader(f))
    assert lines[0][:4] == ["维度", "编号", "名称", "立案"] and len(lines) == 1 + 3
    wb = load_workbook(write_xlsx(report, tmp_path / "r.xlsx"))
    ws = wb["差评整改"]
    assert ws.max_row == 4 and ws.cell(1, 8).value == "逾期未结"
