"""Rectification cases (差评整改): a bad rating opens one, due in the hall's working days; it
closes after a callback and a fix, or an upheld appeal (申诉); open past its day it is overdue."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest

from hallcall.broker.calendars import china
from hallcall.broker.domain import events as ev
from hallcall.broker.domain.hall import HallDay, HallSnapshot
from hallcall.broker.domain.model import Outcome, Post
from hallcall.broker.domain.rectification import Case, CaseError, due_on
from hallcall.protocol.ratings import is_bad_rating
from tests.domain.test_hall import CONFIG, NINE, PIN, at

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def case(**changes) -> Case:
    base = Case(
        1, "t1", "A001", "registrar", "transcript", "w01", "s101", 1, 3, T0, date(2026, 12, 7)
    )
    return dataclasses.replace(base, **changes)


def served_hall(config=CONFIG, calendar=None):
    hall = HallDay(config, HallSnapshot(), calendar=calendar)
    hall.roll_over(NINE)
    hall.login(at(0), "w01", "s101", Post.A, PIN)
    t = hall.issue(at(0), "registrar", "transcript")[0]
    hall.call_next(at(1), "w01")
    hall.finish(at(2), "w01", Outcome.DONE)
    return hall, t


def test_the_bad_ratings_are_the_lowest_one_of_three_and_the_lowest_two_of_five():
    assert [s for s in (1, 2, 3) if is_bad_rating(s, 3)] == [1]
    assert [s for s in (1, 2, 3, 4, 5) if is_bad_rating(s, 5)] == [1, 2]


def test_a_bad_rating_opens_a_case_bound_to_ticket_matter_window_and_clerk():
    hall, t = served_hall()
    recorded, opened = hall.rate(at(3), "pad-w01", t.id, 1, ["rude"])
    assert isinstance(recorded, ev.RatingRecorded) and isinstance(opened, ev.CaseOpened)
    assert (opened.ticket_id, opened.number, opened.department, opened.matter) == (
        t.id,
        t.number,
        "registrar",
        "transcript",
    )
    assert (opened.window, opened.staff, opened.score, opened.scale) == ("w01", "s101", 1, 3)
    # Monday 23 November 2026 + 10 working days (the default) = Monday 7 December.
    assert opened.due_on == date(2026, 12, 7)


def test_a_good_or_middle_rating_opens_no_case():
    for score in (2, 3):
        hall, t = served_hall()
        assert [type(e) for e in hall.rate(at(3), "pad-w01", t.id, score, [])] == [
            ev.RatingRecorded
        ]


def test_the_hall_file_sets_the_deadline_in_its_working_days():
    config = CONFIG.model_copy(
        update={
            "rectification": CONFIG.rectification.model_copy(update={"deadline_working_days": 5})
        }
    )
    hall, t = served_hall(config)
    _, opened = hall.rate_by_token(at(3), t.token, 1, (), "web")[1]
    assert isinstance(opened, ev.CaseOpened) and opened.due_on == date(2026, 11, 30)


def test_the_deadline_skips_chinas_2026_holidays_and_counts_their_make_up_days():
    # Opened Wednesday 30 September: 1-7 October off, Saturday 10 October worked.
    assert due_on(date(2026, 9, 30), 5, china()) == date(2026, 10, 13)
    # Friday 13 February: Spring Festival 15-23 off, Saturdays 14 and 28 worked; 15 days.
    # Working: 14, 24-28 February, 2-6 and 9-12 March.
    assert due_on(date(2026, 2, 13), 15, china()) == date(2026, 3, 12)


def test_a_case_closes_after_a_callback_and_a_fix_and_not_before():
    c = case()
    with pytest.raises(CaseError, match="needs a callback and a fix"):
        c.close("manager", T0)
    c = c.record_callback("Li Ming", T0, "visitor says the clerk was curt")
    with pytest.raises(CaseError, match="needs a fix"):
        c.close("manager", T0)
    c = c.record_fix("clerk retrained on courtesy", T0)
    closed = c.close("manager", T0)
    assert not closed.is_open and closed.status(date(2026, 12, 1)) == "closed"
    assert closed.closed_on_time(date(2026, 12, 7)) and not closed.closed_on_time(date(2026, 12, 8))
    with pytest.raises(CaseError, match="is closed"):
        closed.record_fix("again", T0)


def test_a_callback_and_a_fix_need_their_words():
    c = case()
    for step in (
        lambda: c.record_callback(" ", T0, "ok"),
        lambda: c.record_callback("Li", T0, ""),
        lambda: c.record_fix("  ", T0),
        lambda: c.appeal("", T0),
        lambda: c.close("", T0),
    ):
        with pytest.raises(CaseError):
            step()


def test_an_upheld_appeal_closes_a_case_without_a_callback_or_fix():
    c = case().appeal("the visitor pressed the lowest key by mistake, says the CCTV", T0)
    assert c.status(date(2026, 11, 24)) == "appealed"
    with pytest.raises(CaseError, match="already appealed"):
        c.appeal("again", T0)
    with pytest.raises(CaseError, match="decision must be"):
        c.decide("maybe", "manager", "why", T0)
    with pytest.raises(CaseError, match="needs its reason"):
        c.decide("upheld", "manager", " ", T0)
    c = c.decide("upheld", "Wang (manager)", "CCTV shows a mistaken press", T0)
    assert (c.appeal_decision, c.appeal_decided_by, c.appeal_decision_reason) == (
        "upheld",
        "Wang (manager)",
        "CCTV shows a mistaken press",
    )
    with pytest.raises(CaseError, match="already decided"):
        c.decide("rejected", "manager", "changed my mind", T0)
    assert not c.close("Wang", T0).is_open


def test_a_rejected_appeal_still_needs_a_callback_and_a_fix():
    c = case().appeal("malicious", T0).decide("rejected", "Wang", "no evidence", T0)
    with pytest.raises(CaseError, match="callback and a fix"):
        c.close("Wang", T0)
    with pytest.raises(CaseError, match="no appeal"):
        case().decide("upheld", "Wang", "x", T0)


def test_an_open_case_past_its_due_day_is_overdue():
    c = case()
    assert not c.overdue(date(2026, 12, 7)) and c.overdue(date(2026, 12, 8))
    assert c.status(date(2026, 12, 8)) == "overdue"
