"""Thermal ticket printer: config, transports, health, ticket rendering and printing."""

from .config import PAPER_58MM_PX, PAPER_80MM_PX, PrinterConfig
from .factory import open_printer
from .fake import FakePrinter
from .fonts import CjkFontNotFound, find_cjk_font
from .printing import print_ticket
from .render import render_ticket
from .status import PrinterNotReady, PrinterStatus, PrintFailed, query_status
from .ticket import TicketPrint

__all__ = [
    "PAPER_58MM_PX",
    "PAPER_80MM_PX",
    "CjkFontNotFound",
    "FakePrinter",
    "PrintFailed",
    "PrinterConfig",
    "PrinterNotReady",
    "PrinterStatus",
    "TicketPrint",
    "find_cjk_font",
    "open_printer",
    "print_ticket",
    "query_status",
    "render_ticket",
]
