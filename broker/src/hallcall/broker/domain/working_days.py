"""Working days: what deadlines count (a complaint's answer in 5 working days, a time-limited
matter's promised days).

In China a working day is Monday to Friday, except the public holidays the State Council sets
each year, plus the weekend days it makes working days to bridge them (调休, e.g. Saturday
14 February 2026 before the Spring Festival). A hall adds its own closed days (a local holiday,
a move) and its own extra working days (a Saturday opening).

Plain Python and no I/O: the national schedule comes in as data (`WorkingCalendar`), made by
`hallcall.broker.calendars` from the `chinesecalendar` package and the hall file, so a test can
give any calendar.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days are working days for one hall.

    The first rule that speaks decides: the hall's `closed` days are off; the hall's `extra`
    days are on; a national `holidays` day is off; a national `makeup_days` day (调休) is on;
    Saturday and Sunday are off; any other day is on. `known_years` are the years whose national
    schedule is in `holidays`/`makeup_days`: in any other year only the weekends and the hall's
    own days count (see `unknown_years`).
    """

    holidays: frozenset[date] = frozenset()
    makeup_days: frozenset[date] = frozenset()
    known_years: frozenset[int] = frozenset()
    closed: frozenset[date] = frozenset()
    extra: frozenset[date] = frozenset()

    def with_hall_days(
        self, closed: Iterable[date] = (), extra: Iterable[date] = ()
    ) -> WorkingCalendar:
        """The same national schedule with the hall's own closed and extra working days."""
        closed, extra = frozenset(closed), frozenset(extra)
        if both := sorted(closed & extra):
            raise ValueError(f"closed and a working day at once: {', '.join(map(str, both))}")
        return WorkingCalendar(self.holidays, self.makeup_days, self.known_years, closed, extra)

    def knows(self, year: int) -> bool:
        return year in self.known_years


def is_working_day(day: date, calendar: WorkingCalendar) -> bool:
    """Whether the hall works on `day` (see `WorkingCalendar` for the order of the rules)."""
    if day in calendar.closed:
        return False
    if day in calendar.extra:
        return True
    if day in calendar.holidays:
        return False
    if day in calendar.makeup_days:
        return True
    return day.weekday() < 5


def add_working_days(start: date, n: int, calendar: WorkingCalendar) -> date:
    """The n-th working day after `start` (`start` itself never counts; n = 0 gives `start`).

    A complaint received on Friday 30 January 2026 and due in 5 working days is due on
    Friday 6 February; one received on Friday 13 February is due on Friday 27 February: the
    Spring Festival (15-23 February) is off and the make-up Saturday 14 February counts.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    while n > 0:
        day += timedelta(days=1)
        if is_working_day(day, calendar):
            n -= 1
    return day


def unknown_years(start: date, end: date, calendar: WorkingCalendar) -> list[int]:
    """The years from `start` to `end` whose national schedule the calendar does not know: a
    deadline counted across one of them counts only weekends and the hall's own days there."""
    return [y for y in range(start.year, end.year + 1) if not calendar.knows(y)]
