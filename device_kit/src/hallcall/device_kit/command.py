"""The body of every device command (`hallcall kiosk`, `window`, `display`, `sign`, `rating-pad`).

Each command only says how to load its device file, how `--check` describes it and how to run
it; the order, the messages and the exit codes are the same for all (2: a bad file or no
screen, 0: checked).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from hallcall.device_kit.device_file import DeviceFileError, Settings

if TYPE_CHECKING:
    from hallcall.device_kit.doctor import DoctorKind


def run_device_command(
    args: argparse.Namespace,
    load: Callable[[], Settings],
    describe: Callable[[Settings], str],
    run: Callable[[Settings], int],
    *,
    needs_screen: Callable[[Settings], bool] = lambda settings: True,
    doctor: DoctorKind | None = None,
) -> int:
    """The one shape of every device command: read the device file (its problems go to stderr,
    exit 2); with --check say what would run, with its MQTT server (exit 0), and with
    --check --connect run `doctor`'s checks (exit 1 when one fails); else explain a
    missing screen in a plain sentence instead of Qt's abort, and run."""
    try:
        settings = load()
    except DeviceFileError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.check or getattr(args, "connect", False):
        mqtt = f"mqtt://{settings.mqtt.host}:{settings.mqtt.port}"
        print(f"{args.device}: OK - {describe(settings)}, {mqtt}")
        if getattr(args, "connect", False) and doctor is not None:
            return doctor.diagnose(settings)
        return 0
    if needs_screen(settings):
        from hallcall.device_kit.screen import explain_missing_screen

        explain_missing_screen()
    return run(settings)
