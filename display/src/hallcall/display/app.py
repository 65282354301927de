"""The lobby display app: MQTT retained state -> LobbyModel -> LobbyScreen (+ voice).

Everything shown comes from retained state, so after a reboot or a broker restart the screen
is right as soon as the retained messages arrive, without asking anyone. The app subscribes
only to `state/...` (and `server/status`, which every device hears): no events, no commands.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QApplication

from hallcall.device_kit.app import DeviceApp, device_client, run_device_app
from hallcall.device_kit.fonts import install_cjk_font
from hallcall.mqtt.client import DeviceClient
from hallcall.protocol.payloads import CatalogView

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
    """The device kit's app with the lobby's model and screen, and (optionally) the voice."""

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
        self.model = LobbyModel(settings.languages, recent=settings.recent_calls)
        self.screen = LobbyScreen(
            settings.layout, flash_s=settings.flash_s, marquee_speed=settings.marquee_speed, now=now
        )
        self.voice = voice
        self._on_calls = on_calls
        self._voice_of: object = None  # the catalog whose voice settings the caller follows
        self.device = DeviceApp(
            client or device_client(settings, "display", SUBSCRIPTIONS),
            self.model,
            screen=self.screen,
            tick_ms=None,  # the screen animates itself; nothing here counts down
            parent=self,
        )
        self.client = self.device.client
        self.device.changed.connect(self._changed)  # at once: `fresh` is the last input's
        self.screen.show_snapshot(self.model.snapshot())

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        self.device.start()

    def show(self) -> None:
        if self.settings.fullscreen:
            self.screen.setCursor(Qt.CursorShape.BlankCursor)
        self.device.show(self.settings.fullscreen)

    def stop(self) -> None:
        """Close the screen, leave MQTT, stop the voice (queued calls are dropped)."""
        self.device.stop()
        if self.voice is not None:
            self.voice.close(drain=False)

    # ------------------------------------------------------------------ after each input
    def _changed(self) -> None:
        fresh, self.model.fresh = self.model.fresh, []
        catalog = self.client.views.get("state/catalog")
        if self.voice is not None and isinstance(catalog, CatalogView):
            if catalog is not self._voice_of:
                self._voice_of = catalog
                self.voice.follow_hall(catalog.hall.get("voice"))
        self.screen.show_snapshot(self.model.snapshot())
        if fresh:
            self.screen.flash(fresh[-1].window)
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
    if settings.fullscreen:
        display.screen.setCursor(Qt.CursorShape.BlankCursor)
    return run_device_app(
        display.device, fullscreen=settings.fullscreen, qt_app=app, before_stop=display.stop
    )
