"""`ticket.remote` (线上取号, issue #14) through the service and a real database: the reply the
web part builds on, the kiosk's unchanged check-in, a restart, the reports. The rules are
tested in tests/domain/test_remote_tickets.py."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from hallcall.broker.reports.report import build_report
from hallcall.broker.storage.orm import AppointmentRow, CommandRow, TicketRow
from tests.support.hall import Hall, start_service

TODAY = date(2026, 11, 23)


def remote(hall: Hall, department="registrar", **args) -> dict:
    return hall.send("web", "web", "ticket.remote", department=department, **args)


def with_rules(hall_config, **rules):
    return hall_config.model_copy(
        update={"remote_tickets": hall_config.remote_tickets.model_copy(update=rules)}
    )


def status(hall: Hall, token: str) -> dict:
    return hall.ok("web", "web", "ticket.status", token=token)


def test_on_checkin_a_code_then_the_kiosk_checks_it_in(hall, engine, clock, hall_config):
    hall.login("w01", "s101")
    reply = remote(hall, matter="transcript", lang="en", request_id="phone-1")
    assert reply["ok"], reply
    data = reply["data"]
    token, checkin = data["token"], data["checkin"]
    assert data["join"] == "on_checkin" and data["ticket"] is None and len(token) == 22
    assert checkin == {
        "code": checkin["code"],
        "department": "registrar",
        "matter": "transcript",
        "lang": "en",
        "taken_at": "2026-11-23T01:00:00Z",
        "checkin_by": "2026-11-23T02:00:00Z",
        "expired": False,
    }
    assert len(checkin["code"]) == 6 and checkin["code"].isdigit()
    # Kept: a resend of the same request gets the same code and token, not a second one.
    assert remote(hall, matter="transcript", lang="en", request_id="phone-1") == reply
    # Nothing is published: no queue changed, and no token or code goes out on MQTT.
    for pub in hall.publications:
        assert token not in str(pub.payload) and checkin["code"] not in str(pub.payload)
    # The page, before the check-in: no ticket yet, the code to check in with.
    pending = status(hall, token)
    assert pending["ticket"] is None and pending["checkin"] == checkin
    assert (pending["service_date"], pending["today"]) == ("2026-11-23", "2026-11-23")
    assert not pending["can_rate"] and not pending["other_day"]
    # A restart forgets nothing: the booking comes back from the database.
    hall = Hall(start_service(hall_config, engine, clock))
    assert status(hall, token)["checkin"] == checkin
    # At the kiosk, the appointment check-in it already has: a ticket with the page's token.
    clock.advance(minutes=20)
    walk_in = hall.issue()
    ticket = hall.ok("kiosk", "kiosk-1", "appointment.checkin", code=checkin["code"])["ticket"]
    assert ticket["token"] == token and ticket["source"] == "remote"
    assert ticket["matter"] == "transcript" and ticket["lang"] == "en"
    assert ticket["waiting_ahead"] == 1 and ticket["booked_at"] is None  # behind the walk-in
    issued = hall.last("event/ticket.issued")
    assert issued["ticket"]["source"] == "remote" and "token" not in issued["ticket"]
    after = status(hall, token)
    assert after["checkin"] is None and after["ticket"]["id"] == ticket["id"]
    assert after["ticket"]["status"] == "waiting"
    assert hall.next("w01")["id"] == walk_in["id"]
    with engine.connect() as c:
        row = c.execute(sa.select(AppointmentRow)).one()
        kept = c.execute(
            sa.select(TicketRow.source, TicketRow.token).where(TicketRow.id == ticket["id"])
        ).one()
    assert (row.remote, row.token, row.phone, row.ticket_id) == (True, token, None, ticket["id"])
    assert tuple(kept) == ("remote", token)


def test_join_now_queues_it_at_once(hall_config, engine, clock):
    hall = Hall(start_service(with_rules(hall_config, join="now"), engine, clock))
    hall.login("w01", "s101")
    data = remote(hall)["data"]
    assert data["join"] == "now" and data["checkin"] is None
    ticket = data["ticket"]
    assert ticket["token"] == data["token"] and ticket["source"] == "remote"
    assert ticket["number"] == "A001" and ticket["status"] == "waiting"
    assert ticket["waiting_ahead"] == 0 and ticket["open_windows"] == 1
    assert hall.last("state/queue/registrar")["waiting"] == 1
    assert hall.last("event/ticket.issued")["ticket"]["source"] == "remote"
    assert status(hall, data["token"])["ticket"]["id"] == ticket["id"]
    called = hall.next("w01")
    assert called["id"] == ticket["id"]
    hall.finish("w01")
    assert hall.ok("web", "web", "ticket.rate", token=data["token"], score=3)["recorded"]


def test_refusals(hall_config, hall, engine, clock):
    # No window of the department open: nobody would call it.
    closed = remote(hall)
    assert closed["error"]["code"] == "closed"
    assert closed["error"]["detail"] == {"reason": "no_window"}
    hall.login("w01", "s101")
    assert remote(hall, "nowhere")["error"]["code"] == "not_found"
    for bad in ({"department": "Bad Id"}, {"lang": "fr"}, {"matter": 3}):
        reply = hall.send("web", "web", "ticket.remote", **{"department": "registrar", **bad})
        assert reply["error"]["code"] == "invalid", bad
    kiosk = hall.send("kiosk", "kiosk-1", "ticket.remote", department="registrar")
    assert kiosk["error"]["code"] == "forbidden"
    stranger = hall.send("web", "web-9", "ticket.remote", department="registrar")
    assert stranger["error"]["code"] == "forbidden"
    hall.ok("admin", "office", "day.close")
    assert remote(hall)["error"]["code"] == "closed"
    # A hall that does not enable it.
    off = Hall(start_service(with_rules(hall_config, enabled=False), engine, clock))
    refused = off.send("web", "web", "ticket.remote", department="registrar")
    assert refused["error"]["code"] == "forbidden"
    assert refused["error"]["detail"] == {"reason": "remote_off"}
    # Outside the hall's hours for it (the example takes them 08:00-17:00).
    clock.advance(hours=24 + 9)  # 18:00 the next day
    late = Hall(start_service(hall_config, engine, clock))
    after_hours = late.send("web", "web", "ticket.remote", department="registrar")["error"]
    assert after_hours["code"] == "closed" and after_hours["detail"]["reason"] == "hours"


def test_the_halls_rate_is_not_kept_so_a_resend_runs_later(hall_config, engine, clock):
    from hallcall.config.schema import RateLimit

    config = with_rules(hall_config, join="now", rate=RateLimit(burst=2, per_minute=2))
    hall = Hall(start_service(config, engine, clock))
    hall.login("w01", "s101")
    assert remote(hall)["ok"] and remote(hall)["ok"]
    limited = remote(hall, request_id="third")
    assert limited["error"]["code"] == "rate_limited"
    with engine.connect() as c:
        ops = c.execute(sa.select(CommandRow.request_id).where(CommandRow.op == "ticket.remote"))
        assert "third" not in set(ops.scalars())
    clock.advance(seconds=31)
    assert remote(hall, request_id="third")["ok"]


def test_reports_count_remote_tickets_as_issued_and_served_and_pending_ones_not(
    hall, engine, clock
):
    hall.login("w01", "s101")
    pending = remote(hall)["data"]["checkin"]["code"]
    assert pending
    checked = remote(hall)["data"]["checkin"]["code"]
    hall.ok("kiosk", "kiosk-1", "appointment.checkin", code=checked)
    hall.issue()
    hall.next("w01")
    clock.advance(minutes=5)
    hall.finish("w01")
    report = build_report(
        hall.service.config, engine, TODAY, TODAY, lang="en", now=clock.now() + timedelta(hours=1)
    )
    summary = report.table("hall").rows[0]
    # Two tickets (the remote one checked in, and a walk-in); the code never checked in has
    # joined no queue and is no ticket.
    assert (summary["issued"], summary["served"], summary["open"]) == (2, 1, 1)
