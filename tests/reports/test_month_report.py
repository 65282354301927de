"""Reports on a generated month match figures computed independently from the simulation."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date, datetime, timezone
from statistics import mean, median

import pytest

from hallcall.broker.reports.report import build_report, parse_period
from tests.support.hall import SHANGHAI, Hall, start_service
from tests.support.month import simulate_month, working_days

NOVEMBER = working_days(date(2026, 11, 2), 20)


def p90(values):
    s = sorted(values)
    return s[math.ceil(0.9 * len(s)) - 1]


@pytest.fixture(scope="module")
def month(tmp_path_factory, hall_config):
    """One simulated month on SQLite, shared by the tests of this module."""
    from hallcall.broker.service.clock import FakeClock
    from tests.support.databases import migrated_engine

    path = tmp_path_factory.mktemp("month") / "hall.db"
    engine = migrated_engine(f"sqlite:///{path}")
    clock = FakeClock(datetime(2026, 11, 2, 8, 0, tzinfo=SHANGHAI))
    hall = Hall(start_service(hall_config, engine, clock))
    truths = simulate_month(hall, clock, NOVEMBER)
    report = build_report(hall_config, engine, date(2026, 11, 1), date(2026, 11, 30), lang="en",
                          now=datetime(2026, 12, 1, tzinfo=timezone.utc))
    yield truths, report, hall_config
    engine.dispose()


def rows(report, table):
    return {r["key"]: r for r in report.table(table).rows}


def test_the_month_is_realistic(month):
    truths, report, _ = month
    assert len(truths) == 20 * 36
    assert sum(1 for t in truths if t.transfers) > 20
    assert sum(1 for t in truths if t.status == "no_show" and not t.closed_by_system) > 20
    assert Counter(t.score for t in truths if t.score)[1] > 10


def test_volumes_per_department(month):
    truths, report, _ = month
    by_dep = rows(report, "department")
    for dep in {t.issued_department for t in truths}:
        mine_issued = [t for t in truths if t.issued_department == dep]
        ended = [t for t in truths if t.department == dep and not t.closed_by_system]
        r = by_dep[dep]
        assert r["issued"] == len(mine_issued)
        assert r["served"] == sum(1 for t in ended if t.status == "finished")
        assert r["no_show"] == sum(1 for t in ended if t.status == "no_show")
        for outcome in ("done", "returned", "needs_documents"):
            assert r[outcome] == sum(1 for t in ended if t.outcome == outcome)
        assert r["transferred_out"] == sum(1 for t in truths for tr in t.transfers if tr[0] == dep)
        assert r["closed_by_system"] == sum(1 for t in truths if t.department == dep and t.closed_by_system)


def test_hall_totals_and_waiting_times(month):
    truths, report, _ = month
    hall = report.table("hall").rows[0]
    assert hall["issued"] == len(truths)
    waits = [(t.first_called_at - t.issued_at).total_seconds() for t in truths if t.first_called_at]
    assert hall["wait_mean_s"] == pytest.approx(mean(waits))
    assert hall["wait_median_s"] == pytest.approx(median(waits))
    assert hall["wait_p90_s"] == pytest.approx(p90(waits))
    served = [t for t in truths if t.status == "finished" and not t.closed_by_system]
    services = [(t.finished_at - t.called_at).total_seconds() for t in served]
    assert hall["service_mean_s"] == pytest.approx(mean(services))
    assert hall["service_p90_s"] == pytest.approx(p90(services))


def test_over_time_against_each_matters_limit(month):
    truths, report, cfg = month
    by_dep = rows(report, "department")
    for dep in cfg.departments:
        expected = 0
        immediate = time_limited = 0
        for t in truths:
            if t.department != dep.id or t.status != "finished" or t.closed_by_system:
                continue
            matter = dep.matter(t.matter) if t.matter else None
            if matter is None:
                continue
            immediate += matter.kind == "immediate"
            time_limited += matter.kind == "time_limited"
            if (t.finished_at - t.called_at).total_seconds() > matter.service_limit_min * 60:
                expected += 1
        r = by_dep[dep.id]
        assert (r["overtime"], r["immediate"], r["time_limited"]) == (expected, immediate, time_limited)
        if r["served"]:
            assert r["overtime_rate"] == pytest.approx(expected / r["served"])


def test_ratings_per_clerk(month):
    truths, report, _ = month
    by_clerk = rows(report, "clerk")
    for staff in {t.staff for t in truths if t.staff and t.status == "finished"}:
        mine = [t for t in truths if t.staff == staff and t.status == "finished" and not t.closed_by_system]
        scores = [t.score for t in mine if t.score]
        r = by_clerk[staff]
        assert r["served"] == len(mine)
        assert (r["rating_1"], r["rating_2"], r["rating_3"]) == tuple(scores.count(s) for s in (1, 2, 3))
        assert r["rated"] == len(scores) and r["not_rated"] == len(mine) - len(scores)
        if scores:
            assert r["satisfaction_rate"] == pytest.approx(scores.count(3) / len(scores))
            assert r["bad_rating_rate"] == pytest.approx(scores.count(1) / len(scores))


def test_windows_days_and_hours(month):
    truths, report, _ = month
    by_window = rows(report, "window")
    for w in ("w01", "w03", "w05", "w06"):
        assert by_window[w]["served"] == sum(
            1 for t in truths if t.window == w and t.status == "finished" and not t.closed_by_system)
    by_day = rows(report, "day")
    assert set(by_day) == {d.isoformat() for d in NOVEMBER}
    assert all(r["issued"] == 36 for r in by_day.values())
    hours = {r["hour"]: r["issued"] for r in report.table("hours").rows}
    expected = Counter(f"{t.issued_at.astimezone(SHANGHAI).hour:02d}:00" for t in truths)
    assert hours == dict(expected)


def test_attendance_per_clerk_per_day(month):
    truths, report, _ = month
    att = report.table("attendance").rows
    assert len(att) == 20 * 4  # four windows staffed every working day
    first = next(r for r in att if r["date"] == "2026-11-02" and r["staff"] in ("s101", "s102"))
    assert first["first_in"] == "08:50" and first["last_out"] == "17:30"
    assert first["on_duty_min"] == pytest.approx(520)


def test_assessment_flags_follow_the_thresholds(month):
    truths, report, cfg = month
    for r in report.table("assessment").rows:
        assert ("low_volume" in r["flag_keys"]) == (
            r["time_limited"] < cfg.assessment.min_time_limited or r["immediate"] < cfg.assessment.min_immediate)


def test_periods():
    assert parse_period("2026-11-23") == (date(2026, 11, 23), date(2026, 11, 23))
    assert parse_period("2026-11") == (date(2026, 11, 1), date(2026, 11, 30))
    assert parse_period("2026-12") == (date(2026, 12, 1), date(2026, 12, 31))
    assert parse_period("2026Q4") == (date(2026, 10, 1), date(2026, 12, 31))
    assert parse_period("2026Q1") == (date(2026, 1, 1), date(2026, 3, 31))
    assert parse_period("2026") == (date(2026, 1, 1), date(2026, 12, 31))
    assert parse_period("2026-11-01..2026-11-15") == (date(2026, 11, 1), date(2026, 11, 15))
    with pytest.raises(ValueError):
        parse_period("2026-11-15..2026-11-01")
    with pytest.raises(ValueError):
        parse_period("last month")


def test_relative_periods_use_the_halls_date():
    today = date(2026, 1, 15)
    assert parse_period("today", today) == (today, today)
    assert parse_period("Yesterday", today) == (date(2026, 1, 14), date(2026, 1, 14))
    assert parse_period("this-month", today) == (date(2026, 1, 1), date(2026, 1, 31))
    assert parse_period("last-month", today) == (date(2025, 12, 1), date(2025, 12, 31))
    with pytest.raises(ValueError, match="hall's date"):
        parse_period("today")
    with pytest.raises(ValueError, match="use a day"):
        parse_period("someday", today)
