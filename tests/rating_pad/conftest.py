"""Helpers for the rating pad tests: a pad on a real queue broker, clerks that serve tickets."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hallcall.broker.storage.orm import RatingRow
from hallcall.rating_pad.controller import SUBSCRIPTIONS
from hallcall.rating_pad.model import Phase
from hallcall.rating_pad.settings import PadSettings
from tests.support.mqtt import wait_for


def pump() -> None:
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()


def ratings(engine) -> list[RatingRow]:
    with engine.connect() as c:
        return list(c.execute(select(RatingRow).order_by(RatingRow.rated_at)).all())


class Clerk:
    """A clerk terminal (window device) and a kiosk, as plain DeviceClients."""

    def __init__(
        self, device, window: str = "w01", staff: str = "s101", department: str = "registrar"
    ):
        self.window, self.department = window, department
        self.terminal = device("window", window)
        self.kiosk = device("kiosk", "kiosk-1")
        reply = self.terminal.request("window.login", staff=staff, post="A", pin="2468")
        assert reply["ok"], reply

    def issue(self) -> dict:
        reply = self.kiosk.request("ticket.issue", department=self.department)
        assert reply["ok"], reply
        return reply["data"]["ticket"]

    def call(self) -> dict:
        self.issue()
        reply = self.terminal.request("call.next")
        assert reply["ok"], reply
        return reply["data"]["ticket"]

    def serve(self) -> dict:
        """Issue, call and finish one ticket; returns the called ticket."""
        ticket = self.call()
        reply = self.terminal.request("ticket.finish", outcome="done")
        assert reply["ok"], reply
        return ticket


@pytest.fixture
def cjk(qapp):
    from hallcall.device_kit.fonts import install_cjk_font

    family = install_cjk_font(qapp)
    assert family, "no CJK font: apt-get install fonts-wqy-microhei"
    return family


@pytest.fixture
def start_pad(qapp, hall_config, device, clock):
    """`start_pad(**settings)` builds a pad on the test's Mosquitto, with the broker's fake clock."""
    from hallcall.rating_pad.app import build

    apps = []

    def start(pad: str = "pad-w01", size=(800, 480), show_ui: bool = True, **extra):
        settings = PadSettings(
            hall=hall_config.hall.id,
            device=pad,
            fullscreen=False,
            size=size,
            show_ui=show_ui,
            **extra,
        )
        client = device("rating", pad, SUBSCRIPTIONS)
        app = build(settings, client=client, now=clock.now)
        if app.window is not None:
            app.window.show()
        apps.append(app)
        wait_for(lambda: app.model.phase is not Phase.CONNECTING, what="the catalog", pump=pump)
        return app

    yield start
    for app in apps:
        app.close()
    pump()
