"""The real `hallcall broker` process: SIGTERM stops it cleanly; SIGKILL mid-work loses nothing.

A kiosk keeps sending numbered requests and retries each one with the same request_id until it
gets a reply, as a device does. The queue broker is killed with SIGKILL in the middle and
started again. Every request ends with exactly one ticket, and the numbers have no gap and no
duplicate.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

from sqlalchemy import create_engine, text

from hallcall.mqtt.client import DeviceClient, RequestTimeout
from hallcall.mqtt.connection import MqttSettings
from tests.support.hall import unthrottled_hall_file
from tests.support.mqtt import ask_until_answered, wait_for

CONFIG = "config/src/hallcall/config/halls/example-university.toml"


def start_broker(db_url: str, port: int, config=CONFIG, *options: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hallcall.cli",
            "broker",
            "--config",
            str(config),
            "--db",
            db_url,
            "--mqtt-port",
            str(port),
            *options,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_sigterm_publishes_offline_and_exits(mosquitto, sqlite_url, device):
    proc = start_broker(sqlite_url, mosquitto.port)
    try:
        lobby = device("display", "lobby", ["state/#"])
        wait_for(lambda: lobby.server_online, timeout=30, what="broker online")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        wait_for(lambda: not lobby.server_online, what="offline status")
    finally:
        if proc.poll() is None:
            proc.kill()


def test_sigkill_mid_work_loses_and_duplicates_nothing(mosquitto, db_url, tmp_path):
    settings = MqttSettings(port=mosquitto.port)
    config = unthrottled_hall_file(tmp_path)
    proc = start_broker(db_url, mosquitto.port, config)
    kiosk = DeviceClient("campus-hall", "kiosk", "kiosk-1", settings)
    kiosk.start()
    assert kiosk.wait_connected(10)
    replies: dict[str, dict] = {}
    total = 60

    def take_tickets():
        for i in range(total):
            rid = f"kill-test-{i}"
            while rid not in replies:
                try:
                    replies[rid] = kiosk.request(
                        "ticket.issue", request_id=rid, timeout=1.0, department="finance"
                    )
                except RequestTimeout:
                    pass  # the broker is down: retry the same request, as a kiosk does

    worker = threading.Thread(target=take_tickets)
    try:
        wait_for(lambda: _answers(kiosk), timeout=30, what="broker up")
        worker.start()
        wait_for(lambda: len(replies) >= 15, timeout=30, what="some tickets")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        time.sleep(0.5)
        proc = start_broker(db_url, mosquitto.port, config)
        worker.join(timeout=120)
        assert not worker.is_alive()
    finally:
        kiosk.stop()
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=20)
    assert all(r["ok"] for r in replies.values())
    numbers = [r["data"]["ticket"]["number"] for r in replies.values()]
    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as c:
        stored = (
            c.execute(
                text("SELECT number FROM tickets WHERE department = 'finance' ORDER BY number")
            )
            .scalars()
            .all()
        )
    engine.dispose()
    expected = [f"B{n:03d}" for n in range(1, total + 1)]
    assert sorted(numbers) == expected, "every request got its own ticket, none twice"
    assert stored == expected, "the database holds exactly those tickets"


def _answers(kiosk) -> bool:
    try:
        kiosk.request("ticket.issue", request_id="warm-up", timeout=1.0, department="registrar")
        return True
    except RequestTimeout:
        return False


def test_sigkill_while_bad_ratings_come_in_leaves_no_rating_without_its_case(
    mosquitto, sqlite_url, tmp_path
):
    """A rectification case is written in its bad rating's transaction: killed at any moment,
    the database holds a case for every bad rating and no case without its rating."""
    settings = MqttSettings(port=mosquitto.port)
    config = unthrottled_hall_file(tmp_path)
    proc = start_broker(sqlite_url, mosquitto.port, config)
    devices = {
        kind: DeviceClient("campus-hall", kind, dev, settings)
        for kind, dev in (("kiosk", "kiosk-1"), ("window", "w01"), ("rating", "pad-w01"))
    }
    for d in devices.values():
        d.start()
        assert d.wait_connected(10)
    rated: list[str] = []

    def ask(kind: str, op: str, rid: str, **args) -> dict:
        return ask_until_answered(devices[kind], op, rid, **args)

    def serve_and_rate():
        ask("window", "window.login", "login", staff="s101", post="A", pin="2468")
        for i in range(30):
            ask("kiosk", "ticket.issue", f"t-{i}", department="registrar")
            ask("window", "call.next", f"c-{i}")
            t = ask("window", "ticket.finish", f"f-{i}", outcome="done")["data"]["ticket"]
            if ask("rating", "rating.submit", f"r-{i}", ticket_id=t["id"], score=1)["ok"]:
                rated.append(t["id"])

    worker = threading.Thread(target=serve_and_rate)
    try:
        wait_for(lambda: _answers(devices["kiosk"]), timeout=30, what="broker up")
        worker.start()
        wait_for(lambda: len(rated) >= 8, timeout=60, what="some bad ratings")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        time.sleep(0.5)
        proc = start_broker(sqlite_url, mosquitto.port, config)
        worker.join(timeout=180)
        assert not worker.is_alive()
    finally:
        for d in devices.values():
            d.stop()
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=20)
    engine = create_engine(sqlite_url)
    with engine.connect() as c:
        ratings = set(c.execute(text("SELECT ticket_id FROM ratings WHERE score = 1")).scalars())
        opened = list(c.execute(text("SELECT ticket_id FROM rectification_cases")).scalars())
    engine.dispose()
    assert set(rated) <= ratings, "every rating the pad was told of is kept"
    assert sorted(opened) == sorted(ratings), "one case per bad rating, none without one"
