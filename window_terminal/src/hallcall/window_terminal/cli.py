"""`hallcall window --device window.toml`: the clerk terminal, with or without a screen.

    hallcall window --device window_terminal/examples/window.toml           # the app (+ keypad)
    hallcall window --device window.toml --headless                       # a keypad alone
    hallcall window --device window.toml --check                          # check the file

--mqtt-host/--mqtt-port/--mqtt-user/--mqtt-password-file and --mqtt-tls/--mqtt-ca/--mqtt-cert/
--mqtt-key override the file's [mqtt], which overrides HALLCALL_MQTT_* (see docs/security.md).
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from hallcall.device_kit.command import run_device_command
from hallcall.device_kit.device_file import add_device_options, load_device_file
from hallcall.device_kit.doctor import register_doctor
from hallcall.device_kit.lifecycle import stop_on_signals
from hallcall.window_terminal.doctor import WINDOW_DOCTOR
from hallcall.window_terminal.settings import TerminalSettings

if TYPE_CHECKING:
    from hallcall.window_terminal.headless import HeadlessTerminal

log = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "window",
        help="run a clerk terminal for one service window (Qt app and/or call keypad)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_device_options(p, "window_terminal/examples/window.toml")
    p.add_argument("--lang", choices=["zh", "en"], help="the clerk's language at start")
    p.add_argument("--windowed", action="store_true", help="a window (`size`), not full screen")
    p.add_argument(
        "--headless", action="store_true", help="no screen: the keypad alone drives the window"
    )
    p.set_defaults(func=cmd_window)
    register_doctor(subparsers, WINDOW_DOCTOR)


def cmd_window(args: argparse.Namespace) -> int:
    def headless(settings: TerminalSettings) -> bool:
        return args.headless or not settings.show_ui

    def run(settings: TerminalSettings) -> int:
        if not headless(settings):
            return run_app(settings)
        if settings.keys is None:
            print(
                "--headless needs [keys] (a keypad) in the device file: otherwise nobody can call",
                file=sys.stderr,
            )
            return 2
        return run_headless(settings)

    def describe(s: TerminalSettings) -> str:
        keypad = s.keys.kind if s.keys else "none"
        return (
            f"hall {s.hall!r}, window {s.window!r}, keypad {keypad}, "
            f"{'headless' if headless(s) else 'app'}"
        )

    return run_device_command(
        args,
        lambda: load_device_file(
            TerminalSettings,
            args.device,
            args,
            language=args.lang,
            fullscreen=False if args.windowed else None,
        ),
        describe,
        run,
        needs_screen=lambda s: not headless(s),
        doctor=WINDOW_DOCTOR,
    )


def run_headless(
    settings: TerminalSettings,
    stop: threading.Event | None = None,
    started: Callable[[HeadlessTerminal], None] | None = None,
) -> int:
    """Run a keypad-only terminal until `stop` is set (or SIGINT/SIGTERM); `started(terminal)`
    is called once it runs (for supervisors and tests)."""
    from hallcall.window_terminal.headless import HeadlessTerminal

    if (
        settings.keys is None
    ):  # cmd_window says so to the user; a caller passing such settings erred
        raise ValueError("a headless terminal needs [keys] (a keypad) in its device file")
    stop = stop or stop_on_signals()
    terminal = HeadlessTerminal(
        settings.hall,
        settings.window,
        settings.mqtt.settings(),
        settings.keys,
        lang=settings.language or "zh",
        request_timeout_s=settings.request_timeout_s,
        keypad_pause_reason=settings.keypad_pause_reason,
        staff=settings.staff,
        post=settings.post,
        pin=Path(settings.pin_file).read_text(encoding="utf-8").strip()
        if settings.pin_file
        else None,
    )
    terminal.start()
    if started is not None:
        started(terminal)
    log.info("clerk keypad for window %s of hall %s is running", settings.window, settings.hall)
    try:
        stop.wait()
    finally:
        terminal.stop()
    return 0


def run_app(settings: TerminalSettings) -> int:
    from PySide6.QtWidgets import QApplication

    from hallcall.device_kit.app import device_client, run_device_app
    from hallcall.device_kit.fonts import install_cjk_font
    from hallcall.hardware.keypad import open_keypad
    from hallcall.window_terminal.app import TerminalApp
    from hallcall.window_terminal.headless import subscriptions

    app = QApplication.instance() or QApplication(sys.argv[:1])
    if isinstance(app, QApplication):
        install_cjk_font(app, settings.font)
    keypads = [open_keypad(settings.keys)] if settings.keys else []
    terminal = TerminalApp(
        device_client(settings, "window", subscriptions(settings.window)),
        lang=settings.language,
        keypads=keypads,
        request_timeout_s=settings.request_timeout_s,
        keypad_pause_reason=settings.keypad_pause_reason,
        font_file=settings.font,
    )
    terminal.window.setWindowTitle(f"HallCall - {settings.window}")

    def let_go() -> None:
        terminal.stop()
        for keypad in keypads:
            keypad.close()

    return run_device_app(
        terminal.device,
        fullscreen=settings.fullscreen,
        size=settings.size,
        qt_app=app,
        before_stop=let_go,
    )
