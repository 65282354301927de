"""What `hallcall doctor` checks of a kiosk: its printer, its ID card reader, fonts, screen.

The printer is asked for its status the way the kiosk asks before each ticket (python-escpos,
DLE EOT), so "does not answer" here is what the visitor would meet. Qt-free.
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from hallcall.device_kit.device_file import load_device_file
from hallcall.device_kit.doctor import (
    Check,
    DoctorKind,
    device_node_check,
    fail,
    font_checks,
    ok,
    screen_check,
    warn,
)

if TYPE_CHECKING:  # imported when used: `hallcall` starts without python-escpos
    from hallcall.hardware.printer import PrinterConfig

    from .settings import KioskSettings

#: The printer's status -> (status of the check, the fix).
_PRINTER_STATUS = {
    "paper_low": ("WARN", "the roll is nearly empty: put in a new one soon"),
    "paper_out": ("FAIL", "put in a paper roll"),
    "cover_open": ("FAIL", "close the printer's cover"),
    "error": ("FAIL", "clear the paper jam or switch the printer off and on"),
}


def printer_checks(cfg: PrinterConfig) -> list[Check]:
    """Where the ticket printer is, whether it answers and is ready, and its ticket font."""
    if cfg.kind == "fake":
        checks = [ok("printer: fake (tickets go nowhere: for tests and demos)")]
    elif cfg.kind == "file":
        folder = os.path.dirname(os.path.abspath(cfg.path or ""))
        if os.access(folder, os.W_OK):
            checks = [ok(f"printer: file {cfg.path}")]
        else:
            checks = [fail(f"printer: cannot write in {folder}", "set [printer] path")]
    else:
        if cfg.kind == "serial":
            assert cfg.devfile is not None  # the config requires it of kind "serial"
            port = device_node_check("printer port", cfg.devfile)
            if port.status != "OK":
                return [port]
        checks = [_printer_status(cfg)]
    if cfg.print_mode() == "raster":
        from hallcall.hardware.printer.fonts import CjkFontNotFound, find_cjk_font

        try:
            checks.append(ok(f"ticket font: {find_cjk_font(cfg.font_path)}"))
        except CjkFontNotFound as exc:
            checks.append(fail("ticket font: none with Chinese glyphs", str(exc)))
    return checks


def _printer_status(cfg: PrinterConfig) -> Check:
    from hallcall.hardware.printer import open_printer
    from hallcall.hardware.printer.status import query_status, reset_connection

    where = {
        "serial": f"{cfg.devfile} at {cfg.baudrate} baud",
        "usb": f"USB {cfg.vendor_id or 0:04x}:{cfg.product_id or 0:04x}",
        "network": f"{cfg.host}:{cfg.port}",
    }.get(cfg.kind, cfg.kind)
    try:
        printer = open_printer(cfg)
    except Exception as exc:  # noqa: BLE001 - pyusb missing, a bad profile: say it
        return fail(f"printer: cannot be opened ({where}): {exc}", "check the [printer] keys")
    try:
        status = query_status(printer, cfg.status_timeout_s).value
    finally:
        reset_connection(printer)
    if status == "ok":
        return ok(f"printer: ready ({where})")
    if status == "offline":
        return fail(
            f"printer: does not answer ({where})",
            "switch it on and check the cable and baudrate (a one-way cable: query_status = false)",
        )
    level, fix = _PRINTER_STATUS.get(status, ("FAIL", "check the printer"))
    return (warn if level == "WARN" else fail)(f"printer: {status} ({where})", fix)


def kiosk_checks(settings: KioskSettings) -> list[Check]:
    checks = printer_checks(settings.printer)
    if settings.idcard is not None and settings.idcard.kind == "serial" and settings.idcard.devfile:
        checks.append(device_node_check("ID card reader", settings.idcard.devfile))
    if settings.idcard_key_file and not os.access(settings.idcard_key_file, os.R_OK):
        checks.append(
            fail(
                f"ID card hash key: {settings.idcard_key_file} cannot be read",
                "copy the hall's key file there, readable by this user only",
            )
        )
    checks += font_checks(settings.font)
    checks.append(screen_check(required=True))
    return checks


def _load(path: str, args: argparse.Namespace | None) -> KioskSettings:
    from .settings import KioskSettings

    return load_device_file(KioskSettings, path, args)


KIOSK_DOCTOR = DoctorKind("kiosk", "kiosk", _load, kiosk_checks)
