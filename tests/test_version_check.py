"""A device of another protocol major says so and shows the broker offline (issue #16 item 5).

`server/status` carries the broker's `version` and `protocol`; a device that hears a protocol
it does not speak logs one clear line and treats the broker as offline, so its screen says
offline instead of showing "online" while every command is misread.
"""

from __future__ import annotations

import json
import logging

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from hallcall.mqtt.client import DeviceClient
from hallcall.mqtt.connection import MqttSettings
from hallcall.protocol.payloads import ServerStatus
from hallcall.version import PROTOCOL_VERSION, __version__, incompatibility
from tests.support.mqtt import wait_for

ROOT = "hallcall/v1/campus-hall/"


class Msg:
    def __init__(self, topic: str, payload: bytes):
        self.topic, self.payload = topic, payload


def status(**fields) -> Msg:
    return Msg(ROOT + "server/status", json.dumps({"state": "online", **fields}).encode())


def client() -> DeviceClient:
    return DeviceClient("campus-hall", "kiosk", "kiosk-1", MqttSettings(port=1))


def test_the_rule_names_both_versions_and_who_updates():
    assert incompatibility(None, None) is None  # an older broker that does not say
    assert incompatibility(PROTOCOL_VERSION, "9.9.9") is None  # same contract, other release
    newer = incompatibility(PROTOCOL_VERSION + 1, "2.0.0")
    assert newer is not None
    assert "protocol 2" in newer and "HallCall 2.0.0" in newer and __version__ in newer
    assert "update this device" in newer and "请升级本设备" in newer
    older = incompatibility(0, "0.0.1")
    assert older is not None and "update the hall server" in older


def test_a_broker_of_another_major_is_offline_with_one_log_line(caplog):
    c = client()
    seen: list[ServerStatus] = []
    c.on_view(lambda topic, view: seen.append(view))  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR, logger="hallcall.mqtt.client"):
        c._on_message(None, None, status(version="2.0.0", protocol=2))
        c._on_message(None, None, status(version="2.0.0", protocol=2))  # a repeat: no new line
    assert c.server_online is False
    assert c.incompatible is not None and "protocol 2" in c.incompatible
    assert [v.state for v in seen] == ["offline", "offline"]  # what every app shows
    assert c.views["server/status"].state == "offline"  # type: ignore[attr-defined]
    lines = [r.getMessage() for r in caplog.records if "version mismatch" in r.getMessage()]
    assert len(lines) == 1 and "kiosk/kiosk-1" in lines[0]
    # The broker is updated to this device's protocol: online again, nothing incompatible.
    c._on_message(None, None, status(version=__version__, protocol=PROTOCOL_VERSION))
    assert c.server_online is True and c.incompatible is None
    assert seen[-1].state == "online"


def test_a_broker_that_does_not_say_its_protocol_is_taken_as_this_one():
    c = client()
    c._on_message(None, None, status())
    assert c.server_online is True and c.incompatible is None


def test_a_retained_fake_status_of_protocol_2_on_a_real_mosquitto(mosquitto, caplog):
    pub = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="fake-broker")
    pub.connect("127.0.0.1", mosquitto.port)
    pub.loop_start()
    payload = json.dumps({"state": "online", "version": "2.0.0", "protocol": 2})
    pub.publish(ROOT + "server/status", payload, qos=1, retain=True).wait_for_publish(5)
    pub.loop_stop()
    pub.disconnect()
    device = DeviceClient(
        "campus-hall", "window", "w01", MqttSettings(port=mosquitto.port), ["state/#"]
    )
    with caplog.at_level(logging.ERROR, logger="hallcall.mqtt.client"):
        device.start()
        try:
            wait_for(lambda: device.incompatible is not None, timeout=10, what="status heard")
            assert device.connected.is_set() and device.server_online is False
        finally:
            device.stop()
    assert any("window/w01: version mismatch" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_broker_says_its_version_and_protocol(hall_config, engine, clock):
    from tests.support.hall import start_service

    said = start_service(hall_config, engine, clock).bus.server_status("online")
    assert said["version"] == __version__ and said["protocol"] == PROTOCOL_VERSION
