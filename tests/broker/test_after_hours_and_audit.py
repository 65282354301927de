"""Issue #11 item 6: after the close of day nothing changes today's service; admin actions name a person.

Over real Mosquitto, a real queue broker and the `hallcall admin` command line.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from hallcall.broker.reports.report import build_report
from hallcall.broker.storage.orm import AuditRow
from hallcall.cli import main
from tests.broker.test_admin_mqtt import admin_args

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@SQLITE
def test_after_the_close_of_day_login_assign_and_rating_are_refused_closed(
    queue_broker, device, mosquitto, capsys
):
    queue_broker()
    kiosk, clerk, pad = (
        device("kiosk", "kiosk-1"),
        device("window", "w01"),
        device("rating", "pad-w01"),
    )
    assert kiosk.request("ticket.issue", department="registrar")["ok"]
    assert clerk.request("window.login", staff="s101", post="A", pin="2468")["ok"]
    served = clerk.request("call.next")["data"]["ticket"]
    assert clerk.request("ticket.finish", outcome="done")["ok"]
    assert main(admin_args(mosquitto, "close-day")) == 0
    capsys.readouterr()
    refusals = [
        clerk.request("window.login", staff="s101", post="A", pin="2468"),
        pad.request("rating.submit", ticket_id=served["id"], score=3),
        kiosk.request("ticket.issue", department="registrar"),
    ]
    assert [r["error"]["code"] for r in refusals] == ["closed", "closed", "closed"]
    assert main(admin_args(mosquitto, "assign", "w07", "finance")) == 2
    assert "refused (closed)" in capsys.readouterr().err


@SQLITE
def test_admin_actions_are_audited_with_the_person_and_arguments_and_listed_in_the_report(
    queue_broker, mosquitto, engine, hall_config, capsys
):
    queue_broker()
    assert main(admin_args(mosquitto, "assign", "w07", "finance", "registrar")) == 0
    assert (
        main(admin_args(mosquitto, "assign", "w01", "finance")) == 2
    )  # a fixed window: refused, still audited
    book = [
        "book",
        "--department",
        "finance",
        "--at",
        "2026-11-24T10:30+08:00",
        "--code",
        "123456",
        "--phone",
        "13800000000",
    ]
    assert main(admin_args(mosquitto, *book)) == 0
    # Nobody named: refused before anything is sent.
    without = [a for a in admin_args(mosquitto, "close-day") if a not in ("--as", "Wang Fang")]
    assert main(without) == 2
    assert "--as NAME" in capsys.readouterr().err
    with engine.connect() as c:
        assert c.execute(select(func.count()).select_from(AuditRow)).scalar() == 3
    report = build_report(hall_config, engine, date(2026, 11, 23), date(2026, 11, 23), lang="en")
    rows = report.table("audit").rows
    assert [(r["actor"], r["device"], r["op"], r["outcome"]) for r in rows] == [
        ("Wang Fang", "admin/office", "window.assign", "ok"),
        ("Wang Fang", "admin/office", "window.assign", "forbidden"),
        ("Wang Fang", "admin/office", "appointment.book", "ok"),
    ]
    assert '"departments": ["finance", "registrar"]' in rows[0]["arguments"]
    assert '"window": "w07"' in rows[0]["arguments"]
    assert (
        '"code": "123456"' in rows[2]["arguments"]
        and '"booked_at": "2026-11-24T' in rows[2]["arguments"]
    )
