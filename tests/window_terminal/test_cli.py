"""`hallcall window`: the device file, its check, and the app started the way a Pi starts it."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from hallcall.cli import main
from hallcall.device_kit.device_file import DeviceFileError, load_device_file
from hallcall.window_terminal.settings import TerminalSettings

EXAMPLE = Path(__file__).resolve().parents[2] / "window_terminal" / "examples" / "window.toml"


def test_the_example_device_file_is_valid(capsys):
    settings = load_device_file(TerminalSettings, EXAMPLE)
    assert (settings.hall, settings.window, settings.show_ui, settings.keys) == (
        "campus-hall",
        "w01",
        True,
        None,
    )
    assert main(["window", "--device", str(EXAMPLE), "--check"]) == 0
    assert (
        "OK - hall 'campus-hall', window 'w01', keypad none, app, mqtt://127.0.0.1:1883"
        in capsys.readouterr().out
    )
    assert (
        main(
            ["window", "--device", str(EXAMPLE), "--check", "--mqtt-host", "10.0.0.5", "--headless"]
        )
        == 0
    )
    assert "keypad none, headless, mqtt://10.0.0.5:1883" in capsys.readouterr().out


def test_a_bad_device_file_lists_every_problem(tmp_path, capsys):
    bad = tmp_path / "window.toml"
    bad.write_text(
        'hall = "Campus Hall"\nwindow = "w01"\nshow_ui = false\nlanguage = "fr"\n'
        '[keypad]\nkind = "serial"\naddress = "1"\n',
        encoding="utf-8",
    )
    assert main(["window", "--device", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "hall:" in err and "language:" in err and "keys" in err
    headless = tmp_path / "headless.toml"
    headless.write_text('hall = "h"\nwindow = "w01"\nshow_ui = false\n', encoding="utf-8")
    with pytest.raises(DeviceFileError, match="needs \\[keys\\]"):
        load_device_file(TerminalSettings, headless)
    with pytest.raises(DeviceFileError, match="no such file"):
        load_device_file(TerminalSettings, tmp_path / "missing.toml")


def test_gpio_keypad_in_the_device_file(tmp_path):
    f = tmp_path / "window.toml"
    f.write_text(
        'hall = "campus-hall"\ndevice = "w03"\nshow_ui = false\nstaff = "s201"\n'
        '[keys]\nkind = "gpio"\npins = { next = 23, recall = 24, no_show = 25, finish = 8, pause = 7 }\n',
        encoding="utf-8",
    )
    settings = load_device_file(TerminalSettings, f)
    assert settings.keys is not None and settings.keys.kind == "gpio"
    assert len(settings.keys.pins) == 5


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_hallcall_window_starts_the_app(tmp_path, queue_broker, mosquitto):
    """`hallcall window` as a real process (in-process, app.exec() would leave Qt's loop quit
    for the tests after it): it comes online on its status topic and stops cleanly on SIGTERM."""
    import os
    import subprocess
    import sys

    from tests.support.mqtt import RawClient, wait_for

    queue_broker()
    f = tmp_path / "window.toml"
    f.write_text(
        f'hall = "campus-hall"\nwindow = "w02"\nlanguage = "en"\n[mqtt]\nport = {mosquitto.port}\n',
        encoding="utf-8",
    )
    raw = RawClient(mosquitto.port)
    raw.subscribe("hallcall/v1/campus-hall/device/window/w02/status")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HALLCALL_MQTT_")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    proc = subprocess.Popen(
        [sys.executable, "-m", "hallcall.cli", "window", "--device", str(f)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(
            lambda: any(p.get("state") == "online" for _, p in raw.messages), 30, "terminal online"
        )
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0, proc.stdout.read()
        wait_for(lambda: raw.messages[-1][1].get("state") == "offline", 10, "terminal offline")
    finally:
        if proc.poll() is None:
            proc.kill()
        raw.stop()
