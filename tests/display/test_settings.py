"""Device files and the `hallcall display` / `hallcall sign` commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from hallcall.cli import build_parser
from hallcall.device_kit.device_file import DeviceFileError as SettingsError
from hallcall.device_kit.device_file import load_device_file
from hallcall.display.settings import ALPHA_TEMPLATES, DisplaySettings, SignSettings

EXAMPLES = Path(__file__).resolve().parents[2] / "display" / "examples"


def test_example_device_files_load():
    display = load_device_file(DisplaySettings, EXAMPLES / "display.toml")
    assert (
        display.layout == "landscape"
        and display.voice.repeat is None  # follows the hall file's [hall.voice]
        and display.languages == ["zh", "en"]
    )
    signs = load_device_file(SignSettings, EXAMPLES / "sign.toml")
    assert [s.name for s in signs.signs] == ["sign-w01", "window-w03"]
    assert signs.signs[0].sign.protocol == "line" and signs.signs[0].sign.address == "01"
    assert signs.templates_for(signs.signs[0]).serving == "{number} 请到{window}号窗口"
    assert signs.templates_for(signs.signs[1]).serving == "{number} -> WINDOW {window}"


def test_alpha_signs_get_ascii_texts_unless_told_otherwise():
    s = SignSettings.model_validate(
        {
            "hall": "h",
            "device": "s1",
            "templates": {"serving": "{number} 请到{window}号窗口"},
            "signs": [{"window": "w1", "port": "/dev/ttyUSB0", "protocol": "alpha"}],
        }
    )
    assert s.templates_for(s.signs[0]) == ALPHA_TEMPLATES


def test_mistakes_are_reported_with_their_key(tmp_path):
    bad = tmp_path / "display.toml"
    bad.write_text(
        'hall = "campus-hall"\nlayout = "sideways"\n[voice]\nrepeat = 0\ntemplates = { zh = "请到{window}" }\n',
        encoding="utf-8",
    )
    with pytest.raises(SettingsError) as err:
        load_device_file(DisplaySettings, bad)
    text = str(err.value)
    assert "layout" in text and "voice.repeat" in text and "{number}" in text
    sign = tmp_path / "sign.toml"
    sign.write_text(
        'hall = "h"\ndevice = "s"\n[[signs]]\nport = "/dev/ttyUSB0"\n', encoding="utf-8"
    )
    with pytest.raises(SettingsError, match="window"):
        load_device_file(SignSettings, sign)
    sign.write_text(
        'hall = "h"\ndevice = "s"\n[[signs]]\nwindow = "w1"\nprotocol = "line"\n', encoding="utf-8"
    )
    with pytest.raises(SettingsError, match="port"):
        load_device_file(SignSettings, sign)
    with pytest.raises(SettingsError, match="no such file"):
        load_device_file(SignSettings, tmp_path / "missing.toml")


def test_mqtt_settings_fall_back_to_the_environment(monkeypatch):
    monkeypatch.setenv("HALLCALL_MQTT_HOST", "10.0.0.5")
    monkeypatch.setenv("HALLCALL_MQTT_PORT", "1884")
    s = load_device_file(DisplaySettings, EXAMPLES / "display.toml").model_copy(update={"mqtt": {}})
    from hallcall.mqtt.settings import MqttSection as MqttConfig

    m = MqttConfig().settings()
    assert (m.host, m.port) == ("10.0.0.5", 1884)
    assert s.hall == "campus-hall"


def test_cli_has_display_and_sign_commands():
    parser = build_parser()
    args = parser.parse_args(
        ["display", "--device", "d.toml", "--layout", "portrait", "--windowed", "--no-voice"]
    )
    assert args.device == "d.toml" and args.layout == "portrait" and args.windowed and args.no_voice
    args = parser.parse_args(["sign", "--device", "s.toml"])
    assert args.device == "s.toml"
    assert args.func(parser.parse_args(["sign", "--device", "/nonexistent/s.toml"])) == 2
