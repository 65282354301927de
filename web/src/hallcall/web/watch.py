"""Following one ticket as the hall moves: what a visitor's open page and their notifications
share.

`watch(hub, token)` yields the ticket's `ticket.status` answer now and again whenever
something that may move it is heard (its department's queue, its window, an event about it,
the connection, the close of day; see `hub.interest`). Its own call is yielded at once from
the event (`Seen.from_event`), before the broker is asked again, so a called visitor is not
kept waiting behind the hundreds of other pages that ask when a queue moves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from hallcall.protocol.payloads import EventView
from hallcall.web.hub import ALL, Change, Subscription, WebHub


@dataclass(frozen=True)
class Seen:
    #: "ok", "unknown" (no such token: the watch ends), or "unavailable" (no answer, or refused)
    outcome: str
    #: The `data` of a good `ticket.status` reply (for "ok").
    status: dict[str, Any] | None = None
    #: True when `status` was made from the ticket's own call event, not asked of the broker.
    from_event: bool = False

    @property
    def ticket(self) -> dict[str, Any] | None:
        return self.status.get("ticket") if self.status else None


async def ask(hub: WebHub, token: str) -> Seen:
    """The broker's answer for `token` now."""
    reply = await hub.ticket_status(token)
    if reply.get("ok"):
        return Seen("ok", reply["data"])
    code = (reply.get("error") or {}).get("code")
    if code in ("unknown_token", "invalid", "not_found"):
        return Seen("unknown")
    return Seen("unavailable")


async def watch(hub: WebHub, token: str) -> AsyncIterator[Seen]:
    sub = hub.subscribe({ALL})
    try:
        seen = await ask(hub, token)
        while True:
            yield seen
            if seen.outcome == "unknown" or _over(seen):
                return
            last = seen if seen.outcome == "ok" else None
            ticket = last.ticket if last else None
            hub.follow(sub, keys(last.status if last else None))
            called = _called(await _next(sub), ticket)
            if called is not None and last is not None and last.status is not None:
                yield Seen("ok", {**last.status, "ticket": called}, from_event=True)
            seen = await ask(hub, token)
    finally:
        hub.unsubscribe(sub)


def _over(seen: Seen) -> bool:
    """Nothing more can happen to this ticket: it ended and may not (or no longer) be rated."""
    status = seen.status
    if seen.outcome != "ok" or status is None or seen.from_event:
        return False
    if status.get("other_day") or status.get("day_closed"):
        return True
    ticket = status.get("ticket")
    if ticket is None:
        return bool((status.get("checkin") or {}).get("expired"))
    return ticket["status"] in ("finished", "no_show") and not status.get("can_rate")


def keys(status: dict[str, Any] | None) -> set[str]:
    """What may move this ticket: its department's queue, its window, events about it, and
    what concerns every ticket (see `hub.interest`). A remote ticket not checked in yet has no
    ticket: its department's queue moves when it is checked in."""
    if status is None:
        return {ALL}
    ticket = status.get("ticket")
    if ticket is None:
        checkin = status.get("checkin") or {}
        return {ALL, f"state/queue/{checkin.get('department')}"}
    found = {ALL, f"ticket:{ticket['id']}", f"state/queue/{ticket['department']}"}
    if ticket.get("window"):
        found.add(f"state/window/{ticket['window']}")
    return found


def _called(change: Change, ticket: dict[str, Any] | None) -> dict[str, Any] | None:
    """The ticket's view when `change` is its own call (or recall) to a window."""
    _topic, view = change
    if ticket is None or not isinstance(view, EventView) or view.ticket is None:
        return None
    if view.ticket.id != ticket["id"] or view.ticket.status != "called":
        return None
    return view.ticket.model_dump(mode="json")


async def _next(sub: Subscription) -> Change:
    """The next change, and whatever else is queued behind it: a burst costs one question.
    An event (about this ticket) wins over a state, so its own call is shown at once."""
    change = await sub.queue.get()
    while not sub.queue.empty():
        more = sub.queue.get_nowait()
        if isinstance(more[1], EventView) or not isinstance(change[1], EventView):
            change = more
    return change
