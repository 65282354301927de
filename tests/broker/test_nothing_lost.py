"""Issue #11 item 2: every command sent is answered exactly once, whoever is killed mid-traffic.

Kiosks send tickets from many threads, each request with its own request_id and a deadline,
as the kiosk app does. Then Mosquitto (in one test) or the `hallcall broker` process (in the
other) is killed with SIGKILL and started again. The guarantees under test: the queue broker
acknowledges a command only after its batch committed, so Mosquitto sends it again what a
killed broker had not finished; Mosquitto (shipped configuration, persistence on) keeps the
broker's session; devices send an unanswered request again, with the same request_id, until
its deadline. So every request gets exactly one reply and exactly one ticket.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter

import pytest
from sqlalchemy import create_engine, text

from hallcall.broker.acl import QUEUE_BROKER_USER
from hallcall.broker.server import QueueBrokerServer
from hallcall.mqtt.client import DeviceClient, RequestTimeout
from tests.broker.test_kill import start_broker
from tests.support.hall import start_service, unthrottled_hall_file
from tests.support.mosquitto import SecuredHall
from tests.support.mqtt import wait_for

DEPARTMENTS = ["registrar", "finance", "student-affairs", "international"]


class Traffic:
    """`threads` senders over the given kiosks, each sending `per_thread` ticket requests."""

    def __init__(
        self, kiosks: list[DeviceClient], threads: int, per_thread: int, deadline_s: float
    ):
        self.replies: dict[str, dict] = {}
        self.timeouts: list[str] = []
        self.late: list[dict] = []
        self._lock = threading.Lock()
        for kiosk in kiosks:
            kiosk.on_reply(self.late.append)
        self.threads = [
            threading.Thread(
                target=self._send,
                args=(kiosks[t % len(kiosks)], t, per_thread, deadline_s),
                daemon=True,
            )
            for t in range(threads)
        ]
        self.total = threads * per_thread

    def _send(self, kiosk: DeviceClient, t: int, n: int, deadline_s: float) -> None:
        for i in range(n):
            rid = f"t{t}-r{i}"
            try:
                reply = kiosk.request(
                    "ticket.issue",
                    request_id=rid,
                    timeout=deadline_s,
                    department=DEPARTMENTS[(t + i) % len(DEPARTMENTS)],
                )
            except RequestTimeout:
                with self._lock:
                    self.timeouts.append(rid)
                continue
            with self._lock:
                self.replies[rid] = reply

    def start(self) -> None:
        for th in self.threads:
            th.start()

    def join(self, timeout: float) -> None:
        end = time.monotonic() + timeout
        for th in self.threads:
            th.join(max(0.1, end - time.monotonic()))
        assert not any(th.is_alive() for th in self.threads), "senders still waiting"

    def check(self, db_url: str) -> None:
        assert self.timeouts == [], f"{len(self.timeouts)} of {self.total} requests never answered"
        assert len(self.replies) == self.total
        refused = [r for r in self.replies.values() if not r["ok"]]
        assert refused == [], refused[:3]
        assert self.late == [], "a request was answered twice"
        numbers = Counter(r["data"]["ticket"]["number"] for r in self.replies.values())
        assert max(numbers.values()) == 1, "two requests got one ticket"
        engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
        with engine.connect() as c:
            stored = c.execute(text("SELECT number FROM tickets")).scalars().all()
        engine.dispose()
        assert sorted(stored) == sorted(numbers), (
            "the database holds exactly one ticket per request"
        )


def kiosks(secured: SecuredHall) -> list[DeviceClient]:
    out = [
        DeviceClient("campus-hall", "kiosk", k, secured.login(f"kiosk-{k}"))
        for k in ("kiosk-1", "kiosk-2")
    ]
    for k in out:
        k.start()
        assert k.wait_connected(10)
    return out


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_kill_9_mosquitto_mid_traffic_every_command_answered_exactly_once(
    tmp_path, hall_config, engine, clock, db_url
):
    secured = SecuredHall(tmp_path, [hall_config], persistence=True).start()
    broker = QueueBrokerServer(
        start_service(hall_config, engine, clock).bus, secured.login(QUEUE_BROKER_USER)
    )
    devices: list[DeviceClient] = []
    try:
        broker.start()
        assert broker.ready.wait(15)
        devices = kiosks(secured)
        time.sleep(
            AUTOSAVE_WAIT
        )  # Mosquitto has saved the broker's session once, as in a running hall
        traffic = Traffic(devices, threads=10, per_thread=12, deadline_s=40)
        traffic.start()
        wait_for(lambda: len(traffic.replies) >= 30, timeout=30, what="traffic under way")
        secured.kill_and_restart(down_s=3)
        traffic.join(90)
        traffic.check(db_url)
    finally:
        for d in devices:
            d.stop()
        broker.stop()
        secured.stop()


@pytest.mark.parametrize("db_url", ["sqlite", "postgres"], indirect=True)
def test_kill_9_queue_broker_mid_burst_every_command_answered_exactly_once(
    tmp_path, hall_config, db_url
):
    secured = SecuredHall(tmp_path, [hall_config], persistence=True).start()
    config = unthrottled_hall_file(tmp_path)
    password = tmp_path / "broker.password"
    password.write_text(secured.password(QUEUE_BROKER_USER))
    options = ("--mqtt-user", QUEUE_BROKER_USER, "--mqtt-password-file", str(password))
    proc = start_broker(db_url, secured.port, config, *options)
    devices: list[DeviceClient] = []
    try:
        devices = kiosks(secured)
        wait_for(lambda: devices[0].server_online, timeout=30, what="queue broker online")
        traffic = Traffic(devices, threads=100, per_thread=5, deadline_s=60)
        traffic.start()
        wait_for(lambda: len(traffic.replies) >= 100, timeout=60, what="burst under way")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        in_flight = traffic.total - len(traffic.replies)
        proc = start_broker(db_url, secured.port, config, *options)
        traffic.join(120)
        assert in_flight > 100, "the kill came when few commands were in flight"
        traffic.check(db_url)
    finally:
        for d in devices:
            d.stop()
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=20)
        secured.stop()


#: A little over Mosquitto's autosave interval (broker/src/hallcall/broker/mosquitto_setup.py).
AUTOSAVE_WAIT = 5.5
