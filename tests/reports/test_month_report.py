"""Reports on a generated month match figures computed independently from the simulation."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date
from statistics import mean, median

import pytest

from hallcall.broker.reports.report import build_report, parse_period
from tests.reports.conftest import DECEMBER_1, NOVEMBER
from tests.support.hall import SHANGHAI


def p90(values):
    s = sorted(values)
    return s[math.ceil(0.9 * len(s)) - 1]


@pytest.fixture(scope="module")
def month(month_data, hall_config):
    truths, _, engine = month_data
    report = build_report(
        hall_config, engine, date(2026, 11, 1), date(2026, 11, 30), lang="en", now=DECEMBER_1
    )
    return truths, report, hall_config


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
        assert r["closed_by_system"] == sum(
            1 for t in truths if t.department == dep and t.closed_by_system
        )


def secs(a, b):
    return (b - a).total_seconds()


def leg_waits(legs):
    return [secs(g["queued_at"], g["called_at"]) for g in legs if g["called_at"]]


def leg_services(legs):
    """The clerk's work per leg: last call or recall to the finish or the transfer."""
    return [
        secs(g["answered_at"], g["ended_at"])
        for g in legs
        if g["end"] in ("finished", "transferred") and not g["by_system"]
    ]


def all_legs(truths):
    return [g for t in truths for g in t.legs]


def test_hall_totals_and_waiting_times_per_leg(month):
    truths, report, _ = month
    hall = report.table("hall").rows[0]
    assert hall["issued"] == len(truths)
    legs = all_legs(truths)
    waits = leg_waits(legs)
    # A transferred ticket waits twice: the second queue counts too.
    assert len(waits) > sum(1 for t in truths if t.first_called_at)
    assert hall["called"] == len(waits)
    assert hall["wait_mean_s"] == pytest.approx(mean(waits))
    assert hall["wait_median_s"] == pytest.approx(median(waits))
    assert hall["wait_p90_s"] == pytest.approx(p90(waits))
    services = leg_services(legs)
    assert hall["service_mean_s"] == pytest.approx(mean(services))
    assert hall["service_p90_s"] == pytest.approx(p90(services))


def test_transferred_legs_count_in_each_department(month):
    """The second queue's wait and the first clerk's work before a transfer are both counted."""
    truths, report, cfg = month
    by_dep = rows(report, "department")
    for dep in cfg.departments:
        legs = [g for g in all_legs(truths) if g["department"] == dep.id]
        r = by_dep[dep.id]
        assert r["called"] == len(leg_waits(legs))
        assert r["wait_mean_s"] == pytest.approx(mean(leg_waits(legs)))
        assert r["service_mean_s"] == pytest.approx(mean(leg_services(legs)))
        assert r["service_p90_s"] == pytest.approx(p90(leg_services(legs)))
    by_clerk = rows(report, "clerk")
    for staff in {g["staff"] for g in all_legs(truths) if g["staff"]}:
        legs = [g for g in all_legs(truths) if g["staff"] == staff]
        assert by_clerk[staff]["service_mean_s"] == pytest.approx(mean(leg_services(legs)))
        assert by_clerk[staff]["called"] == len(leg_waits(legs))


def test_transfers_leg_by_leg(month):
    truths, report, _ = month
    got = {(r["from_key"], r["to_key"]): r for r in report.table("transfers").rows}
    pairs = {}
    for t in truths:
        for before, after in zip(t.legs, t.legs[1:]):
            pairs.setdefault((before["department"], after["department"]), []).append(
                (before, after)
            )
    assert set(got) == set(pairs)
    for key, legs in pairs.items():
        r = got[key]
        assert r["transfers"] == len(legs)
        assert r["work_mean_s"] == pytest.approx(mean(leg_services([b for b, _ in legs])))
        waits = leg_waits([a for _, a in legs])
        assert r["wait_mean_s"] == (pytest.approx(mean(waits)) if waits else None)
        assert r["served_after"] == sum(
            1 for _, a in legs if a["end"] == "finished" and not a["by_system"]
        )


def test_a_departments_numbers_reconcile(month):
    """issued + transferred in = served + no-show + closed at day end + transferred out + open."""
    truths, report, cfg = month
    by_dep = rows(report, "department")
    for dep in cfg.departments:
        r = by_dep[dep.id]
        assert r["transferred_in"] == sum(
            1 for t in truths for g in t.legs[1:] if g["department"] == dep.id
        )
        assert r["issued"] + r["transferred_in"] == (
            r["served"] + r["no_show"] + r["closed_by_system"] + r["transferred_out"] + r["open"]
        )
    assert (
        sum(r["transferred_in"] for r in by_dep.values())
        == sum(len(t.transfers) for t in truths)
        > 20
    )
    hall = report.table("hall").rows[0]
    assert (
        hall["issued"] == hall["served"] + hall["no_show"] + hall["closed_by_system"] + hall["open"]
    )


def test_service_time_leaves_out_the_wait_for_a_recall(month):
    truths, report, _ = month
    recalled = [g for g in all_legs(truths) if g["recalls"]]
    assert len(recalled) > 20
    hall = report.table("hall").rows[0]
    assert hall["recalled"] == len(recalled)
    assert hall["recall_wait_mean_s"] == pytest.approx(
        mean(secs(g["called_at"], g["answered_at"]) for g in recalled)
    )
    assert all(secs(g["called_at"], g["answered_at"]) in (60, 120) for g in recalled)


def test_tickets_without_a_matter_are_counted_apart(month):
    truths, report, cfg = month
    by_dep = rows(report, "department")
    for dep in cfg.departments:
        ended = [
            t
            for t in truths
            if t.department == dep.id and t.status == "finished" and not t.closed_by_system
        ]
        r = by_dep[dep.id]
        assert r["no_matter"] == sum(1 for t in ended if t.matter is None) > 0
        assert r["immediate"] + r["time_limited"] + r["no_matter"] == r["served"]


def test_issued_is_not_shown_where_nobody_issued(month):
    _, report, _ = month
    for name in ("window", "clerk", "matter"):
        keys = [c.key for c in report.table(name).columns]
        assert "issued" not in keys and "transferred_in" not in keys
    assert "issued" in [c.key for c in report.table("department").columns]


def test_trends_compare_with_the_month_before(month_data, month):
    _, october, _ = month_data
    _, report, _ = month
    prev = report.previous
    assert (prev["start"], prev["end"]) == (date(2026, 10, 1), date(2026, 10, 31))
    assert prev["hall"]["issued"] == len(october) == 5 * 30
    assert (report.days, prev["days"]) == (20, 5)  # volumes are compared per day with tickets
    assert prev["hall"]["wait_mean_s"] == pytest.approx(mean(leg_waits(all_legs(october))))
    served = [t for t in october if t.status == "finished" and not t.closed_by_system]
    assert prev["hall"]["served"] == len(served)


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
            if secs(t.legs[-1]["answered_at"], t.finished_at) > matter.service_limit_min * 60:
                expected += 1
        r = by_dep[dep.id]
        assert (r["overtime"], r["immediate"], r["time_limited"]) == (
            expected,
            immediate,
            time_limited,
        )
        if r["served"]:
            assert r["overtime_rate"] == pytest.approx(expected / r["served"])


def test_ratings_per_clerk(month):
    truths, report, _ = month
    by_clerk = rows(report, "clerk")
    for staff in {t.staff for t in truths if t.staff and t.status == "finished"}:
        mine = [
            t
            for t in truths
            if t.staff == staff and t.status == "finished" and not t.closed_by_system
        ]
        scores = [t.score for t in mine if t.score]
        r = by_clerk[staff]
        assert r["served"] == len(mine)
        assert (r["rating_1"], r["rating_2"], r["rating_3"]) == tuple(
            scores.count(s) for s in (1, 2, 3)
        )
        assert r["rated"] == len(scores) and r["not_rated"] == len(mine) - len(scores)
        if scores:
            assert r["satisfaction_rate"] == pytest.approx(scores.count(3) / len(scores))
            assert r["bad_rating_rate"] == pytest.approx(scores.count(1) / len(scores))


def test_windows_days_and_hours(month):
    truths, report, _ = month
    by_window = rows(report, "window")
    for w in ("w01", "w03", "w05", "w06"):
        assert by_window[w]["served"] == sum(
            1 for t in truths if t.window == w and t.status == "finished" and not t.closed_by_system
        )
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
    """November is 30/92 of a quarter: minima pro-rated to 10 time-limited and 33 immediate;
    a department is flagged by the rate with at least the count, a clerk by either."""
    truths, report, cfg = month
    a = cfg.assessment
    assert report.minima == (10, 33)
    assessment = report.table("assessment")
    assert "10 time-limited and 33 immediate" in assessment.note_text("en")
    for r in assessment.rows:
        assert ("low_volume" in r["flag_keys"]) == (r["time_limited"] < 10 or r["immediate"] < 33)
        rate = r["bad_ratings"] / r["rated"] if r["rated"] else 0
        over_rate = r["overtime"] / r["served"] if r["served"] else 0
        if r["level"] == "department":
            bad = rate >= a.bad_rating_rate - 1e-12 and r["bad_ratings"] >= a.bad_rating_count
            over = over_rate >= a.overtime_rate - 1e-12 and r["overtime"] >= a.overtime_count
        else:
            bad = rate >= a.bad_rating_rate - 1e-12 or r["bad_ratings"] >= a.bad_rating_count
            over = over_rate >= a.overtime_rate - 1e-12 or r["overtime"] >= a.overtime_count
        assert ("bad_ratings" in r["flag_keys"]) == bad, r
        assert ("overtime" in r["flag_keys"]) == over, r


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


def test_the_previous_period():
    from hallcall.broker.reports.report import previous_period

    assert previous_period(date(2026, 11, 1), date(2026, 11, 30)) == (
        date(2026, 10, 1),
        date(2026, 10, 31),
    )
    assert previous_period(date(2026, 1, 1), date(2026, 3, 31)) == (
        date(2025, 10, 1),
        date(2025, 12, 31),
    )
    assert previous_period(date(2026, 1, 1), date(2026, 12, 31)) == (
        date(2025, 1, 1),
        date(2025, 12, 31),
    )
    assert previous_period(date(2026, 11, 23), date(2026, 11, 23)) == (
        date(2026, 11, 16),
        date(2026, 11, 16),
    )
    assert previous_period(date(2026, 11, 10), date(2026, 11, 16)) == (
        date(2026, 11, 3),
        date(2026, 11, 9),
    )


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
