"""Serial transport: python-escpos's Serial, with reads that return as soon as bytes arrive.

escpos's Serial reads status answers with `read(16)`, which waits the whole timeout because a
printer answers one byte; a kiosk checking status before each ticket would stall a second or
two per ticket. Flow control comes from config: DTR/DSR is off by default (see PrinterConfig).
Modem lines are never set explicitly: on a pty (tests, socat bridges) setting DTR/RTS raises
OSError 25, and pyserial 3.5's open() already ignores that error for its own initial setting
(measured), so plain open + write works on both a pty and a USB-serial adapter.
"""

from __future__ import annotations

from escpos.printer import Serial


class SerialPrinter(Serial):
    def _read(self) -> bytes:
        assert self.device
        first = self.device.read(1)  # waits at most `timeout`
        if not first:
            return b""
        return first + self.device.read(self.device.in_waiting)
