"""A ticket in the printer's own Chinese font and its own QR code: about 1 KB instead of 60.

Almost every thermal printer sold in China has a GB18030/GBK font behind `FS &` (Chinese
character mode) and draws QR codes itself (`GS ( k`). A raster ticket (render.py) is 52-84 KB:
4.5 s at 115200 baud and nearly a minute at 9600. This one is text bytes, size commands and
the QR's data. The command bytes come from python-escpos (its `Dummy` printer records them);
only the text is encoded here, because python-escpos never switches a printer into Chinese
mode (../shared/FACTS.md).

Hall and visitor text reaches the printer as text here, so it is cleaned first: every control
or format character becomes a space, and the text is encoded as GBK, whose multi-byte codes
never contain a byte below 0x40, so no text can become a command. Text the printer's font
cannot have (outside GBK: emoji, rare characters) makes `native_ticket` return None, and the
caller prints that ticket as a raster image instead.
"""

from __future__ import annotations

import unicodedata

from escpos.printer import Dummy

from .factory import set_media_width
from .ticket import TicketPrint, labels
from .wrapping import ellipsize_measured, wrap_measured

#: Select and cancel Chinese character mode (FS &, FS .).
CHINESE_MODE_ON = b"\x1c\x26"
CHINESE_MODE_OFF = b"\x1c\x2e"
#: Font A is 12 dots wide: 48 half-width columns on 80 mm paper (576 dots), 32 on 58 mm.
DOTS_PER_COLUMN = 12
#: Materials lists longer than this many printed lines end in "…", as on the raster ticket.
MAX_MATERIAL_LINES = 8


class NotInPrinterFont(ValueError):
    """A text has a character the printer's GBK font does not have."""


def native_ticket(
    ticket: TicketPrint,
    width_px: int,
    *,
    native_qr: bool = True,
) -> bytes | None:
    """The whole ticket as ESC/POS bytes (reset to cut), or None if a text is not in GBK.

    `native_qr`: the printer draws the QR (`GS ( k`); otherwise it is sent as a small raster
    image, for printers whose profile has no QR command.
    """
    try:
        return _NativeTicket(ticket, width_px, native_qr).build()
    except NotInPrinterFont:
        return None


def clean(text: str) -> str:
    """Control and format characters (C0, C1, DEL, bidi marks...) become spaces."""
    return "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in text)


def encode(text: str) -> bytes:
    try:
        return clean(text).encode("gbk")
    except UnicodeEncodeError as exc:
        raise NotInPrinterFont(str(exc)) from exc


def columns(text: str) -> int:
    """Printed width in half-width columns. In Chinese mode every non-ASCII character is a
    two-byte GBK code printed full width ("·" and "…" too): two columns."""
    return sum(2 if ord(ch) > 0x7F else 1 for ch in text)


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` columns, broken as the raster ticket breaks them (wrapping.py):
    English between words, Chinese anywhere, a closing mark never starting a line."""
    return wrap_measured(clean(text), columns, width)


class _NativeTicket:
    def __init__(self, ticket: TicketPrint, width_px: int, native_qr: bool):
        self.t = ticket
        self.cols = max(16, width_px // DOTS_PER_COLUMN)
        self.native_qr = native_qr
        self.width_px = width_px
        self.p = Dummy()  # records the command bytes
        set_media_width(self.p, width_px)  # a QR sent as an image is centred on the paper

    def build(self) -> bytes:
        t, text, p = self.t, labels(self.t), self.p
        p.hw("INIT")
        p._raw(CHINESE_MODE_ON)
        p.set(align="center")
        self.line(t.hall_name, size=2, bold=True)
        self.rule()
        if t.mark:
            self.line(t.mark, size=2, bold=True)
            self.rule()
        self.line(text["your_number"])
        self.line(t.number, size=self._number_size(t.number), bold=True)
        if text["booked"]:
            self.line(text["booked"], bold=True)
        self.line(t.department, size=2, bold=True)
        if text["matter"]:
            self.line(text["matter"])
        self.rule()
        self.line(text["ahead"], size=2, bold=True)
        self.line(text["wait"])
        self.line(text["issued"])
        if t.materials:
            self.rule()
            self.materials(text["materials"], t.materials)
            p.set(align="center")
        self.feed()
        self.qr(t.qr_data)
        if t.footer:
            self.line(t.footer)
        p._raw(CHINESE_MODE_OFF)
        p.cut()
        return bytes(p.output)

    def _number_size(self, number: str) -> int:
        """The biggest of the printer's sizes (1-8 times) at which the number fits a line."""
        return max(1, min(4, self.cols // max(1, columns(number))))

    def _size(self, size: int, bold: bool) -> None:
        # GS ! sets the size of every character, alphanumeric and Chinese alike (Epson's
        # manual; Chinese printers follow it); ESC E bold.
        self.p.set(custom_size=True, width=size, height=size, bold=bold)

    def line(self, text: str, size: int = 1, bold: bool = False) -> None:
        self._size(size, bold)
        for piece in wrap(text, self.cols // size):
            self.p._raw(encode(piece) + b"\n")
        self._size(1, False)

    def rule(self) -> None:
        self.p._raw(b"-" * self.cols + b"\n")

    def feed(self) -> None:
        self.p._raw(b"\n")

    def materials(self, header: str, items: list[str]) -> None:
        self.p.set(align="left")
        self._size(1, True)
        self.p._raw(encode(header) + b"\n")
        self._size(1, False)
        bullet = "· "
        lines: list[str] = []
        for item in items:
            wrapped = wrap(item, self.cols - columns(bullet))
            lines += [bullet + wrapped[0]] + ["  " + w for w in wrapped[1:]]
        if len(lines) > MAX_MATERIAL_LINES:
            last = ellipsize_measured(lines[MAX_MATERIAL_LINES - 1], columns, self.cols)
            lines = lines[: MAX_MATERIAL_LINES - 1] + [last]
        for line in lines:
            self.p._raw(encode(line) + b"\n")

    def qr(self, data: str) -> None:
        size = 6 if self.width_px >= 576 else 4  # module size in dots: about 30 mm / 20 mm
        if self.native_qr:
            self.p.qr(clean(data), native=True, size=size)
        else:
            self.p.qr(
                clean(data),
                native=False,
                size=size - 2,
                image_arguments={"impl": "bitImageRaster"},
            )
