"""Two halls in one database: a hall's report counts its own tickets, ratings, clerks and
complaints only, though both halls number their tickets alike ("20261123-A001" in each)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from hallcall.broker.reports.complaints import ComplaintBook, ComplaintError
from hallcall.broker.reports.report import build_report
from tests.support.hall import Hall, start_service

TODAY = date(2026, 11, 23)


@pytest.fixture
def other_config(hall_config):
    """The example hall again, under another hall id (same departments, windows and clerks)."""
    return hall_config.model_copy(
        update={"hall": hall_config.hall.model_copy(update={"id": "other-hall"})}
    )


def campus_morning(hall, clock):
    """4 tickets, 2 served at w01 by s101 and rated 3; one 10-minute pause."""
    for _ in range(3):
        hall.issue()
    hall.issue("finance", matter="tuition")
    hall.login("w01", "s101")
    served = []
    for _ in range(2):
        hall.next("w01")
        clock.advance(minutes=5)
        served.append(hall.finish("w01"))
        hall.ok("rating", "pad-w01", "rating.submit", ticket_id=served[-1]["id"], score=3)
    hall.ok("window", "w01", "window.pause", reason="training")
    clock.advance(minutes=10)
    hall.ok("window", "w01", "window.resume")
    return served


def other_morning(hall, clock):
    """The same ticket ids, other clerks: 5 tickets, 1 returned and rated 1, 1 transferred."""
    for _ in range(5):
        hall.issue()
    hall.login("w01", "s102", "B")
    hall.login("w02", "s103")
    first = hall.next("w01")
    clock.advance(minutes=7)
    hall.finish("w01", "returned")
    hall.ok("rating", "pad-w01", "rating.submit", ticket_id=first["id"], score=1)
    hall.next("w02")
    hall.ok("window", "w02", "ticket.transfer", department="finance")
    hall.ok("window", "w02", "window.pause", reason="lunch")
    clock.advance(minutes=30)
    return first


def test_a_halls_report_counts_only_its_own_hall(hall_config, other_config, engine, clock):
    campus = Hall(start_service(hall_config, engine, clock))
    other = Hall(start_service(other_config, engine, clock))
    campus_book, other_book = (
        ComplaintBook(hall_config, engine),
        ComplaintBook(other_config, engine),
    )

    served = campus_morning(campus, clock)
    window_complaint = campus_book.add("态度不好", "window", clock.now(), window="w01")
    now = clock.now() + timedelta(hours=2)  # one moment for every report, so they compare
    alone = build_report(hall_config, engine, TODAY, TODAY, lang="en", now=now)

    first = other_morning(other, clock)
    assert first["id"] == served[0]["id"]  # both halls have a ticket 20261123-A001
    about_ticket = other_book.add("退件理由不清", "online", clock.now(), ticket_id=first["id"])
    assert (about_ticket.window, about_ticket.staff, about_ticket.department) == (
        "w01",
        "s102",
        "registrar",
    )
    other_book.add("等太久", "phone", clock.now(), window="w02")

    # The other hall's tickets, history, ratings, sessions, pauses and complaints change nothing.
    beside = build_report(hall_config, engine, TODAY, TODAY, lang="en", now=now)
    assert beside.tables == alone.tables

    summary = beside.table("hall").rows[0]
    assert (summary["issued"], summary["served"], summary["done"], summary["returned"]) == (
        4,
        2,
        2,
        0,
    )
    ratings = (summary["rated"], summary["rating_3"], summary["rating_1"])
    assert (summary["transferred_out"], ratings) == (0, (2, 2, 0))
    assert {r["key"] for r in beside.table("clerk").rows} == {"s101"}
    assert [
        (r["staff"], r["pauses"], r["pause_reasons"]) for r in beside.table("attendance").rows
    ] == [("s101", 1, "training")]
    assert [c["id"] for c in beside.table("complaints").rows] == [window_complaint.id]

    theirs = build_report(other_config, engine, TODAY, TODAY, lang="en", now=now)
    summary = theirs.table("hall").rows[0]
    assert (summary["issued"], summary["served"], summary["done"], summary["returned"]) == (
        5,
        1,
        0,
        1,
    )
    ratings = (summary["rated"], summary["rating_3"], summary["rating_1"])
    assert (summary["transferred_out"], ratings) == (1, (1, 0, 1))
    assert {r["key"] for r in theirs.table("clerk").rows} == {"s102", "s103"}  # s103 transferred
    attendance = sorted((r["staff"], r["pauses"]) for r in theirs.table("attendance").rows)
    assert attendance == [("s102", 0), ("s103", 1)]
    assert len(theirs.table("complaints").rows) == 2

    # A complaint about "its" ticket 20261123-A001 finds the clerk of its own hall.
    mine = campus_book.add("没有一次性告知", "letter", clock.now(), ticket_id=first["id"])
    assert (mine.window, mine.staff) == ("w01", "s101")
    assert [c.id for c in campus_book.list()] == [window_complaint.id, mine.id]
    assert mine.id not in [c.id for c in other_book.list()]
    with pytest.raises(ComplaintError, match="no complaint"):
        other_book.answer(mine.id, "not ours", clock.now())
    assert campus_book.answer(mine.id, "已致歉", clock.now()).answer == "已致歉"


def test_a_ticket_of_another_hall_is_unknown(hall_config, other_config, engine, clock):
    campus = Hall(start_service(hall_config, engine, clock))
    Hall(start_service(other_config, engine, clock))
    ticket = campus.issue()
    with pytest.raises(ComplaintError, match="unknown ticket"):
        ComplaintBook(other_config, engine).add("x", "phone", clock.now(), ticket_id=ticket["id"])
