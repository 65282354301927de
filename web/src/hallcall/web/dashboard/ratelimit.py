"""The login rate limit: failed log-ins per user name and per client address, in a sliding
window. Plain Python, the time passed in (monotonic seconds).

After `per_user` failures for one user name within `window_s`, that name may not log in (even
with the right password) until the oldest failure leaves the window; after `per_address`
failures from one address, nothing from it may. A good log-in forgets its name's failures (not
its address's: one guesser trying many names is still held by the address).
"""

from __future__ import annotations

import ipaddress
from collections import deque
from dataclasses import dataclass, field


def network_of(address: str) -> str:
    """What one client is: its IPv4 address, or its IPv6 /64 (one household or phone may hold
    a whole /64, so one address each would be a limit per guess, not per client)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


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
            self._wait(f"addr:{network_of(address)}", self.per_address, now),
        ]
        return max(waits)

    def failed(self, username: str, address: str, now: float) -> None:
        for key in (f"user:{username.strip().lower()}", f"addr:{network_of(address)}"):
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
        """Make room: forget empty keys, then the oldest keys that hold no lock. A key that
        holds a lock is never forgotten, or flooding the table with new names and addresses
        would lift the lock on the name being guessed."""
        for key in list(self._failures):
            times = self._failures[key]
            self._trim(times, now)
            if not times:
                del self._failures[key]
        for key in list(self._failures):
            if len(self._failures) <= self.max_keys:
                return
            limit = self.per_user if key.startswith("user:") else self.per_address
            if len(self._failures[key]) < limit:
                del self._failures[key]
