"""Log lines under a flood: a misbehaving device must not fill the disk or slow the broker.

`LineLimit` is a logging filter that lets each message template (logger and format string,
not its arguments) through at most `burst` times per `period_s`; the rest are counted, and
the next line of that template that passes says how many were left out. `Repeats` is for the
code that knows a fault goes on (a printer that does not answer): one line, then counts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from time import monotonic


class LineLimit(logging.Filter):
    def __init__(self, burst: int = 10, period_s: float = 60.0):
        super().__init__()
        self.burst = burst
        self.period_s = period_s
        self._seen: dict[
            tuple[str, object], list
        ] = {}  # template -> [window start, passed, dropped]

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.msg)
        now = monotonic()
        seen = self._seen.get(key)
        if seen is None or now - seen[0] >= self.period_s:
            dropped = seen[2] if seen is not None else 0
            seen = self._seen[key] = [now, 0, 0]
            if dropped:
                record.msg = f"{record.msg} [{dropped} more like this in the last {self.period_s:g} s left out]"
        if seen[1] >= self.burst:
            seen[2] += 1
            return False
        seen[1] += 1
        if len(self._seen) > 10000:  # templates are few; a bound all the same
            self._seen.clear()
        return True


def limit_lines(burst: int = 10, period_s: float = 60.0) -> LineLimit:
    """Put one LineLimit on the root logger's plain stream handlers (those of basicConfig)."""
    line_limit = LineLimit(burst, period_s)
    for handler in logging.getLogger().handlers:
        if type(handler) is logging.StreamHandler and not any(
            isinstance(f, LineLimit) for f in handler.filters
        ):
            handler.addFilter(line_limit)
    return line_limit


class Repeats:
    """One line for a fault that goes on, not one per try: a kiosk polls a missing printer
    every 5 s, 17,000 warnings a day. The first failure is logged as it is; while it goes on a
    line with the count ("printer status query failed: ... (3,412 times since 09:02)") at
    most every `every_s`; and one line when it ends. Each `key` is its own fault."""

    def __init__(
        self,
        logger: logging.Logger,
        every_s: float = 600.0,
        *,
        clock: Callable[[], float] = monotonic,
        wall: Callable[[], datetime] = datetime.now,
    ):
        self.logger, self.every_s, self.clock, self.wall = logger, every_s, clock, wall
        self._open: dict[str, list] = {}  # key -> [count, since (wall), last line (clock)]

    def failed(self, key: str, message: str, *args: object, level: int = logging.WARNING) -> None:
        now = self.clock()
        fault = self._open.get(key)
        if fault is None:
            self._open[key] = [1, self.wall(), now]
            self.logger.log(level, message, *args)
            return
        fault[0] += 1
        if now - fault[2] >= self.every_s:
            fault[2] = now
            self.logger.log(level, f"{message} (%s times since %s)", *args, *self._count(fault))

    def recovered(self, key: str, message: str, *args: object) -> None:
        """The fault is over: one INFO line with how long it lasted, if there was one."""
        fault = self._open.pop(key, None)
        if fault is not None:
            self.logger.info(f"{message} (after %s failures since %s)", *args, *self._count(fault))

    def count(self, key: str) -> int:
        fault = self._open.get(key)
        return fault[0] if fault else 0

    @staticmethod
    def _count(fault: list) -> tuple[str, str]:
        return f"{fault[0]:,}", fault[1].strftime("%H:%M")
