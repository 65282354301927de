"""Issue #12 item 8: the demo with screens on a plain machine, and apps with no screen at all.

Real X (Xvfb), the real four apps as processes, the demo's embedded MQTT server and SQLite.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hallcall.demo.runner import SCREEN_APPS, open_all_day, second_hall
from tests.support.screens import SCREENSHOTS
from tests.support.xvfb import Xvfb

EXAMPLES = Path(__file__).resolve().parents[1]
DEVICE_FILES = {
    "kiosk": EXAMPLES / "kiosk" / "examples" / "kiosk.toml",
    "window": EXAMPLES / "window_terminal" / "examples" / "window.toml",
    "display": EXAMPLES / "display" / "examples" / "display.toml",
    "rating-pad": EXAMPLES / "rating_pad" / "examples" / "rating-pad.toml",
}


def without_screen(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    return {**env, **extra}


@pytest.fixture
def xvfb(tmp_path):
    server = Xvfb(tmp_path / "fb").start()
    yield server
    server.stop()


@pytest.mark.parametrize("app", sorted(DEVICE_FILES))
def test_an_app_without_a_screen_says_so_plainly(app):
    result = subprocess.run(
        [sys.executable, "-m", "hallcall.cli", app, "--device", str(DEVICE_FILES[app])],
        capture_output=True,
        text=True,
        timeout=60,
        env=without_screen(),
        check=False,
    )
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    first = result.stderr.splitlines()[0]
    assert first == "no screen found: neither DISPLAY nor WAYLAND_DISPLAY is set.", result.stderr
    assert "xvfb-run" in result.stderr and "QT_QPA_PLATFORM=offscreen" in result.stderr


def test_a_display_that_is_not_there_is_named():
    result = subprocess.run(
        [sys.executable, "-m", "hallcall.cli", "kiosk", "--device", str(DEVICE_FILES["kiosk"])],
        capture_output=True,
        text=True,
        timeout=60,
        env=without_screen(DISPLAY=":97"),
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("no screen found: cannot connect to the display :97."), (
        result.stderr
    )


def test_qt_can_load_its_xcb_plugin():
    """scripts/setup.sh installs every library the plugin links (the demo's apps aborted with -6)."""
    import PySide6

    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    out = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, check=True).stdout
    assert "not found" not in out, out


def run_demo(xvfb: Xvfb, data: Path, *options: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "hallcall.cli", "demo", "--screens", "--data", str(data), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=without_screen(DISPLAY=xvfb.display),
    )


def test_the_demo_keeps_its_halls_open_whatever_the_time_of_day(hall_config):
    """The example hall closes at 17:30 in Shanghai: a demo run after it closed its day at the
    broker's first tick and every clerk was logged out under the visitor's eyes."""
    assert hall_config.hall.close_at == "17:30"
    demo = open_all_day(hall_config)
    assert demo.hall.close_at is None and second_hall(demo).hall.close_at is None
    assert demo.hall.id == hall_config.hall.id and demo.departments == hall_config.departments


def test_the_demo_with_screens_runs_its_four_apps_on_x_for_20_seconds(xvfb, tmp_path):
    data = tmp_path / "data"
    demo = run_demo(xvfb, data, "--seconds", "20", "--lang", "en")
    time.sleep(15)
    shot = xvfb.save_png(SCREENSHOTS / "demo-screens-xvfb.png")
    out, _ = demo.communicate(timeout=120)
    assert demo.returncode == 0, out[-3000:]
    assert "problem:" not in out and "stopped early" not in out, out
    # The newcomer's department is theirs alone: its clerk id is free and no simulated ticket.
    assert (
        "Registrar (Records & Transcripts): yours alone. Log in at window 2 as s101 (PIN 2468)"
        in out
    )
    assert "admin book --as you" in out and "--mqtt-user hallcall" in out
    with sqlite3.connect(data / "demo.db") as db:
        assert db.execute(
            "SELECT count(*) FROM tickets WHERE hall_id = 'campus-hall' AND department = 'registrar'"
        ).fetchone() == (0,)
        assert (
            db.execute("SELECT count(*) FROM tickets WHERE hall_id = 'campus-hall'").fetchone()[0]
            > 0
        )
    for kind, device_id, _, _ in SCREEN_APPS:  # --lang en: every screen starts in English
        device_file = (data / f"demo-{kind}-{device_id}.toml").read_text()
        assert 'language = "en"' in device_file or 'languages = ["en", "zh"]' in device_file, (
            device_file
        )
        log = (data / f"demo-{kind}-{device_id}.log").read_text()
        assert "Traceback" not in log and "qt.qpa" not in log, (kind, log[-2000:])
    assert shot.stat().st_size > 20_000  # four windows drawn, not a black screen


def test_sigterm_stops_the_demo_and_its_apps(xvfb, tmp_path):
    data = tmp_path / "data"
    demo = run_demo(xvfb, data, "--lang", "en")  # with screens it runs until stopped
    lines = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(
        "in another terminal, try" in line for line in lines
    ):
        lines.append(demo.stdout.readline())
    assert any("the demo runs until Ctrl-C" in line for line in lines), lines
    apps = subprocess.run(
        ["pgrep", "-f", f"device {data}"], capture_output=True, text=True
    ).stdout.split()
    assert len(apps) == len(SCREEN_APPS), apps
    time.sleep(2)
    demo.send_signal(signal.SIGTERM)
    out, _ = demo.communicate(timeout=60)
    assert "demo finished" in out, out[-2000:]
    left = subprocess.run(
        ["pgrep", "-f", f"device {data}"], capture_output=True, text=True
    ).stdout.split()
    assert left == [], "the apps outlived the demo"
