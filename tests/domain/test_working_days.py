"""Working days with China's 2026 public holidays and make-up working days (调休).

The national schedule is the State Council's for 2026 (国办发明电〔2025〕7号) as the installed
`chinesecalendar` carries it: New Year 1-3 January (Sunday 4 January worked); Spring Festival
15-23 February (Saturdays 14 and 28 February worked); National Day and Mid-Autumn 1-7 October
(Sunday 20 September and Saturday 10 October worked), Mid-Autumn 25-27 September.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from hallcall.broker.calendars import calendar_for, china
from hallcall.broker.domain.working_days import (
    WorkingCalendar,
    add_working_days,
    is_working_day,
    unknown_years,
)
from hallcall.config.loader import load_config
from hallcall.config.schema import HallConfig, WorkingDays

CN = china()


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def test_the_library_knows_2026():
    assert CN.knows(2026)
    assert date(2026, 2, 17) in CN.holidays and date(2026, 2, 14) in CN.makeup_days


def test_spring_festival_2026():
    assert not any(is_working_day(d, CN) for d in days(date(2026, 2, 15), date(2026, 2, 23)))
    assert is_working_day(date(2026, 2, 14), CN)  # Saturday, 调休
    assert is_working_day(date(2026, 2, 28), CN)  # Saturday, 调休
    assert is_working_day(date(2026, 2, 24), CN)  # Tuesday after the holiday
    assert not is_working_day(date(2026, 3, 1), CN)  # an ordinary Sunday
    # Friday the 13th: Saturday 14th (调休), then nothing until Tuesday 24th.
    assert add_working_days(date(2026, 2, 13), 1, CN) == date(2026, 2, 14)
    assert add_working_days(date(2026, 2, 13), 2, CN) == date(2026, 2, 24)
    assert add_working_days(date(2026, 2, 13), 5, CN) == date(2026, 2, 27)
    assert add_working_days(date(2026, 2, 13), 6, CN) == date(2026, 2, 28)
    # The same five days counted Monday to Friday would end on 20 February, in the holiday.
    assert add_working_days(date(2026, 2, 13), 5, WorkingCalendar()) == date(2026, 2, 20)


def test_national_day_golden_week_2026():
    assert not any(is_working_day(d, CN) for d in days(date(2026, 10, 1), date(2026, 10, 7)))
    assert not is_working_day(date(2026, 9, 25), CN)  # Friday, Mid-Autumn
    assert is_working_day(date(2026, 9, 20), CN)  # Sunday, 调休
    assert is_working_day(date(2026, 10, 10), CN)  # Saturday, 调休
    assert not is_working_day(date(2026, 10, 11), CN)  # Sunday after it
    assert add_working_days(date(2026, 9, 18), 1, CN) == date(2026, 9, 20)
    assert add_working_days(date(2026, 9, 24), 1, CN) == date(2026, 9, 28)
    # Wednesday 30 September + 5: Thu 8, Fri 9, Sat 10 (调休), Mon 12, Tue 13 October.
    assert add_working_days(date(2026, 9, 30), 5, CN) == date(2026, 10, 13)


def test_new_year_2026():
    assert add_working_days(date(2025, 12, 31), 1, CN) == date(2026, 1, 4)  # Sunday, 调休
    assert not is_working_day(date(2026, 1, 2), CN)


def test_the_halls_own_days_come_first():
    hall = CN.with_hall_days(closed=[date(2026, 12, 31)], extra=[date(2026, 12, 26)])
    assert not is_working_day(date(2026, 12, 31), hall)  # a Thursday the hall is closed
    assert is_working_day(date(2026, 12, 26), hall)  # a Saturday the hall opens
    # Even a public holiday can be a hall's working day, and a 调休 day a closed one.
    hall = CN.with_hall_days(closed=[date(2026, 2, 14)], extra=[date(2026, 2, 16)])
    assert is_working_day(date(2026, 2, 16), hall) and not is_working_day(date(2026, 2, 14), hall)
    assert add_working_days(date(2026, 2, 13), 1, hall) == date(2026, 2, 16)
    with pytest.raises(ValueError, match="2026-02-14"):
        CN.with_hall_days(closed=[date(2026, 2, 14)], extra=[date(2026, 2, 14)])


def test_edges():
    assert add_working_days(date(2026, 2, 15), 0, CN) == date(2026, 2, 15)
    with pytest.raises(ValueError):
        add_working_days(date(2026, 2, 15), -1, CN)


def test_a_year_the_calendar_does_not_know_counts_weekdays_and_says_so():
    known = WorkingCalendar(holidays=frozenset({date(2026, 12, 31)}), known_years=frozenset({2026}))
    assert add_working_days(date(2026, 12, 30), 2, known) == date(2027, 1, 4)
    assert unknown_years(date(2026, 12, 30), date(2027, 1, 4), known) == [2027]
    assert unknown_years(date(2026, 2, 1), date(2026, 3, 1), known) == []


def hall_with(**working_days) -> HallConfig:
    from hallcall.config.loader import EXAMPLE_HALL

    cfg = load_config(EXAMPLE_HALL)
    return cfg.model_copy(update={"working_days": WorkingDays(**working_days)})


def test_the_hall_file_chooses_the_calendar():
    cal = calendar_for(hall_with())  # default: China's
    assert not is_working_day(date(2026, 10, 1), cal)
    plain = calendar_for(hall_with(calendar="weekdays", closed_days=[date(2026, 11, 30)]))
    assert is_working_day(date(2026, 10, 1), plain) and not is_working_day(
        date(2026, 11, 30), plain
    )
