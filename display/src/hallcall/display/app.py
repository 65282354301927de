"""The lobby display app: MQTT retained state -> LobbyModel -> LobbyScreen (+ voice).

Everything shown comes from retained state, so after a reboot or a broker restart the screen
is right as soon as the retained messages arrive, without asking anyone. The app subscribes
only to `state/...` (and `server/status`, which every device hears): no events, no commands.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QApplication

from hallcall.device_kit.bridge import DeviceBridge
from hallcall.device_kit.fonts import install_cjk_font
from hallcall.device_kit.lifecycle import exec_until_signalled, show_screen
from hallcall.mqtt.client import DeviceClient

from .model import Call, LobbyModel
from .settings import DisplaySettings
from .voice_caller import VoiceCaller
from .widgets import Fonts, LobbyScreen

log = logging.getLogger(__name__)

SUBSCRIPTIONS = ["state/catalog", "state/window/+", "state/queue/+", "state/calls"]


def setup_fonts(app: QApplication, extra: str | None = None) -> str | None:
    family = install_cjk_font(app, extra)
    Fonts.setup(family)
    return family


class LobbyDisplay(QObject):
    """Owns the MQTT client, the model, the screen and (optionally) the voice caller."""

    def __init__(
        self,
        settings: DisplaySettings,
        *,
        client: DeviceClient | None = None,
        voice: VoiceCaller | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        on_calls: Callable[[list[Call]], None] | None = None,
    ):
        super().__init__()
        self.settings = settings
        self.client = client or DeviceClient(
            settings.hall, "display", settings.device, settings.mqtt.settings(), SUBSCRIPTIONS
        )
        self.model = LobbyModel(settings.languages, recent=settings.recent_calls)
        self.screen = LobbyScreen(
            settings.layout, flash_s=settings.flash_s, marquee_speed=settings.marquee_speed, now=now
        )
        self.voice = voice
        self._on_calls = on_calls
        self.bridge = DeviceBridge(self.client, self)
        self.bridge.state.connect(self._on_state, Qt.ConnectionType.QueuedConnection)
        self.bridge.connection.connect(self._on_connection, Qt.ConnectionType.QueuedConnection)
        self.screen.show_snapshot(self.model.snapshot())

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        self.client.start()

    def show(self) -> None:
        if self.settings.fullscreen:
            self.screen.setCursor(Qt.CursorShape.BlankCursor)
        show_screen(self.screen, self.settings.fullscreen)

    def stop(self) -> None:
        """Close the screen, leave MQTT, stop the voice (queued calls are dropped)."""
        self.screen.close()
        self.client.stop()
        if self.voice is not None:
            self.voice.close(drain=False)

    # ------------------------------------------------------------------ input (GUI thread)
    def _on_connection(self, up: bool) -> None:
        self.model.set_connected(up)
        self.screen.show_snapshot(self.model.snapshot())

    def _on_state(self, topic: str, payload: dict[str, Any]) -> None:
        # The bridge can deliver a state queued before the connection signal: being heard
        # means being connected.
        self.model.set_connected(self.client.connected.is_set())
        fresh = self.model.apply(topic, payload)
        if topic == "state/catalog" and self.voice is not None:
            self.voice.follow_hall((payload.get("hall") or {}).get("voice"))
        snap = self.model.snapshot()
        self.screen.show_snapshot(snap)
        if fresh:
            newest = fresh[-1]
            self.screen.flash(newest.window)
            if self.voice is not None:
                self.voice.call(fresh)
            if self._on_calls is not None:
                self._on_calls(fresh)


def run(settings: DisplaySettings) -> int:
    """`hallcall display`: the full-screen lobby app until the window is closed or SIGTERM."""

    existing = QApplication.instance()
    if existing is not None and not isinstance(existing, QApplication):
        raise RuntimeError("the lobby screen needs a QApplication, not a QCoreApplication")
    app = existing or QApplication([])
    setup_fonts(app, settings.font)
    voice = None
    if settings.voice.enabled:
        try:
            voice = VoiceCaller(settings.voice)
        except Exception:  # a hall without sound still calls numbers on screen
            log.exception("voice calls are off: the speech engine could not start")
    display = LobbyDisplay(settings, voice=voice)
    display.start()
    display.show()
    try:
        return exec_until_signalled(app)
    finally:
        display.stop()
