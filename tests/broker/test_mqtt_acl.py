"""With authentication on, a device can publish only as itself (Mosquitto enforces our ACL)."""

from __future__ import annotations

import subprocess
import time

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from hallcall.broker.acl import QUEUE_BROKER_USER, acl_text, device_user, devices
from hallcall.broker.server import QueueBrokerServer
from hallcall.mqtt.connection import MqttSettings
from hallcall.mqtt.device import DeviceClient, RequestTimeout
from tests.support.hall import start_service
from tests.support.mosquitto import Mosquitto
from tests.support.mqtt import wait_for

ROOT = "hallcall/v1/campus-hall/"


@pytest.fixture
def secured(tmp_path, hall_config):
    acl = tmp_path / "hall.acl"
    acl.write_text(acl_text(hall_config))
    pwfile = tmp_path / "passwd"
    users = [QUEUE_BROKER_USER] + [device_user(k, i) for k, i in devices(hall_config)]
    pwfile.write_text("".join(f"{u}:secret-{u}\n" for u in users))
    subprocess.run(["mosquitto_passwd", "-U", str(pwfile)], check=True, capture_output=True)
    server = Mosquitto(tmp_path, extra=f"allow_anonymous false\npassword_file {pwfile}\nacl_file {acl}\n").start()
    yield server
    server.stop()


def login(port, user):
    return MqttSettings(port=port, username=user, password=f"secret-{user}")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_devices_publish_only_as_themselves(secured, hall_config, engine, clock):
    broker = QueueBrokerServer(start_service(hall_config, engine, clock).bus, login(secured.port, QUEUE_BROKER_USER))
    broker.start()
    kiosk = DeviceClient("campus-hall", "kiosk", "kiosk-1", login(secured.port, "kiosk-kiosk-1"), ["state/#"])
    try:
        assert broker.ready.wait(15)
        kiosk.start()
        assert kiosk.wait_connected(10)
        assert kiosk.request("ticket.issue", department="registrar")["ok"]
        wait_for(lambda: kiosk.states.get("state/queue/registrar", {}).get("waiting") == 1, what="state readable")
        # kiosk-1 pretends to be kiosk-2 and to be window w01: Mosquitto drops both.
        spoof = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="spoof")
        spoof.username_pw_set("kiosk-kiosk-1", "secret-kiosk-kiosk-1")
        spoof.connect("127.0.0.1", secured.port)
        spoof.loop_start()
        spoof.publish(ROOT + "cmd/kiosk/kiosk-2", b'{"request_id":"s1","op":"ticket.issue","department":"registrar"}', qos=1).wait_for_publish(5)
        spoof.publish(ROOT + "cmd/window/w01", b'{"request_id":"s2","op":"window.logout"}', qos=1).wait_for_publish(5)
        spoof.publish(ROOT + "state/queue/registrar", b'{"seq": 999999, "waiting": 0}', qos=1, retain=True).wait_for_publish(5)
        time.sleep(1.0)
        spoof.loop_stop()
        spoof.disconnect()
        assert kiosk.states["state/queue/registrar"]["waiting"] == 1  # the forged state never arrived
        assert kiosk.request("ticket.issue", department="registrar")["data"]["ticket"]["number"] == "A002"
    finally:
        kiosk.stop()
        broker.stop()


def test_a_wrong_password_is_refused(secured):
    client = DeviceClient("campus-hall", "kiosk", "kiosk-1",
                          MqttSettings(port=secured.port, username="kiosk-kiosk-1", password="wrong"))
    client.start()
    try:
        assert not client.wait_connected(2)
        with pytest.raises(RequestTimeout):
            client.request("ticket.issue", timeout=0.5, department="registrar")
    finally:
        client.stop()
