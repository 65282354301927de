"""Assessment thresholds flagged exactly at their edges (Haicheng business rules art. 22)."""

import pytest

from hallcall.broker.reports.assessment import flags, reaches
from hallcall.config.schema import Assessment

RULES = Assessment()  # 10 % or 5 bad ratings; 5 % or 10 over time; 30 time-limited, 100 immediate


def row(**kw):
    base = {
        "bad_ratings": 0,
        "rated": 100,
        "overtime": 0,
        "served": 400,
        "time_limited": 30,
        "immediate": 100,
    }
    return {**base, **kw}


def test_a_clean_quarter_is_qualified():
    assert flags(row(), RULES) == []


@pytest.mark.parametrize(
    "bad, rated, flagged",
    [
        (4, 41, False),  # 9.76 %, 4 bad
        (4, 40, True),  # exactly 10 %
        (3, 30, True),  # exactly 10 % (0.1 * 30 is 3.0000000000000004 in floats)
        (5, 1000, True),  # 0.5 % but 5 bad ratings
        (4, 1000, False),
        (0, 0, False),  # nobody rated
    ],
)
def test_bad_ratings_edge(bad, rated, flagged):
    assert ("bad_ratings" in flags(row(bad_ratings=bad, rated=rated), RULES)) is flagged


@pytest.mark.parametrize(
    "over, served, flagged",
    [
        (9, 181, False),  # 4.97 %, 9 cases
        (9, 180, True),  # exactly 5 %
        (10, 1000, True),  # 1 % but 10 cases
        (3, 60, True),  # exactly 5 %
        (2, 60, False),
    ],
)
def test_overtime_edge(over, served, flagged):
    assert ("overtime" in flags(row(overtime=over, served=served), RULES)) is flagged


@pytest.mark.parametrize(
    "time_limited, immediate, flagged",
    [
        (30, 100, False),
        (29, 100, True),
        (30, 99, True),
        (0, 500, True),
    ],
)
def test_volume_edge(time_limited, immediate, flagged):
    assert (
        "low_volume" in flags(row(time_limited=time_limited, immediate=immediate), RULES)
    ) is flagged


def test_a_hall_sets_its_own_thresholds():
    strict = Assessment(
        bad_rating_rate=0.02, bad_rating_count=2, min_immediate=0, min_time_limited=0
    )
    assert flags(row(bad_ratings=2, rated=1000), strict) == ["bad_ratings"]
    assert flags(row(bad_ratings=2, rated=1000), RULES) == []


def test_reaches_is_exact():
    assert reaches(1, 10, 0.1) and reaches(7, 70, 0.1) and not reaches(6, 70, 0.1)
    assert not reaches(0, 0, 0.0)


@pytest.mark.parametrize(
    "bad, rated, flagged",
    [
        (6, 1000, False),  # a large department: 6 bad ratings are 0.6 %
        (1, 2, False),  # 50 % of two ratings: too few to judge a department
        (5, 50, True),  # 10 % and 5 bad ratings
        (4, 40, False),  # 10 % but fewer than 5
    ],
)
def test_a_department_is_flagged_by_the_rate_with_the_count_as_minimum(bad, rated, flagged):
    got = flags(row(bad_ratings=bad, rated=rated), RULES, "department")
    assert ("bad_ratings" in got) is flagged
    # The clerk's rule is the hall's as written: rate or count.
    assert ("bad_ratings" in flags(row(bad_ratings=bad, rated=rated), RULES, "clerk")) is (
        bad >= 5 or bad * 10 >= rated
    )


@pytest.mark.parametrize(
    "over, served, flagged", [(12, 1000, False), (10, 200, True), (9, 100, False)]
)
def test_department_over_time(over, served, flagged):
    assert ("overtime" in flags(row(overtime=over, served=served), RULES, "department")) is flagged


def test_volume_minima_are_pro_rated_to_the_period():
    from datetime import date
    from fractions import Fraction

    from hallcall.broker.reports.assessment import minima, quarter_share

    assert quarter_share(date(2026, 10, 1), date(2026, 12, 31)) == 1
    assert quarter_share(date(2026, 1, 1), date(2026, 12, 31)) == 4
    assert quarter_share(date(2026, 11, 1), date(2026, 11, 30)) == Fraction(30, 92)
    assert quarter_share(date(2026, 2, 1), date(2026, 2, 28)) == Fraction(28, 90)
    assert minima(RULES, Fraction(30, 92)) == (10, 33)  # ceil(9.78), ceil(32.6)
    share = Fraction(30, 92)
    assert flags(row(time_limited=10, immediate=33), RULES, share=share) == []
    assert flags(row(time_limited=9, immediate=33), RULES, share=share) == ["low_volume"]


def test_count_limits_are_a_quarters_for_shorter_periods_and_scale_for_longer():
    from fractions import Fraction

    from hallcall.broker.reports.assessment import counts

    assert counts(RULES, Fraction(30, 92)) == (5, 10) == counts(RULES, Fraction(1))
    assert counts(RULES, Fraction(4)) == (20, 40)
    year = Fraction(4)
    assert (
        flags(row(bad_ratings=19, rated=1000, time_limited=120, immediate=400), RULES, share=year)
        == []
    )
    assert flags(
        row(bad_ratings=20, rated=1000, time_limited=120, immediate=400), RULES, share=year
    ) == ["bad_ratings"]
