"""Appointments booked with a resident ID card's keyed hash, checked in by laying the card on a
kiosk, and the hall's retention that forgets every hash (issue #15): plain Python, no I/O."""

from datetime import timedelta

import pytest

from hallcall.broker.domain.errors import NotFound
from hallcall.broker.domain.model import Source
from hallcall.protocol.idnumber import id_hash
from tests.domain.test_hall import CONFIG, at, new_hall

KEY = b"a hall key of at least 16 bytes"
CARD = id_hash("11010519491231002X", KEY)
OTHER = id_hash("440524188001010014", KEY)


def test_a_card_checks_in_todays_appointment_as_its_code_would():
    hall = new_hall()
    walk_in, _ = hall.issue(at(0), "registrar")
    appt, events = hall.book(at(1), "registrar", "transcript", at(30), None, None, "en", CARD)
    assert appt.id_hash == CARD and events[0].id_hash == CARD
    ticket, events = hall.check_in_by_card(at(25), CARD)
    assert ticket.source is Source.APPOINTMENT and ticket.booked_at == at(30)
    assert (ticket.matter, ticket.lang, ticket.id_hash) == ("transcript", "en", CARD)
    assert [type(e).__name__ for e in events] == ["TicketIssued", "AppointmentCheckedIn"]
    # Due from 10 minutes before its time: it goes ahead of the walk-in.
    assert hall.queues["registrar"].ids_in_order(at(25))[0] == ticket.id
    assert walk_in.id in hall.queues["registrar"].ids_in_order(at(25))
    # Swiped again: the same ticket, nothing new.
    again, events = hall.check_in_by_card(at(26), CARD)
    assert again is ticket and events == []


def test_two_appointments_today_are_checked_in_in_booked_order():
    hall = new_hall()
    hall.book(at(1), "finance", None, at(120), None, None, None, CARD)
    hall.book(at(1), "registrar", None, at(60), None, None, None, CARD)
    first, _ = hall.check_in_by_card(at(50), CARD)
    second, _ = hall.check_in_by_card(at(51), CARD)
    assert (first.department, second.department) == ("registrar", "finance")


def test_no_appointment_today_is_not_found_and_says_when_the_next_one_is():
    hall = new_hall()
    with pytest.raises(NotFound) as none:
        hall.check_in_by_card(at(0), CARD)
    assert none.value.detail is None
    hall.book(at(1), "registrar", None, at(60 * 24 * 2), None, None, None, CARD)
    with pytest.raises(NotFound) as later:
        hall.check_in_by_card(at(2), CARD)
    assert later.value.detail == {"reason": "not_today", "booked_for": "2026-11-25"}
    # Another card's appointment is nothing to this one.
    hall.book(at(1), "registrar", None, at(60), None, None, None, OTHER)
    with pytest.raises(NotFound):
        hall.check_in_by_card(at(3), CARD)


def test_a_ticket_taken_with_a_card_keeps_its_hash():
    hall = new_hall()
    ticket, events = hall.issue(at(0), "registrar", id_hash=CARD)
    assert ticket.id_hash == CARD and events[0].ticket.id_hash == CARD


def test_retention_forgets_the_hashes_of_days_past_it():
    config = CONFIG.model_copy(
        update={"idcard": CONFIG.idcard.model_copy(update={"retention_days": 1})}
    )
    hall = new_hall(config)
    ticket, _ = hall.issue(at(0), "registrar", id_hash=CARD)
    today, _ = hall.book(at(1), "registrar", None, at(60), None, None, None, CARD)
    later, _ = hall.book(at(1), "registrar", None, at(60 * 24 * 5), None, None, None, OTHER)
    assert hall.purge_id_hashes(at(0)) == at(0).date() - timedelta(days=1)
    assert ticket.id_hash == today.id_hash == CARD  # within the retention
    tomorrow = at(60 * 24)
    hall.purge_id_hashes(tomorrow)
    assert ticket.id_hash == today.id_hash == CARD  # one day after: still kept
    keep_from = hall.purge_id_hashes(at(60 * 24 * 2))
    assert keep_from == at(0).date() + timedelta(days=1)
    assert ticket.id_hash is None and today.id_hash is None
    assert later.id_hash == OTHER  # its day is still to come
