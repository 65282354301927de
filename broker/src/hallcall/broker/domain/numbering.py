"""Ticket numbers: a department's prefix and a zero-padded number that restarts every day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hallcall.broker.domain.errors import Closed


@dataclass(frozen=True)
class NumberRange:
    prefix: str
    start: int
    end: int
    daily_cap: int | None = None

    @property
    def width(self) -> int:
        return len(str(self.end))

    def next_after(self, last: int | None, issued_today: int) -> int:
        """The number after `last` (None: the first of the day), or Closed when none is left."""
        if self.daily_cap is not None and issued_today >= self.daily_cap:
            raise Closed(
                f"department {self.prefix} has issued its {self.daily_cap} tickets for today"
            )
        number = self.start if last is None else last + 1
        if number > self.end:
            raise Closed(
                f"no ticket numbers left for {self.prefix} today (range ends at {self.end})"
            )
        return number

    def format(self, number: int) -> str:
        return f"{self.prefix}{number:0{self.width}d}"


def service_date(now: datetime, zone: ZoneInfo) -> date:
    """The hall's working day for an instant: the local calendar date in the hall's time zone."""
    if now.tzinfo is None:
        raise ValueError("service_date needs an aware datetime")
    return now.astimezone(zone).date()


def local_day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, start + timedelta(days=1)


def ticket_id(day: date, number: str) -> str:
    """A ticket's id, unique in the hall for ever and readable: 20261123-A012."""
    return f"{day:%Y%m%d}-{number}"
