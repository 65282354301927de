"""Print one ticket: status check, then one raster image or the native text ticket, cut."""

from __future__ import annotations

import logging

from escpos.escpos import Escpos

from .native import native_ticket
from .render import render_ticket
from .status import PrinterNotReady, PrinterStatus, PrintFailed, query_status, reset_connection
from .ticket import TicketPrint

log = logging.getLogger(__name__)


def print_ticket(
    printer: Escpos,
    ticket: TicketPrint,
    width_px: int,
    font_path: str | None = None,
    *,
    allow_paper_low: bool = False,
    mode: str = "raster",
) -> None:
    """Print ticket on printer, or raise PrinterNotReady before sending a byte of it.

    The ticket goes out as ESC @ (reset), `GS v 0` raster image(s), feed and cut. Visitor and
    config text (hall name, department, materials, QR data) is only ever pixels, so no text can
    reach the printer as text or as control bytes, whatever it contains.
    Raises PrintFailed if the link breaks while sending. Paper-low is refused too unless
    allow_paper_low: a kiosk may choose to keep printing on the last metres of the roll.
    `mode="native"` sends the ticket in the printer's own Chinese font and QR instead
    (native.py: about 1 KB, its text cleaned of control characters); a ticket whose text
    that font cannot have is printed as the raster image.
    """
    status = query_status(printer)
    if status is not PrinterStatus.OK and not (
        allow_paper_low and status is PrinterStatus.PAPER_LOW
    ):
        raise PrinterNotReady(status)
    data = None
    if mode == "native":
        data = native_ticket(
            ticket,
            width_px,
            native_qr=printer.profile.supports("qrCode"),
        )
        if data is None:
            log.info("ticket %s has text outside the printer's font: raster", ticket.number)
    image = render_ticket(ticket, width_px, font_path) if data is None else None
    try:
        if data is not None:
            printer._raw(data)
        else:
            printer.hw("INIT")
            printer.image(image, impl="bitImageRaster", center=False)
            printer.cut()
    except OSError as exc:  # serial.SerialException and socket errors are OSErrors
        reset_connection(printer)
        raise PrintFailed(f"ticket {ticket.number} was not sent completely: {exc}") from exc
