"""Fixtures of the display tests: fonts, and a lobby display app on the test's MQTT server."""

from __future__ import annotations

import pytest


@pytest.fixture
def lobby_fonts(qapp):
    from hallcall.display.app import setup_fonts

    family = setup_fonts(qapp)
    assert family, "no CJK font installed (apt-get install fonts-wqy-microhei)"
    return family


@pytest.fixture
def make_display(hall_config, mqtt_settings, lobby_fonts):
    """`make_display(layout=..., voice=..., **settings)` -> a started LobbyDisplay; stopped after."""
    from hallcall.display.app import LobbyDisplay
    from hallcall.display.settings import DisplaySettings
    from hallcall.mqtt.settings import MqttSection as MqttConfig

    made = []

    def make(layout: str = "landscape", voice=None, now=None, **overrides):
        settings = DisplaySettings(
            hall=hall_config.hall.id,
            device="lobby",
            mqtt=MqttConfig(host=mqtt_settings.host, port=mqtt_settings.port),
            layout=layout,
            fullscreen=False,
            voice={"enabled": voice is not None},
            **overrides,
        )
        calls: list = []
        kwargs = {"now": now} if now else {}
        display = LobbyDisplay(settings, voice=voice, on_calls=calls.extend, **kwargs)
        display.heard_calls = calls
        display.start()
        display.show()
        made.append(display)
        return display

    yield make
    for d in made:
        d.stop()
