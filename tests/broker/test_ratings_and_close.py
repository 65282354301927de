"""Ratings bound to the window's last finished ticket; close of day leaves nothing open."""

from sqlalchemy import select

from hallcall.broker.storage.orm import RatingRow, StaffSessionRow, TicketRow


def serve(hall, window="w01", staff="s101", outcome="done"):
    """Issue, call and finish one ticket at `window`."""
    hall.issue()
    if hall.last_window_staff.get(window) != staff:
        hall.login(window, staff)
        hall.last_window_staff[window] = staff
    hall.next(window)
    return hall.finish(window, outcome)


def test_a_pad_rates_its_windows_last_finished_ticket_once(hall, engine):
    hall.last_window_staff = {}
    t = serve(hall)
    data = hall.ok("rating", "pad-w01", "rating.submit", ticket_id=t["id"], score=3)
    assert data == {"ticket_id": t["id"], "recorded": True}
    assert hall.last("state/window/w01")["last_finished"]["rated"] is True
    ev = hall.last("event/rating.recorded")
    assert (ev["window"], ev["staff"], ev["ticket_id"]) == ("w01", "s101", t["id"])
    assert "score" not in ev  # the clerk does not see the value unless the hall allows it
    reply = hall.send("rating", "pad-w01", "rating.submit", ticket_id=t["id"], score=1)
    assert reply["error"]["code"] == "conflict" and "already" in reply["error"]["message"]
    with engine.connect() as c:
        row = c.execute(select(RatingRow)).one()
    assert (row.score, row.staff, row.window, row.pad, row.scale) == (
        3,
        "s101",
        "w01",
        "pad-w01",
        3,
    )


def test_a_pad_cannot_rate_another_windows_or_an_unfinished_or_older_ticket(hall, engine):
    hall.last_window_staff = {}
    t1 = serve(hall, "w01", "s101")
    t2 = serve(hall, "w01", "s101")
    code = hall.error("rating", "pad-w02", "rating.submit", ticket_id=t2["id"], score=3)
    assert code == "forbidden"
    assert (
        hall.error("rating", "pad-w01", "rating.submit", ticket_id=t1["id"], score=3) == "conflict"
    )
    hall.issue()
    called = hall.next("w01")
    assert (
        hall.error("rating", "pad-w01", "rating.submit", ticket_id=called["id"], score=3)
        == "conflict"
    )
    waiting = hall.issue()
    assert (
        hall.error("rating", "pad-w01", "rating.submit", ticket_id=waiting["id"], score=3)
        == "conflict"
    )
    assert (
        hall.error("rating", "pad-w01", "rating.submit", ticket_id="nope", score=3) == "not_found"
    )
    assert (
        hall.error("rating", "pad-w01", "rating.submit", ticket_id=t2["id"], score=4) == "invalid"
    )
    assert (
        hall.error("rating", "pad-w01", "rating.submit", ticket_id=t2["id"], score=0) == "invalid"
    )
    assert (
        hall.error("rating", "unknown-pad", "rating.submit", ticket_id=t2["id"], score=3)
        == "forbidden"
    )
    assert (
        hall.error("kiosk", "kiosk-1", "rating.submit", ticket_id=t2["id"], score=3) == "forbidden"
    )
    with engine.connect() as c:
        assert c.execute(select(RatingRow)).all() == []


def test_low_rating_reasons_are_kept(hall, engine):
    hall.last_window_staff = {}
    t = serve(hall)
    hall.ok(
        "rating",
        "pad-w01",
        "rating.submit",
        ticket_id=t["id"],
        score=1,
        reasons=["waited_long", "attitude"],
    )
    with engine.connect() as c:
        assert c.execute(select(RatingRow.reasons)).scalar() == ["waited_long", "attitude"]


def test_close_of_day_ends_every_ticket_and_logs_everyone_out(hall, engine):
    for _ in range(3):
        hall.issue()
    hall.login("w01", "s101")
    hall.login("w02", "s103")
    hall.next("w01")
    hall.finish("w01")
    in_service = hall.next("w02")
    hall.ok("window", "w01", "window.pause", reason="meeting")
    summary = hall.ok("admin", "office", "day.close")["summary"]
    assert summary["finished_by_system"] == [in_service["number"]]
    assert summary["no_show_by_system"] == ["A003"]
    assert (summary["issued"], summary["finished"], summary["no_show"]) == (3, 2, 1)
    with engine.connect() as c:
        statuses = c.execute(select(TicketRow.status)).scalars().all()
        open_sessions = c.execute(
            select(StaffSessionRow).where(StaffSessionRow.logout_at.is_(None))
        ).all()
    assert sorted(statuses) == ["finished", "finished", "no_show"]
    assert open_sessions == []
    assert hall.last("state/window/w01")["status"] == "closed"
    assert hall.last("state/queue/registrar")["closed"] is True
    reply = hall.send("kiosk", "kiosk-1", "ticket.issue", department="registrar")
    assert reply["error"]["code"] == "closed"


def test_a_day_left_open_is_closed_on_the_next_day(hall, clock, engine):
    left = hall.issue()
    hall.login("w01", "s101")
    clock.advance(days=1)
    t = hall.issue()  # the first command of the new day closes yesterday first
    assert t["number"] == "A001"
    with engine.connect() as c:
        old = c.execute(select(TicketRow).where(TicketRow.id == left["id"])).one()
        sessions = c.execute(select(StaffSessionRow)).all()
    assert (old.status, old.closed_by_system) == ("no_show", True)
    assert sessions[0].logout_at is not None
    ev = hall.last("event/day.closed")
    assert ev["summary"]["date"] == "2026-11-23" and ev["summary"]["no_show_by_system"] == ["A001"]


def test_system_closed_tickets_cannot_be_rated(hall, clock):
    hall.issue()
    hall.login("w01", "s101")
    t = hall.next("w01")
    hall.ok("admin", "office", "day.close")
    # After the close nothing is rated (issue #11); the ticket was never finished at the window either.
    assert hall.error("rating", "pad-w01", "rating.submit", ticket_id=t["id"], score=3) == "closed"
    assert hall.last("state/window/w01")["last_finished"] is None
