"""Appointments booked with a resident ID number and checked in by the card's keyed hash, the
hash on tickets, and the hall's retention that purges every stored hash (issue #15): through
the service and a real database (SQLite and PostgreSQL, migrations run). The rules are tested
in tests/domain/test_id_card_checkin.py."""

from __future__ import annotations

import json
import logging

import pytest
import sqlalchemy as sa

from hallcall.broker.storage.orm import AppointmentRow, AuditRow, CommandRow, TicketRow
from hallcall.protocol.idnumber import id_hash
from tests.support.hall import Hall, start_service

NUMBER = "11010519491231002X"  # made up: a valid check digit and nothing more
KEY = b"0123456789abcdef0123456789abcdef"


@pytest.fixture
def id_config(hall_config, tmp_path):
    key_file = tmp_path / "idcard.key"
    key_file.write_bytes(KEY + b"\n")
    key_file.chmod(0o600)
    idcard = hall_config.idcard.model_copy(
        update={"hash_key_file": str(key_file), "retention_days": 2}
    )
    return hall_config.model_copy(update={"idcard": idcard})


def book(hall: Hall, booked_at="2026-11-23T09:30:00+08:00", **args) -> dict:
    return hall.send(
        "admin",
        "office",
        "appointment.book",
        department="registrar",
        booked_at=booked_at,
        actor="Wang Fang",
        **args,
    )


def test_a_number_is_kept_only_as_its_hash_and_the_card_checks_in(id_config, engine, clock, caplog):
    caplog.set_level(logging.DEBUG)
    hall = Hall(start_service(id_config, engine, clock))
    reply = book(hall, id_number=NUMBER.lower())
    assert reply["ok"], reply
    assert reply["data"]["appointment"]["id_card"] is True
    hashed = id_hash(NUMBER, KEY)
    # The kiosk swipes: the same hash checks it in, queued at its booked time.
    ticket = hall.ok("kiosk", "kiosk-1", "appointment.checkin", id_hash=hashed)["ticket"]
    assert ticket["source"] == "appointment" and ticket["booked_at"] == "2026-11-23T01:30:00Z"
    assert "id_hash" not in ticket
    again = hall.ok("kiosk", "kiosk-1", "appointment.checkin", id_hash=hashed)["ticket"]
    assert again["id"] == ticket["id"]
    # A card with no appointment: not_found, and the kiosk takes a walk-in with the hash.
    other = id_hash("440524188001010014", KEY)
    reply = hall.send("kiosk", "kiosk-1", "appointment.checkin", id_hash=other)
    assert reply["error"]["code"] == "not_found" and "detail" not in reply["error"]
    walk_in = hall.issue(id_hash=other)
    with engine.connect() as c:
        appt = c.execute(sa.select(AppointmentRow)).one()
        kept = dict(c.execute(sa.select(TicketRow.id, TicketRow.id_hash)).all())
        audit = c.execute(sa.select(AuditRow.arguments)).scalar_one()
        replies = [json.dumps(r) for r in c.execute(sa.select(CommandRow.reply)).scalars()]
    assert appt.id_hash == hashed and appt.ticket_id == ticket["id"]
    assert kept == {ticket["id"]: hashed, walk_in["id"]: other}
    assert audit["id_card"] is True and "id_number" not in audit and "id_hash" not in audit
    # Nowhere in clear: not in any stored reply, any publication, the audit table, or a log.
    for text in [*replies, json.dumps(audit), caplog.text]:
        assert NUMBER not in text.upper() and hashed not in text and other not in text
    for pub in hall.publications:
        assert hashed not in json.dumps(pub.payload) and other not in json.dumps(pub.payload)
    # A restart keeps the booking's hash: a repeat swipe still finds the same ticket.
    hall = Hall(start_service(id_config, engine, clock))
    assert (
        hall.ok("kiosk", "kiosk-1", "appointment.checkin", id_hash=hashed)["ticket"]["id"]
        == ticket["id"]
    )


def test_bad_numbers_and_a_hall_without_a_key_are_refused_and_change_nothing(
    hall_config, id_config, engine, clock
):
    hall = Hall(start_service(id_config, engine, clock))
    wrong = NUMBER[:-1] + "1"  # the check digit does not match
    reply = book(hall, id_number=wrong)
    assert reply["error"]["code"] == "invalid" and wrong not in json.dumps(reply)
    reply = book(hall, id_number=NUMBER, id_hash="a" * 64)
    assert reply["error"]["code"] == "invalid"
    reply = hall.send("kiosk", "kiosk-1", "appointment.checkin", code="1234", id_hash="a" * 64)
    assert reply["error"]["code"] == "invalid"
    no_key = Hall(start_service(hall_config, engine, clock))
    reply = book(no_key, id_number=NUMBER)
    assert reply["error"]["code"] == "invalid" and "hash_key_file" in reply["error"]["message"]
    # A hash made elsewhere (the admin CLI hashes with the hall's key file) needs no key here.
    assert book(no_key, id_hash=id_hash(NUMBER, KEY))["ok"]
    with engine.connect() as c:
        assert c.execute(sa.select(sa.func.count()).select_from(AppointmentRow)).scalar() == 1


def test_retention_purges_every_stored_hash_at_a_days_start(id_config, engine, clock):
    hall = Hall(start_service(id_config, engine, clock))
    hashed = id_hash(NUMBER, KEY)
    assert book(hall, id_hash=hashed)["ok"]
    later = book(hall, id_hash=hashed, booked_at="2026-11-30T10:00:00+08:00")
    assert later["ok"]
    checked = hall.ok("kiosk", "kiosk-1", "appointment.checkin", id_hash=hashed)["ticket"]
    walk_in = hall.issue(id_hash=id_hash("440524188001010014", KEY))

    def stored() -> tuple[dict, dict]:
        with engine.connect() as c:
            appts = dict(c.execute(sa.select(AppointmentRow.code, AppointmentRow.id_hash)).all())
            tickets = dict(c.execute(sa.select(TicketRow.id, TicketRow.id_hash)).all())
        return appts, tickets

    clock.advance(days=2)  # Wednesday: within retention_days = 2
    hall.service.bus.tick()
    appts, tickets = stored()
    assert all(appts.values()) and tickets[checked["id"]] and tickets[walk_in["id"]]
    clock.advance(days=1)  # Thursday: Monday is 3 days ago
    hall.service.bus.tick()
    appts, tickets = stored()
    assert tickets == {checked["id"]: None, walk_in["id"]: None}
    assert appts[later["data"]["appointment"]["code"]] == hashed  # its day is still to come
    assert list(appts.values()).count(None) == 1
    # Held in memory too: a restart or a later write brings nothing back.
    assert all(t.id_hash is None for t in hall.service.hall.tickets.values())
    hall = Hall(start_service(id_config, engine, clock))
    assert stored() == (appts, tickets)


def test_the_key_file_is_made_once_owner_only_and_read_back(tmp_path, capsys):
    from hallcall.cli import main
    from hallcall.protocol.idnumber import read_hash_key

    out = tmp_path / "idcard.key"
    assert main(["admin", "idcard-key", "--out", str(out)]) == 0
    assert (out.stat().st_mode & 0o777) == 0o600
    key = read_hash_key(out)
    assert len(key) == 64 and key in out.read_bytes()
    assert main(["admin", "idcard-key", "--out", str(out)]) == 1  # never overwritten
    assert "exists" in capsys.readouterr().err and read_hash_key(out) == key


def test_config_check_warns_of_an_unusable_key_file(tmp_path, capsys):
    from hallcall.cli import main
    from hallcall.config.loader import EXAMPLE_HALL

    key = tmp_path / "idcard.key"
    example = '# hash_key_file = "/etc/hallcall/secrets/idcard.key"'
    hall = tmp_path / "hall.toml"
    hall.write_text(
        EXAMPLE_HALL.read_text(encoding="utf-8").replace(example, f'hash_key_file = "{key}"'),
        encoding="utf-8",
    )
    assert main(["config", "check", str(hall)]) == 0
    assert "cannot read the ID card hash key file" in capsys.readouterr().out
    key.write_bytes(b"short")
    assert main(["config", "check", str(hall)]) == 0
    assert "holds 5 bytes; at least 16" in capsys.readouterr().out
    key.write_bytes(KEY)
    key.chmod(0o644)
    assert main(["config", "check", str(hall)]) == 0
    assert "anyone may read" in capsys.readouterr().out
    key.chmod(0o600)
    assert main(["config", "check", str(hall)]) == 0
    assert "hash key" not in capsys.readouterr().out
