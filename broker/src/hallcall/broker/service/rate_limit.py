"""Per-device rate limits: one device must not take a department's day or the hall's time.

Each device has a token bucket (burst and rate per kind, from the hall file's `[rate_limits]`).
Every message it sends takes a token, valid or not, before anything parses it, so a flood of
garbage costs the queue broker a dictionary lookup per message. A refused command is answered
`rate_limited` and not remembered: sent again later with the same request_id, it runs.
A device that goes on sending after `burst` refusals in a row is no longer answered until it
keeps to its limit again: under a flood, each answer costs the broker two packets (the
profile of a 5,000-message flood was paho's socket writes, not HallCall's code), and the
flooder does not read them anyway.
Time is the process's monotonic clock, not the hall's: a flood happens in real seconds.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from time import monotonic

from hallcall.config.schema import HallConfig, RateLimit
from hallcall.protocol.topics import Sender

log = logging.getLogger(__name__)

# The request id of a refused message, read without parsing it (it may be 16 KB of anything).
_REQUEST_ID = re.compile(rb'"request_id"\s*:\s*"([A-Za-z0-9._:-]{1,64})"')


class _Bucket:
    __slots__ = ("tokens", "at", "refused")

    def __init__(self, burst: int, now: float):
        self.tokens = float(burst)
        self.at = now
        self.refused = 0  # in a row, for one log line per flood rather than one per message


ALLOW, REFUSE, DROP = "allow", "refuse", "drop"


class RateLimiter:
    def __init__(self, configs: list[HallConfig], clock: Callable[[], float] = monotonic):
        self.limits = {c.hall.id: c.rate_limits for c in configs}
        self.clock = clock
        self._buckets: dict[tuple[str, str, str], _Bucket] = {}

    def allow(self, hall: str, sender: Sender) -> bool:
        return self.check(hall, sender) == ALLOW

    def check(self, hall: str, sender: Sender) -> str:
        """Take a token from the device's bucket: ALLOW, else REFUSE (answer) or DROP (do not)."""
        key = (hall, sender.kind, sender.id)
        limit: RateLimit = self.limits[hall].of(sender.kind)
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(limit.burst, now)
        else:
            bucket.tokens = min(
                limit.burst, bucket.tokens + (now - bucket.at) * limit.per_minute / 60.0
            )
            bucket.at = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            if bucket.refused:
                log.warning(
                    "%s in %s sends within its limit again (%d refused)",
                    sender,
                    hall,
                    bucket.refused,
                )
                bucket.refused = 0
            return ALLOW
        if bucket.refused == 0:
            log.warning(
                "%s in %s is over its rate limit (%d, then %g a minute): refusing",
                sender,
                hall,
                limit.burst,
                limit.per_minute,
            )
        bucket.refused += 1
        return REFUSE if bucket.refused <= limit.burst else DROP


def unparsed_request_id(raw: bytes) -> str | None:
    """The request id of a message that will not be parsed, when it plainly has one."""
    match = _REQUEST_ID.search(raw, 0, 512)
    return match.group(1).decode() if match else None
