"""`ticket.rate`: the rating from the ticket's phone page, through the service and a real
database (issue #14). The rules are tested in tests/domain/test_phone_rating.py."""

from __future__ import annotations

from sqlalchemy import select

from hallcall.broker.storage.orm import RatingRow
from tests.support.hall import Hall


def served(hall: Hall) -> dict:
    """A ticket taken at the kiosk (with its token) and just finished at w01."""
    t = hall.issue()
    if hall.service.hall.windows["w01"].staff is None:
        hall.login("w01", "s101")
    hall.next("w01")
    hall.finish("w01")
    return t


def rate(hall: Hall, token: str, score=3, **extra) -> dict:
    return hall.send("web", "web", "ticket.rate", token=token, score=score, **extra)


def test_the_phone_rates_once_and_the_pad_is_told_it_is_rated(hall, engine):
    t = served(hall)
    assert hall.ok("web", "web", "ticket.status", token=t["token"])["can_rate"]
    reply = rate(hall, t["token"], 2, reasons=["  waited\ttoo long \n"], request_id="r-1")
    assert reply == {
        "request_id": "r-1",
        "ok": True,
        "data": {"ticket_id": t["id"], "number": t["number"], "recorded": True},
    }
    event = hall.last("event/rating.recorded")
    assert (event["window"], event["staff"], event["ticket_id"]) == ("w01", "s101", t["id"])
    assert event["channel"] == "web" and "score" not in event
    assert hall.last("state/window/w01")["last_finished"]["rated"] is True
    assert not hall.ok("web", "web", "ticket.status", token=t["token"])["can_rate"]
    # The pad, a moment late, is refused; so is the phone again with a new request id.
    late = hall.send("rating", "pad-w01", "rating.submit", ticket_id=t["id"], score=3)
    assert late["error"]["code"] == "conflict"
    assert late["error"]["detail"] == {"reason": "already_rated"}
    again = rate(hall, t["token"], 1)
    assert again["error"]["code"] == "conflict"
    assert again["error"]["detail"] == {"reason": "already_rated"}
    # The same request id (a resend) gets its first answer.
    assert rate(hall, t["token"], 2, request_id="r-1") == reply
    with engine.connect() as c:
        row = c.execute(select(RatingRow)).one()
    assert (row.ticket_id, row.score, row.scale, row.staff, row.window) == (
        t["id"],
        2,
        3,
        "s101",
        "w01",
    )
    assert (row.pad, row.channel, row.reasons) == ("web", "web", ["waited too long"])


def test_the_pad_first_then_the_phone_is_refused(hall, engine):
    t = served(hall)
    assert hall.ok("rating", "pad-w01", "rating.submit", ticket_id=t["id"], score=3)
    assert hall.last("event/rating.recorded")["channel"] == "pad"
    refused = rate(hall, t["token"])
    assert refused["ok"] is False and refused["error"]["code"] == "conflict"
    assert refused["error"]["detail"] == {"reason": "already_rated"}
    with engine.connect() as c:
        assert c.execute(select(RatingRow.pad, RatingRow.channel)).all() == [("pad-w01", "pad")]


def test_refusals(hall):
    t = served(hall)
    waiting = hall.issue()
    assert rate(hall, waiting["token"])["error"]["code"] == "conflict"
    assert rate(hall, waiting["token"])["error"]["detail"] == {"reason": "not_served"}
    assert rate(hall, "x" * 22)["error"]["code"] == "unknown_token"
    assert rate(hall, t["token"], 4)["error"]["code"] == "invalid"  # a three-level hall
    for bad in ({"score": "3"}, {"score": True}, {"score": 0}, {"reasons": ["x" * 41]}):
        args = {"score": 3, **bad}
        reply = hall.send("web", "web", "ticket.rate", token=t["token"], **args)
        assert reply["error"]["code"] == "invalid", bad
    assert hall.send("web", "web", "ticket.rate", score=3)["error"]["code"] == "invalid"
    # Only the web part may send it, and only one the hall file names.
    kiosk = hall.send("kiosk", "kiosk-1", "ticket.rate", token=t["token"], score=3)
    assert kiosk["error"]["code"] == "forbidden"
    stranger = hall.send("web", "web-9", "ticket.rate", token=t["token"], score=3)
    assert stranger["error"]["code"] == "forbidden"
    assert hall.ok("web", "web", "ticket.status", token=t["token"])["can_rate"]  # still
    hall.ok("admin", "office", "day.close")
    closed = rate(hall, t["token"])
    assert closed["error"]["code"] == "closed" and closed["error"]["detail"]["reason"] == "closed"
