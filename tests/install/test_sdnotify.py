"""sd_notify over a real AF_UNIX datagram socket as $NOTIFY_SOCKET, as systemd gives it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

from hallcall import sdnotify


class Receiver:
    """systemd's side: a bound datagram socket, read with a deadline."""

    def __init__(self, path: str):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.2)
        self.messages: list[str] = []

    def wait_for(self, text: str, timeout: float = 10) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in m.split("\n") for m in self.messages):
                return self.messages
            try:
                self.messages.append(self.sock.recv(4096).decode())
            except TimeoutError:
                pass
        raise AssertionError(f"{text!r} never arrived; got {self.messages}")

    def drain(self) -> list[str]:
        """Every message sent so far (they wait in the socket until read)."""
        while True:
            try:
                self.messages.append(self.sock.recv(4096).decode())
            except TimeoutError:
                return self.messages

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def notify_socket(tmp_path, monkeypatch):
    path = str(tmp_path / "notify.sock")
    receiver = Receiver(path)
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    monkeypatch.setenv("WATCHDOG_USEC", "400000")
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    yield receiver
    receiver.close()


def test_ready_and_status_arrive(notify_socket):
    assert sdnotify.ready("serving")
    assert notify_socket.wait_for("READY=1")[-1] == "READY=1\nSTATUS=serving"


def test_abstract_socket(monkeypatch):
    name = f"hallcall-test-{os.getpid()}"
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    receiver.bind("\0" + name)
    receiver.settimeout(5)
    try:
        monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
        assert sdnotify.notify("READY=1")
        assert receiver.recv(100) == b"READY=1"
    finally:
        receiver.close()


def test_nothing_outside_systemd(monkeypatch):
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    monkeypatch.delenv("WATCHDOG_USEC", raising=False)
    assert sdnotify.ready() is False
    assert sdnotify.ping() is False
    assert sdnotify.keep_alive(threading.Event()) is None


def test_a_watchdog_of_another_process_is_not_ours(notify_socket, monkeypatch):
    monkeypatch.setenv("WATCHDOG_PID", "1")
    assert sdnotify.watchdog_interval() is None
    monkeypatch.setenv("WATCHDOG_PID", str(os.getppid()))  # cage started us
    assert sdnotify.watchdog_interval() == pytest.approx(0.4)


def test_keep_alive_pings_until_stopped_and_not_when_unhealthy(notify_socket):
    stop = threading.Event()
    thread = sdnotify.keep_alive(stop)
    assert thread is not None
    notify_socket.wait_for("WATCHDOG=1")
    stop.set()
    thread.join(2)
    assert not thread.is_alive()
    before = len(notify_socket.drain())

    sick = threading.Event()
    thread = sdnotify.keep_alive(sick, healthy=lambda: False)
    time.sleep(0.5)  # five intervals/4: a healthy loop would have pinged
    sick.set()
    assert thread is not None
    thread.join(2)
    assert len(notify_socket.drain()) == before  # not one ping while unhealthy


def test_a_headless_device_is_ready_and_pings(notify_socket):
    """The device kit's loop (keypad terminal, signs, voice): stop_on_signals."""
    from hallcall.device_kit.lifecycle import stop_on_signals

    old = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    try:
        stop = stop_on_signals()
        notify_socket.wait_for("READY=1")
        notify_socket.wait_for("WATCHDOG=1")
        stop.set()
    finally:
        signal.signal(signal.SIGTERM, old[0])
        signal.signal(signal.SIGINT, old[1])


@pytest.mark.mqtt
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_queue_broker_is_ready_once_serving_and_pings_from_its_loop(
    notify_socket, queue_broker, hall_config
):
    # (Debian's Mosquitto, started by the fixture with the same $NOTIFY_SOCKET, sends its own
    # READY=1: the queue broker's is the one with its status.)
    queue_broker()
    serving = f"STATUS=serving {hall_config.hall.id} on 127.0.0.1"
    messages = notify_socket.wait_for(serving)
    assert f"READY=1\n{serving}" in messages, messages
    notify_socket.wait_for("WATCHDOG=1")


@pytest.mark.mqtt
def test_device_client_reports_its_connection(notify_socket, device):
    device("kiosk", "kiosk-1")
    notify_socket.wait_for("STATUS=kiosk/kiosk-1: connected to MQTT")


def test_web_server_is_ready_once_listening(tmp_path):
    """A real `serve` (uvicorn) in its own process: READY=1 after it listens, then pings."""
    from hallcall.demo.embedded_mqtt import free_port

    path = str(tmp_path / "notify.sock")
    receiver = Receiver(path)
    port = free_port()
    code = (
        "from starlette.applications import Starlette\n"
        "from hallcall.web.cli import serve\n"
        f"serve(Starlette(), '127.0.0.1', {port})\n"
    )
    env = dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC="400000")
    env.pop("WATCHDOG_PID", None)
    proc = subprocess.Popen([sys.executable, "-c", code], env=env)
    try:
        messages = receiver.wait_for("READY=1", timeout=30)
        assert f"READY=1\nSTATUS=serving http://127.0.0.1:{port}" in messages
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass  # it listens when it says so
        receiver.wait_for("WATCHDOG=1")
    finally:
        proc.terminate()
        proc.wait(10)
        receiver.close()


def test_a_qt_app_is_ready_once_its_loop_runs_and_pings_from_it(notify_socket, qapp):
    """The screen apps' loop (exec_until_signalled): READY=1 from inside Qt's loop, a ping on
    its own timer, STOPPING=1 when it ends."""
    from PySide6.QtCore import QTimer

    from hallcall.device_kit.lifecycle import exec_until_signalled

    old = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    try:
        QTimer.singleShot(1200, qapp.quit)
        exec_until_signalled(qapp)
    finally:
        signal.signal(signal.SIGTERM, old[0])
        signal.signal(signal.SIGINT, old[1])
    messages = notify_socket.wait_for("STOPPING=1")
    assert messages.index("READY=1") < messages.index("WATCHDOG=1") < messages.index("STOPPING=1")
