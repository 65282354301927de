"""DeviceClient bookkeeping that needs no MQTT server: the one request style (deadline, retry,
replies racing a deadline), contract-checked and stale states."""

import json
import threading
import time

import pytest

from hallcall.mqtt import client as device_module
from hallcall.mqtt.client import DeviceClient, RequestTimeout
from hallcall.mqtt.connection import MqttSettings
from hallcall.protocol.payloads import timed_out

ROOT = "hallcall/v1/campus-hall/"


def offline_client(subscriptions=(), connected=False):
    client = DeviceClient(
        "campus-hall", "kiosk", "kiosk-1", MqttSettings(port=1), list(subscriptions)
    )
    client.published = []  # type: ignore[attr-defined]
    client._publish_command = client.published.append  # type: ignore[method-assign]
    if connected:
        client.connected.set()
    return client


def sent_ids(client):
    return [json.loads(p)["request_id"] for p in client.published]


def wait_until(predicate, timeout=3.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def test_a_reply_before_the_deadline_is_handed_over_once_and_the_deadline_then_does_nothing():
    client = offline_client()
    got, late = [], []
    client.on_reply(late.append)
    client.submit("ticket.issue", got.append, timeout=0.05, request_id="r1")
    client._on_reply({"request_id": "r1", "ok": True, "data": {}})
    client._on_reply({"request_id": "r1", "ok": True, "data": {}})  # the repeat's reply
    time.sleep(0.15)  # past the deadline
    assert got == [{"request_id": "r1", "ok": True, "data": {}}] and late == []
    client.stop()


def test_a_deadline_gives_one_timeout_reply_and_the_later_answer_goes_to_the_listeners():
    client = offline_client()
    got, late = [], []
    client.on_reply(late.append)
    client.submit("ticket.issue", got.append, timeout=0.05, request_id="r2")
    assert wait_until(lambda: got)
    time.sleep(0.1)
    assert len(got) == 1 and timed_out(got[0]) and got[0]["request_id"] == "r2"
    assert client.pending() == 0
    client._on_reply({"request_id": "r2", "ok": True, "data": {"ticket": {"number": "A001"}}})
    assert late[0]["data"]["ticket"]["number"] == "A001" and len(got) == 1
    client.stop()


def test_request_blocks_for_the_reply_and_raises_at_the_deadline():
    client = offline_client()
    threading.Timer(0.05, client._on_reply, [{"request_id": "r3", "ok": True}]).start()
    assert client.request("call.next", request_id="r3", timeout=2)["ok"] is True
    started = time.monotonic()
    with pytest.raises(RequestTimeout):
        client.request("call.next", request_id="r4", timeout=0.1)
    assert time.monotonic() - started < 1.5
    client.stop()


def test_an_unanswered_request_is_sent_again_with_its_id_until_answered(monkeypatch):
    monkeypatch.setattr(device_module, "RETRY_S", 0.05)
    client = offline_client(connected=True)
    got = []
    client.submit("rating.submit", got.append, timeout=None, request_id="r5", ticket_id="t")
    assert wait_until(lambda: len(client.published) >= 3)
    assert set(sent_ids(client)) == {"r5"}
    client._on_reply({"request_id": "r5", "ok": True})
    sent = len(client.published)
    time.sleep(0.2)
    assert len(client.published) == sent and got == [{"request_id": "r5", "ok": True}]
    client.stop()


def test_while_disconnected_nothing_is_resent_until_the_broker_is_back(monkeypatch):
    monkeypatch.setattr(device_module, "RETRY_S", 0.05)
    client = offline_client(subscriptions=["state/queue/+"])
    client.submit("rating.submit", lambda r: None, timeout=None, request_id="r6")
    time.sleep(0.2)
    assert sent_ids(client) == ["r6"]  # only the first try (paho keeps it for the reconnect)
    client._on_message(None, None, Msg(ROOT + "server/status", b'{"state": "online"}'))
    assert sent_ids(client) == ["r6", "r6"]  # the broker is back: at once, same id
    client.stop()


def test_asking_again_with_an_answered_id_gets_its_reply():
    client = offline_client()
    client.submit("ticket.issue", lambda r: None, request_id="r7")
    client._on_reply({"request_id": "r7", "ok": True})
    again = []
    client.submit("ticket.issue", again.append, request_id="r7")  # a kiosk's "try again"
    client._on_reply({"request_id": "r7", "ok": True})
    assert again == [{"request_id": "r7", "ok": True}]
    client.stop()


class Msg:
    def __init__(self, topic, payload: bytes):
        self.topic, self.payload = topic, payload


def queue_state(seq, waiting):
    return json.dumps(
        {
            "seq": seq,
            "department": "finance",
            "waiting": waiting,
            "priority_waiting": 0,
            "estimated_wait_s": 60,
            "open_windows": 1,
        }
    ).encode()


def test_an_older_state_never_replaces_a_newer_one_and_foreign_topics_are_ignored():
    client = offline_client(["state/queue/+"])
    client._on_message(None, None, Msg(ROOT + "state/queue/finance", queue_state(10, 3)))
    client._on_message(None, None, Msg(ROOT + "state/queue/finance", queue_state(9, 7)))
    assert client.states["state/queue/finance"]["waiting"] == 3
    client._on_message(None, None, Msg(ROOT + "state/window/w01", b'{"seq": 11}'))  # not subscribed
    client._on_message(
        None, None, Msg("hallcall/v1/other-hall/state/queue/finance", queue_state(12, 1))
    )
    client._on_message(None, None, Msg(ROOT + "state/queue/finance", b"not json"))
    assert set(client.states) == {"state/queue/finance"}
    assert client.states["state/queue/finance"]["seq"] == 10


def test_states_and_events_the_contract_refuses_are_dropped():
    client = offline_client(["state/queue/+", "event/#"])
    heard, events = [], []
    client.on_state(lambda topic, payload: heard.append(topic))
    client.on_event(lambda topic, payload: events.append(payload))
    bad_states = [
        b'{"waiting": 0}',  # no seq
        b'{"seq": 13, "department": "finance", "waiting": "many"}',  # wrong type, fields missing
    ]
    for raw in bad_states:
        client._on_message(None, None, Msg(ROOT + "state/queue/finance", raw))
    client._on_message(None, None, Msg(ROOT + "server/status", b'{"state": "sleeping"}'))
    client._on_message(None, None, Msg(ROOT + "event/ticket.called", b'{"seq": 1, "type": 5}'))
    assert heard == [] and events == [] and client.states == {}
    good_event = b'{"seq": 2, "type": "ticket.called", "at": "2026-12-03T09:00:00Z"}'
    client._on_message(None, None, Msg(ROOT + "event/ticket.called", good_event))
    client._on_message(None, None, Msg(ROOT + "state/queue/finance", queue_state(14, 2)))
    assert events[0]["type"] == "ticket.called" and heard == ["state/queue/finance"]
