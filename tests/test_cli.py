"""The `hallcall` entry point: config check, AsyncAPI output, and the demo end to end."""

import subprocess
import sys
from pathlib import Path

from hallcall.cli import main
from hallcall.config.loader import EXAMPLE_HALL
from hallcall.protocol.asyncapi import render_yaml


def test_config_check_accepts_the_example(capsys):
    assert main(["config", "check", str(EXAMPLE_HALL)]) == 0
    out = capsys.readouterr().out
    assert "OK - hall 'campus-hall'" in out and "8 windows" in out


def test_config_check_warns_of_clerks_without_a_pin(tmp_path, capsys):
    text = EXAMPLE_HALL.read_text(encoding="utf-8")
    first_hash = next(line for line in text.splitlines() if line.startswith("pin_hash"))
    hall = tmp_path / "hall.toml"
    hall.write_text(text.replace(first_hash + "\n", "", 1), encoding="utf-8")
    assert main(["config", "check", str(hall)]) == 0
    out = capsys.readouterr().out
    assert "warning: 1 clerk cannot log in until they have a PIN" in out and "staff-pin" in out
    assert main(["config", "check", str(EXAMPLE_HALL)]) == 0
    out = capsys.readouterr().out
    assert "cannot log in" not in out and "still have the example's demo PIN 2468" in out


def test_config_check_lists_problems_and_fails(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('[hall]\nid = "Bad Id"\nname = { zh = "x" }\n', encoding="utf-8")
    try:
        main(["config", "check", str(bad)])
    except SystemExit as exc:
        assert exc.code == 2
    else:
        raise AssertionError("a bad config must fail")
    err = capsys.readouterr().err
    assert str(bad) in err and "hall.id:" in err and "departments:" in err


def test_docs_asyncapi_prints_the_contract(capsys):
    assert main(["docs", "asyncapi"]) == 0
    assert capsys.readouterr().out == render_yaml()


def test_the_demo_runs_the_whole_system_and_shows_it(tmp_path):
    """The README's demo, shortened: embedded MQTT, SQLite, simulated devices, printed events."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "hallcall.cli",
            "demo",
            "--seconds",
            "8",
            "--speed",
            "3",
            "--lang",
            "en",
            "--data",
            str(tmp_path / "data"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    out = result.stdout
    assert result.returncode == 0, out[-2000:] + result.stderr[-2000:]
    assert "embedded MQTT server on 127.0.0.1:" in out
    assert "ticket A001" in out or "ticket B001" in out
    assert "please go to window" in out
    assert "finished " in out and "rating received" in out
    assert "problem:" not in out, out
    assert (Path(tmp_path / "data") / "demo.db").exists()


def test_the_demo_speaks_chinese(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "hallcall.cli",
            "demo",
            "--seconds",
            "5",
            "--speed",
            "3",
            "--lang",
            "zh",
            "--data",
            str(tmp_path / "data"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "学生事务服务大厅" in result.stdout and "号窗口办理" in result.stdout


def test_demo_help_shows_only_real_defaults(capsys):
    """Issue #12 item 8: no "(default: None)" beside an option that has a default of its own."""
    import pytest as _pytest

    with _pytest.raises(SystemExit):
        main(["demo", "--help"])
    out = capsys.readouterr().out
    assert "(default: None)" not in out and "(default: False)" not in out
    assert "(default: 30, with screens until Ctrl-C)" in " ".join(out.split())
    assert "(default: the example university hall)" in out
