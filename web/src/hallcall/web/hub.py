"""The web part's side of MQTT: one client of kind `web` for every open page.

The hub hears retained state and events like any device (parsed with the contract's models),
keeps the lobby's model for `/lobby`, and tells the pages' streams what changed. A visitor's
ticket is asked of the queue broker with `ticket.status` (the token never travels elsewhere).
paho's thread only hands messages to the asyncio loop the pages run on.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass
from typing import Any

from hallcall.display.model import LobbyModel, Snapshot
from hallcall.mqtt.client import DeviceClient
from hallcall.mqtt.connection import MqttSettings
from hallcall.protocol.payloads import CatalogView, EventView, Payload

log = logging.getLogger(__name__)

SUBSCRIPTIONS = [
    "state/catalog",
    "state/window/+",
    "state/queue/+",
    "state/calls",
    "event/ticket.called",
    "event/ticket.finished",
    "event/ticket.no_show",
    "event/ticket.transferred",
    "event/day.closed",
]

#: What a page's stream is told: (relative topic, the view heard); ("connection", None) when
#: the web part's own MQTT connection went up or down.
Change = tuple[str, Payload | None]


class WebHub:
    def __init__(
        self,
        hall: str,
        mqtt: MqttSettings,
        device_id: str = "web",
        *,
        client: DeviceClient | None = None,
        request_timeout_s: float = 5.0,
        move_wait_s: float = 0.2,
    ):
        self.client = client or DeviceClient(hall, "web", device_id, mqtt, SUBSCRIPTIONS)
        self.request_timeout_s = request_timeout_s
        self.lobby = LobbyModel(("zh", "en"))
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._by_key: dict[str, set[Subscription]] = {}
        #: How long after a queue moved its pages are told (see `_move_later`).
        self.move_wait_s = move_wait_s
        self._moves: dict[str, Change] = {}
        self._asking: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._moving: set[str] = set()
        self.client.on_view(self._heard)
        self.client.on_connection(self._connection)
        #: Messages heard (tests and the bench read it).
        self.heard = 0

    # ------------------------------------------------------------------ lifecycle
    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self.client.start()

    def stop(self) -> None:
        self.client.stop()

    # ------------------------------------------------------------------ what the pages read
    def lobby_snapshot(self) -> Snapshot:
        with self._lock:
            return self.lobby.snapshot()

    def catalog(self) -> CatalogView | None:
        view = self.client.views.get("state/catalog")
        return view if isinstance(view, CatalogView) else None

    @property
    def online(self) -> bool:
        return self.client.connected.is_set() and self.client.server_online

    def subscribe(self, keys: set[str]) -> Subscription:
        """Hear every change under `keys` from now on (see `interest`); `unsubscribe` after."""
        sub = Subscription(set(), asyncio.Queue(maxsize=256))
        self.follow(sub, keys)
        return sub

    def follow(self, sub: Subscription, keys: set[str]) -> None:
        """Change what `sub` hears (a ticket called to a window now follows that window)."""
        for key in sub.keys - keys:
            self._by_key.get(key, set()).discard(sub)
        for key in keys - sub.keys:
            self._by_key.setdefault(key, set()).add(sub)
        sub.keys = set(keys)

    def unsubscribe(self, sub: Subscription) -> None:
        self.follow(sub, set())

    @property
    def listeners(self) -> int:
        return len({s for subs in self._by_key.values() for s in subs})

    async def ticket_status(self, token: str) -> dict[str, Any]:
        """The queue broker's reply to `ticket.status` (a "timeout" reply if it does not answer).

        Pages of one ticket asking at once share one question (a visitor's two tabs, the page
        and its notification), so they cost the hall's rate limit once."""
        asking = self._asking.get(token)
        if asking is None:
            asking = asyncio.ensure_future(self.request("ticket.status", token=token))
            self._asking[token] = asking
            asking.add_done_callback(lambda _f: self._asking.pop(token, None))
        return await asyncio.shield(asking)

    async def request(self, op: str, **args: Any) -> dict[str, Any]:
        """Send `op` as the web device and await its reply (the kit's one request style: sent
        again with the same request_id until answered, a "timeout" reply at the deadline)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[dict[str, Any]] = loop.create_future()

        def replied(reply: dict[str, Any]) -> None:
            loop.call_soon_threadsafe(_settle, future, reply)

        self.client.submit(op, replied, timeout=self.request_timeout_s, **args)
        return await future

    # ------------------------------------------------------------------ paho's thread
    def _heard(self, topic: str, view: Payload) -> None:
        with self._lock:
            self.heard += 1
            if not isinstance(view, EventView):
                self.lobby.heard(topic, view)
        self._tell(topic, view)

    def _connection(self, up: bool) -> None:
        with self._lock:
            self.lobby.connection_changed(up)
        self._tell("connection", None)

    def _tell(self, topic: str, view: Payload | None) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(self._fan_out, (topic, view))

    def _fan_out(self, change: Change) -> None:
        told: set[int] = set()
        for key in interest(change):
            subs = self._by_key.get(key)
            if not subs:
                continue
            if key.startswith(QUEUE_PREFIX):
                self._move_later(key, change)
                continue
            for sub in list(subs):
                if id(sub) not in told:
                    told.add(id(sub))
                    _put(sub, change)

    def _move_later(self, key: str, change: Change) -> None:
        """A queue moved: every page waiting in it asks again, but not at once. The one page
        whose own call follows the queue's state by a few milliseconds must not wait behind a
        thousand others, so they are told MOVE_WAIT_S later, in batches that let the loop
        breathe; further moves meanwhile are folded into the same round."""
        self._moves[key] = change
        if key in self._moving:
            return
        self._moving.add(key)
        loop = asyncio.get_running_loop()
        loop.call_later(self.move_wait_s, lambda: loop.create_task(self._tell_moved(key)))

    async def _tell_moved(self, key: str) -> None:
        self._moving.discard(key)
        change = self._moves.pop(key)
        subs = list(self._by_key.get(key, ()))
        for start in range(0, len(subs), MOVE_BATCH):
            for sub in subs[start : start + MOVE_BATCH]:
                _put(sub, change)
            await asyncio.sleep(0)


def _put(sub: Subscription, change: Change) -> None:
    try:
        sub.queue.put_nowait(change)
    except asyncio.QueueFull:  # a stalled page: it re-reads all on its next turn
        pass


#: The keys of queue states, whose changes reach their pages a moment later (`_move_later`).
QUEUE_PREFIX = "state/queue/"
#: Pages told at a time of a moved queue.
MOVE_BATCH = 50


@dataclass(eq=False)
class Subscription:
    keys: set[str]
    queue: asyncio.Queue[Change]


#: A key every change is also told under (the lobby page hears everything).
EVERYTHING = "*"


def interest(change: Change) -> set[str]:
    """The keys a change is told under: its topic for a state (`state/queue/registrar`),
    `ticket:<id>` for an event about a ticket, ALL for what concerns every page (the
    connection, the server, the close of day), and EVERYTHING always."""
    topic, view = change
    keys = {EVERYTHING}
    if topic in ("connection", "server/status", "event/day.closed"):
        keys.add(ALL)
    elif topic.startswith("state/"):
        keys.add(topic)
    elif isinstance(view, EventView):
        about = view.ticket.id if view.ticket else view.ticket_id
        if about:
            keys.add(f"ticket:{about}")
    return keys


#: The key of what concerns every ticket page.
ALL = "all"


def _settle(future: asyncio.Future[dict[str, Any]], reply: dict[str, Any]) -> None:
    if not future.done():
        future.set_result(reply)
