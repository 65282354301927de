"""The queue broker over a real Mosquitto: commands, replies, retained state, restarts, bad input."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from hallcall.broker.storage.orm import TicketRow
from tests.support.mqtt import RawClient, wait_for

HALL = "campus-hall"
ROOT = f"hallcall/v1/{HALL}/"


def tickets(engine) -> int:
    with engine.connect() as c:
        return c.execute(select(func.count()).select_from(TicketRow)).scalar()


def test_a_kiosk_takes_a_ticket_and_the_lobby_sees_it(queue_broker, device, engine):
    queue_broker()
    lobby = device("display", "lobby", ["state/#", "event/#"])
    events: list[dict] = []
    lobby.on_event(lambda topic, payload: events.append(payload))
    kiosk = device("kiosk", "kiosk-1")
    reply = kiosk.request("ticket.issue", department="registrar", matter="transcript", lang="en")
    assert reply["ok"], reply
    ticket = reply["data"]["ticket"]
    assert (ticket["number"], ticket["waiting_ahead"]) == ("A001", 0)
    wait_for(
        lambda: lobby.states.get("state/queue/registrar", {}).get("waiting") == 1,
        what="queue state",
    )
    wait_for(lambda: any(e["type"] == "ticket.issued" for e in events), what="event")
    clerk = device("window", "w01")
    assert (
        clerk.request("window.login", staff="s101", post="A", pin="2468")["data"]["status"]
        == "open"
    )
    called = clerk.request("call.next")["data"]["ticket"]
    assert called["number"] == "A001"
    wait_for(
        lambda: (lobby.states.get("state/calls", {}).get("calls") or [{}])[0].get("number")
        == "A001",
        what="calls",
    )
    assert lobby.states["state/window/w01"]["current"]["number"] == "A001"
    assert tickets(engine) == 1


def test_a_repeated_command_gets_the_same_reply_over_mqtt(queue_broker, device, engine):
    queue_broker()
    kiosk = device("kiosk", "kiosk-1")
    first = kiosk.request("ticket.issue", request_id="same-1", department="finance")
    again = kiosk.request("ticket.issue", request_id="same-1", department="finance")
    assert first == again and first["ok"]
    assert tickets(engine) == 1


def test_bad_payloads_get_invalid_replies_and_change_nothing(queue_broker, mosquitto, engine):
    queue_broker()
    raw = RawClient(mosquitto.port)
    raw.subscribe(ROOT + "reply/#")
    raw.subscribe(ROOT + "state/queue/#")
    time.sleep(0.3)
    raw.messages.clear()
    raw.publish(ROOT + "cmd/kiosk/kiosk-1", b"{not json")
    raw.publish(
        ROOT + "cmd/kiosk/kiosk-1", b'{"request_id": "r1", "op": "ticket.issue", "department": 5}'
    )
    raw.publish(ROOT + "cmd/kiosk/kiosk-1", b'{"request_id": "r2", "op": "launch.rocket"}')
    raw.publish(ROOT + "cmd/window/w99", b'{"request_id": "r3", "op": "call.next"}')
    raw.publish(
        ROOT + "cmd/kiosk/Not_An_Id",
        b'{"request_id": "r4", "op": "ticket.issue", "department": "registrar"}',
    )
    raw.publish(ROOT + "cmd/kiosk/kiosk-1", b"x" * 20000)
    wait_for(lambda: len(raw.messages) >= 5, what="five replies")
    time.sleep(0.3)
    replies = {t: [] for t, _ in raw.messages}
    for topic, payload in raw.messages:
        replies[topic].append(payload)
    kiosk = replies[ROOT + "reply/kiosk/kiosk-1"]
    assert [r["error"]["code"] for r in kiosk] == ["invalid", "invalid", "unknown_op", "invalid"]
    assert kiosk[0]["request_id"] is None and kiosk[1]["request_id"] == "r1"
    assert "department" in kiosk[1]["error"]["message"]
    assert "limit" in kiosk[3]["error"]["message"]
    assert replies[ROOT + "reply/window/w99"][0]["error"]["code"] == "forbidden"
    assert not any(
        "state/queue" in t for t, _ in raw.messages
    )  # nothing changed, nothing published
    assert tickets(engine) == 0
    raw.stop()


def test_a_late_subscriber_gets_the_whole_picture_from_retained_state(queue_broker, device):
    queue_broker()
    kiosk = device("kiosk", "kiosk-1")
    kiosk.request("ticket.issue", department="registrar")
    late = device("display", "lobby", ["state/#"])
    wait_for(
        lambda: "state/queue/international" in late.states and "state/window/w08" in late.states,
        what="all states",
    )
    assert late.server_online
    assert late.states["state/catalog"]["hall"]["name"]["zh"] == "学生事务服务大厅"
    assert late.states["state/queue/registrar"]["waiting"] == 1
    assert {k for k in late.states if k.startswith("state/window/")} == {
        f"state/window/w0{i}" for i in range(1, 9)
    }


def test_queue_broker_restart_republishes_and_continues_numbering(queue_broker, device):
    first = queue_broker()
    lobby = device("display", "lobby", ["state/#"])
    kiosk = device("kiosk", "kiosk-1")
    assert (
        kiosk.request("ticket.issue", department="registrar")["data"]["ticket"]["number"] == "A001"
    )
    wait_for(
        lambda: lobby.states.get("state/queue/registrar", {}).get("waiting") == 1, what="state"
    )
    seq_before = lobby.states["state/queue/registrar"]["seq"]
    first.stop()
    wait_for(lambda: not lobby.server_online, what="server offline")
    queue_broker()
    wait_for(lambda: lobby.server_online, what="server online again")
    wait_for(
        lambda: lobby.states["state/queue/registrar"]["seq"] > seq_before, what="republished state"
    )
    assert lobby.states["state/queue/registrar"]["waiting"] == 1
    assert (
        kiosk.request("ticket.issue", department="registrar")["data"]["ticket"]["number"] == "A002"
    )


def test_mosquitto_restart_loses_retained_state_and_the_queue_broker_restores_it(
    queue_broker, mosquitto, device
):
    server = queue_broker()
    kiosk = device("kiosk", "kiosk-1")
    kiosk.request("ticket.issue", department="finance")
    mosquitto.stop()  # persistence is off: every retained message is gone
    mosquitto.start()
    wait_for(lambda: server._client.is_connected(), timeout=20, what="queue broker reconnect")
    fresh = device("display", "lobby", ["state/#"])
    wait_for(
        lambda: fresh.states.get("state/queue/finance", {}).get("waiting") == 1,
        timeout=15,
        what="restored state",
    )
    assert fresh.server_online


def test_last_will_marks_the_queue_broker_offline_when_it_dies(queue_broker, device):
    server = queue_broker()
    lobby = device("display", "lobby", ["state/#"])
    wait_for(lambda: lobby.server_online, what="online")
    server._client.socket().close()  # the connection dies without a DISCONNECT
    wait_for(lambda: not lobby.server_online, timeout=15, what="last will")
    wait_for(lambda: lobby.server_online, timeout=20, what="back online after reconnect")


def test_device_status_is_retained_with_health_and_last_will(device, mosquitto):
    kiosk = device("kiosk", "kiosk-1")
    kiosk.set_health(printer="paper_out")
    raw = RawClient(mosquitto.port)
    raw.subscribe(ROOT + "device/+/+/status")
    wait_for(lambda: any(p.get("printer") == "paper_out" for _, p in raw.messages), what="health")
    kiosk._client.socket().close()
    wait_for(
        lambda: any(p.get("state") == "lost" for _, p in raw.messages), timeout=15, what="lost"
    )
    raw.stop()


def test_a_command_that_crashes_the_broker_still_gets_a_matching_reply(
    queue_broker, device, monkeypatch
):
    server = queue_broker()

    def broken(messages):
        raise RuntimeError("database unreachable")

    monkeypatch.setattr(server.bus, "run", broken)
    kiosk = device("kiosk", "kiosk-1")
    reply = kiosk.request("ticket.issue", request_id="crash-1", department="registrar")
    assert reply["request_id"] == "crash-1"
    assert reply["error"]["code"] == "unavailable"
    assert "database unreachable" not in reply["error"]["message"], (
        "exception text stays in the log"
    )
