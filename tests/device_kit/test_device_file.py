"""One device file for every device app: the same keys, the same loader, the same errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from hallcall.cli import main
from hallcall.device_kit.device_file import DeviceFile, DeviceFileError, load_device_file
from hallcall.display.settings import DisplaySettings, SignSettings
from hallcall.kiosk.settings import KioskSettings
from hallcall.rating_pad.settings import PadSettings
from hallcall.window_terminal.settings import TerminalSettings

ROOT = Path(__file__).resolve().parents[2]

#: command, settings model, example device file, what the rest of a minimal file needs
APPS = [
    ("kiosk", KioskSettings, "kiosk/examples/kiosk.toml", ""),
    ("window", TerminalSettings, "window_terminal/examples/window.toml", ""),
    ("rating-pad", PadSettings, "rating_pad/examples/rating-pad.toml", ""),
    ("display", DisplaySettings, "display/examples/display.toml", ""),
    (
        "sign",
        SignSettings,
        "display/examples/sign.toml",
        '[[signs]]\nwindow = "w01"\nkind = "fake"\n',
    ),
]


@pytest.mark.parametrize(("command", "model", "example", "rest"), APPS, ids=[a[0] for a in APPS])
def test_every_app_reads_the_same_keys_and_checks_its_file(
    command, model, example, rest, tmp_path, capsys
):
    assert issubclass(model, DeviceFile)
    settings = load_device_file(model, ROOT / example)
    assert settings.hall == "campus-hall"
    # --check with the MQTT overrides every app takes
    assert (
        main(
            [
                command,
                "--device",
                str(ROOT / example),
                "--check",
                "--mqtt-host",
                "10.9.8.7",
                "--mqtt-port",
                "1884",
            ]
        )
        == 0
    )
    assert "OK" in (out := capsys.readouterr().out) and "mqtt://10.9.8.7:1884" in out

    minimal = tmp_path / "device.toml"
    minimal.write_text(f'hall = "campus-hall"\ndevice = "dev-1"\n{rest}', encoding="utf-8")
    assert load_device_file(model, minimal).device == "dev-1"

    bad = tmp_path / "bad.toml"
    bad.write_text(
        f'hall = "Campus Hall"\ndevice = "dev-1"\ncolour = "red"\n{rest}[mqtt]\nport = 0\n',
        encoding="utf-8",
    )
    with pytest.raises(DeviceFileError) as err:
        load_device_file(model, bad)
    assert [p.split(":")[0].strip() for p in err.value.problems] == ["hall", "mqtt.port", "colour"]
    assert str(err.value).startswith(f"{bad}: 3 problem(s)\n  hall: String should match")
    assert main([command, "--device", str(bad), "--check"]) == 2
    assert capsys.readouterr().err.strip() == str(err.value)

    with pytest.raises(DeviceFileError, match="no such file"):
        load_device_file(model, tmp_path / "missing.toml")
    (tmp_path / "broken.toml").write_text('hall = "campus-hall\n', encoding="utf-8")
    with pytest.raises(DeviceFileError, match="not valid TOML"):
        load_device_file(model, tmp_path / "broken.toml")


def test_a_pis_file_from_before_the_keys_were_unified_is_still_read(tmp_path):
    old = tmp_path / "old.toml"
    old.write_text('hall = "h"\npad = "pad-w01"\nsize = "1024x600"\nfont_path = "/f.ttf"\n')
    pad = load_device_file(PadSettings, old)
    assert (pad.device, pad.size, pad.font) == ("pad-w01", (1024, 600), "/f.ttf")
    old.write_text('hall = "h"\nwindow = "w03"\nshow_ui = false\n[keypad]\nkind = "fake"\n')
    terminal = load_device_file(TerminalSettings, old)
    assert (terminal.device, terminal.window, terminal.keys and terminal.keys.kind) == (
        "w03",
        "w03",
        "fake",
    )
    old.write_text('hall = "h"\nwindow_size = [1920, 1080]\n')
    assert load_device_file(KioskSettings, old).size == (1920, 1080)


def test_both_spellings_of_a_key_is_an_error_not_a_guess(tmp_path):
    f = tmp_path / "pad.toml"
    f.write_text('hall = "h"\npad = "pad-w01"\ndevice = "pad-w02"\n')
    with pytest.raises(DeviceFileError, match="`pad` is the older name of `device`"):
        load_device_file(PadSettings, f)
    f.write_text('hall = "h"\ndevice = "p"\nsize = "wide"\n')
    with pytest.raises(DeviceFileError, match=r"size: a size is \[width, height\]"):
        load_device_file(PadSettings, f)


def test_command_line_overrides_replace_the_files_keys(tmp_path):
    f = tmp_path / "kiosk.toml"
    f.write_text('hall = "h"\nfullscreen = true\n[mqtt]\nhost = "10.0.0.1"\n')
    s = load_device_file(KioskSettings, f, fullscreen=False, size=None)
    assert (s.fullscreen, s.size, s.mqtt.host) == (False, (1080, 1920), "10.0.0.1")
    with pytest.raises(DeviceFileError, match="fullscreen"):
        load_device_file(KioskSettings, f, fullscreen="sometimes")
