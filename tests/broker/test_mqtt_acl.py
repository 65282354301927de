"""With authentication on, a device can publish only as itself (Mosquitto enforces our ACL)."""

from __future__ import annotations

import time

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from hallcall.broker.acl import QUEUE_BROKER_USER
from hallcall.broker.server import QueueBrokerServer
from hallcall.mqtt.client import DeviceClient, RequestTimeout
from hallcall.mqtt.connection import MqttSettings
from tests.support.hall import start_service
from tests.support.mosquitto import SecuredHall
from tests.support.mqtt import wait_for

ROOT = "hallcall/v1/campus-hall/"


@pytest.fixture
def secured(tmp_path, hall_config):
    """The hall's Mosquitto as `hallcall mqtt-setup` configures it."""
    server = SecuredHall(tmp_path, [hall_config]).start()
    yield server
    server.stop()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_devices_publish_only_as_themselves(secured, hall_config, engine, clock):
    broker = QueueBrokerServer(
        start_service(hall_config, engine, clock).bus, secured.login(QUEUE_BROKER_USER)
    )
    broker.start()
    kiosk = DeviceClient(
        "campus-hall", "kiosk", "kiosk-1", secured.login("kiosk-kiosk-1"), ["state/#"]
    )
    try:
        assert broker.ready.wait(15)
        kiosk.start()
        assert kiosk.wait_connected(10)
        assert kiosk.request("ticket.issue", department="registrar")["ok"]
        wait_for(
            lambda: kiosk.states.get("state/queue/registrar", {}).get("waiting") == 1,
            what="state readable",
        )
        # kiosk-1 pretends to be kiosk-2 and to be window w01: Mosquitto drops both.
        spoof = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="spoof")
        spoof.username_pw_set("kiosk-kiosk-1", secured.password("kiosk-kiosk-1"))
        spoof.connect("127.0.0.1", secured.port)
        spoof.loop_start()
        spoof.publish(
            ROOT + "cmd/kiosk/kiosk-2",
            b'{"request_id":"s1","op":"ticket.issue","department":"registrar"}',
            qos=1,
        ).wait_for_publish(5)
        spoof.publish(
            ROOT + "cmd/window/w01", b'{"request_id":"s2","op":"window.logout"}', qos=1
        ).wait_for_publish(5)
        spoof.publish(
            ROOT + "state/queue/registrar", b'{"seq": 999999, "waiting": 0}', qos=1, retain=True
        ).wait_for_publish(5)
        time.sleep(1.0)
        spoof.loop_stop()
        spoof.disconnect()
        assert (
            kiosk.states["state/queue/registrar"]["waiting"] == 1
        )  # the forged state never arrived
        assert (
            kiosk.request("ticket.issue", department="registrar")["data"]["ticket"]["number"]
            == "A002"
        )
    finally:
        kiosk.stop()
        broker.stop()


def test_a_wrong_password_is_refused(secured):
    client = DeviceClient(
        "campus-hall",
        "kiosk",
        "kiosk-1",
        MqttSettings(port=secured.port, username="kiosk-kiosk-1", password="wrong"),
    )
    client.start()
    try:
        assert not client.wait_connected(2)
        with pytest.raises(RequestTimeout):
            client.request("ticket.issue", timeout=0.5, department="registrar")
    finally:
        client.stop()


def other_hall(config, hall_id: str, tag: str):
    """A copy of the hall under another id whose windows and devices have ids of their own."""
    w = {win.id: f"{tag}{win.id}" for win in config.windows}
    windows = [win.model_copy(update={"id": w[win.id]}) for win in config.windows]
    devices_ = [
        d.model_copy(update={"id": f"{tag}{d.id}", "window": w.get(d.window) if d.window else None})
        for d in config.devices
    ]
    return config.model_copy(
        update={
            "hall": config.hall.model_copy(update={"id": hall_id}),
            "windows": windows,
            "devices": devices_,
        }
    )


def test_one_broker_serves_two_halls_through_one_secured_mosquitto(
    tmp_path, hall_config, engine, clock
):
    from hallcall.broker.service.bootstrap import build_bus

    second = other_hall(hall_config, "east-hall", "e")
    mosquitto = SecuredHall(tmp_path, [hall_config, second]).start()
    broker = QueueBrokerServer(
        build_bus([hall_config, second], engine, clock), mosquitto.login(QUEUE_BROKER_USER)
    )
    broker.start()
    kiosks = [
        DeviceClient("campus-hall", "kiosk", "kiosk-1", mosquitto.login("kiosk-kiosk-1")),
        DeviceClient("east-hall", "kiosk", "ekiosk-1", mosquitto.login("kiosk-ekiosk-1")),
    ]
    try:
        assert broker.ready.wait(15)
        for k in kiosks:
            k.start()
            assert k.wait_connected(10)
        numbers = [
            k.request("ticket.issue", department="registrar", timeout=10)["data"]["ticket"][
                "number"
            ]
            for k in kiosks
        ]
        assert numbers == ["A001", "A001"]
    finally:
        for k in kiosks:
            k.stop()
        broker.stop()
        mosquitto.stop()


def test_halls_whose_device_users_clash_are_refused_one_acl(hall_config):
    from hallcall.broker.acl import SharedUser, acl_for_halls

    copy_ = hall_config.model_copy(
        update={"hall": hall_config.hall.model_copy(update={"id": "copy-hall"})}
    )
    with pytest.raises(SharedUser, match="kiosk-kiosk-1 \\(campus-hall, copy-hall\\)"):
        acl_for_halls([hall_config, copy_])
