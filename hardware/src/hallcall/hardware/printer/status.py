"""Is the printer able to print a ticket right now?

A kiosk must not hand out a number whose ticket never came out, so it asks before printing.
ESC/POS real-time status (DLE EOT n) is answered by most thermal printers on a two-way link;
one-way links (file, a TX-only cable) cannot answer, and are assumed ready.
"""

from __future__ import annotations

import enum
import logging
import socket
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from escpos.escpos import Escpos

from hallcall.logs import Repeats

log = logging.getLogger(__name__)
#: A printer that stays unreachable is polled every few seconds: one line, then counts.
_repeats = Repeats(log)

_DLE_EOT = b"\x10\x04"
_PRINTER = _DLE_EOT + b"\x01"  # n=1: printer status (bit 3 = offline)
_OFFLINE_CAUSE = (
    _DLE_EOT + b"\x02"
)  # n=2: bit 2 cover open, bit 5 stopped by paper end, bit 6 error
_PAPER = _DLE_EOT + b"\x04"  # n=4: bits 2+3 near end, bits 5+6 roll end


class PrinterStatus(enum.StrEnum):
    OK = "ok"
    PAPER_OUT = "paper_out"
    PAPER_LOW = "paper_low"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    ERROR = "error"


class PrintFailed(RuntimeError):
    """The printer was ready but the ticket could not be sent (cable pulled, socket reset...).
    Part of it may have printed; the connection is reset for the next try."""


class PrinterNotReady(RuntimeError):
    """Raised instead of printing, before any byte of the ticket is sent."""

    def __init__(self, status: PrinterStatus) -> None:
        super().__init__(f"ticket printer is not ready: {status.value}")
        self.status = status


@dataclass(frozen=True)
class _QuerySettings:
    enabled: bool
    timeout_s: float


#: Per printer, from its config (open_printer): python-escpos's classes have no place for them.
_QUERY_SETTINGS: weakref.WeakKeyDictionary[Escpos, _QuerySettings] = weakref.WeakKeyDictionary()


def set_query_settings(printer: Escpos, *, enabled: bool, timeout_s: float) -> None:
    """Whether query_status asks this printer (else it reports OK), and how long it waits."""
    _QUERY_SETTINGS[printer] = _QuerySettings(enabled, timeout_s)


def can_answer(printer: Escpos) -> bool:
    """Whether the transport can read back (Serial, Network, Usb do; File, Dummy don't)."""
    return type(printer)._read is not Escpos._read


def query_status(printer: Escpos, timeout_s: float | None = None) -> PrinterStatus:
    """Ask the printer for its status; never raises, never waits much longer than timeout_s.

    A fake printer (`simulated_status`) reports what a test set. Printers that cannot answer,
    or whose config turned queries off (`query_status = False`), report OK. A printer that
    does not answer at all is OFFLINE. The queries themselves are a few DLE EOT bytes.
    """
    simulated = getattr(printer, "simulated_status", None)
    if simulated is not None:
        return PrinterStatus(simulated)
    settings = _QUERY_SETTINGS.get(printer, _QuerySettings(enabled=True, timeout_s=1.0))
    if not settings.enabled or not can_answer(printer):
        return PrinterStatus.OK
    if timeout_s is None:
        timeout_s = settings.timeout_s
    try:
        if printer._device is None:
            # python-escpos leaves a failed open as None and never retries it: reset to
            # "not opened" so a printer switched on after the kiosk is found.
            printer._device = False
        device = printer.device  # opens the transport if needed
        if device is None:
            return PrinterStatus.OFFLINE
        with _read_timeout(device, timeout_s):
            status = _interpret(lambda query: _ask(printer, device, query))
        if status is not PrinterStatus.OFFLINE:
            _repeats.recovered(str(id(printer)), "the printer answers its status queries again")
        return status
    except Exception as exc:  # noqa: BLE001 - a status check must not take the kiosk down
        _repeats.failed(str(id(printer)), "printer status query failed: %s", exc)
        reset_connection(printer)
        return PrinterStatus.OFFLINE


def reset_connection(printer: Escpos) -> None:
    """Drop a connection that failed, so the next use opens a fresh one."""
    try:
        printer.close()
    except Exception as exc:  # noqa: BLE001 - the connection is already broken
        log.debug("closing a broken printer connection: %s", exc)
    printer._device = False


def _interpret(ask: Callable[[bytes], int | None]) -> PrinterStatus:
    printer_byte = ask(_PRINTER)
    if printer_byte is None:
        return PrinterStatus.OFFLINE
    if printer_byte & 0x08:
        cause = ask(_OFFLINE_CAUSE)
        if cause is None:
            return PrinterStatus.OFFLINE
        if cause & 0x04:
            return PrinterStatus.COVER_OPEN
        if cause & 0x20:
            return PrinterStatus.PAPER_OUT
        if cause & 0x40:
            return PrinterStatus.ERROR
        return PrinterStatus.OFFLINE
    paper = ask(_PAPER)
    if paper is None:
        return PrinterStatus.ERROR
    if paper & 0x60 == 0x60:
        return PrinterStatus.PAPER_OUT
    if paper & 0x0C == 0x0C:
        return PrinterStatus.PAPER_LOW
    return PrinterStatus.OK


def _ask(printer: Escpos, device: object, query: bytes) -> int | None:
    """Send one DLE EOT query; return the status byte, or None if none came."""
    reset = getattr(device, "reset_input_buffer", None)
    if reset is not None:
        reset()  # drop stale answers (e.g. automatic status back) from earlier
    try:
        answer = bytes(printer.query_status(query))
    except TimeoutError:
        return None
    # A status byte always has bits 1 and 4 set and bits 0 and 7 clear; skip anything else.
    for byte in reversed(answer):
        if byte & 0x93 == 0x12:
            return byte
    return None


@runtime_checkable
class _SerialDevice(Protocol):
    """A pyserial port (what isinstance checks: both attributes are there)."""

    timeout: float | None

    def reset_input_buffer(self) -> None: ...


class _read_timeout:
    """Temporarily shorten the transport's read timeout (serial port or socket)."""

    def __init__(self, device: object, timeout_s: float) -> None:
        self.device, self.timeout_s = device, timeout_s
        self.saved: float | None = None

    def __enter__(self) -> None:
        if isinstance(self.device, socket.socket):
            self.saved = self.device.gettimeout()
            self.device.settimeout(self.timeout_s)
        elif isinstance(self.device, _SerialDevice):
            self.saved = self.device.timeout
            self.device.timeout = self.timeout_s

    def __exit__(self, *exc: object) -> None:
        if isinstance(self.device, socket.socket):
            self.device.settimeout(self.saved)
        elif isinstance(self.device, _SerialDevice):
            self.device.timeout = self.saved
