"""Log lines under a flood: a misbehaving device must not fill the disk or slow the broker.

`LineLimit` is a logging filter that lets each message template (logger and format string,
not its arguments) through at most `burst` times per `period_s`; the rest are counted, and
the next line of that template that passes says how many were left out.
"""

from __future__ import annotations

import logging
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
