"""DeviceClient bookkeeping that needs no MQTT server: replies racing a timeout, stale states."""

import threading

import pytest

from hallcall.mqtt import client as device_module
from hallcall.mqtt.client import DeviceClient, RequestTimeout
from hallcall.mqtt.connection import MqttSettings


def offline_client(subscriptions=()):
    client = DeviceClient(
        "campus-hall", "kiosk", "kiosk-1", MqttSettings(port=1), list(subscriptions)
    )
    client.send = lambda op, request_id=None, **args: request_id
    return client


def test_a_reply_arriving_as_the_wait_times_out_is_returned_not_lost(monkeypatch):
    client = offline_client()
    late = []
    client.on_reply(late.append)

    class RacingEvent(threading.Event):
        def wait(self, timeout=None):
            client._on_reply(
                {"request_id": "r1", "ok": True, "data": {}}
            )  # arrives at the last moment
            return False  # ...but the wait has already timed out

    monkeypatch.setattr(device_module.threading, "Event", RacingEvent)
    assert client.request("ticket.issue", request_id="r1", timeout=0.01)["ok"] is True
    assert late == []


def test_a_reply_after_the_timeout_goes_to_late_reply_listeners():
    client = offline_client()
    late = []
    client.on_reply(late.append)
    with pytest.raises(RequestTimeout):
        client.request("ticket.issue", request_id="r2", timeout=0.01)
    client._on_reply({"request_id": "r2", "ok": True, "data": {"ticket": {"number": "A001"}}})
    assert late[0]["data"]["ticket"]["number"] == "A001"


class Msg:
    def __init__(self, topic, payload: bytes):
        self.topic, self.payload = topic, payload


def test_an_older_state_never_replaces_a_newer_one_and_foreign_topics_are_ignored():
    client = offline_client(["state/queue/+"])
    root = "hallcall/v1/campus-hall/"
    client._on_message(None, None, Msg(root + "state/queue/finance", b'{"seq": 10, "waiting": 3}'))
    client._on_message(None, None, Msg(root + "state/queue/finance", b'{"seq": 9, "waiting": 7}'))
    assert client.states["state/queue/finance"]["waiting"] == 3
    client._on_message(None, None, Msg(root + "state/window/w01", b'{"seq": 11}'))  # not subscribed
    client._on_message(
        None, None, Msg("hallcall/v1/other-hall/state/queue/finance", b'{"seq": 12}')
    )
    client._on_message(None, None, Msg(root + "state/queue/finance", b"not json"))
    client._on_message(None, None, Msg(root + "state/queue/finance", b'{"waiting": 0}'))  # no seq
    assert set(client.states) == {"state/queue/finance"}
    assert client.states["state/queue/finance"]["seq"] == 10
