"""Ticket status tokens and what a visitor's page is told (issue #14): the rules, no I/O."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from hallcall.broker.domain.errors import UnknownToken
from hallcall.broker.domain.hall import HallDay, HallSnapshot
from hallcall.broker.domain.model import Outcome, Post, TicketStatus
from tests.domain.test_hall import CONFIG, NINE, PIN, at, new_hall


def serve(hall: HallDay, window: str = "w01", staff: str = "s101"):
    hall.login(at(0), window, staff, Post.A, PIN)
    return hall


def test_every_ticket_gets_its_own_unguessable_token():
    hall = new_hall()
    tickets = [hall.issue(at(i), "registrar")[0] for i in range(50)]
    tokens = [t.token for t in tickets]
    assert all(isinstance(tok, str) and len(tok) == 22 for tok in tokens)
    assert len(set(tokens)) == 50
    assert all(t.number not in t.token and t.id not in t.token for t in tickets)
    assert all(hall.ticket_by_token(t.token) is t for t in tickets)


def test_the_event_of_an_issued_ticket_carries_the_token_only_inside_the_broker():
    hall = new_hall()
    t, events = hall.issue(at(0), "registrar")
    (issued,) = events
    # The domain event keeps the ticket whole (it is stored); projections leave the token out.
    assert issued.ticket.token == t.token


def test_a_waiting_ticket_is_reported_with_its_day():
    hall = new_hall()
    first = hall.issue(at(0), "registrar")[0]
    report = hall.ticket_status(at(1), first.token)
    assert report.ticket is first and report.ticket.status is TicketStatus.WAITING
    assert report.today == NINE.date() and not report.other_day
    assert not report.day_closed and not report.hall_closed and not report.can_rate


def test_an_unknown_token_is_refused_without_echoing_it():
    hall = new_hall()
    hall.issue(at(0), "registrar")
    with pytest.raises(UnknownToken) as refused:
        hall.ticket_status(at(1), "not-a-real-token-at-all")
    assert refused.value.code == "unknown_token"
    assert "not-a-real-token" not in refused.value.message


def test_a_stored_ticket_must_match_the_token_asked_for():
    hall = new_hall()
    other = copy.copy(hall.issue(at(0), "registrar")[0])
    other.token = "someone-elses-token-xx"
    with pytest.raises(UnknownToken):
        hall.ticket_status(at(1), "the-token-asked-for-x", other)


def test_a_ticket_can_be_rated_once_after_its_service_and_only_while_it_is_the_last():
    hall = serve(new_hall())
    t = hall.issue(at(0), "registrar")[0]
    token = t.token
    assert token is not None
    hall.call_next(at(1), "w01")
    assert not hall.ticket_status(at(2), token).can_rate  # being served
    hall.finish(at(5), "w01", Outcome.DONE)
    assert hall.ticket_status(at(6), token).can_rate
    hall.rate(at(7), "pad-w01", t.id, 3, ())
    assert not hall.ticket_status(at(8), token).can_rate  # once


def test_the_next_ticket_at_the_window_ends_the_chance_to_rate():
    hall = serve(new_hall())
    first = hall.issue(at(0), "registrar")[0]
    hall.issue(at(0), "registrar")
    hall.call_next(at(1), "w01")
    hall.finish(at(2), "w01", Outcome.DONE)
    assert hall.ticket_status(at(3), first.token).can_rate
    hall.call_next(at(4), "w01")
    hall.no_show(at(5), "w01")  # the pad now faces the next visitor's ticket
    assert not hall.ticket_status(at(6), first.token).can_rate


def test_a_no_show_or_a_transfer_cannot_be_rated():
    hall = serve(new_hall())
    gone = hall.issue(at(0), "registrar")[0]
    hall.call_next(at(1), "w01")
    hall.no_show(at(2), "w01")
    assert not hall.ticket_status(at(3), gone.token).can_rate
    moved = hall.issue(at(4), "registrar")[0]
    hall.call_next(at(5), "w01")
    hall.transfer(at(6), "w01", "finance", None)
    report = hall.ticket_status(at(7), moved.token)
    assert report.ticket.status is TicketStatus.WAITING and report.ticket.department == "finance"
    assert not report.can_rate


def test_after_the_close_of_day_the_ticket_says_so_and_cannot_be_rated():
    hall = serve(new_hall())
    served = hall.issue(at(0), "registrar")[0]
    left = hall.issue(at(0), "registrar")[0]
    hall.call_next(at(1), "w01")
    hall.finish(at(2), "w01", Outcome.DONE)
    hall.close_day(at(3))
    report = hall.ticket_status(at(4), served.token)
    assert report.day_closed and report.hall_closed and not report.other_day
    assert not report.can_rate  # ratings are taken while the hall is open
    unserved = hall.ticket_status(at(4), left.token)
    assert unserved.ticket.status is TicketStatus.NO_SHOW and unserved.ticket.closed_by_system


def test_a_ticket_of_an_earlier_day_is_reported_as_of_another_day():
    hall = serve(new_hall())
    yesterday = hall.issue(at(0), "registrar")[0]
    hall.call_next(at(1), "w01")
    hall.finish(at(2), "w01", Outcome.RETURNED)
    stored = copy.copy(yesterday)
    tomorrow = NINE + timedelta(days=1)
    hall.roll_over(tomorrow)
    # The aggregate let go of yesterday's ticket; the store hands it back.
    assert hall.ticket_by_token(yesterday.token) is None
    report = hall.ticket_status(tomorrow, yesterday.token, stored)
    assert report.other_day and report.day_closed and not report.hall_closed
    assert report.today == tomorrow.date() and report.ticket.service_date == NINE.date()
    assert report.ticket.outcome is Outcome.RETURNED and not report.can_rate


def test_a_ticket_left_open_overnight_is_closed_by_the_new_day():
    hall = new_hall()
    waiting = hall.issue(at(0), "registrar")[0]
    tomorrow = NINE + timedelta(days=1)
    hall.roll_over(tomorrow)  # closes it (no-show by the system), then lets go of it
    assert hall.ticket_by_token(waiting.token) is None
    report = hall.ticket_status(tomorrow, waiting.token, waiting)
    assert report.other_day and report.day_closed
    assert report.ticket.status is TicketStatus.NO_SHOW and report.ticket.closed_by_system


def test_tokens_are_known_again_after_a_restart():
    hall = new_hall()
    t = hall.issue(at(0), "registrar")[0]
    again = HallDay(CONFIG, HallSnapshot(tickets=[copy.copy(t)]))
    again.roll_over(at(1))
    assert again.ticket_status(at(1), t.token).ticket.id == t.id


def test_a_checked_in_appointment_ticket_has_a_token_and_gives_the_same_one_again():
    hall = new_hall()
    appt, _ = hall.book(at(0), "registrar", None, at(30), "123456", None, None)
    t, _ = hall.check_in(at(25), appt.code)
    again, _ = hall.check_in(at(26), appt.code)
    assert t.token and again.token == t.token
