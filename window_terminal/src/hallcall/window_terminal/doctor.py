"""What `hallcall doctor` checks of a clerk terminal: its keypad, and its screen unless headless."""

from __future__ import annotations

import argparse

from hallcall.device_kit.device_file import load_device_file
from hallcall.device_kit.doctor import (
    Check,
    DoctorKind,
    font_checks,
    screen_check,
    serial_or_gpio,
)

from .settings import TerminalSettings


def terminal_checks(settings: TerminalSettings) -> list[Check]:
    checks = serial_or_gpio("keypad", settings.keys)
    if settings.show_ui:
        checks += font_checks(settings.font)
        # With a keypad the terminal can also run --headless: a missing screen is then a warning.
        checks.append(screen_check(required=settings.keys is None))
    return checks


def _load(path: str, args: argparse.Namespace | None) -> TerminalSettings:
    return load_device_file(TerminalSettings, path, args)


WINDOW_DOCTOR = DoctorKind("window", "window", _load, terminal_checks)
