"""`SerialKeypad`: a clerk keypad (or a wireless keypad receiver) on a serial port."""

from __future__ import annotations

import logging
from collections.abc import Callable

from hallcall.hardware.keypad.port import ActionHandler, Keypad
from hallcall.hardware.keypad.protocol import (
    MAX_LINE,
    DisplayAck,
    LineError,
    encode_display,
    parse_line,
)
from hallcall.hardware.serial_link import LineChannel, OnLineChannel, SerialSettings

log = logging.getLogger(__name__)


class SerialKeypad(OnLineChannel, Keypad):
    """Reads key lines in a background thread; garbage is logged and dropped, never raised.

    `address` is this window's keypad: lines from other addresses (another keypad on the same
    RS-485 line or wireless receiver) are ignored. On every reconnect the keypad's display is
    written again, so an unplugged keypad shows the right number when it comes back.
    """

    def __init__(
        self,
        port: str,
        address: str = "01",
        on_action: ActionHandler | None = None,
        *,
        baudrate: int = 9600,
        on_status: Callable[[bool], None] | None = None,
    ) -> None:
        super().__init__(on_action)
        self.address = address
        self.rejected = 0  # lines dropped as garbage, for diagnostics
        self._display: str | None = None
        encode_display(address, "")  # reject a bad address here, not in the thread
        self._channel = LineChannel(
            SerialSettings(port, baudrate=baudrate),
            on_line=self._line,
            restore=self._restore,
            on_online=on_status,
            max_line=MAX_LINE,
            name=f"keypad {port}",
        )
        self._channel.start()

    def show_number(self, text: str) -> None:
        self._display = text
        self._channel.send(encode_display(self.address, text))

    def _restore(self) -> bytes:
        return b"" if self._display is None else encode_display(self.address, self._display)

    def _line(self, line: bytes | None) -> None:
        if line is None:
            self.rejected += 1
            log.warning("keypad: dropped an overlong line")
            return
        try:
            message = parse_line(line)
        except LineError as exc:
            self.rejected += 1
            log.warning("keypad: dropped %r: %s", line, exc)
            return
        if message.address != self.address:
            log.debug("keypad: ignored %r for address %s", line, message.address)
        elif isinstance(message, DisplayAck):
            log.debug("keypad %s acknowledged its display", self.address)
        else:
            self._emit(message.action)
