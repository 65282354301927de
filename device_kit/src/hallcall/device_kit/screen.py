"""A plain sentence instead of Qt's plugin abort when a device app cannot open its window.

Without a desktop (no DISPLAY), or with the X libraries of Qt's xcb plugin missing, Qt logs a
few `qt.qpa` lines and aborts the process (exit -6) with a paragraph about platform plugins.
`explain_missing_screen()` installs a Qt message handler that holds those lines and, on the
fatal one, says what is wrong and what to do, then exits 2. Other Qt messages pass through.
"""

from __future__ import annotations

import logging
import os
import sys

log = logging.getLogger(__name__)

#: Exit status of an app that found no screen (argparse's "usage" status: fix the invocation).
NO_SCREEN_EXIT = 2

_held: list[str] = []


def no_screen_message(fatal: str, environ: dict[str, str] | None = None) -> str:
    """What to tell a person whose app could not open a window (`fatal`: Qt's own words)."""
    env = os.environ if environ is None else environ
    display, wayland = env.get("DISPLAY"), env.get("WAYLAND_DISPLAY")
    platform = env.get("QT_QPA_PLATFORM", "")
    if not display and not wayland and not platform:
        why = "no screen found: neither DISPLAY nor WAYLAND_DISPLAY is set"
    elif display and "could not connect to display" in " ".join(_held + [fatal]):
        why = f"no screen found: cannot connect to the display {display}"
    else:
        why = f"Qt cannot open a window on {platform or 'xcb'} (its libraries may be missing)"
    return (
        f"{why}.\n"
        "  Run the app on the device's desktop, or under Xvfb (xvfb-run -a hallcall ...);\n"
        "  without a screen: the window terminal with --headless, a rating pad with keys only,\n"
        "  or QT_QPA_PLATFORM=offscreen to run it with nothing shown.\n"
        "  Missing X libraries are installed by scripts/setup.sh.\n"
        f"  (Qt said: {fatal.strip().splitlines()[0] if fatal.strip() else 'nothing'})"
    )


def _handler(mode, context, message: str) -> None:
    from PySide6.QtCore import QtMsgType

    category = getattr(context, "category", "") or ""
    if mode == QtMsgType.QtFatalMsg:
        print(no_screen_message(message), file=sys.stderr, flush=True)
        os._exit(NO_SCREEN_EXIT)  # Qt aborts right after this handler returns
    if category.startswith("qt.qpa"):
        _held.append(message)  # part of the explanation if the abort follows; else only with -v
        log.debug("%s: %s", category, message)
        return
    print(message, file=sys.stderr)


def explain_missing_screen() -> None:
    """Install the handler; call before the QApplication is created."""
    from PySide6.QtCore import qInstallMessageHandler

    qInstallMessageHandler(_handler)
