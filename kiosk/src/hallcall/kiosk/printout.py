"""What goes on the paper, and the printer port the kiosk talks to. Qt-free.

`ticket_print(...)` turns a broker reply's ticket plus the catalog into the driver's TicketPrint
(everything, Chinese included, is printed as one raster image by hallcall.hardware.printer, so
no text of the hall's or the visitor's can reach the printer as bytes). `TicketPrinter` wraps a
python-escpos printer with the two calls the kiosk needs: "can you print?" and "print this".
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hallcall.device_kit.i18n import localized, parse_time
from hallcall.hardware.printer import (
    PrinterNotReady,
    PrinterStatus,
    TicketPrint,
    print_ticket,
    query_status,
)

from .catalog import Catalog
from .strings import text

log = logging.getLogger(__name__)

#: Materials printed on a ticket; the driver also cuts long lists at 8 printed lines.
MAX_TICKET_MATERIALS = 6


def qr_data(catalog: Catalog | None, ticket: dict[str, Any]) -> str:
    """The hall's status URL for this ticket if it has one, else the ticket's id.

    `{token}` in the URL is the ticket's unguessable status token from the broker's reply (the
    visitor's page asks with it); `{ticket_id}` and `{number}` are kept for older hall files.
    A URL that wants a token the reply lacks (an older broker) is not printed: the QR is then
    the ticket's id, never a link that opens nothing.
    """
    ticket_id = str(ticket.get("id") or ticket.get("number") or "")
    url = catalog.hall.status_url if catalog else None
    if not url:
        return ticket_id
    # str.replace, not str.format: a URL may hold other braces; unknown ones stay as they are.
    if "{token}" in url:
        token = ticket.get("token")
        if not isinstance(token, str) or not token:
            log.warning("status_url needs {token}, which the reply lacks: printing the ticket id")
            return ticket_id
        url = url.replace("{token}", token)
    return url.replace("{ticket_id}", ticket_id).replace("{number}", str(ticket.get("number", "")))


def local_time(value: Any, catalog: Catalog | None) -> datetime:
    """The ticket's time in the hall's time zone (printed as the hall's local time)."""
    when = parse_time(value) or datetime.now(UTC)  # unreadable: the time of printing
    zone_name = catalog.hall.timezone if catalog else None
    if zone_name:
        try:
            return when.astimezone(ZoneInfo(zone_name))
        except (ZoneInfoNotFoundError, ValueError):
            log.warning("unknown hall time zone %r: printing UTC", zone_name)
    return when


def ticket_print(
    ticket: dict[str, Any],
    catalog: Catalog | None,
    lang: str,
    logo_path: str | None = None,
    *,
    card_name: str | None = None,
) -> TicketPrint:
    """The ticket as the driver prints it, in the visitor's language.

    `card_name`: the masked name ("张*丰") of a ticket taken with an ID card, printed above the
    footer; never the full name, and nothing at all on a ticket taken without a card."""
    dep = catalog.department(ticket.get("department")) if catalog else None
    matter = dep.matter(ticket.get("matter")) if dep else None
    hall_name = localized(catalog.hall.name, lang) if catalog else text(lang, "kiosk_title")
    footer_key, mark = "ticket_footer", None
    if ticket.get("queue") == "pickup":  # document pickup (出件): printed big at the top
        mark = text(lang, "ticket_mark_pickup")
    elif ticket.get("priority") == "priority":
        footer_key, mark = "ticket_footer_priority", text(lang, "ticket_mark_priority")
    elif ticket.get("source") == "appointment":
        footer_key, mark = "ticket_footer_appointment", text(lang, "ticket_mark_appointment")
    materials = [localized(m, lang) for m in matter.guide.materials] if matter else []
    return TicketPrint(
        hall_name=hall_name,
        number=str(ticket.get("number", "?")),
        department=localized(dep.name, lang) if dep else str(ticket.get("department", "")),
        waiting_ahead=max(0, int(ticket.get("waiting_ahead") or 0)),
        estimated_wait_s=max(0.0, float(ticket.get("estimated_wait_s") or 0)),
        issued_at=local_time(ticket.get("issued_at"), catalog),
        qr_data=qr_data(catalog, ticket),
        matter=localized(matter.name, lang) if matter else None,
        materials=[m for m in materials if m][:MAX_TICKET_MATERIALS],
        lang="en" if lang == "en" else "zh",
        logo_path=logo_path,
        footer=(
            text(lang, "ticket_card_name", name=card_name) + " " + text(lang, footer_key)
            if card_name
            else text(lang, footer_key)
        ),
        no_window_open=ticket.get("open_windows") == 0,
        mark=mark,
        booked_at=local_time(ticket["booked_at"], catalog) if ticket.get("booked_at") else None,
    )


class TicketPrinter:
    """The kiosk's printer port: status and print, safe to call from one worker thread.

    `allow_paper_low`: keep printing on a near-end roll (its health still says paper_low, so
    staff see it on the hall's status) rather than stopping the queue for a roll with paper left.
    """

    def __init__(
        self,
        printer,
        width_px: int,
        font_path: str | None = None,
        allow_paper_low: bool = True,
        mode: str = "raster",
    ):
        self.printer = printer
        self.mode = mode  # "raster" or "native" (PrinterConfig.print_mode)
        self.width_px = width_px
        self.font_path = font_path
        self.allow_paper_low = allow_paper_low
        self._lock = threading.Lock()

    def status(self) -> str:
        with self._lock:
            return PrinterStatus(query_status(self.printer)).value

    def print(self, ticket: TicketPrint) -> tuple[bool, str | None]:
        """Print; returns (printed, status if it failed). Never raises: failures are reported."""
        with self._lock:
            try:
                print_ticket(
                    self.printer,
                    ticket,
                    self.width_px,
                    self.font_path,
                    allow_paper_low=self.allow_paper_low,
                    mode=self.mode,
                )
            except PrinterNotReady as exc:
                return False, exc.status.value
            except Exception:
                log.exception("printing ticket %s failed", ticket.number)
                return False, PrinterStatus.OFFLINE.value
            try:
                flush = getattr(self.printer, "flush", None)
                if callable(flush):
                    flush()
            except Exception:
                log.warning("printer flush failed", exc_info=True)
            return True, None

    def close(self) -> None:
        with self._lock:
            try:
                self.printer.close()
            except Exception:
                log.debug("printer close failed", exc_info=True)
