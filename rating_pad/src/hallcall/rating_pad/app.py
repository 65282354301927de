"""Builds and runs a rating pad: MQTT client, model, controller, screen and/or physical keys."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from hallcall.device_kit.lifecycle import exec_until_signalled, show_screen
from hallcall.mqtt.client import DeviceClient
from hallcall.mqtt.connection import MqttSettings
from hallcall.rating_pad.controller import SUBSCRIPTIONS, PadController
from hallcall.rating_pad.model import DEFAULT_REASONS, RatingPadModel, Reason
from hallcall.rating_pad.physical import PhysicalPad
from hallcall.rating_pad.settings import PadSettings

if TYPE_CHECKING:  # the widgets import Qt's GUI modules; a pad without a screen never loads them
    from PySide6.QtCore import QCoreApplication

    from hallcall.rating_pad.widgets import PadWindow

log = logging.getLogger(__name__)


@dataclass
class RatingPadApp:
    client: DeviceClient
    model: RatingPadModel
    controller: PadController
    window: PadWindow | None = None  # only when there is a screen

    def close(self) -> None:
        self.controller.stop()
        if self.window is not None:
            self.window.close()
            self.window.deleteLater()


def make_model(settings: PadSettings, now: Callable[[], datetime] | None = None) -> RatingPadModel:
    reasons = (
        tuple(Reason(r.code, r.zh, r.en) for r in settings.reasons)
        if settings.reasons is not None
        else DEFAULT_REASONS
    )
    return RatingPadModel(
        settings.device,
        now,
        language=settings.language,
        follow_up_on=settings.follow_up_on,
        reasons=reasons,
        follow_up_s=settings.follow_up_s,
        thanks_s=settings.thanks_s,
    )


def build(
    settings: PadSettings,
    client: DeviceClient | None = None,
    now: Callable[[], datetime] | None = None,
    mqtt: MqttSettings | None = None,
    show_ui: bool | None = None,
) -> RatingPadApp:
    """Everything but the event loop; needs a QApplication (a QCoreApplication without a screen).

    `client` may be given (tests pass a connected one subscribed to `SUBSCRIPTIONS`); otherwise
    one is made and started. `now` replaces the clock (tests use the queue broker's fake clock).
    """
    if client is None:
        client = DeviceClient(
            settings.hall,
            "rating",
            settings.device,
            mqtt or settings.mqtt.settings(),
            SUBSCRIPTIONS,
            probe=True,  # an ACL that refuses its commands is logged (device.ping)
        )
        client.start()
    model = make_model(settings, now)
    controller = PadController(client, model)
    ui = settings.show_ui if show_ui is None else show_ui
    if settings.keys is not None:
        physical = PhysicalPad.open(settings.keys, controller.post_key)
        controller.attach_keys(physical, follow_up=ui)
    window = None
    if ui:
        from hallcall.rating_pad.widgets import PadWindow

        window = PadWindow(controller, settings.photo_dir)
        w, h = settings.size
        window.resize(w, h)
    controller.start()
    return RatingPadApp(client, model, controller, window)


def run(settings: PadSettings) -> int:
    """Run a pad until Ctrl-C / SIGTERM (--windowed and --mqtt-* are in `settings` already)."""
    if settings.show_ui:
        from PySide6.QtWidgets import QApplication

        from hallcall.device_kit.fonts import install_cjk_font

        existing = QApplication.instance()
        if existing is not None and not isinstance(existing, QApplication):
            raise RuntimeError("a pad with a screen needs a QApplication, not a QCoreApplication")
        gui_app = existing or QApplication(sys.argv[:1])
        install_cjk_font(gui_app, settings.font)
        qt_app: QCoreApplication = gui_app
    else:
        from PySide6.QtCore import QCoreApplication

        qt_app = QCoreApplication.instance() or QCoreApplication(sys.argv[:1])
    pad = build(settings)
    if pad.window is not None:
        show_screen(pad.window, settings.fullscreen)
    log.info("rating pad %s of hall %s started", settings.device, settings.hall)
    try:
        return exec_until_signalled(qt_app)
    finally:
        pad.close()
