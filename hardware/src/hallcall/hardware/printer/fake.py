"""A printer for tests and kiosk demos: records every byte, and can be told it is out of paper."""

from __future__ import annotations

from escpos.printer import Dummy

from .status import PrinterStatus


class FakePrinter(Dummy):
    """python-escpos's Dummy (bytes in `.output`) with a status a test can set."""

    def __init__(self, *args, status: PrinterStatus = PrinterStatus.OK, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.simulated_status = PrinterStatus(status)

    def set_status(self, status: PrinterStatus | str) -> None:
        self.simulated_status = PrinterStatus(status)
