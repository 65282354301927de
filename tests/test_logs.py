"""Log lines that repeat: one line for a fault that goes on (a printer polled every 5 s used
to write 17,000 warnings a day), with counts; and `--log-level`."""

from __future__ import annotations

import logging
from datetime import datetime

from hallcall.cli import build_parser
from hallcall.hardware.printer import PrinterConfig, PrinterStatus, open_printer, query_status
from hallcall.logs import Repeats


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def test_a_fault_that_goes_on_is_one_line_then_a_count_every_ten_minutes(caplog):
    clock = Clock()
    log = logging.getLogger("hallcall.test.repeats")
    repeats = Repeats(log, every_s=600, clock=clock, wall=lambda: datetime(2026, 12, 3, 9, 2))
    caplog.set_level(logging.INFO, logger=log.name)
    for _ in range(17_280):  # a day of polls every 5 s
        repeats.failed("printer", "printer status query failed: %s", "No such file")
        clock.t += 5
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0] == "printer status query failed: No such file"
    assert len(lines) == 1 + 86_400 // 600 - 1  # the first, then one every 10 minutes
    assert lines[1] == "printer status query failed: No such file (121 times since 09:02)"
    repeats.recovered("printer", "the printer answers again")
    assert caplog.records[-1].getMessage() == (
        "the printer answers again (after 17,280 failures since 09:02)"
    )
    assert caplog.records[-1].levelno == logging.INFO
    repeats.recovered("printer", "the printer answers again")  # nothing was wrong: no line
    assert caplog.records[-1].getMessage().endswith("since 09:02)")
    repeats.failed("printer", "printer status query failed: %s", "again")  # a new fault
    assert caplog.records[-1].getMessage() == "printer status query failed: again"


def test_a_missing_printer_polled_a_thousand_times_logs_one_line(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="hallcall.hardware.printer.status")
    printer = open_printer(PrinterConfig(kind="serial", devfile=str(tmp_path / "ttyUSB9")))
    for _ in range(1000):
        assert query_status(printer) is PrinterStatus.OFFLINE
    warnings = [r for r in caplog.records if "status query failed" in r.getMessage()]
    assert len(warnings) == 1


def test_log_level_is_a_global_option():
    parser = build_parser()
    assert parser.parse_args(["--log-level", "warning", "docs", "asyncapi"]).log_level == "warning"
    assert parser.parse_args(["docs", "asyncapi"]).log_level is None
