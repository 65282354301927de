"""One device process: its MQTT client, a model fed with what the client hears, a screen.

Every device app is built the same way: `DeviceApp(client, model, screen=...)`. The app moves
what paho hears to the GUI thread (`DeviceBridge`), hands it to the model typed (`DeviceModel`),
ticks the model, and emits `changed` after every input so the screen and any outputs follow;
`request` is the kit's one request style with the reply handed to the model on the GUI thread.
A new device kind (a corridor's queue TV, a ticket scanner) is a model, a screen and a device
file: `run_device_app(DeviceApp(device_client(settings, kind, topics), model, screen=screen))`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtWidgets import QWidget

from hallcall.device_kit.bridge import DeviceBridge
from hallcall.device_kit.client import device_client
from hallcall.device_kit.device_model import DeviceModel
from hallcall.device_kit.lifecycle import exec_until_signalled, show_screen
from hallcall.mqtt.client import DeviceClient, ReplyHandler
from hallcall.protocol.payloads import Payload, ServerStatus

__all__ = ["DeviceApp", "device_client", "run_device_app"]

#: How often a model is ticked (countdowns, idle return).
TICK_MS = 200


class DeviceApp(QObject):
    """Feeds `model` from `client` on this object's thread; `start()` connects, `stop()` leaves.

    `changed` is emitted after every input the model took (a state, an event, the connection, a
    reply, a tick), so whatever renders or sends on the model's behalf connects to it.
    """

    changed = Signal()

    def __init__(
        self,
        client: DeviceClient,
        model: DeviceModel,
        *,
        screen: QWidget | None = None,
        tick_ms: int | None = TICK_MS,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.client = client
        self.model = model
        self.screen = screen
        self.bridge = DeviceBridge(client, self)
        self.bridge.view_heard.connect(self._heard)
        self.bridge.connection.connect(self._connection)
        self.bridge.commands_answered.connect(self._commands_answered)
        self.bridge.reply_heard.connect(self._late_reply)
        self._timer = QTimer(self)
        if tick_ms is not None:
            self._timer.setInterval(tick_ms)
            self._timer.timeout.connect(self._tick)
        self._ticks = tick_ms is not None
        self._stopped = False
        self._replay()

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Connect (a client started already, as tests hand in, is left as it is)."""
        self.client.start()
        if self._ticks:
            self._timer.start()

    def show(self, fullscreen: bool, size: tuple[int, int] | None = None) -> None:
        """Show the screen full screen, or as a window of `size` (`--windowed`)."""
        if self.screen is not None:
            show_screen(self.screen, fullscreen, size)

    def stop(self) -> None:
        """Stop ticking, leave MQTT (the device's status says offline), close the screen."""
        if self._stopped:
            return
        self._stopped = True
        self._timer.stop()
        try:
            self.client.stop()
        finally:
            if self.screen is not None:
                self.screen.close()

    # ------------------------------------------------------------------ out
    def request(
        self,
        op: str,
        on_reply: ReplyHandler | None = None,
        *,
        timeout: float | None = 5.0,
        request_id: str | None = None,
        **args: Any,
    ) -> str:
        """Send `op` (see `DeviceClient.submit`); its reply, or the "timeout" reply at the
        deadline, goes to `on_reply` (default: the model's `late_reply`) on this thread."""
        handler = on_reply or self.model.late_reply

        def replied(reply: dict[str, Any]) -> None:
            handler(reply)
            self.changed.emit()

        return self.bridge.request(op, replied, timeout=timeout, request_id=request_id, **args)

    def set_health(self, **health: Any) -> None:
        """Publish the device's health (e.g. printer="paper_out") on its retained status."""
        self.client.set_health(**health)

    # ------------------------------------------------------------------ in (this thread)
    def _replay(self) -> None:
        """What the client already holds: it may have connected before this app existed."""
        self.model.connection_changed(self.client.connected.is_set())
        server = self.client.views.get("server/status") or ServerStatus(
            state="online" if self.client.server_online else "offline"
        )
        self.model.heard("server/status", server)
        held = sorted((t, v) for t, v in list(self.client.views.items()) if t.startswith("state/"))
        for topic, view in sorted(held, key=lambda tv: tv[0] != "state/catalog"):
            self.model.heard(topic, view)
        self.changed.emit()

    def _heard(self, topic: str, view: Payload) -> None:
        self.model.heard(topic, view)
        self.changed.emit()

    def _connection(self, up: bool) -> None:
        self.model.connection_changed(up)
        self.changed.emit()

    def _commands_answered(self, answered: bool | None) -> None:
        self.model.commands_answered(answered)
        self.changed.emit()

    def _late_reply(self, reply: dict[str, Any]) -> None:
        self.model.late_reply(reply)
        self.changed.emit()

    def _tick(self) -> None:
        self.model.tick()
        self.changed.emit()


def run_device_app(
    app: DeviceApp,
    *,
    fullscreen: bool = True,
    size: tuple[int, int] | None = None,
    qt_app: QCoreApplication | None = None,
    before_stop: Callable[[], None] | None = None,
) -> int:
    """Start `app`, show its screen (if it has one; see `show`), run Qt's loop until the window
    closes or SIGINT/SIGTERM, then run `before_stop` and stop it."""
    loop = qt_app or QCoreApplication.instance()
    if loop is None:
        raise RuntimeError("run_device_app needs a QApplication (or QCoreApplication)")
    app.start()
    app.show(fullscreen, size)
    try:
        return exec_until_signalled(loop)
    finally:
        if before_stop is not None:
            before_stop()
        app.stop()
