"""Issue #11 item 1: one kiosk password must not take the hall offline.

An attacker who holds a kiosk's password connects again and again with the queue broker's and a
clerk terminal's client ids. On the Mosquitto that `hallcall mqtt-setup` configures
(`use_username_as_clientid`) the client id becomes the kiosk's user name, so the only client it
can evict is that kiosk itself: the queue broker answers every command meanwhile and the clerk
terminal stays connected.
"""

from __future__ import annotations

import threading
import time

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from hallcall.broker.acl import QUEUE_BROKER_USER
from hallcall.broker.mosquitto_setup import mosquitto_conf
from hallcall.broker.server import QueueBrokerServer, broker_client_id
from hallcall.mqtt.client import DeviceClient
from tests.support.hall import start_service
from tests.support.mosquitto import SecuredHall

STOLEN = "kiosk-kiosk-1"


def attack(
    secured: SecuredHall, client_ids: list[str], stop: threading.Event, connects: list[int]
) -> None:
    """Connect with each victim's client id in turn, as fast as Mosquitto accepts, until `stop`."""
    while not stop.is_set():
        for client_id in client_ids:
            c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id)
            c.username_pw_set(STOLEN, secured.password(STOLEN))
            try:
                c.connect("127.0.0.1", secured.port, keepalive=10)
                c.loop(timeout=0.05)
                connects[0] += 1
            except OSError:
                pass
            finally:
                c.disconnect()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_stolen_kiosk_password_cannot_evict_the_queue_broker_or_a_clerk(
    tmp_path, hall_config, engine, clock
):
    secured = SecuredHall(tmp_path, [hall_config]).start()
    broker = QueueBrokerServer(
        start_service(hall_config, engine, clock).bus, secured.login(QUEUE_BROKER_USER)
    )
    kiosk = DeviceClient("campus-hall", "kiosk", "kiosk-2", secured.login("kiosk-kiosk-2"))
    clerk = DeviceClient("campus-hall", "window", "w01", secured.login("window-w01"))
    drops = []
    clerk.on_connection(lambda up: drops.append(up) if not up else None)
    stop, connects = threading.Event(), [0]
    try:
        broker.start()
        assert broker.ready.wait(15)
        for device in (kiosk, clerk):
            device.start()
            assert device.wait_connected(10)
        assert clerk.request("window.login", staff="s101", post="A", pin="2468")["ok"]
        victims = [broker_client_id(["campus-hall"]), clerk._client._client_id.decode()]
        attacker = threading.Thread(
            target=attack, args=(secured, victims, stop, connects), daemon=True
        )
        attacker.start()
        time.sleep(0.5)
        answered = 0
        started = time.monotonic()
        for _ in range(10):  # the attack goes on all the while (about 3 s)
            reply = kiosk.request("ticket.issue", department="registrar", timeout=5)
            answered += reply["ok"]
            time.sleep(0.25)
        assert time.monotonic() - started < 10
        call = clerk.request("call.next", timeout=5)
        stop.set()
        attacker.join(5)
        assert connects[0] > 20, "the attack did not run"
        assert answered == 10
        assert call["ok"] and call["data"]["ticket"]["number"] == "A001"
        assert drops == [], "the clerk terminal was disconnected"
        assert broker._connection == 1, "the queue broker was disconnected"
    finally:
        stop.set()
        for device in (kiosk, clerk):
            device.stop()
        broker.stop()
        secured.stop()


def test_the_shipped_configuration_ties_client_ids_to_users(tmp_path):
    conf = mosquitto_conf(tmp_path)
    assert "use_username_as_clientid true" in conf.splitlines()
    assert "allow_anonymous false" in conf.splitlines()


def test_the_shipped_example_is_what_mqtt_setup_writes():
    """config/mosquitto/mosquitto.conf is `hallcall mqtt-setup --out /etc/hallcall/mosquitto`'s."""
    from pathlib import Path

    shipped = Path(__file__).parents[2] / "config" / "mosquitto" / "mosquitto.conf"
    assert shipped.read_text() == mosquitto_conf(Path("/etc/hallcall/mosquitto"), 1883, "0.0.0.0")
