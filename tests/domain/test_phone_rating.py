"""Rating from the ticket's phone page (`ticket.rate`, issue #14): the pad's rule, once.

The phone and the window's pad ask one rule (`HallDay._rating_refused`), so what `can_rate`
says, what the pad may rate and what the phone may rate never differ.
"""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from hallcall.broker.domain import events as ev
from hallcall.broker.domain.errors import Closed, Conflict, Invalid, UnknownToken
from hallcall.broker.domain.hall import HallDay
from hallcall.broker.domain.model import Outcome, Post
from tests.domain.test_hall import NINE, PIN, at, new_hall


def served(hall: HallDay | None = None, minute: float = 0, outcome=Outcome.DONE):
    """A hall with a ticket just finished at w01 (clerk s101), and that ticket."""
    hall = hall or new_hall()
    if hall.windows["w01"].staff is None:
        hall.login(at(minute), "w01", "s101", Post.A, PIN)
    t = hall.issue(at(minute), "registrar")[0]
    hall.call_next(at(minute + 1), "w01")
    hall.finish(at(minute + 2), "w01", outcome)
    return hall, t


def reason(refusal: pytest.ExceptionInfo) -> str | None:
    detail = refusal.value.detail
    return detail.get("reason") if detail else None


def test_the_phone_rates_the_ticket_it_holds_and_the_pad_and_terminal_hear_it():
    hall, t = served()
    assert hall.can_rate(at(3), t)
    rated, events = hall.rate_by_token(at(3), t.token, 2, ["waited too long"], "web")
    assert rated is t
    (recorded,) = events
    assert isinstance(recorded, ev.RatingRecorded)
    assert (recorded.ticket_id, recorded.window, recorded.staff) == (t.id, "w01", "s101")
    assert (recorded.score, recorded.scale, recorded.reasons) == (2, 3, ("waited too long",))
    assert (recorded.pad, recorded.channel) == ("web", "web")
    # The window's state says it is rated, as after the pad's rating.
    assert hall.last_finished["w01"].rated and hall.last_ended["w01"].rated
    assert not hall.can_rate(at(4), t)


def test_the_first_of_pad_and_phone_wins_either_way():
    hall, t = served()
    hall.rate(at(3), "pad-w01", t.id, 3, ())
    with pytest.raises(Conflict) as second:
        hall.rate_by_token(at(3), t.token, 1, (), "web")
    assert reason(second) == "already_rated" and "already been rated" in second.value.message

    hall, t = served()
    hall.rate_by_token(at(3), t.token, 3, (), "web")
    with pytest.raises(Conflict) as second:
        hall.rate(at(3), "pad-w01", t.id, 1, ())
    assert reason(second) == "already_rated"
    with pytest.raises(Conflict) as again:
        hall.rate_by_token(at(4), t.token, 1, (), "web")
    assert reason(again) == "already_rated"


def test_the_phone_is_refused_exactly_where_can_rate_says_no():
    hall = new_hall()
    hall.login(at(0), "w01", "s101", Post.A, PIN)
    waiting = hall.issue(at(0), "registrar")[0]
    with pytest.raises(Conflict) as refused:
        hall.rate_by_token(at(1), waiting.token, 3, (), "web")
    assert reason(refused) == "not_served" and not hall.can_rate(at(1), waiting)
    hall.call_next(at(1), "w01")  # being served
    with pytest.raises(Conflict) as refused:
        hall.rate_by_token(at(2), waiting.token, 3, (), "web")
    assert reason(refused) == "not_served"
    hall.no_show(at(2), "w01")
    with pytest.raises(Conflict) as refused:
        hall.rate_by_token(at(3), waiting.token, 3, (), "web")
    assert reason(refused) == "not_served"

    hall, first = served(hall, 5)
    hall, _second = served(hall, 10)  # the window has ended another ticket since
    assert not hall.can_rate(at(13), first)
    with pytest.raises(Conflict) as refused:
        hall.rate_by_token(at(13), first.token, 3, (), "web")
    assert reason(refused) == "not_last"


def test_a_score_beyond_the_halls_scale_is_invalid():
    hall, t = served()
    with pytest.raises(Invalid):
        hall.rate_by_token(at(3), t.token, 4, (), "web")  # the example hall rates 1-3
    assert hall.can_rate(at(3), t)  # nothing recorded


def test_an_unknown_token_is_refused_without_echoing_it():
    hall, _ = served()
    with pytest.raises(UnknownToken) as refused:
        hall.rate_by_token(at(3), "nobody-has-this-token", 3, (), "web")
    assert "nobody-has" not in refused.value.message


def test_no_rating_after_the_close_of_day_nor_on_another_day():
    hall, t = served()
    hall.close_day(at(3))
    with pytest.raises(Closed) as refused:
        hall.rate_by_token(at(4), t.token, 3, (), "web")
    assert reason(refused) == "closed"

    hall, t = served()
    stored = copy.copy(t)
    tomorrow = NINE + timedelta(days=1)
    hall.roll_over(tomorrow)
    # Yesterday's ticket is still its window's last, but its day is over: the pad and the
    # phone are both refused, and can_rate agrees.
    assert hall.last_ended["w01"].ticket_id == t.id
    with pytest.raises(Conflict) as refused:
        hall.rate_by_token(tomorrow, t.token, 3, (), "web", stored)
    assert reason(refused) == "other_day"
    with pytest.raises(Conflict):
        hall.rate(tomorrow, "pad-w01", t.id, 3, ())
    assert not hall.can_rate(tomorrow, stored)


def test_a_ticket_ended_by_the_close_of_day_cannot_be_rated():
    hall = new_hall()
    hall.login(at(0), "w01", "s101", Post.A, PIN)
    t = hall.issue(at(0), "registrar")[0]
    hall.call_next(at(1), "w01")
    hall.close_day(at(2))  # finishes it by the system
    assert t.closed_by_system and not hall.can_rate(at(3), t)
    with pytest.raises(Closed):
        hall.rate_by_token(at(3), t.token, 3, (), "web")
    # The next morning the hall is open again, and still it is not rated.
    tomorrow = NINE + timedelta(days=1)
    hall.roll_over(tomorrow)
    with pytest.raises(Conflict) as refused:
        hall.rate_by_token(tomorrow, t.token, 3, (), "web", copy.copy(t))
    assert reason(refused) == "not_served"
