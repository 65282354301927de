"""Every device's health as its retained status says (`device/{kind}/{id}/status`).

The core `DeviceClient` hears states, events and the server's status only; `WebClient` is the
web part's client that also hears the devices' status topics (`{"state": "online" | "offline"
| "lost", ...health}`, docs/protocol.md), each checked with the contract's `DeviceStatus`.
`DeviceBook` keeps the newest of each device and since when it has said that.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import paho.mqtt.client as mqtt
from pydantic import ValidationError

from hallcall.mqtt.client import DeviceClient
from hallcall.protocol.payloads import DeviceStatus

log = logging.getLogger(__name__)

#: Every device's retained status, under the hall root.
DEVICE_STATUS = "device/+/+/status"
#: What the dashboard hears beyond the visitor's and the lobby's pages.
DASHBOARD_SUBSCRIPTIONS = ["event/ticket.issued", "event/rating.recorded", DEVICE_STATUS]

StatusListener = Callable[[str, str, DeviceStatus, dict[str, Any]], None]


class WebClient(DeviceClient):
    """A DeviceClient that also hears `device/+/+/status` (give it DASHBOARD_SUBSCRIPTIONS)."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._status_listeners: list[StatusListener] = []

    def on_device_status(self, listener: StatusListener) -> None:
        """`listener(kind, id, status, payload)` for every device status heard (paho's thread)."""
        self._status_listeners.append(listener)

    def _on_message(self, client, userdata, msg: mqtt.MQTTMessage) -> None:
        rel = self.topics.relative(msg.topic)
        if rel is None or not mqtt.topic_matches_sub(DEVICE_STATUS, rel):
            super()._on_message(client, userdata, msg)
            return
        if DEVICE_STATUS not in self.subscriptions:  # amqtt hands out others' retained topics
            return
        _, kind, device_id, _ = rel.split("/")
        if not msg.payload:  # a cleared retained status: the device was removed
            payload: Any = {"state": "offline"}
        else:
            try:
                payload = json.loads(msg.payload.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                log.warning("dropped a non-JSON device status on %s", msg.topic)
                return
        try:
            status = DeviceStatus.model_validate(payload)
        except ValidationError:
            log.warning("dropped a device status on %s that the contract refuses", msg.topic)
            return
        for listener in self._status_listeners:
            listener(kind, device_id, status, payload)


@dataclass(frozen=True)
class DeviceSeen:
    kind: str
    id: str
    state: str
    health: dict[str, Any]
    #: When the dashboard first heard this state and health (a retained status heard at start
    #: counts from then: the payload carries no time).
    since: datetime


class DeviceBook:
    def __init__(self, clock: Callable[[], datetime]):
        self.clock = clock
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, str], DeviceSeen] = {}
        self._listeners: list[Callable[[], None]] = []

    def on_change(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def heard(self, kind: str, device_id: str, status: DeviceStatus, payload: dict) -> None:
        health = {k: v for k, v in payload.items() if k != "state"}
        with self._lock:
            held = self._seen.get((kind, device_id))
            if held is not None and (held.state, held.health) == (status.state, health):
                return
            self._seen[(kind, device_id)] = DeviceSeen(
                kind, device_id, status.state, health, self.clock()
            )
        for listener in self._listeners:
            listener()

    def all(self) -> dict[tuple[str, str], DeviceSeen]:
        with self._lock:
            return dict(self._seen)
