"""The login rate limit: failed log-ins per user name and per client address, in a sliding
window. Plain Python, the time passed in (monotonic seconds).

After `per_user` failures for one user name within `window_s`, that name may not log in (even
with the right password) until the oldest failure leaves the window; after `per_address`
failures from one address, nothing from it may. A good log-in forgets its name's failures (not
its address's: one guesser trying many names is still held by the address).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass
class LoginLimiter:
    per_user: int = 5
    per_address: int = 20
    window_s: float = 15 * 60
    #: Keys kept at most (a flood of random names cannot grow memory without end).
    max_keys: int = 10000
    _failures: dict[str, deque[float]] = field(default_factory=dict)

    def retry_after(self, username: str, address: str, now: float) -> float:
        """0 if a log-in may be tried now, else the seconds until it may."""
        waits = [
            self._wait(f"user:{username.strip().lower()}", self.per_user, now),
            self._wait(f"addr:{address}", self.per_address, now),
        ]
        return max(waits)

    def failed(self, username: str, address: str, now: float) -> None:
        for key in (f"user:{username.strip().lower()}", f"addr:{address}"):
            times = self._failures.setdefault(key, deque())
            times.append(now)
            self._trim(times, now)
        if len(self._failures) > self.max_keys:
            self._forget_old(now)

    def succeeded(self, username: str) -> None:
        self._failures.pop(f"user:{username.strip().lower()}", None)

    def _wait(self, key: str, limit: int, now: float) -> float:
        times = self._failures.get(key)
        if not times:
            return 0.0
        self._trim(times, now)
        if len(times) < limit:
            return 0.0
        return max(0.0, times[-limit] + self.window_s - now)

    def _trim(self, times: deque[float], now: float) -> None:
        while times and times[0] <= now - self.window_s:
            times.popleft()

    def _forget_old(self, now: float) -> None:
        for key in list(self._failures):
            times = self._failures[key]
            self._trim(times, now)
            if not times:
                del self._failures[key]
        while len(self._failures) > self.max_keys:  # still too many: drop the oldest keys
            del self._failures[next(iter(self._failures))]
