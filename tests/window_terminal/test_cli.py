"""`hallcall window`: the device file, its check, and the app started the way a Pi starts it."""

from __future__ import annotations

import signal
from pathlib import Path

import hallcall.window_terminal as package
import pytest
from hallcall.window_terminal.settings import SettingsError, load_settings

from hallcall.cli import main

EXAMPLE = Path(package.__file__).parent / "example-window.toml"


def test_the_example_device_file_is_valid(capsys):
    settings = load_settings(EXAMPLE)
    assert (settings.hall, settings.window, settings.show_ui, settings.keypad) == ("campus-hall", "w01", True, None)
    assert main(["window", "--device", str(EXAMPLE), "--check"]) == 0
    assert "OK - hall 'campus-hall', window 'w01', mqtt 127.0.0.1:1883, keypad none, app" in capsys.readouterr().out
    assert main(["window", "--device", str(EXAMPLE), "--check", "--mqtt-host", "10.0.0.5", "--headless"]) == 0
    assert "mqtt 10.0.0.5:1883, keypad none, headless" in capsys.readouterr().out


def test_a_bad_device_file_lists_every_problem(tmp_path, capsys):
    bad = tmp_path / "window.toml"
    bad.write_text(
        'hall = "Campus Hall"\nwindow = "w01"\nshow_ui = false\nlanguage = "fr"\n'
        '[keypad]\nkind = "serial"\naddress = "1"\n',
        encoding="utf-8",
    )
    assert main(["window", "--device", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "hall:" in err and "language:" in err and "keypad" in err
    headless = tmp_path / "headless.toml"
    headless.write_text('hall = "h"\nwindow = "w01"\nshow_ui = false\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="needs a \\[keypad\\]"):
        load_settings(headless)
    with pytest.raises(SettingsError, match="No such file"):
        load_settings(tmp_path / "missing.toml")


def test_gpio_keypad_in_the_device_file(tmp_path):
    f = tmp_path / "window.toml"
    f.write_text(
        'hall = "campus-hall"\nwindow = "w03"\nshow_ui = false\nstaff = "s201"\n'
        '[keypad]\nkind = "gpio"\npins = { next = 23, recall = 24, no_show = 25, finish = 8, pause = 7 }\n',
        encoding="utf-8",
    )
    settings = load_settings(f)
    assert settings.keypad.kind == "gpio" and len(settings.keypad.pins) == 5


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_hallcall_window_starts_the_app(tmp_path, queue_broker, mosquitto, qtbot, monkeypatch):
    from hallcall.window_terminal.window import TerminalWindow
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    for name in ("HOST", "PORT", "USER", "PASSWORD"):
        monkeypatch.delenv(f"HALLCALL_MQTT_{name}", raising=False)
    queue_broker()
    f = tmp_path / "window.toml"
    f.write_text(f'hall = "campus-hall"\nwindow = "w02"\nlanguage = "en"\n[mqtt]\nport = {mosquitto.port}\n', encoding="utf-8")
    seen = {}

    def look():
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, TerminalWindow) and w.isVisible()]
        if windows and windows[0].model.catalog is not None and windows[0].model.window is not None:
            seen["title"] = windows[0].h_title.text()
            seen["login"] = windows[0].l_title.text()
            QApplication.quit()
        else:
            QTimer.singleShot(50, look)

    QTimer.singleShot(50, look)
    QTimer.singleShot(15000, QApplication.quit)  # never hang the suite
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    try:
        assert main(["window", "--device", str(f)]) == 0
    finally:
        signal.signal(signal.SIGINT, handlers[0])
        signal.signal(signal.SIGTERM, handlers[1])
    assert seen == {"title": "Window 2", "login": "Clerk log in"}
