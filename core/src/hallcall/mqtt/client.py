"""The MQTT side of every device: status with a last will, commands with replies, retained state.

A device app (kiosk, clerk terminal, display, rating pad) owns one DeviceClient. There is one
request style for every device: `submit(op, on_reply, timeout=...)` publishes a command with a
request_id and returns at once; `on_reply(reply)` is called exactly once, with the broker's
reply or, when the deadline passes first, with a reply whose error code is "timeout"
(`timed_out(reply)`). `request()` is the same, blocking, for scripts and the headless terminal.

Until its deadline (or its reply, with `timeout=None`) a request is sent again with the same
request_id whenever it may have been lost: on every reconnect, when the queue broker comes back
online (it has subscribed by then), and every RETRY_S without a reply, by one retry thread. The
queue broker answers a repeat with the reply it gave the first time, and a second reply to one
request is dropped here. A reply that comes after its deadline goes to the `on_reply` listeners
(the kiosk still prints that ticket).

Every state, event and server status is parsed with the contract's own model
(`hallcall.protocol.payloads.VIEW_MODELS`); one that does not fit is logged and dropped, and
`on_view` listeners get the parsed model itself (`views` holds the newest of each). Retained
states are cached per topic and a state older than the one held (by `seq`) is ignored, so a
screen never moves backwards. A `server/status` of another protocol major (`incompatible`
says why, logged once) is passed on as offline: the device must not act on that broker.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from time import monotonic
from typing import Any

import paho.mqtt.client as mqtt
from pydantic import ValidationError

from hallcall import sdnotify
from hallcall.mqtt.connection import MqttSettings, guarded, make_client, start, stop
from hallcall.protocol.payloads import (
    Payload,
    ServerStatus,
    encode,
    parse_view,
    timed_out,
    timeout_reply,
)
from hallcall.protocol.topics import Topics
from hallcall.version import incompatibility

log = logging.getLogger(__name__)

StateListener = Callable[[str, dict[str, Any]], None]
ViewListener = Callable[[str, Payload], None]
ReplyHandler = Callable[[dict[str, Any]], None]

#: Seconds without a reply after which a request is sent again (same request_id).
RETRY_S = 3.0
#: Seconds a device waits for the reply to its connect probe (`device.ping`) before it says
#: "commands not answered (ACL?)".
PROBE_TIMEOUT_S = 5.0
#: Request ids answered lately, so a repeated reply is not taken for a new one.
ANSWERED_MEMORY = 1024


@dataclass
class _Pending:
    op: str
    payload: bytes
    on_reply: ReplyHandler
    deadline: float | None  # monotonic; None: until answered
    next_send: float


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
        *,
        probe: bool = False,
    ):
        self.topics = Topics(hall)
        self.kind, self.id = kind, device_id
        self.settings = settings
        #: Topic filters under the hall root, e.g. "state/#", "event/ticket.called".
        self.subscriptions = list(subscriptions or [])
        self.states: dict[str, dict[str, Any]] = {}  # relative topic -> newest payload
        #: relative topic -> the newest state parsed with its contract model (and server/status)
        self.views: dict[str, Payload] = {}
        self.server_online = False
        #: Why the queue broker's protocol is not this device's (None: it is, or not heard).
        self.incompatible: str | None = None
        self.connected = threading.Event()
        #: With `probe`, a `device.ping` is sent at every connect: True once one was answered,
        #: False when the queue broker is online and none was answered in PROBE_TIMEOUT_S (the
        #: Mosquitto ACL refuses this device's command or reply topic), None until known.
        self.commands_answered: bool | None = None
        self._probe = probe
        self._probe_ids: list[str] = []  # the latest probes' request ids
        self._probe_listeners: list[Callable[[bool | None], None]] = []
        self._health: dict[str, Any] = {}
        self._pending: dict[str, _Pending] = {}
        self._answered: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)  # the retry thread sleeps on it
        self._retry_thread: threading.Thread | None = None
        self._stopping = False
        self._started = False
        self._state_listeners: list[StateListener] = []
        self._event_listeners: list[StateListener] = []
        self._view_listeners: list[ViewListener] = []
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
        """Connect in the background (and keep reconnecting); a second call does nothing."""
        if self._started:
            return
        self._started = True
        start(self._client, self.settings)

    def stop(self) -> None:
        """Say offline and leave; a second call does nothing."""
        with self._wake:
            if self._stopping:
                return
            self._stopping = True
            self._wake.notify_all()
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

    def on_view(self, listener: ViewListener) -> None:
        """`listener(relative_topic, view)` for what `on_state` and `on_event` hear, parsed with
        the contract's model (`payloads.VIEW_MODELS`): a `WindowStateView`, an `EventView`, ..."""
        self._view_listeners.append(listener)

    def on_reply(self, listener: Callable[[dict[str, Any]], None]) -> None:
        """`listener(reply)` for every reply no request is pending for: one that came after its
        request's deadline (the kiosk still prints that ticket), or one for no request of ours."""
        self._reply_listeners.append(listener)

    def on_connection(self, listener: Callable[[bool], None]) -> None:
        self._connection_listeners.append(listener)

    def on_commands_answered(self, listener: Callable[[bool | None], None]) -> None:
        """`listener(commands_answered)` whenever the connect probe's verdict changes."""
        self._probe_listeners.append(listener)

    # ------------------------------------------------------------------ the connect probe
    def _send_probe(self) -> None:
        """A `device.ping`: its reply proves the ACL lets this device command and hear."""
        with self._lock:
            if any(rid in self._pending for rid in self._probe_ids):
                return  # one is on its way (the pending resend covers a reconnect)
            rid = "ping-" + uuid.uuid4().hex
            self._probe_ids = [*self._probe_ids[-15:], rid]
        self.submit("device.ping", self._probe_replied, timeout=PROBE_TIMEOUT_S, request_id=rid)

    def _probe_replied(self, reply: dict[str, Any]) -> None:
        if not timed_out(reply):
            if reply.get("ok") is False:  # answered, so the ACL is right; the hall file is not
                log.warning(
                    "%s/%s: the queue broker refused device.ping: %s",
                    self.kind,
                    self.id,
                    (reply.get("error") or {}).get("message"),
                )
            self._set_answered(True)
        elif self.server_online:
            log.error(
                "%s/%s: commands not answered (ACL?): no reply to device.ping on %s within %g s "
                "while the queue broker is online; the Mosquitto ACL must let this device's user "
                "publish it and read %s (regenerate with hallcall mqtt-acl; hallcall doctor "
                "--device FILE checks it)",
                self.kind,
                self.id,
                self.topics.command(self.kind, self.id),
                PROBE_TIMEOUT_S,
                self.topics.reply(self.kind, self.id),
            )
            self._set_answered(False)
        # else: the queue broker is offline, so no verdict; probed again when it is back

    def _set_answered(self, answered: bool) -> None:
        if answered == self.commands_answered:
            return
        if answered and self.commands_answered is False:
            log.info("%s/%s: commands are answered again", self.kind, self.id)
        self.commands_answered = answered
        for listener in self._probe_listeners:
            listener(answered)

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
    def submit(
        self,
        op: str,
        on_reply: ReplyHandler,
        *,
        timeout: float | None = 5.0,
        request_id: str | None = None,
        **args: Any,
    ) -> str:
        """Send a command and return its request_id at once; `on_reply(reply)` runs once.

        It runs on paho's network thread (the reply) or the retry thread (a "timeout" reply
        after `timeout` seconds; `timeout=None` waits until answered). The command is sent
        again with the same request_id until then (see the module docstring). Pass an earlier
        request_id to repeat a command safely: the broker answers a repeat without doing it twice.
        """
        request_id = request_id or uuid.uuid4().hex
        payload = encode({"request_id": request_id, "op": op, **args})
        now = monotonic()
        with self._wake:
            self._pending[request_id] = _Pending(
                op, payload, on_reply, None if timeout is None else now + timeout, now + RETRY_S
            )
            self._answered.pop(request_id, None)  # a repeat of an answered one is asked anew
            if self._retry_thread is None:
                self._retry_thread = threading.Thread(
                    target=self._retry_loop, name=f"{self.kind}-{self.id}-retry", daemon=True
                )
                self._retry_thread.start()
            self._wake.notify_all()
        self._publish_command(payload)
        return request_id

    def request(
        self, op: str, timeout: float = 5.0, request_id: str | None = None, **args: Any
    ) -> dict[str, Any]:
        """`submit` and wait for the reply (never from a paho callback: that deadlocks).

        Raises RequestTimeout after `timeout` seconds (the request's deadline).
        """
        done = threading.Event()
        box: list[dict[str, Any]] = []

        def answered(reply: dict[str, Any]) -> None:
            box.append(reply)
            done.set()

        self.submit(op, answered, timeout=timeout, request_id=request_id, **args)
        done.wait()
        if timed_out(box[0]):
            raise RequestTimeout(f"no reply to {op} within {timeout:g} s")
        return box[0]

    def pending(self) -> int:
        """Requests sent and not answered yet (nor given up)."""
        with self._lock:
            return len(self._pending)

    def _publish_command(self, payload: bytes) -> None:
        self._client.publish(self.topics.command(self.kind, self.id), payload, qos=1)

    def _retry_loop(self) -> None:
        """Sends unanswered requests again every RETRY_S and gives up on them at their deadline."""
        while True:
            resend: list[bytes] = []
            expired: list[tuple[str, _Pending]] = []
            with self._wake:
                if self._stopping:
                    return
                now = monotonic()
                for rid, p in list(self._pending.items()):
                    if p.deadline is not None and now >= p.deadline:
                        expired.append((rid, self._pending.pop(rid)))
                    elif now >= p.next_send:
                        p.next_send = now + RETRY_S
                        if self.connected.is_set():  # while away, the reconnect sends it again
                            resend.append(p.payload)
                wake_at = [p.next_send for p in self._pending.values()]
                wake_at += [p.deadline for p in self._pending.values() if p.deadline is not None]
            for payload in resend:
                log.info("%s/%s: no reply yet; sending a command again", self.kind, self.id)
                self._publish_command(payload)
            for rid, p in expired:
                p.on_reply(timeout_reply(rid, p.op))
            with self._wake:
                if self._stopping:
                    return
                if not resend and not expired:
                    now = monotonic()
                    wait = min(wake_at, default=now + 60) - now
                    self._wake.wait(max(0.01, wait))

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
        sdnotify.status(f"{self.kind}/{self.id}: connected to MQTT")
        if self._probe:
            self._send_probe()
        for listener in self._connection_listeners:
            listener(True)

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        self.connected.clear()
        sdnotify.status(f"{self.kind}/{self.id}: MQTT offline ({reason_code})")
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
            return
        heard = rel == "server/status" or (
            rel.startswith(("state/", "event/")) and self._wanted(rel)
        )
        if not heard:
            return
        try:
            view = parse_view(rel, payload)
        except (ValidationError, ValueError) as exc:
            log.warning("dropped a message on %s that the contract refuses: %s", msg.topic, exc)
            return
        if rel == "server/status":
            payload, view = self._checked_status(payload, view)
            self.server_online = payload.get("state") == "online"
            if self.server_online:  # (re)subscribed by now: what it missed before is lost
                self._send_pending_again()
                if self._probe and self.commands_answered is not True:
                    self._send_probe()
            self.views[rel] = view
            listeners = self._state_listeners
        elif rel.startswith("state/"):
            held = self.states.get(rel)
            if held is not None and payload["seq"] < held.get("seq", -1):
                return  # older than what is shown: a replay must not move the screen back
            self.states[rel] = payload
            self.views[rel] = view
            listeners = self._state_listeners
        else:
            listeners = self._event_listeners
        for listener in listeners:
            listener(rel, payload)
        for view_listener in self._view_listeners:
            view_listener(rel, view)

    def _checked_status(
        self, payload: dict[str, Any], view: Payload
    ) -> tuple[dict[str, Any], Payload]:
        """A broker of another protocol major is shown as offline, with one clear log line."""
        if not isinstance(view, ServerStatus):
            return payload, view
        reason = incompatibility(view.protocol, view.version)
        if reason is not None and reason != self.incompatible:
            log.error("%s/%s: %s", self.kind, self.id, reason)
        self.incompatible = reason
        if reason is None or payload.get("state") != "online":
            return payload, view
        payload = {**payload, "state": "offline"}
        return payload, view.model_copy(update={"state": "offline"})

    def _send_pending_again(self) -> None:
        now = monotonic()
        with self._lock:
            payloads = []
            for p in self._pending.values():
                p.next_send = now + RETRY_S
                payloads.append(p.payload)
        for payload in payloads:
            self._publish_command(payload)

    def _on_reply(self, payload: dict[str, Any]) -> None:
        rid = payload.get("request_id")
        if not isinstance(rid, str):  # null (a refused payload) or junk: no request of ours
            rid = None
        with self._lock:
            pending = self._pending.pop(rid, None) if rid is not None else None
            if pending is None and rid in self._answered:
                return  # another reply to a request sent twice, already taken
            if rid is not None:
                self._answered[rid] = None
                while len(self._answered) > ANSWERED_MEMORY:
                    self._answered.popitem(last=False)
        if pending is not None:
            pending.on_reply(payload)
            return
        if rid in self._probe_ids:  # a probe's reply after its deadline: the ACL is right
            self._set_answered(True)
            return
        for listener in self._reply_listeners:  # after its deadline, or for no request of ours
            listener(payload)
