"""The notification service of the web part: it follows every ticket with a contact (whether
or not its page is open), queues what `rules.due` says, and sends the outbox with retries.

Runs on the web part's event loop; sending (apprise, blocking) and the database run on worker
threads. On start it takes up every contact that had not ended, so a restart loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from hallcall.web.hub import WebHub
from hallcall.web.watch import ask, watch

from . import rules
from .outbox import Outbox
from .sender import Sender
from .settings import NotifySettings

log = logging.getLogger(__name__)

#: How often the outbox is looked at when nothing woke it, and the purge runs.
IDLE_S = 1.0


def utcnow() -> datetime:
    return datetime.now(UTC)


class Notifier:
    def __init__(
        self,
        hub: WebHub,
        outbox: Outbox,
        sender: Sender,
        settings: NotifySettings,
        *,
        near_ahead: int = 3,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.hub, self.outbox, self.sender = hub, outbox, sender
        self.settings = settings
        self.near_ahead = near_ahead
        self.now = now
        self._watchers: dict[int, asyncio.Task[None]] = {}
        self._wake = asyncio.Event()
        self._loop_task: asyncio.Task[None] | None = None

    @property
    def channels(self) -> dict[str, dict[str, str]]:
        """Channel id -> its label by language (what the phone page offers)."""
        return {key: ch.label for key, ch in self.settings.channels.items()}

    # ------------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        for contact in await asyncio.to_thread(self.outbox.active):
            self._follow(contact["id"], contact["token"])
        self._loop_task = asyncio.create_task(self._send_loop(), name="notify-outbox")

    async def stop(self) -> None:
        tasks = [*self._watchers.values(), *([self._loop_task] if self._loop_task else [])]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    # ------------------------------------------------------------------ a visitor's contact
    async def add(self, token: str, channel_id: str, address: str, lang: str) -> str | None:
        """Keep a visitor's contact for their ticket; None, or why not (a text key)."""
        channel = self.settings.channels.get(channel_id)
        if channel is None:
            return "contact_bad_channel"
        cleaned = rules.check_address(channel, address)
        if cleaned is None:
            return "contact_bad_address"
        seen = await ask(self.hub, token)
        if seen.outcome != "ok" or seen.status is None:
            return "not_found" if seen.outcome == "unknown" else "unavailable"
        if rules.ended(seen.status):
            return "contact_too_late"
        ticket = seen.status.get("ticket")
        if ticket is None:  # a remote ticket before its check-in: told once it is a ticket
            return "contact_checkin_first"
        contact_id = await asyncio.to_thread(
            lambda: self.outbox.add_contact(
                token=token,
                ticket_id=ticket["id"],
                number=ticket["number"],
                channel=channel_id,
                address=cleaned,
                lang=lang,
                now=self.now(),
            )
        )
        self._follow(contact_id, token)
        return None

    def _follow(self, contact_id: int, token: str) -> None:
        old = self._watchers.pop(contact_id, None)
        if old is not None:
            old.cancel()
        self._watchers[contact_id] = asyncio.create_task(
            self._watch(contact_id, token), name=f"notify-{contact_id}"
        )

    async def _watch(self, contact_id: int, token: str) -> None:
        try:
            async for seen in watch(self.hub, token):
                if seen.outcome == "unknown":
                    await self._end(contact_id)
                    return
                if seen.outcome != "ok" or seen.status is None:
                    continue
                if not await self._told(contact_id, seen.status):
                    return  # the contact is gone (replaced or purged)
                if rules.ended(seen.status) and not seen.from_event:
                    await self._end(contact_id)
                    return
        finally:
            if self._watchers.get(contact_id) is asyncio.current_task():
                self._watchers.pop(contact_id, None)

    async def _told(self, contact_id: int, status: dict[str, Any]) -> bool:
        contact = await asyncio.to_thread(self.outbox.contact, contact_id)
        if contact is None:
            return False
        channel = self.settings.channels.get(contact["channel"])
        if channel is None:
            return True
        for kind in rules.due(
            status, contact["near_sent"], contact["called_sent"], self.near_ahead
        ):
            title, body = rules.message(kind, contact["lang"], status)
            url = rules.target_url(channel, contact["address"])
            if await asyncio.to_thread(
                self.outbox.tell, contact_id, kind, url, title, body, self.now()
            ):
                self._wake.set()
        return True

    async def _end(self, contact_id: int) -> None:
        purge_after = rules.purge_time(self.now(), self.settings.retention_h)
        await asyncio.to_thread(self.outbox.end, contact_id, purge_after)

    # ------------------------------------------------------------------ alarms
    def alarm(self, title: str, body: str) -> None:
        """Queue an alarm for the hall's alarm channels (the dashboard's `on_alarm` hook)."""
        for url in self.settings.alarm_urls:
            self.outbox.queue("alarm", url, title, body, self.now())
        self._wake.set()

    # ------------------------------------------------------------------ sending
    async def _send_loop(self) -> None:
        while True:
            await self.send_due()
            await asyncio.to_thread(self.outbox.purge, self.now())
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), IDLE_S)

    async def send_due(self) -> int:
        """Send what is due now; returns how many went."""
        went = 0
        s = self.settings
        for note in await asyncio.to_thread(self.outbox.due, self.now()):
            try:
                ok = await asyncio.to_thread(self.sender.send, note.url, note.title, note.body)
                error = "" if ok else "the service refused it"
            except Exception as exc:  # a broken gateway must not stop the others
                ok, error = False, f"{type(exc).__name__}"
            attempts = note.attempts + 1
            if ok:
                await asyncio.to_thread(self.outbox.sent, note.id, self.now())
                went += 1
            elif attempts >= s.attempts:
                log.warning("notification %s given up after %d attempts", note.id, attempts)
                await asyncio.to_thread(self.outbox.failed, note.id, attempts, self.now(), error)
            else:
                at = rules.next_try(self.now(), attempts, s.first_retry_s, s.max_retry_s)
                await asyncio.to_thread(self.outbox.retry, note.id, attempts, at, error)
        return went
