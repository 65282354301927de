"""General windows end to end: a real `hallcall broker` process, real Mosquitto, the example
hall with general windows (config/src/hallcall/config/halls/example-general-windows.toml) on
SQLite and PostgreSQL. "Next" across skills, a matter group's queue, and document pickup (出件):
the code given with the finish survives a kill -9, takes a pickup ticket, which is called at
the pickup window and finished, and the code is used."""

from __future__ import annotations

import os
import signal

from sqlalchemy import create_engine, text

from hallcall.mqtt.client import DeviceClient
from hallcall.mqtt.connection import MqttSettings
from tests.broker.test_kill import start_broker
from tests.support.mqtt import ask_until_answered, wait_for

CONFIG = "config/src/hallcall/config/halls/example-general-windows.toml"
HALL = "qingshui-general"
PIN = "2468"


def test_skills_a_group_queue_and_a_pickup_over_mqtt(mosquitto, db_url):
    settings = MqttSettings(port=mosquitto.port)
    proc = start_broker(db_url, mosquitto.port, CONFIG)
    clients = {
        name: DeviceClient(HALL, kind, dev, settings, subs)
        for name, kind, dev, subs in (
            ("kiosk", "kiosk", "kiosk-1", []),
            ("w06", "window", "w06", []),
            ("w07", "window", "w07", []),
            ("w08", "window", "w08", []),
            ("lobby", "display", "lobby", ["state/#"]),
        )
    }
    states: dict[str, dict] = {}
    clients["lobby"].on_state(lambda topic, payload: states.__setitem__(topic, payload))
    for c in clients.values():
        c.start()
        assert c.wait_connected(10)

    def ask(name: str, op: str, rid: str, **args) -> dict:
        return ask_until_answered(clients[name], op, rid, within_s=60, **args)

    try:
        wait_for(lambda: "state/catalog" in states, timeout=30, what="the catalog")
        catalog = states["state/catalog"]
        assert catalog["hall"]["kiosk_start"] == "matters"
        assert catalog["pickup"]["enabled"] is True and catalog["pickup"]["name"]["zh"]
        queues = {q["id"]: q for q in catalog["queues"]}
        assert queues["integrated"]["kind"] == "group" and queues["integrated"]["prefix"] == "Z"
        assert queues["pickup"]["prefix"] == "Q"
        for w, staff in (("w06", "s401"), ("w07", "s402"), ("w08", "s403")):
            assert ask(w, "window.login", f"login-{w}", staff=staff, post="A", pin=PIN)["ok"]

        def issue(rid, dep, matter):
            reply = ask("kiosk", "ticket.issue", rid, department=dep, matter=matter)
            assert reply["ok"], reply
            return reply["data"]["ticket"]

        a = issue("t1", "social-security", "pension-certificate")
        z1 = issue("t2", "real-estate", "property-transfer")
        z2 = issue("t3", "market", "business-licence")
        b = issue("t4", "real-estate", "title-search")
        assert (a["number"], z1["number"], z2["number"], b["number"]) == (
            "A001",
            "Z001",
            "Z002",
            "B001",
        )
        assert (z1["queue"], z1["department"], z1["waiting_ahead"]) == (
            "integrated",
            "real-estate",
            0,
        )
        assert z2["waiting_ahead"] == 1  # people ahead in its group's queue
        wait_for(
            lambda: states.get("state/queue/integrated", {}).get("waiting") == 2,
            what="the group's retained queue",
        )
        assert states["state/queue/integrated"]["kind"] == "group"
        assert states["state/queue/integrated"]["open_windows"] == 2

        # w07 serves real-estate whole and two matters of two other departments, not the
        # certificate: its earliest eligible is Z001; w06's is A001 (social-security whole).
        called = ask("w07", "call.next", "n1")["data"]["ticket"]
        assert called["number"] == "Z001"
        assert ask("w06", "call.next", "n2")["data"]["ticket"]["number"] == "A001"
        done = ask("w07", "ticket.finish", "f1", outcome="done")["data"]["ticket"]
        code = done["pickup_code"]
        assert code and code.isdigit() and len(code) == 8
        plain = ask("w06", "ticket.finish", "f2", outcome="done")["data"]["ticket"]
        assert "pickup_code" not in plain  # an immediate matter has nothing to collect
        assert ask("w07", "call.next", "n3")["data"]["ticket"]["number"] == "Z002"

        # kill -9 right after the finish was answered: the code was in its transaction.
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        proc = start_broker(db_url, mosquitto.port, CONFIG)

        bad = ask("kiosk", "ticket.pickup", "p0", code="00000000")
        assert bad["error"]["code"] == "not_found"
        taken = ask("kiosk", "ticket.pickup", "p1", code=code, lang="en")
        assert taken["ok"], taken
        pickup = taken["data"]["ticket"]
        assert (pickup["number"], pickup["queue"], pickup["department"]) == (
            "Q001",
            "pickup",
            "real-estate",
        )
        assert pickup["token"]  # printed as its QR code, like any ticket
        with_empty = ask("w06", "call.next", "n4")
        assert with_empty["error"]["code"] == "empty"  # w06 does not call the pickup queue
        assert ask("w08", "call.next", "n5")["data"]["ticket"]["number"] == "Q001"
        assert ask("w08", "ticket.finish", "f3", outcome="done")["ok"]
        used = ask("kiosk", "ticket.pickup", "p2", code=code)
        assert used["error"]["code"] == "conflict"
    finally:
        for c in clients.values():
            c.stop()
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=20)
    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as c:
        row = c.execute(
            text(
                "SELECT number, department, matter, pickup_ticket_id, collected_at "
                "FROM pickup_codes WHERE code = :code"
            ),
            {"code": code},
        ).one()
        queued = c.execute(text("SELECT queue FROM tickets WHERE number = 'Z002'")).scalar()
    engine.dispose()
    assert row[:3] == ("Z001", "real-estate", "property-transfer")
    assert row[3] == pickup["id"] and row[4] is not None
    assert queued == "integrated"
