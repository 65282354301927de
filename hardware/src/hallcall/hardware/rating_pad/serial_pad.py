"""`SerialRatingPad`: a rating pad on a serial port (often a USB "评价器")."""

from __future__ import annotations

import logging
from collections.abc import Callable

from hallcall.hardware.rating_pad.port import RatingPad, ScoreHandler
from hallcall.hardware.rating_pad.protocol import (
    MAX_LINE,
    THANKS,
    LineError,
    encode_prompt,
    parse_line,
)
from hallcall.hardware.serial_link import LineChannel, OnLineChannel, SerialSettings

log = logging.getLogger(__name__)


class SerialRatingPad(OnLineChannel, RatingPad):
    """Reads score lines in a background thread; after a reconnect the prompt light is restored.

    A thank-you asked for while the pad is unplugged is dropped: it is only a blink.
    """

    def __init__(
        self,
        port: str,
        keys: int = 3,
        on_score: ScoreHandler | None = None,
        on_ignored: ScoreHandler | None = None,
        *,
        baudrate: int = 9600,
        on_status: Callable[[bool], None] | None = None,
    ) -> None:
        super().__init__(keys, on_score, on_ignored)
        self.rejected = 0  # garbage lines dropped, for diagnostics
        self._channel = LineChannel(
            SerialSettings(port, baudrate=baudrate),
            on_line=self._line,
            restore=lambda: encode_prompt(self.prompting),
            on_online=on_status,
            max_line=MAX_LINE,
            name=f"rating pad {port}",
        )
        self._channel.start()

    def _show_prompt(self, active: bool) -> None:
        self._channel.send(encode_prompt(active))

    def _show_thanks(self) -> None:
        self._channel.send(THANKS)

    def _line(self, line: bytes | None) -> None:
        if line is None:
            self.rejected += 1
            log.warning("rating pad: dropped an overlong line")
            return
        try:
            score = parse_line(line)
        except LineError as exc:
            self.rejected += 1
            log.warning("rating pad: %s", exc)
            return
        self._pressed(score)
