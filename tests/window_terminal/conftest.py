"""Fixtures for the clerk terminal: a real queue broker on a real Mosquitto, and the Qt window."""

from __future__ import annotations

import threading

import pytest

from tests.support.mqtt import wait_for
from tests.support.screens import save_screenshot

SUBS = ["state/catalog", "state/window/w01", "state/queue/+", "event/rating.recorded"]


class Events:
    """Every event of the hall, in order, as a lobby display hears them."""

    def __init__(self, client):
        self.client = client
        self.items: list[tuple[str, dict]] = []
        self._lock = threading.Lock()
        client.on_event(self._add)

    def _add(self, topic: str, payload: dict) -> None:
        with self._lock:
            self.items.append((topic.removeprefix("event/"), payload))

    def of(self, kind: str) -> list[dict]:
        with self._lock:
            return [p for k, p in self.items if k == kind]


@pytest.fixture
def broker(queue_broker):
    return queue_broker()


@pytest.fixture
def kiosk(broker, device):
    k = device("kiosk", "kiosk-1")

    def issue(department="registrar", matter="transcript", priority="normal"):
        reply = k.request("ticket.issue", department=department, matter=matter, priority=priority)
        assert reply["ok"], reply
        return reply["data"]["ticket"]

    return issue


@pytest.fixture
def events(broker, device):
    return Events(device("display", "lobby", ["event/#"]))


@pytest.fixture
def make_terminal(broker, device, qtbot, clock):
    """`make_terminal(lang=..., keypads=...)`: the real window for w01, shown and connected."""

    from hallcall.window_terminal.app import TerminalApp

    terminals = []

    def make(lang="zh", keypads=(), window_id="w01", client=None, timeout=5.0):
        client = client or device("window", window_id, [s.replace("w01", window_id) for s in SUBS])
        terminal = TerminalApp(
            client, lang=lang, keypads=list(keypads), now=clock.now, request_timeout_s=timeout
        )
        terminals.append(terminal)
        win = terminal.window
        win.terminal = terminal  # the test's handle on the app behind the window
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        win.activateWindow()
        settle(win)
        return win

    yield make
    for terminal in terminals:
        terminal.stop()


def settle(win, what="terminal ready"):
    """Wait until the window has the broker's catalog and its own state, and nothing is in flight."""
    from PySide6.QtWidgets import QApplication

    wait_for(
        lambda: win.model.catalog is not None
        and win.model.window is not None
        and win.model.server_online
        and win.model.in_flight is None,
        what=what,
        pump=QApplication.processEvents,
    )


def idle(win, what="reply"):
    from PySide6.QtWidgets import QApplication

    wait_for(lambda: win.model.in_flight is None, what=what, pump=QApplication.processEvents)


def until(predicate, what="condition", timeout=10.0):
    from PySide6.QtWidgets import QApplication

    wait_for(predicate, timeout=timeout, what=what, pump=QApplication.processEvents)


def shot(win, name):
    return save_screenshot(win, f"window-terminal-{name}")
