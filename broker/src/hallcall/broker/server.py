"""The queue broker on MQTT: every hall's commands in, replies, retained state and events out.

One subscription (`hallcall/v1/+/cmd/+/+`) serves every hall the process was given. One thread
does everything: it runs paho's network loop itself (not `loop_start`), gathers every command
that has arrived, hands them to the message bus as one batch (applied in order, committed in
one transaction), and only then publishes their replies and state, which paho writes at once
from the same thread. No queue and no thread hand-over sit on a command's path, and under
load the batches grow by themselves. On every (re)connect it republishes all retained state,
because Mosquitto may have lost it.

MQTT has one last will per connection, so the first hall's `server/status` rides on the main
connection and every further hall has a small status connection whose will marks it offline.
With a user name, each connection logs in as `{user}.{hall}` for the hall whose status it
carries (see broker/src/hallcall/broker/acl.py: Mosquitto makes the user name the client id).

A command is acknowledged to Mosquitto (PUBACK) only after the batch holding it committed and
its reply went out. Until then Mosquitto keeps it in the broker's persistent session, so a
queue broker killed mid-batch is sent again what it had not finished; a repeat of a command
that did commit gets its stored reply (the request_id), so none runs twice.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import replace
from time import monotonic
from typing import Any

import paho.mqtt.client as mqtt

from hallcall import sdnotify
from hallcall.broker.acl import queue_broker_user
from hallcall.broker.service.messagebus import Inbound, MessageBus, Publication, ServerState
from hallcall.mqtt.connection import MqttSettings, guarded, make_client, start, stop
from hallcall.protocol.payloads import encode, error_reply, request_id_of
from hallcall.protocol.topics import MAX_PAYLOAD_BYTES, Topics

log = logging.getLogger(__name__)

#: The most commands committed in one transaction.
MAX_BATCH = 512
ALL_COMMANDS = "hallcall/v1/+/cmd/+/+"


def broker_client_id(halls: list[str]) -> str:
    if len(halls) == 1:
        return f"hallcall-{halls[0]}-queue-broker"
    digest = hashlib.sha1(",".join(sorted(halls)).encode()).hexdigest()[:12]
    return f"hallcall-queue-broker-{digest}"


class QueueBrokerServer:
    def __init__(self, bus: MessageBus, settings: MqttSettings, tick_s: float = 20.0):
        self.bus = bus
        self.settings = settings
        self.tick_s = tick_s
        self.halls = list(bus.configs)
        self.topics = {h: Topics(h) for h in self.halls}
        self.started_at = bus.clock.now()
        self.ready = threading.Event()  # set after the first full republish
        self._pending: list[Inbound] = []
        self._acks: list[tuple[int, int]] = []  # (connection, mid) of each pending QoS 1 command
        self._connection = 0  # counts connections: a mid is acknowledged only on its own
        self._republish_due = False
        self._stopping = threading.Event()
        self._next_attempt = 0.0
        self._delay = 1.0
        self._worker = threading.Thread(target=self._work, name="queue-broker", daemon=True)
        first = self.topics[self.halls[0]]
        self._client = make_client(
            broker_client_id(self.halls),
            self._login(self.halls[0]),
            will=(first.server_status, encode({"state": "offline"})),
            # A persistent session: commands sent while the broker restarts are kept for it.
            clean_session=False,
            manual_ack=True,
        )
        self._client.on_connect = guarded(self._on_connect)
        self._client.on_disconnect = guarded(self._on_disconnect)
        self._client.on_message = guarded(self._on_message)
        self._client.max_queued_messages_set(0)
        # No cap on QoS 1 messages awaiting PUBACK: with paho's default of 20, a burst queues
        # the rest and every PUBACK walks the whole outgoing list to release one more.
        self._client.max_inflight_messages_set(0)
        self._status_clients = [self._status_client(h) for h in self.halls[1:]]

    def _login(self, hall: str) -> MqttSettings:
        """The settings of the connection carrying `hall`'s status: its own user name."""
        if self.settings.username is None:
            return self.settings
        return replace(self.settings, username=queue_broker_user(self.settings.username, hall))

    def _status_client(self, hall: str) -> mqtt.Client:
        topics = self.topics[hall]
        client = make_client(
            f"hallcall-{hall}-queue-broker-status",
            self._login(hall),
            will=(topics.server_status, encode({"state": "offline"})),
        )

        def on_connect(client, userdata, flags, reason_code, properties):
            if not reason_code.is_failure:
                client.publish(
                    topics.server_status, encode(self._status(hall, "online")), qos=1, retain=True
                )

        client.on_connect = guarded(on_connect)
        return client

    def _status(self, hall: str, state: ServerState) -> dict[str, Any]:
        return self.bus.server_status(state, self.started_at if state == "online" else None, hall)

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        self._client.connect_async(
            self.settings.host, self.settings.port, keepalive=self.settings.keepalive
        )
        self._worker.start()
        for client in self._status_clients:
            start(client, self.settings)

    def stop(self) -> None:
        """Publish every hall offline, then stop (the worker sends the first hall's)."""
        infos = [
            client.publish(
                self.topics[hall].server_status,
                encode(self._status(hall, "offline")),
                qos=1,
                retain=True,
            )
            for hall, client in zip(self.halls[1:], self._status_clients, strict=True)
        ]
        self._stopping.set()
        self._worker.join(timeout=10)
        for info in infos:
            try:
                info.wait_for_publish(timeout=2)
            except (RuntimeError, ValueError):
                pass
        for client in self._status_clients:
            stop(client)

    # ------------------------------------------------------------------ paho callbacks (worker thread)
    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            log.error("MQTT connection refused: %s", reason_code)
            return
        log.info("connected to MQTT at %s:%s", self.settings.host, self.settings.port)
        self._delay = 1.0
        self._connection += 1
        if len(self.halls) == 1:
            client.subscribe(self.topics[self.halls[0]].all_commands, qos=1)
        else:
            client.subscribe(ALL_COMMANDS, qos=1)
        self._republish_due = True

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure or reason_code.value != 0:
            # "session taken over" here usually means a second queue broker runs for this hall.
            log.warning("disconnected from MQTT (%s); reconnecting", reason_code)

    def _on_message(self, client, userdata, msg: mqtt.MQTTMessage) -> None:
        parts = msg.topic.split("/", 3)
        hall = parts[2] if len(parts) > 3 and parts[0] == "hallcall" and parts[1] == "v1" else None
        topics = self.topics.get(hall) if hall else None
        sender = topics.parse_command(msg.topic) if topics else None
        if hall is None or sender is None:  # another hall's, or a malformed device id
            log.warning("ignored a message on %s", msg.topic)
            client.ack(msg.mid, msg.qos)
            return
        self._pending.append(Inbound(hall, sender, bytes(msg.payload[: MAX_PAYLOAD_BYTES + 1])))
        self._acks.append((self._connection, msg.mid) if msg.qos == 1 else (0, 0))

    # ------------------------------------------------------------------ worker thread
    def _work(self) -> None:
        next_tick = monotonic() + self.tick_s
        while not self._stopping.is_set():
            sdnotify.ping()  # systemd's watchdog: this loop, not a helper thread, still turns
            if not self._connect_if_needed():
                self._stopping.wait(0.2)
                continue
            self._client.loop(timeout=min(0.5, max(0.0, next_tick - monotonic())))
            while self._pending and len(self._pending) < MAX_BATCH:  # gather all that has arrived
                before = len(self._pending)
                self._client.loop(timeout=0)
                if len(self._pending) == before:
                    break
            batch, self._pending = self._pending, []
            acks, self._acks = self._acks, []
            self._run(batch)
            self._acknowledge(acks)
            if self._republish_due:
                self._republish_due = False
                self._guard(self._republish)
            # Periodic work runs on time even while commands keep coming: a busy hall must
            # still close at its hour.
            if monotonic() >= next_tick:
                next_tick = monotonic() + self.tick_s
                self._guard(lambda: self._publish_all(self.bus.tick()))
        self._shut_down()

    def _acknowledge(self, acks: list[tuple[int, int]]) -> None:
        """PUBACK the commands just answered; those of an earlier connection Mosquitto resends."""
        for connection, mid in acks:
            if connection == self._connection:
                self._client.ack(mid, 1)

    def _connect_if_needed(self) -> bool:
        """Connected or connecting; else (re)connect, at most once per back-off delay (1-4 s)."""
        if self._client.socket() is not None:
            return True
        now = monotonic()
        if now < self._next_attempt:
            return False
        self._next_attempt = now + self._delay
        self._delay = min(self._delay * 2, 4.0)
        try:
            self._client.reconnect()
            return True
        except OSError as exc:
            log.warning(
                "cannot connect to MQTT at %s:%s (%s); retrying",
                self.settings.host,
                self.settings.port,
                exc,
            )
            return False

    def _shut_down(self) -> None:
        first = self.halls[0]
        if self._client.is_connected():
            info = self._client.publish(
                self.topics[first].server_status,
                encode(self._status(first, "offline")),
                qos=1,
                retain=True,
            )
            deadline = monotonic() + 2
            while (
                not info.is_published() and monotonic() < deadline and self._client.is_connected()
            ):
                self._client.loop(timeout=0.1)
        self._client.disconnect()
        self._client.loop(timeout=0.1)

    def _guard(self, fn) -> None:
        try:
            fn()
        except Exception:
            log.exception("queue broker worker error")

    def _republish(self) -> None:
        first = self.halls[0]
        self._client.publish(
            self.topics[first].server_status,
            encode(self._status(first, "online")),
            qos=1,
            retain=True,
        )
        self._publish_all(self.bus.republish_all())
        self.ready.set()
        # systemd (Type=notify) counts the queue broker as started once it serves its halls.
        sdnotify.ready(f"serving {', '.join(self.halls)} on {self.settings.host}")

    def _run(self, batch: list[Inbound]) -> None:
        if not batch:
            return
        try:
            result = self.bus.run(batch)
        except Exception:  # a bug or the database down: answer, do not go silent
            log.exception("a batch of %d commands failed", len(batch))
            for msg in batch:
                reply = error_reply(
                    request_id_of(msg.raw),
                    "unavailable",
                    "the queue broker could not run it; please try again",
                )
                self._client.publish(
                    self.topics[msg.hall].reply(msg.sender.kind, msg.sender.id),
                    encode(reply),
                    qos=1,
                )
            return
        # Replies first: a kiosk is waiting on its reply; displays take the state right after.
        for answer in result.answers:
            # A refusal for flooding goes out at QoS 0: no PUBACK to handle per flooded message,
            # and one lost costs nothing (the device sends again, or it was not a device at all).
            limited = answer.reply.get("error", {}).get("code") == "rate_limited"
            self._client.publish(answer.topic, encode(answer.reply), qos=0 if limited else 1)
        self._publish_all(result.publications)

    def _publish_all(self, pubs: list[Publication]) -> None:
        for pub in pubs:
            self._client.publish(pub.topic, encode(pub.payload), qos=1, retain=pub.retained)
