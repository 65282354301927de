"""Issue #11, malformed input: each case of the issue, over a real Mosquitto to a running broker.

A raw paho client sends the bytes no well-behaved device would, and reads the reply as bytes:
every case must be answered (`invalid`, with the request_id when it was valid, else null),
and change nothing but what cleaned, valid input asks for.
"""

from __future__ import annotations

import json
import threading
import unicodedata

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import func, select

from hallcall.broker.storage.orm import AppointmentRow, PauseRow, RatingRow, TicketRow
from tests.support.mqtt import wait_for

ROOT = "hallcall/v1/campus-hall/"


class Wire:
    """A bare paho client: publishes raw bytes as a device, keeps every message as raw bytes."""

    def __init__(self, port: int):
        self.messages: list[tuple[str, bytes]] = []
        self._states: set[str] = set()
        self._lock = threading.Lock()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"malformed-{id(self)}")
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        self.subscribe(ROOT + "reply/#")

    def _on_message(self, client, userdata, msg) -> None:
        with self._lock:
            self.messages.append((msg.topic, msg.payload))

    def subscribe(self, topic: str) -> None:
        done = threading.Event()
        self.client.on_subscribe = lambda *a: done.set()
        self.client.subscribe(topic, qos=1)
        assert done.wait(5)

    def on(self, topic: str) -> list[bytes]:
        with self._lock:
            return [payload for t, payload in self.messages if t == topic]

    def ask(self, device: str, raw: bytes) -> dict:
        """Send `raw` as `device` ("kiosk/kiosk-1"); its reply, checked to be clean JSON."""
        topic = ROOT + "reply/" + device
        before = len(self.on(topic))
        self.client.publish(ROOT + "cmd/" + device, raw, qos=1).wait_for_publish(5)
        wait_for(lambda: len(self.on(topic)) > before, what=f"a reply on {topic}")
        body = self.on(topic)[before]
        reply = json.loads(body.decode("utf-8"))  # strict UTF-8: no lone surrogate got through
        if not reply["ok"]:
            assert "Traceback" not in reply["error"]["message"], reply
        return reply

    def state(self, topic: str, until=lambda state: True) -> dict:
        """The latest state on `topic` once `until` holds for it (states follow replies)."""
        if topic not in self._states:
            self._states.add(topic)
            self.subscribe(ROOT + topic)

        def latest() -> dict:
            return json.loads(self.on(ROOT + topic)[-1])

        wait_for(lambda: self.on(ROOT + topic) and until(latest()), what=f"state {topic}")
        return latest()

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def wire(queue_broker, mosquitto):
    queue_broker()
    client = Wire(mosquitto.port)
    yield client
    client.stop()


def count(engine, row) -> int:
    with engine.connect() as c:
        return c.execute(select(func.count()).select_from(row)).scalar()


def command(request_id: str, op: str, splice: bytes = b"", **args) -> bytes:
    """A command as JSON (lone surrogates as \\u escapes); `splice` is a field as written."""
    body = json.dumps({"request_id": request_id, "op": op, **args}).encode()
    return body[:-1] + b", " + splice + b"}" if splice else body


def invalid(reply: dict, request_id: str | None) -> str:
    assert reply["ok"] is False and reply["error"]["code"] == "invalid", reply
    assert reply["request_id"] == request_id, reply
    return reply["error"]["message"]


def login(wire: Wire) -> None:
    assert wire.ask(
        "window/w01", command("in-1", "window.login", staff="s101", post="A", pin="2468")
    )["ok"]


def paused(state: dict) -> bool:
    return state["status"] == "paused"


def test_deeply_nested_payload_gets_invalid_reply(wire, engine):
    deep = b"[" * 5000 + b"]" * 5000  # 10 KB: under the size limit, far over the depth limit
    assert "deep" in invalid(wire.ask("kiosk/kiosk-1", deep), None)
    inside = command("deep-1", "ticket.issue", b'"x": ' + deep, department="registrar")
    invalid(wire.ask("kiosk/kiosk-1", inside), None)  # its id cannot be read without parsing it
    # Brackets inside a string are text, not nesting.
    fine = command("deep-2", "ticket.issue", department="registrar", note="[" * 5000)
    assert wire.ask("kiosk/kiosk-1", fine)["ok"]
    assert count(engine, TicketRow) == 1


def test_lone_surrogate_request_id_gets_a_reply(wire, engine):
    lone = command("r-\ud800", "ticket.issue", department="registrar")
    assert "request_id" in invalid(wire.ask("kiosk/kiosk-1", lone), None)
    elsewhere = command("s-1", "ticket.issue", department="registrar", lang="\udfff")
    invalid(wire.ask("kiosk/kiosk-1", elsewhere), "s-1")
    assert count(engine, TicketRow) == 0


def test_huge_integer_is_invalid_not_unavailable(wire, engine):
    for n, number in enumerate((b"9" * 5000, b"-" + b"9" * 5000)):
        raw = command(f"big-{n}", "ticket.issue", b'"n": ' + number, department="registrar")
        assert "digits" in invalid(wire.ask("kiosk/kiosk-1", raw), f"big-{n}")
    for n, number in enumerate((b"NaN", b"Infinity", b"1e999")):
        raw = command(f"nan-{n}", "ticket.issue", b'"n": ' + number, department="registrar")
        invalid(wire.ask("kiosk/kiosk-2", raw), f"nan-{n}")
    assert count(engine, TicketRow) == 0


def test_nul_character_is_cleaned_on_postgres_too(wire, engine, db_url):
    # An id cannot be cleaned (the device would not know it again): refused, and never stored.
    nul_id = command("nul\x00", "ticket.issue", department="finance")
    assert "request_id" in invalid(wire.ask("kiosk/kiosk-1", nul_id), None)
    login(wire)
    assert wire.ask("window/w01", command("nul-1", "window.pause", reason="lunch\x00 break"))["ok"]
    assert wire.state("state/window/w01", paused)["pause_reason"] == "lunch break"
    with engine.connect() as c:
        assert c.execute(select(PauseRow.reason)).scalars().all() == ["lunch break"]
    # Free text a refusal quotes back is cleaned too: not_found, not unavailable.
    rate = command("nul-2", "rating.submit", ticket_id="20261123-A001\x00", score=3)
    reply = wire.ask("rating/pad-w01", rate)
    assert reply["error"]["code"] == "not_found" and "\x00" not in reply["error"]["message"]
    assert count(engine, TicketRow) == 0


def test_boolean_score_is_refused(wire, engine):
    ticket = wire.ask("kiosk/kiosk-1", command("t-1", "ticket.issue", department="registrar"))
    ticket_id = ticket["data"]["ticket"]["id"]
    login(wire)
    assert wire.ask("window/w01", command("t-2", "call.next"))["ok"]
    assert wire.ask("window/w01", command("t-3", "ticket.finish", outcome="done"))["ok"]
    for n, score in enumerate((True, "3", 3.0)):
        rate = command(f"b-{n}", "rating.submit", ticket_id=ticket_id, score=score)
        message = invalid(wire.ask("rating/pad-w01", rate), f"b-{n}")
        assert "score" in message and repr(score) not in message, "a refusal never echoes input"
    assert count(engine, RatingRow) == 0
    rate = command("b-ok", "rating.submit", ticket_id=ticket_id, score=3)
    assert wire.ask("rating/pad-w01", rate)["ok"]
    with engine.connect() as c:
        assert c.execute(select(RatingRow.score)).scalars().all() == [3]


def test_integer_booked_at_is_refused(wire, engine):
    def book(request_id: str, booked_at) -> bytes:
        return command(request_id, "appointment.book", department="finance", booked_at=booked_at)

    for n, booked_at in enumerate((1795000000, "1795000000", 1795000000.5, True)):
        assert "booked_at" in invalid(wire.ask("admin/office", book(f"a-{n}", booked_at)), f"a-{n}")
    assert count(engine, AppointmentRow) == 0
    assert wire.ask("admin/office", book("a-ok", "2026-11-24T10:00:00+08:00"))["ok"]
    assert count(engine, AppointmentRow) == 1


def test_control_bytes_in_pause_reason_never_reach_retained_state(wire, engine):
    login(wire)
    # Only control bytes: nothing is left to show, so nothing is paused.
    blank = command("c-1", "window.pause", reason="\x1b\x1d\x07\u202e")
    assert "reason" in invalid(wire.ask("window/w01", blank), "c-1")
    assert wire.state("state/window/w01")["status"] == "open"
    raw = command("c-2", "window.pause", reason="\x1b[2J\x1b]0;pwned\x07Lunch\x1d\tbreak\u202e\n")
    assert wire.ask("window/w01", raw)["ok"]
    reason = wire.state("state/window/w01", paused)["pause_reason"]
    assert reason == "[2J]0;pwnedLunch  break"
    assert not any(unicodedata.category(ch)[0] == "C" for ch in reason)
    with engine.connect() as c:
        assert c.execute(select(PauseRow.reason)).scalars().all() == [reason]
