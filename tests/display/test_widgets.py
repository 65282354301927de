"""The lobby screen's parts without a broker: flash timing, marquee, empty and English-only screens."""

from __future__ import annotations

import time

from hallcall.display.model import LobbyModel
from hallcall.display.widgets import LobbyScreen, grid_shape
from tests.display.synthetic import SyntheticHall
from tests.support.screens import save_screenshot


def model_with_calls(languages=("zh", "en"), calls=5) -> LobbyModel:
    hall = SyntheticHall(windows=20)
    model = LobbyModel(languages)
    model.set_connected(True)
    model.apply("server/status", {"state": "online"})
    for topic, payload in hall.opening():
        model.apply(topic, payload)
    for i in range(calls):
        for topic, payload in hall.call(i):
            model.apply(topic, payload)
    return model


def test_grid_shapes_fit_twenty_windows_on_both_screens():
    assert grid_shape(20, 1228, 720) == (5, 4)
    assert grid_shape(20, 1032, 900) == (4, 5)
    assert grid_shape(1, 1000, 500) == (1, 1)


def test_new_call_flashes_for_flash_s_then_stops(qtbot, lobby_fonts):
    screen = LobbyScreen("landscape", flash_s=0.5)
    qtbot.addWidget(screen)
    screen.show_snapshot(model_with_calls().snapshot())
    screen.show()
    screen.flash("w05")
    assert screen.flashing and screen.now_calling.flash_on and screen.grid.highlight == "w05"
    qtbot.waitUntil(lambda: not screen.flashing, timeout=3000)
    assert not screen.now_calling.flash_on and screen.grid.highlight is None
    screen.close()


def test_notice_scrolls(qtbot, lobby_fonts):
    screen = LobbyScreen("landscape", marquee_speed=400)
    qtbot.addWidget(screen)
    screen.show_snapshot(model_with_calls().snapshot())
    screen.show()
    assert screen.marquee.timer.isActive()
    sw = 2000.0
    first = screen.marquee.offset(1920, sw)
    time.sleep(0.1)
    assert screen.marquee.offset(1920, sw) < first  # moving left
    screen.close()


def test_connecting_screen_before_any_state(qtbot, lobby_fonts):
    screen = LobbyScreen("portrait")
    qtbot.addWidget(screen)
    screen.show_snapshot(LobbyModel().snapshot())
    screen.show()
    assert screen.cover.isVisible() and screen.cover.reason == "connecting"
    save_screenshot(screen, "lobby-connecting")
    assert "正在连接叫号系统…" in screen.drawn_texts()["cover"]
    assert "请留意叫号" in screen.drawn_texts()["now"]
    screen.close()


def test_lost_connection_says_so(qtbot, lobby_fonts):
    model = model_with_calls()
    model.set_connected(False)
    screen = LobbyScreen("landscape")
    qtbot.addWidget(screen)
    screen.show_snapshot(model.snapshot())
    screen.show()
    assert screen.cover.reason == "connection"
    screen.close()


def test_english_only_hall(qtbot, lobby_fonts):
    screen = LobbyScreen("landscape")
    qtbot.addWidget(screen)
    model = model_with_calls(("en",), calls=12)
    screen.show_snapshot(model.snapshot())
    screen.show()
    path = save_screenshot(screen, "lobby-english-only")
    texts = screen.drawn_texts()
    assert "Please go to window 12" in texts["now"]
    assert "Now calling" in texts["now"] and "正在叫号" not in texts["now"]
    assert path.exists()
    screen.close()
