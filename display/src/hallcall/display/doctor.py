"""What `hallcall doctor` checks of a lobby display (screen, font, voice) and of a sign process
(its serial ports). Qt-free."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from hallcall.device_kit.device_file import load_device_file
from hallcall.device_kit.doctor import (
    Check,
    DoctorKind,
    audio_checks,
    device_node_check,
    font_checks,
    screen_check,
)

if TYPE_CHECKING:  # imported when used, as the display's own commands do
    from .settings import DisplaySettings, SignSettings


def display_checks(settings: DisplaySettings) -> list[Check]:
    checks = font_checks(settings.font)
    checks.append(screen_check(required=True))
    if settings.voice.enabled:
        checks += audio_checks(settings.voice.audio_device)
    return checks


def sign_checks(settings: SignSettings) -> list[Check]:
    return [
        device_node_check(f"sign {entry.name}", entry.sign.port)
        for entry in settings.signs
        if entry.sign.kind == "serial" and entry.sign.port
    ]


def _load_display(path: str, args: argparse.Namespace | None) -> DisplaySettings:
    from .settings import DisplaySettings

    return load_device_file(DisplaySettings, path, args)


def _load_sign(path: str, args: argparse.Namespace | None) -> SignSettings:
    from .settings import SignSettings

    return load_device_file(SignSettings, path, args)


DISPLAY_DOCTOR = DoctorKind("display", "display", _load_display, display_checks)
SIGN_DOCTOR = DoctorKind("sign", "sign", _load_sign, sign_checks)
