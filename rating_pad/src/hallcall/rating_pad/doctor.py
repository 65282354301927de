"""What `hallcall doctor` checks of a rating pad: its keys, and its screen when it shows one."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from hallcall.device_kit.doctor import (
    Check,
    DoctorKind,
    font_checks,
    screen_check,
    serial_or_gpio,
)

if TYPE_CHECKING:  # imported when used, as the pad's own command does
    from .settings import PadSettings


def pad_checks(settings: PadSettings) -> list[Check]:
    checks = serial_or_gpio("rating keys", settings.keys)
    if settings.show_ui:
        checks += font_checks(settings.font)
        checks.append(screen_check(required=True))
    return checks


def _load(path: str, args: argparse.Namespace | None) -> PadSettings:
    from .settings import load_pad_settings

    return load_pad_settings(path, args)


PAD_DOCTOR = DoctorKind("rating-pad", "rating", _load, pad_checks)
