"""The hall's working-day calendar (`domain.working_days.WorkingCalendar`) from its hall file.

`[working_days] calendar = "china"` takes China's public holidays and make-up working days (调休)
from the `chinesecalendar` package (one table per year, released each year a few days after
the State Council publishes the next year's schedule, usually in November); "weekdays" takes
none. The hall file's `closed_days` and `extra_working_days` come on top of either.
"""

from __future__ import annotations

import logging
from datetime import date
from functools import cache

from hallcall.broker.domain.working_days import WorkingCalendar, unknown_years
from hallcall.config.schema import HallConfig

log = logging.getLogger(__name__)


@cache
def china() -> WorkingCalendar:
    """China's national schedule, for the years the installed `chinesecalendar` knows."""
    from chinese_calendar import constants  # type: ignore[import-untyped]

    holidays = frozenset(constants.holidays)
    makeup = frozenset(constants.workdays)
    years = frozenset(d.year for d in holidays | makeup)
    return WorkingCalendar(holidays=holidays, makeup_days=makeup, known_years=years)


def calendar_for(config: HallConfig) -> WorkingCalendar:
    """The working days of `config`'s hall."""
    wd = config.working_days
    national = china() if wd.calendar == "china" else WorkingCalendar()
    return national.with_hall_days(wd.closed_days, wd.extra_working_days)


def warn_if_unknown(config: HallConfig, start: date, end: date) -> list[int]:
    """Log (once per call) the years between start and end whose national holidays are not
    known, for a hall that counts them: a deadline there counts only weekends and the hall's
    own days. Returns those years."""
    if config.working_days.calendar != "china":
        return []
    years = unknown_years(start, end, calendar_for(config))
    if years:
        log.warning(
            "hall %s: China's public holidays of %s are not known to the installed "
            "chinesecalendar; deadlines count Monday to Friday there (upgrade chinesecalendar, "
            "or list the days in [working_days] closed_days / extra_working_days)",
            config.hall.id,
            ", ".join(map(str, years)),
        )
    return years
