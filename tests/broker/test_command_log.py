"""The broker's command log: one line per command after its commit, saying which hall, who,
which op, the result and how long it took (issue #16, "Logs")."""

from __future__ import annotations

import logging
import re

LINE = re.compile(r"^(\S+) (\w+)/(\S+) (\S+) (\S+) (\d+\.\d) ms$")


def test_one_line_per_command_with_who_op_result_and_ms(hall, caplog):
    caplog.set_level(logging.INFO, logger="hallcall.broker.commands")
    hall.issue()
    hall.send("window", "w01", "call.next")  # nobody logged in: refused
    hall.send("kiosk", "kiosk-1", "ticket.issue", department="no-such-department")
    lines = [r.getMessage() for r in caplog.records if r.name == "hallcall.broker.commands"]
    assert len(lines) == 3, lines
    parsed = [LINE.match(line).groups() for line in lines]
    hall_id = parsed[0][0]
    assert [(g[1], g[2], g[3], g[4]) for g in parsed] == [
        ("kiosk", "kiosk-1", "ticket.issue", "ok"),
        ("window", "w01", "call.next", parsed[1][4]),
        ("kiosk", "kiosk-1", "ticket.issue", "not_found"),
    ]
    assert parsed[1][4] != "ok" and all(g[0] == hall_id for g in parsed)
    assert all(float(g[5]) >= 0 for g in parsed)


def test_the_command_log_can_be_turned_off(hall, caplog):
    caplog.set_level(logging.WARNING, logger="hallcall.broker.commands")
    hall.issue()
    assert not [r for r in caplog.records if r.name == "hallcall.broker.commands"]
