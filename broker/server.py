"""The queue broker on MQTT: commands in, replies, retained state and events out.

paho's network thread only queues what arrives; one worker thread runs commands in order against
the database and publishes the results (publishing and waiting inside a paho callback deadlocks).
On every (re)connect the worker republishes all retained state from the database, the system of
record, because Mosquitto may have lost it.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from datetime import time
from time import monotonic

import paho.mqtt.client as mqtt

from hallcall.broker.service.queue_service import Publication, QueueService
from hallcall.mqtt.connection import MqttSettings, guarded, make_client, start, stop
from hallcall.protocol.payloads import encode, error_reply
from hallcall.protocol.topics import MAX_PAYLOAD_BYTES

log = logging.getLogger(__name__)

_REPUBLISH = object()
_STOP = object()


class QueueBrokerServer:
    def __init__(self, service: QueueService, settings: MqttSettings, tick_s: float = 20.0):
        self.service = service
        self.settings = settings
        self.topics = service.topics
        self.tick_s = tick_s
        self.started_at = service.clock.now()
        self.ready = threading.Event()  # set after the first full republish
        self._inbox: queue.Queue = queue.Queue()
        self._worker = threading.Thread(target=self._work, name="queue-broker", daemon=True)
        self._listeners: list = []
        hall = service.config.hall.id
        self._client = make_client(
            f"hallcall-{hall}-queue-broker",
            settings,
            will=(self.topics.server_status, encode({"state": "offline"})),
            # A persistent session: commands sent while the broker restarts are kept for it.
            clean_session=False,
        )
        self._client.on_connect = guarded(self._on_connect)
        self._client.on_connect_fail = guarded(self._on_connect_fail)
        self._client.on_disconnect = guarded(self._on_disconnect)
        self._client.on_message = guarded(self._on_message)
        self._client.max_queued_messages_set(0)

    def on_result(self, listener) -> None:
        """`listener(sender, reply, publications)` after each command (the demo prints them)."""
        self._listeners.append(listener)

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        for pub in self.service.initialize():
            self._publish(pub)
        self._worker.start()
        start(self._client, self.settings)

    def stop(self) -> None:
        info = self._client.publish(
            self.topics.server_status, encode(self.service.server_status("offline")), qos=1, retain=True
        )
        try:
            info.wait_for_publish(timeout=2)
        except (RuntimeError, ValueError):
            pass
        self._inbox.put(_STOP)
        self._worker.join(timeout=10)
        stop(self._client)

    # ------------------------------------------------------------------ paho thread
    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            log.error("MQTT connection refused: %s", reason_code)
            return
        log.info("connected to MQTT at %s:%s", self.settings.host, self.settings.port)
        client.subscribe(self.topics.all_commands, qos=1)
        self._inbox.put(_REPUBLISH)

    def _on_connect_fail(self, client, userdata) -> None:
        log.warning(
            "cannot connect to MQTT at %s:%s; retrying", self.settings.host, self.settings.port
        )

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure or reason_code.value != 0:
            # "session taken over" here usually means a second queue broker runs for this hall.
            log.warning("disconnected from MQTT (%s); reconnecting", reason_code)

    def _on_message(self, client, userdata, msg: mqtt.MQTTMessage) -> None:
        sender = self.topics.parse_command(msg.topic)
        if sender is None:  # amqtt may deliver other topics; a malformed device id lands here too
            log.warning("ignored a message on %s", msg.topic)
            return
        self._inbox.put((sender, bytes(msg.payload[: MAX_PAYLOAD_BYTES + 1])))

    # ------------------------------------------------------------------ worker thread
    def _work(self) -> None:
        next_tick = monotonic() + self.tick_s
        while True:
            try:
                item = self._inbox.get(timeout=max(0.0, next_tick - monotonic()))
            except queue.Empty:
                item = None
            if item is _STOP:
                return
            try:
                if item is _REPUBLISH:
                    self._republish()
                elif item is not None:
                    self._run_command(*item)
                # Periodic work runs on time even while commands keep coming: a busy hall must
                # still close at its hour.
                if monotonic() >= next_tick:
                    next_tick = monotonic() + self.tick_s
                    self._tick()
            except Exception:
                log.exception("queue broker worker error")

    def _republish(self) -> None:
        self._client.publish(
            self.topics.server_status,
            encode(self.service.server_status("online", self.started_at)),
            qos=1,
            retain=True,
        )
        for pub in self.service.republish_all():
            self._publish(pub)
        self.ready.set()

    def _run_command(self, sender, raw: bytes) -> None:
        try:
            result = self.service.handle(sender, raw)
        except Exception as exc:  # a bug or the database down: answer, do not go silent
            log.exception("command from %s failed", sender)
            result_reply = error_reply(
                _request_id(raw), "unavailable", f"the queue broker could not run it: {exc}"
            )
            self._client.publish(self.topics.reply(sender.kind, sender.id), encode(result_reply), qos=1)
            return
        for pub in result.publications:
            self._publish(pub)
        self._client.publish(self.topics.reply(sender.kind, sender.id), encode(result.reply), qos=1)
        for listener in self._listeners:
            listener(sender, result.reply, result.publications)

    def _tick(self) -> None:
        """Periodic work: close the day at the configured hour; roll over past midnight."""
        close_at = self.service.config.hall.close_at
        pubs: list[Publication] = []
        if close_at is not None:
            now_local = self.service.clock.now().astimezone(self.service.zone)
            hh, mm = (int(x) for x in close_at.split(":"))
            if now_local.time() >= time(hh, mm) and not self.service.is_closed(now_local.date()):
                pubs += self.service.close_day().publications
        pubs += self.service.close_past_days() if self.service.needs_rollover() else []
        for pub in pubs:
            self._publish(pub)

    def _publish(self, pub: Publication) -> None:
        self._client.publish(pub.topic, encode(pub.payload), qos=1, retain=pub.retained)




def _request_id(raw: bytes) -> str | None:
    """The request_id of a payload, if it can be read at all (so the device can match it)."""
    try:
        rid = json.loads(raw).get("request_id")
    except (ValueError, AttributeError):
        return None
    return rid if isinstance(rid, str) and 0 < len(rid) <= 64 else None
