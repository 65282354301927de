"""The doctor's machine checks of each device kind, and how it picks the kind (no MQTT)."""

from __future__ import annotations

import os

from hallcall.cli import main
from hallcall.device_kit import doctor
from hallcall.device_kit.device_file import load_device_file
from hallcall.display.doctor import sign_checks
from hallcall.display.settings import SignSettings
from hallcall.window_terminal.doctor import terminal_checks
from hallcall.window_terminal.settings import TerminalSettings


def write(tmp_path, text: str) -> str:
    path = tmp_path / "device.toml"
    path.write_text(text)
    return str(path)


def test_a_missing_keypad_port_fails_and_the_screen_only_warns(tmp_path, monkeypatch):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(doctor, "DRI_CARDS", str(tmp_path / "card*"))
    path = write(
        tmp_path,
        'hall = "campus-hall"\ndevice = "w01"\n[keys]\nkind = "serial"\n'
        'port = "/dev/ttyHALLCALL-KEYPAD"\n',
    )
    checks = terminal_checks(load_device_file(TerminalSettings, path))
    keypad = next(c for c in checks if c.what.startswith("keypad"))
    assert keypad.status == "FAIL" and "/dev/ttyHALLCALL-KEYPAD does not exist" in keypad.what
    screen = next(c for c in checks if c.what.startswith("screen:"))
    assert screen.status == "WARN" and "headless" in screen.fix  # a keypad can run --headless


def test_a_serial_port_this_user_may_not_use_names_its_group(tmp_path):
    port = tmp_path / "ttyFAKE"
    port.write_text("")
    os.chmod(port, 0o000)
    check = doctor.device_node_check("sign s1", str(port))
    if os.geteuid() == 0:  # root may use anything
        assert check.status == "OK"
    else:
        assert check.status == "FAIL" and "usermod -aG" in check.fix


def test_each_serial_sign_is_checked(tmp_path):
    path = write(
        tmp_path,
        'hall = "campus-hall"\ndevice = "signs"\n[[signs]]\nwindow = "w01"\nkind = "serial"\n'
        'port = "/dev/ttyHALLCALL-SIGN"\n[[signs]]\nwindow = "w02"\nkind = "fake"\n',
    )
    checks = sign_checks(load_device_file(SignSettings, path))
    assert [c.status for c in checks] == ["FAIL"]
    assert checks[0].what == "sign window-w01: /dev/ttyHALLCALL-SIGN does not exist"


def test_a_file_of_two_possible_kinds_asks_for_kind(tmp_path, capsys):
    path = write(tmp_path, 'hall = "campus-hall"\ndevice = "x1"\n')
    assert main(["doctor", "--device", path]) == 2
    assert "give --kind" in capsys.readouterr().err
    assert main(["doctor", "--device", str(tmp_path / "none.toml")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_the_line_format():
    assert doctor.fail("x", "do y").line() == "FAIL  x  -> do y"
    assert doctor.ok("x").line() == "OK    x"
