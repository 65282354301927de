"""Estimated wait, learned from how long recent services took."""

from __future__ import annotations

from collections.abc import Sequence
from statistics import median

#: How many recent services the estimate learns from.
RECENT_SERVICES = 20


def typical_service_s(recent_durations_s: Sequence[float], default_s: float) -> float:
    """The median of recent service times (robust to one visitor who took an hour)."""
    usable = [d for d in recent_durations_s[:RECENT_SERVICES] if d > 0]
    return median(usable) if usable else float(default_s)


def estimated_wait_s(ahead: int, service_s: float, open_windows: int) -> int:
    """Seconds until a visitor with `ahead` people before them is called."""
    if ahead <= 0:
        return 0
    return round(ahead * service_s / max(1, open_windows))
