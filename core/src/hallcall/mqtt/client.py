"""The MQTT side of every device: status with a last will, commands with replies, retained state.

A device app (kiosk, clerk terminal, display, rating pad) owns one DeviceClient. Requests block
the calling thread until the reply with the same request_id arrives (never call `request` from a
paho callback: waiting inside the network thread deadlocks). Retained states are cached per topic
and a state older than the one held (by `seq`) is ignored, so a screen never moves backwards.

A request is sent again with the same request_id, until its deadline, whenever it may have been
lost: on every reconnect, when the queue broker comes back online (it has subscribed by then),
and every RETRY_S without a reply. The queue broker answers a repeat with the reply it gave the
first time, and a second reply to one request is dropped here, so each request is answered once.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from time import monotonic
from typing import Any

import paho.mqtt.client as mqtt

from hallcall.mqtt.connection import MqttSettings, guarded, make_client, start, stop
from hallcall.protocol.payloads import encode
from hallcall.protocol.topics import Topics

log = logging.getLogger(__name__)

StateListener = Callable[[str, dict[str, Any]], None]

#: Seconds without a reply after which a request is sent again (same request_id).
RETRY_S = 3.0
#: Request ids answered lately, so a repeated reply is not taken for a new one.
ANSWERED_MEMORY = 1024


class RequestTimeout(Exception):
    """No reply in time: the broker may be down, or the reply may still come (see late replies)."""


class DeviceClient:
    def __init__(
        self,
        hall: str,
        kind: str,
        device_id: str,
        settings: MqttSettings,
        subscriptions: list[str] | None = None,
    ):
        self.topics = Topics(hall)
        self.kind, self.id = kind, device_id
        self.settings = settings
        #: Topic filters under the hall root, e.g. "state/#", "event/ticket.called".
        self.subscriptions = list(subscriptions or [])
        self.states: dict[str, dict[str, Any]] = {}  # relative topic -> newest payload
        self.server_online = False
        self.connected = threading.Event()
        self._health: dict[str, Any] = {}
        self._pending: dict[str, tuple[threading.Event, list[dict[str, Any]], bytes]] = {}
        self._answered: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()
        self._state_listeners: list[StateListener] = []
        self._event_listeners: list[StateListener] = []
        self._reply_listeners: list[Callable[[dict[str, Any]], None]] = []
        self._connection_listeners: list[Callable[[bool], None]] = []
        self._client = make_client(
            f"hallcall-{hall}-{kind}-{device_id}-{uuid.uuid4().hex[:6]}",
            settings,
            will=(self.topics.device_status(kind, device_id), encode({"state": "lost"})),
        )
        self._client.on_connect = guarded(self._on_connect)
        self._client.on_disconnect = guarded(self._on_disconnect)
        self._client.on_message = guarded(self._on_message)

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        start(self._client, self.settings)

    def stop(self) -> None:
        if self.connected.is_set():
            info = self._client.publish(
                self.topics.device_status(self.kind, self.id),
                encode({"state": "offline", **self._health}),
                qos=1,
                retain=True,
            )
            try:
                info.wait_for_publish(timeout=2)
            except (RuntimeError, ValueError):
                pass
        stop(self._client)

    def wait_connected(self, timeout: float = 10) -> bool:
        return self.connected.wait(timeout)

    # ------------------------------------------------------------------ listeners
    def on_state(self, listener: StateListener) -> None:
        """`listener(relative_topic, payload)` for every newer state and server status."""
        self._state_listeners.append(listener)

    def on_event(self, listener: StateListener) -> None:
        self._event_listeners.append(listener)

    def on_reply(self, listener: Callable[[dict[str, Any]], None]) -> None:
        """`listener(reply)` for every reply no `request()` is waiting for: the answer to a
        `send()` (the kiosk and the rating pad match it by request_id), or one that came after
        its `request()` gave up (the kiosk still prints that ticket)."""
        self._reply_listeners.append(listener)

    def on_connection(self, listener: Callable[[bool], None]) -> None:
        self._connection_listeners.append(listener)

    # ------------------------------------------------------------------ health
    def set_health(self, **health: Any) -> None:
        """Publish the device's health on its retained status topic (e.g. printer="paper_out")."""
        self._health.update(health)
        self._publish_status()

    def _publish_status(self) -> None:
        self._client.publish(
            self.topics.device_status(self.kind, self.id),
            encode({"state": "online", **self._health}),
            qos=1,
            retain=True,
        )

    # ------------------------------------------------------------------ requests
    def send(self, op: str, request_id: str | None = None, **args: Any) -> str:
        """Publish a command without waiting (nor retrying); returns its request_id."""
        request_id = request_id or uuid.uuid4().hex
        self._publish_command(encode({"request_id": request_id, "op": op, **args}))
        return request_id

    def _publish_command(self, payload: bytes) -> None:
        self._client.publish(self.topics.command(self.kind, self.id), payload, qos=1)

    def request(
        self, op: str, timeout: float = 5.0, request_id: str | None = None, **args: Any
    ) -> dict[str, Any]:
        """Send a command and wait for its reply, sending it again if it may have been lost.

        Raises RequestTimeout after `timeout` seconds (the request's deadline).
        """
        request_id = request_id or uuid.uuid4().hex
        payload = encode({"request_id": request_id, "op": op, **args})
        done = threading.Event()
        box: list[dict[str, Any]] = []
        with self._lock:
            self._pending[request_id] = (done, box, payload)
        deadline = monotonic() + timeout
        try:
            self._publish_command(payload)
            while not done.wait(max(0.0, min(RETRY_S, deadline - monotonic()))):
                if monotonic() >= deadline:
                    break
                if self.connected.is_set():  # while away, the reconnect sends it again
                    log.info(
                        "%s/%s: no reply to %s yet; sending it again",
                        self.kind,
                        self.id,
                        request_id,
                    )
                    self._publish_command(payload)
        finally:
            with self._lock:
                self._pending.pop(request_id, None)
        # Checked after leaving `_pending` under the lock: a reply that raced the timeout is
        # returned here; any later one goes to the reply listeners. None is lost.
        if box:
            return box[0]
        raise RequestTimeout(f"no reply to {op} within {timeout:g} s")

    # ------------------------------------------------------------------ paho callbacks
    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            log.warning("%s/%s: connection refused: %s", self.kind, self.id, reason_code)
            return
        subs = [(self.topics.reply(self.kind, self.id), 1), (self.topics.server_status, 1)]
        subs += [(self.topics.root + s, 1) for s in self.subscriptions]
        client.subscribe(subs)
        self._publish_status()
        self._send_pending_again()
        self.connected.set()
        for listener in self._connection_listeners:
            listener(True)

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        self.connected.clear()
        for listener in self._connection_listeners:
            listener(False)

    def _wanted(self, rel: str) -> bool:
        # amqtt hands out retained messages of other clients' filters: check every topic.
        return any(mqtt.topic_matches_sub(s, rel) for s in self.subscriptions)

    def _on_message(self, client, userdata, msg: mqtt.MQTTMessage) -> None:
        rel = self.topics.relative(msg.topic)
        if rel is None:
            return
        try:
            payload = json.loads(msg.payload.decode("utf-8")) if msg.payload else {}
        except (UnicodeDecodeError, json.JSONDecodeError):
            log.warning("dropped a non-JSON message on %s", msg.topic)
            return
        if not isinstance(payload, dict):
            log.warning("dropped a non-object message on %s", msg.topic)
            return
        if rel == f"reply/{self.kind}/{self.id}":
            self._on_reply(payload)
        elif rel == "server/status":
            self.server_online = payload.get("state") == "online"
            if self.server_online:  # (re)subscribed by now: what it missed before is lost
                self._send_pending_again()
            for listener in self._state_listeners:
                listener(rel, payload)
        elif rel.startswith("state/") and self._wanted(rel):
            held = self.states.get(rel)
            seq = payload.get("seq")
            if not isinstance(seq, int):
                log.warning("dropped a state without seq on %s", msg.topic)
                return
            if held is not None and seq < held.get("seq", -1):
                return  # older than what is shown: a replay must not move the screen back
            self.states[rel] = payload
            for listener in self._state_listeners:
                listener(rel, payload)
        elif rel.startswith("event/") and self._wanted(rel):
            for listener in self._event_listeners:
                listener(rel, payload)

    def _send_pending_again(self) -> None:
        with self._lock:
            payloads = [payload for _, _, payload in self._pending.values()]
        for payload in payloads:
            self._publish_command(payload)

    def _on_reply(self, payload: dict[str, Any]) -> None:
        rid = payload.get("request_id")
        if not isinstance(rid, str):  # null (a refused payload) or junk: no request of ours
            rid = None
        with self._lock:
            pending = self._pending.get(rid) if rid is not None else None
            if pending is not None:
                done, box, _ = pending
                if not box:
                    box.append(payload)
                done.set()
            elif rid in self._answered:
                return  # another reply to a request sent twice, already taken
            if rid is not None:
                self._answered[rid] = None
                while len(self._answered) > ANSWERED_MEMORY:
                    self._answered.popitem(last=False)
        if pending is None:
            for listener in self._reply_listeners:
                listener(payload)
