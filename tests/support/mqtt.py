"""Helpers for tests that cross a real MQTT server."""

from __future__ import annotations

import json
import threading
import time

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion


def wait_for(predicate, timeout: float = 10.0, what: str = "condition", pump=None) -> None:
    """Poll `predicate` until true; `pump` (e.g. QApplication.processEvents) runs in between."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pump is not None:
            pump()
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


class RawClient:
    """A bare paho client, to send what a well-behaved device never would."""

    def __init__(self, port: int):
        self.messages: list[tuple[str, dict]] = []
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"raw-test-{id(self)}")
        self.client.on_message = lambda c, u, m: self.messages.append(
            (m.topic, json.loads(m.payload))
        )
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()

    def subscribe(self, topic: str) -> None:
        done = threading.Event()
        self.client.on_subscribe = lambda *a: done.set()
        self.client.subscribe(topic, qos=1)
        assert done.wait(5)

    def publish(self, topic: str, payload: bytes, retain: bool = False) -> None:
        self.client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(5)

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


class Eavesdropper:
    """Records every message (topic, raw bytes, retained) published on the Mosquitto."""

    def __init__(self, port: int, name: str):
        self.messages: list[tuple[str, bytes, bool]] = []
        self._lock = threading.Lock()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"eavesdropper-{name}")
        self.client.on_message = self._heard
        subscribed = threading.Event()
        self.client.on_subscribe = lambda *a: subscribed.set()
        self.client.on_connect = lambda c, *a: c.subscribe("#", qos=1)
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        assert subscribed.wait(5)

    def _heard(self, client, userdata, msg) -> None:
        with self._lock:
            self.messages.append((msg.topic, bytes(msg.payload), bool(msg.retain)))

    def heard(self) -> list[tuple[str, bytes, bool]]:
        with self._lock:
            return list(self.messages)

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def ask_until_answered(client, op: str, request_id: str, within_s: float | None = None, **args):
    """`client.request` again with the same request_id until it is answered, as a device does
    while the queue broker is down (killed and restarting); `within_s`: fail after that long."""
    from hallcall.mqtt.client import RequestTimeout

    deadline = None if within_s is None else time.monotonic() + within_s
    while True:
        try:
            return client.request(op, request_id=request_id, timeout=1.0, **args)
        except RequestTimeout:
            assert deadline is None or time.monotonic() < deadline, f"no reply to {op}"
