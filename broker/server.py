"""The queue broker on MQTT: every hall's commands in, replies, retained state and events out.

One subscription (`hallcall/v1/+/cmd/+/+`) serves every hall the process was given. paho's
network thread only queues what arrives; one worker thread drains the queue in batches: the
commands that arrived together are applied in order and committed in one transaction by the
message bus, and only then are their replies and state published (publishing and waiting
inside a paho callback deadlocks). On every (re)connect the worker republishes all retained
state, because Mosquitto may have lost it.

MQTT has one last will per connection, so the first hall's `server/status` rides on the main
connection and every further hall has a small status connection whose will marks it offline.
"""

from __future__ import annotations

import hashlib
import json
import logging
import queue
import threading
from time import monotonic

import paho.mqtt.client as mqtt

from hallcall.broker.service.messagebus import Inbound, MessageBus, Publication
from hallcall.mqtt.connection import MqttSettings, guarded, make_client, start, stop
from hallcall.protocol.payloads import encode, error_reply
from hallcall.protocol.topics import MAX_PAYLOAD_BYTES, Topics

log = logging.getLogger(__name__)

_REPUBLISH = object()
_STOP = object()
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
        self._inbox: queue.Queue = queue.Queue()
        self._worker = threading.Thread(target=self._work, name="queue-broker", daemon=True)
        self._listeners: list = []
        first = self.topics[self.halls[0]]
        self._client = make_client(
            broker_client_id(self.halls),
            settings,
            will=(first.server_status, encode({"state": "offline"})),
            # A persistent session: commands sent while the broker restarts are kept for it.
            clean_session=False,
        )
        self._client.on_connect = guarded(self._on_connect)
        self._client.on_connect_fail = guarded(self._on_connect_fail)
        self._client.on_disconnect = guarded(self._on_disconnect)
        self._client.on_message = guarded(self._on_message)
        self._client.max_queued_messages_set(0)
        self._status_clients = [self._status_client(h) for h in self.halls[1:]]

    def _status_client(self, hall: str) -> mqtt.Client:
        topics = self.topics[hall]
        client = make_client(
            f"hallcall-{hall}-queue-broker-status", self.settings, will=(topics.server_status, encode({"state": "offline"}))
        )

        def on_connect(client, userdata, flags, reason_code, properties):
            if not reason_code.is_failure:
                client.publish(topics.server_status, encode(self._status(hall, "online")), qos=1, retain=True)

        client.on_connect = guarded(on_connect)
        return client

    def _status(self, hall: str, state: str) -> dict:
        return self.bus.server_status(state, self.started_at if state == "online" else None, hall)

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        self._worker.start()
        start(self._client, self.settings)
        for client in self._status_clients:
            start(client, self.settings)

    def stop(self) -> None:
        infos = []
        for hall, client in zip(self.halls, [self._client, *self._status_clients], strict=True):
            infos.append(
                client.publish(self.topics[hall].server_status, encode(self._status(hall, "offline")), qos=1, retain=True)
            )
        for info in infos:
            try:
                info.wait_for_publish(timeout=2)
            except (RuntimeError, ValueError):
                pass
        self._inbox.put(_STOP)
        self._worker.join(timeout=10)
        for client in [self._client, *self._status_clients]:
            stop(client)

    # ------------------------------------------------------------------ paho thread
    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            log.error("MQTT connection refused: %s", reason_code)
            return
        log.info("connected to MQTT at %s:%s", self.settings.host, self.settings.port)
        if len(self.halls) == 1:
            client.subscribe(self.topics[self.halls[0]].all_commands, qos=1)
        else:
            client.subscribe(ALL_COMMANDS, qos=1)
        self._inbox.put(_REPUBLISH)

    def _on_connect_fail(self, client, userdata) -> None:
        log.warning("cannot connect to MQTT at %s:%s; retrying", self.settings.host, self.settings.port)

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure or reason_code.value != 0:
            # "session taken over" here usually means a second queue broker runs for this hall.
            log.warning("disconnected from MQTT (%s); reconnecting", reason_code)

    def _on_message(self, client, userdata, msg: mqtt.MQTTMessage) -> None:
        parts = msg.topic.split("/", 3)
        hall = parts[2] if len(parts) > 3 and parts[0] == "hallcall" and parts[1] == "v1" else None
        topics = self.topics.get(hall) if hall else None
        sender = topics.parse_command(msg.topic) if topics else None
        if sender is None:  # another hall's, or a malformed device id
            log.warning("ignored a message on %s", msg.topic)
            return
        self._inbox.put(Inbound(hall, sender, bytes(msg.payload[: MAX_PAYLOAD_BYTES + 1])))

    # ------------------------------------------------------------------ worker thread
    def _work(self) -> None:
        next_tick = monotonic() + self.tick_s
        while True:
            try:
                item = self._inbox.get(timeout=max(0.0, next_tick - monotonic()))
            except queue.Empty:
                item = None
            batch: list[Inbound] = []
            stop_after = False
            while item is not None:
                if item is _STOP:
                    stop_after = True
                    break
                if item is _REPUBLISH:
                    self._run(batch)
                    batch = []
                    self._guard(self._republish)
                else:
                    batch.append(item)
                if len(batch) >= MAX_BATCH:
                    break
                try:
                    item = self._inbox.get_nowait()
                except queue.Empty:
                    item = None
            self._run(batch)
            if stop_after:
                return
            # Periodic work runs on time even while commands keep coming: a busy hall must
            # still close at its hour.
            if monotonic() >= next_tick:
                next_tick = monotonic() + self.tick_s
                self._guard(lambda: self._publish_all(self.bus.tick()))

    def _guard(self, fn) -> None:
        try:
            fn()
        except Exception:
            log.exception("queue broker worker error")

    def _republish(self) -> None:
        first = self.halls[0]
        self._client.publish(self.topics[first].server_status, encode(self._status(first, "online")), qos=1, retain=True)
        self._publish_all(self.bus.republish_all())
        self.ready.set()

    def _run(self, batch: list[Inbound]) -> None:
        if not batch:
            return
        try:
            result = self.bus.run(batch)
        except Exception:  # a bug or the database down: answer, do not go silent
            log.exception("a batch of %d commands failed", len(batch))
            for msg in batch:
                reply = error_reply(_request_id(msg.raw), "unavailable", "the queue broker could not run it; please try again")
                self._client.publish(self.topics[msg.hall].reply(msg.sender.kind, msg.sender.id), encode(reply), qos=1)
            return
        self._publish_all(result.publications)
        for answer in result.answers:
            self._client.publish(answer.topic, encode(answer.reply), qos=1)
        for listener in self._listeners:
            listener(result)

    def on_result(self, listener) -> None:
        """`listener(batch_result)` after each committed batch (the demo prints them)."""
        self._listeners.append(listener)

    def _publish_all(self, pubs: list[Publication]) -> None:
        for pub in pubs:
            self._client.publish(pub.topic, encode(pub.payload), qos=1, retain=pub.retained)


def _request_id(raw: bytes) -> str | None:
    """The request_id of a payload, if it can be read at all (so the device can match it)."""
    try:
        rid = json.loads(raw).get("request_id")
    except (ValueError, AttributeError):
        return None
    return rid if isinstance(rid, str) and 0 < len(rid) <= 64 else None
