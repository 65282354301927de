"""Ticket tokens and `ticket.status` through the queue service and a real database (issue #14).

The rules are tested in tests/domain/test_ticket_status.py; here the same answers arrive over
the message bus, survive a restart, come back from the database for an earlier day, and the
migration gives every ticket kept before it its own token.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from hallcall.broker.storage.migrate import downgrade, upgrade
from hallcall.broker.storage.orm import CommandRow, TicketRow
from tests.support.hall import Hall, start_service


def status(hall: Hall, token: str, **extra) -> dict:
    return hall.send("web", "web", "ticket.status", token=token, **extra)


def test_the_kiosk_gets_the_token_and_nobody_else_hears_it(hall):
    t = hall.issue()
    assert isinstance(t["token"], str) and len(t["token"]) == 22
    hall.login("w01", "s101")
    called = hall.next("w01")
    assert "token" not in called
    for pub in hall.publications + hall.service.republish_all():
        assert t["token"] not in str(pub.payload), pub.topic


def test_a_waiting_ticket_tells_its_place_and_wait(hall):
    hall.login("w01", "s101")
    hall.issue()
    t = hall.issue(matter="transcript")
    data = status(hall, t["token"])["data"]
    view = data["ticket"]
    assert (view["id"], view["number"], view["department"]) == (t["id"], "A002", "registrar")
    assert view["matter"] == "transcript" and view["status"] == "waiting"
    assert view["waiting_ahead"] == 1 and view["open_windows"] == 1
    assert isinstance(view["estimated_wait_s"], int) and view["estimated_wait_s"] > 0
    assert "token" not in view
    assert data == {
        "ticket": view,
        "checkin": None,  # only a remote ticket not checked in yet has one (ticket.remote)
        "service_date": "2026-11-23",
        "today": "2026-11-23",
        "other_day": False,
        "day_closed": False,
        "hall_closed": False,
        "closed_by_system": False,
        "can_rate": False,
    }


def test_called_finished_rated(hall):
    t = hall.issue()
    hall.login("w01", "s101")
    hall.next("w01")
    view = status(hall, t["token"])["data"]["ticket"]
    assert view["status"] == "called" and view["window"] == "w01" and view["window_number"] == 1
    assert view["waiting_ahead"] is None
    hall.finish("w01", outcome="needs_documents")
    data = status(hall, t["token"])["data"]
    assert data["ticket"]["outcome"] == "needs_documents" and data["can_rate"]
    hall.ok("rating", "pad-w01", "rating.submit", ticket_id=t["id"], score=3)
    assert not status(hall, t["token"])["data"]["can_rate"]


def test_refusals(hall):
    t = hall.issue()
    bad = status(hall, "x" * 22)
    assert bad["ok"] is False and bad["error"]["code"] == "unknown_token"
    assert "x" * 22 not in bad["error"]["message"]
    for token in ("short", "has spaces in it ok", "ü" * 22, 42, None, "y" * 65):
        reply = status(hall, token)
        assert reply["error"]["code"] == "invalid", token
        assert reply["request_id"] is not None
    assert hall.send("web", "web", "ticket.status")["error"]["code"] == "invalid"
    # Only a web device asks, and only one the hall file names.
    kiosk = hall.send("kiosk", "kiosk-1", "ticket.status", token=t["token"])
    assert kiosk["error"]["code"] == "forbidden"
    stranger = hall.send("web", "web-9", "ticket.status", token=t["token"])
    assert stranger["error"]["code"] == "forbidden"
    # ...and a web device may not take tickets.
    assert hall.error("web", "web", "ticket.issue", department="registrar") == "forbidden"


def test_a_query_is_answered_afresh_and_writes_nothing(hall, engine):
    t = hall.issue()
    first = status(hall, t["token"], request_id="page-1")
    assert first["data"]["ticket"]["status"] == "waiting"
    hall.login("w01", "s101")
    hall.next("w01")
    again = status(hall, t["token"], request_id="page-1")
    assert again["request_id"] == "page-1" and again["data"]["ticket"]["status"] == "called"
    with engine.connect() as c:
        kept = c.execute(
            sa.select(sa.func.count()).where(CommandRow.op == "ticket.status")
        ).scalar()
    assert kept == 0


def test_the_close_of_day_and_the_next_day(hall, service, clock, hall_config, engine):
    t = hall.issue()
    waiting = hall.issue()
    hall.login("w01", "s101")
    hall.next("w01")
    hall.finish("w01")
    hall.ok("admin", "office", "day.close")
    data = status(hall, t["token"])["data"]
    assert data["hall_closed"] and data["day_closed"] and not data["other_day"]
    assert not data["can_rate"]
    closed = status(hall, waiting["token"])["data"]
    assert closed["ticket"]["status"] == "no_show" and closed["closed_by_system"]
    # The next morning, on a restarted broker: yesterday's tickets come from the database.
    clock.advance(hours=24)
    restarted = Hall(start_service(hall_config, engine, clock))
    for token, state in ((t["token"], "finished"), (waiting["token"], "no_show")):
        data = status(restarted, token)["data"]
        assert data["ticket"]["status"] == state
        assert data["other_day"] and data["day_closed"] and not data["hall_closed"]
        assert (data["service_date"], data["today"]) == ("2026-11-23", "2026-11-24")
    # Today's tickets are answered from memory, on the same broker.
    today = restarted.issue()
    assert not status(restarted, today["token"])["data"]["other_day"]
    assert today["token"] not in (t["token"], waiting["token"])


def test_a_restart_keeps_every_token(hall, clock, hall_config, engine):
    tokens = [hall.issue()["token"] for _ in range(3)]
    restarted = Hall(start_service(hall_config, engine, clock))
    for n, token in enumerate(tokens, 1):
        assert status(restarted, token)["data"]["ticket"]["number"] == f"A{n:03d}"


def test_appointment_check_in_gives_the_token(hall):
    booked = hall.ok(
        "admin",
        "office",
        "appointment.book",
        department="registrar",
        booked_at="2026-11-23T01:30:00Z",
        code="4242",
    )["appointment"]
    first = hall.ok("kiosk", "kiosk-2", "appointment.checkin", code=booked["code"])["ticket"]
    again = hall.ok("kiosk", "kiosk-1", "appointment.checkin", code=booked["code"])["ticket"]
    assert first["token"] and again["token"] == first["token"]
    assert status(hall, first["token"])["data"]["ticket"]["source"] == "appointment"


def test_the_migration_gives_every_kept_ticket_a_token(hall, clock, hall_config, engine):
    for _ in range(5):
        hall.issue()
    clock.advance(hours=24)
    Hall(start_service(hall_config, engine, clock)).issue()  # tickets of two days
    downgrade(engine, "0006")
    with engine.connect() as c:
        columns = {col["name"] for col in sa.inspect(c).get_columns("tickets")}
    assert "token" not in columns
    upgrade(engine)
    with engine.connect() as c:
        rows = c.execute(sa.select(TicketRow.id, TicketRow.token)).all()
    tokens = [token for _, token in rows]
    assert len(rows) == 6 and all(tok and len(tok) == 22 for tok in tokens)
    assert len(set(tokens)) == 6
    restarted = Hall(start_service(hall_config, engine, clock))
    for ticket_id, token in rows:
        assert status(restarted, token)["data"]["ticket"]["id"] == ticket_id
    # The index is unique: no two tickets can share a token.
    with engine.begin() as c:
        c.execute(sa.update(TicketRow).values(token=None))
    with engine.begin() as c, pytest.raises(sa.exc.IntegrityError):
        c.execute(sa.update(TicketRow).values(token="same-token-for-all-xx"))
