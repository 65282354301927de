"""When a visitor is told, and what they are told (plain Python, no I/O).

Twice at most per ticket: once when `near_ahead` or fewer people are ahead ("near"), once when
it is called ("called"; a call that comes first makes "near" pointless). A ticket that ended
(served, passed, closed, of another day) is told nothing more and its contact is purged after
the retention.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from hallcall.device_kit.i18n import TextTable

from .settings import Channel

WORDS = TextTable.by_key(
    {
        "title": {"zh": "叫号提醒 {number}", "en": "Your ticket {number}"},
        "near": {
            "zh": "{number}：快到您了，前面还有 {ahead} 人，请回到大厅。",
            "en": "{number}: your turn is near, {ahead} ahead of you. Please come back to the hall.",
        },
        "called": {
            "zh": "{number}：请到 {window} 号窗口办理。",
            "en": "{number}: please go to window {window} now.",
        },
    }
)


def due(status: dict[str, Any], near_sent: bool, called_sent: bool, near_ahead: int) -> list[str]:
    """The kinds to send now for a `ticket.status` answer."""
    ticket = status["ticket"]
    if status.get("other_day") or status.get("day_closed"):
        return []
    if ticket["status"] == "called" and not called_sent:
        return ["called"]
    ahead = ticket.get("waiting_ahead")
    if (
        ticket["status"] == "waiting"
        and not near_sent
        and not called_sent
        and isinstance(ahead, int)
        and ahead <= near_ahead
    ):
        return ["near"]
    return []


def ended(status: dict[str, Any]) -> bool:
    """Nothing more will be told about this ticket."""
    t = status["ticket"]["status"]
    return t in ("finished", "no_show") or bool(status.get("other_day") or status.get("day_closed"))


def message(kind: str, lang: str, status: dict[str, Any]) -> tuple[str, str]:
    t = status["ticket"]
    values = {
        "number": t["number"],
        "ahead": t.get("waiting_ahead"),
        "window": t.get("window_number"),
    }
    return WORDS(lang, "title", **values), WORDS(lang, kind, **values)


def check_address(channel: Channel, address: str) -> str | None:
    """The address cleaned, or None when it does not look like one of this channel."""
    cleaned = "".join(address.split())
    return cleaned if re.fullmatch(channel.pattern, cleaned) else None


def target_url(channel: Channel, address: str) -> str:
    """The channel's apprise URL for one address (quoted, so it cannot change the URL)."""
    return channel.url.replace("{address}", quote(address, safe="@+"))


def purge_time(now: datetime, retention_h: float) -> datetime:
    return now + timedelta(hours=retention_h)


def next_try(now: datetime, attempts: int, first_s: float, max_s: float) -> datetime:
    """Pauses that double: first_s, 2 first_s, 4 first_s ... at most max_s."""
    return now + timedelta(seconds=min(max_s, first_s * 2 ** max(0, attempts - 1)))
