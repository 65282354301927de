"""Remote tickets (线上取号, `ticket.remote`, issue #14): the hall's rules, no I/O.

The example hall takes them "on check-in": the phone gets a code that the kiosk's appointment
check-in turns into the ticket. `join = "now"` queues the ticket at once.
"""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from hallcall.broker.domain import events as ev
from hallcall.broker.domain.errors import Closed, Conflict, Forbidden, NotFound, QueueError
from hallcall.broker.domain.hall import Appointment, HallDay, HallSnapshot
from hallcall.broker.domain.model import Outcome, Post, Source, TicketStatus
from hallcall.config.schema import RateLimit
from tests.domain.test_hall import CONFIG, NINE, PIN, at, state, types

RULES = CONFIG.remote_tickets


def hall_with(**rules) -> HallDay:
    """The example hall with these `[remote_tickets]` settings, w01 (registrar) open."""
    config = CONFIG.model_copy(
        update={"remote_tickets": RULES.model_copy(update=rules)} if rules else {}
    )
    hall = HallDay(config, HallSnapshot())
    hall.roll_over(NINE)
    hall.login(at(0), "w01", "s101", Post.A, PIN)
    return hall


def reason(refusal: pytest.ExceptionInfo) -> str | None:
    detail = refusal.value.detail
    return detail.get("reason") if detail else None


def test_the_example_hall_takes_them_on_check_in():
    assert RULES.enabled and RULES.join == "on_checkin"


def test_on_checkin_gives_a_code_and_the_ticket_joins_the_queue_only_at_the_kiosk():
    hall = hall_with()
    walk_in = hall.issue(at(1), "registrar")[0]
    taken, events = hall.take_remote(at(2), "registrar", "transcript", "en")
    assert taken.ticket is None and taken.booking is not None
    booking = taken.booking
    assert len(booking.code) == 6 and booking.code.isdigit() and booking.remote
    assert booking.token == taken.token and len(taken.token) == 22
    assert taken.checkin_by == at(2) + timedelta(minutes=60)
    assert types(events) == ["AppointmentBooked"]
    (booked,) = events
    assert isinstance(booked, ev.AppointmentBooked) and booked.remote
    assert (booked.code, booked.token, booked.phone) == (booking.code, taken.token, None)
    # Not in the queue yet: nobody is ahead of a later walk-in because of it.
    assert len(hall.queues["registrar"]) == 1
    later = hall.issue(at(10), "registrar")[0]
    assert hall.waiting_ahead(later, at(10)) == 1
    # The page knows it by its token before the check-in.
    report = hall.ticket_status(at(11), taken.token)
    assert report.ticket is None and report.booking is booking and not report.expired
    assert report.checkin_by == taken.checkin_by and not report.can_rate
    # Checked in at the kiosk with the code: a ticket with the page's token, queued from now,
    # behind those who were already there (it waits like a walk-in from its check-in).
    t, events = hall.check_in(at(20), booking.code)
    assert types(events) == ["TicketIssued", "AppointmentCheckedIn"]
    assert t.source is Source.REMOTE and t.token == taken.token and t.booked_at is None
    assert t.queued_at == at(20) and t.matter == "transcript" and t.lang == "en"
    assert hall.queues["registrar"].ids_in_order(at(21)) == [walk_in.id, later.id, t.id]
    assert hall.ticket_status(at(21), taken.token).ticket is t
    again, none = hall.check_in(at(22), booking.code)  # a repeat gives the same ticket
    assert again is t and none == []


def test_join_now_queues_the_ticket_at_once_like_a_walk_in():
    hall = hall_with(join="now")
    taken, events = hall.take_remote(at(1), "registrar", None, None)
    t = taken.ticket
    assert t is not None and taken.booking is None and taken.checkin_by is None
    assert t.source is Source.REMOTE and t.token == taken.token and t.lang == "zh"
    assert t.status is TicketStatus.WAITING and t.queued_at == at(1)
    assert types(events) == ["TicketIssued"]
    walk_in = hall.issue(at(2), "registrar")[0]
    assert hall.queues["registrar"].ids_in_order(at(3)) == [t.id, walk_in.id]
    assert hall.call_next(at(4), "w01")[0] is t
    hall.finish(at(5), "w01", Outcome.DONE)
    assert hall.can_rate(at(6), t)  # and the phone that took it may rate it


def test_refused_where_the_hall_says_so_and_nothing_changes():
    off = HallDay(
        CONFIG.model_copy(update={"remote_tickets": RULES.model_copy(update={"enabled": False})}),
        HallSnapshot(),
    )
    off.roll_over(NINE)
    with pytest.raises(Forbidden) as refused:
        off.take_remote(at(0), "registrar")
    assert reason(refused) == "remote_off"

    hall = hall_with(departments=["finance"])
    before = state(hall)
    with pytest.raises(Forbidden) as refused:
        hall.take_remote(at(1), "registrar")
    assert reason(refused) == "remote_off"
    with pytest.raises(Closed) as refused:  # finance has no window open
        hall.take_remote(at(1), "finance")
    assert reason(refused) == "no_window"
    with pytest.raises(NotFound):
        hall.take_remote(at(1), "nowhere")
    with pytest.raises(NotFound):
        hall.take_remote(at(1), "finance", "no-such-matter")
    assert state(hall) == before and hall.booking_by_token == {}

    hall = hall_with(open_at="10:00", close_at="16:00")
    with pytest.raises(Closed) as refused:
        hall.take_remote(at(1), "registrar")  # 09:01
    assert reason(refused) == "hours" and "10:00" in refused.value.message
    hall.take_remote(at(61), "registrar")
    with pytest.raises(Closed):
        hall.take_remote(at(7 * 60), "registrar")  # 16:00

    hall = hall_with(require_open_window=False)
    hall.take_remote(at(1), "finance")  # allowed without an open window
    hall.close_day(at(2))
    with pytest.raises(Closed):
        hall.take_remote(at(3), "registrar")


def test_a_daily_cap_of_remote_tickets_per_department_counts_bookings_and_tickets():
    hall = hall_with(daily_cap=2, join="now")
    hall.take_remote(at(1), "registrar")
    hall.issue(at(1), "registrar")  # walk-ins do not count
    hall.take_remote(at(2), "registrar")
    with pytest.raises(Closed) as refused:
        hall.take_remote(at(3), "registrar")
    assert reason(refused) == "remote_cap"
    # It survives a restart: the snapshot's remote tickets are counted again.
    again = HallDay(hall.config, HallSnapshot(tickets=copy.deepcopy(list(hall.tickets.values()))))
    again.roll_over(at(4))
    assert again.remote_taken[("registrar", NINE.date())] == 2
    # A booking counts once, checked in or not.
    booked = hall_with(daily_cap=1)
    taken, _ = booked.take_remote(at(1), "registrar")
    assert taken.booking is not None
    booked.check_in(at(2), taken.booking.code)
    assert booked.remote_taken[("registrar", NINE.date())] == 1
    restarted = HallDay(
        booked.config,
        HallSnapshot(
            tickets=copy.deepcopy(list(booked.tickets.values())),
            appointments=copy.deepcopy(list(booked.appointments.values())),
        ),
    )
    restarted.roll_over(at(3))
    assert restarted.remote_taken[("registrar", NINE.date())] == 1
    assert restarted.ticket_status(at(3), taken.token).ticket is not None


def test_the_halls_rate_of_remote_tickets():
    hall = hall_with(rate=RateLimit(burst=3, per_minute=6), join="now")
    for _ in range(3):
        hall.take_remote(at(1), "registrar")
    with pytest.raises(QueueError) as refused:
        hall.take_remote(at(1), "registrar")
    assert refused.value.code == "rate_limited"
    hall.take_remote(at(1.2), "registrar")  # 6 a minute: one more after 10 s


def test_a_code_expires_after_its_time_and_with_its_day():
    hall = hall_with()
    taken, _ = hall.take_remote(at(0), "registrar")
    assert taken.booking is not None
    assert hall.ticket_status(at(61), taken.token).expired
    with pytest.raises(Conflict) as refused:
        hall.check_in(at(61), taken.booking.code)
    assert reason(refused) == "checkin_expired" and "10:00" in refused.value.message

    hall = hall_with(checkin_within_min=None)
    taken, _ = hall.take_remote(at(0), "registrar")
    assert taken.checkin_by is None and taken.booking is not None
    assert not hall.ticket_status(at(400), taken.token).expired
    tomorrow = NINE + timedelta(days=1)
    hall.roll_over(tomorrow)
    report = hall.ticket_status(tomorrow, taken.token)
    assert report.expired and report.other_day and report.ticket is None
    with pytest.raises(Conflict) as refused:
        hall.check_in(tomorrow, taken.booking.code)
    assert reason(refused) == "checkin_expired"


def test_a_remote_booking_is_found_again_after_a_restart():
    hall = hall_with()
    taken, _ = hall.take_remote(at(0), "registrar")
    booking = taken.booking
    assert booking is not None
    kept = Appointment(
        booking.code,
        booking.department,
        booking.matter,
        booking.booked_at,
        None,
        booking.lang,
        remote=True,
        token=booking.token,
    )
    again = HallDay(hall.config, HallSnapshot(appointments=[kept]))
    again.roll_over(at(1))
    assert again.ticket_status(at(1), taken.token).booking is not None
    t, _ = again.check_in(at(2), booking.code)
    assert t.source is Source.REMOTE and t.token == taken.token


def test_the_codes_never_repeat_an_appointments():
    hall = hall_with()
    hall.book(at(0), "registrar", None, at(30), None, None, None)
    codes = {hall.take_remote(at(0.01 * i), "registrar")[0].booking.code for i in range(15)}  # type: ignore[union-attr]
    assert len(codes) == 15 and not codes & {
        a.code for a in hall.appointments.values() if not a.remote
    }
