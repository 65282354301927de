from datetime import UTC, date, datetime

import pytest

from hallcall.broker.domain.errors import Conflict, Forbidden, Invalid
from hallcall.broker.domain.model import (
    Outcome,
    Post,
    Ticket,
    TicketStatus,
    WindowState,
    WindowStatus,
)

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def new_ticket() -> Ticket:
    return Ticket("t1", "A001", date(2026, 11, 23), "reg", "reg", NOW, NOW)


def test_recall_up_to_the_limit_then_refused():
    t = new_ticket()
    t.call("w1", "s1", Post.A, NOW)
    t.recall(2)
    t.recall(2)
    assert t.recalls_left(2) == 0
    with pytest.raises(Conflict, match="no-show"):
        t.recall(2)


def test_a_ticket_must_be_called_before_it_is_finished_or_transferred():
    t = new_ticket()
    for action in (
        lambda: t.finish(Outcome.DONE, NOW),
        lambda: t.transfer("fin", None),
        lambda: t.recall(2),
        lambda: t.no_show(NOW),
    ):
        with pytest.raises(Conflict, match="it is waiting"):
            action()
    assert t.status is TicketStatus.WAITING


def test_transfer_returns_the_same_ticket_to_another_queue():
    t = new_ticket()
    t.call("w1", "s1", Post.A, NOW)
    t.transfer("fin", "tuition")
    assert (t.status, t.department, t.original_department, t.transfers) == (
        TicketStatus.WAITING,
        "fin",
        "reg",
        1,
    )
    assert t.queued_at == NOW and t.window is None
    t.call("w3", "s2", Post.A, NOW)
    with pytest.raises(Invalid):
        t.transfer("fin", None)


def test_finish_records_the_outcome():
    t = new_ticket()
    t.call("w1", "s1", Post.A, NOW)
    t.finish(Outcome.NEEDS_DOCUMENTS, NOW)
    assert (t.status, t.outcome, t.is_open) == (
        TicketStatus.FINISHED,
        Outcome.NEEDS_DOCUMENTS,
        False,
    )


def test_window_login_pause_resume_logout():
    w = WindowState("w1", 1, False, ["reg"])
    with pytest.raises(Conflict, match="no clerk"):
        w.require_can_call()
    w.login("s1", Post.A, NOW)
    w.require_can_call()
    w.pause("break", NOW)
    assert w.status is WindowStatus.PAUSED
    with pytest.raises(Conflict, match="paused"):
        w.require_can_call()
    w.resume(NOW)
    w.logout(NOW)
    assert (w.status, w.staff) == (WindowStatus.CLOSED, None)


def test_b_clerk_takes_over_only_between_visitors():
    w = WindowState("w1", 1, False, ["reg"])
    w.login("s1", Post.A, NOW)
    w.current_ticket = "t1"
    with pytest.raises(Conflict, match="takes over"):
        w.login("s2", Post.B, NOW)
    w.current_ticket = None
    assert w.login("s2", Post.B, NOW) == "s1"
    assert (w.staff, w.post) == ("s2", Post.B)


def test_cannot_pause_or_log_out_while_serving():
    w = WindowState("w1", 1, False, ["reg"])
    w.login("s1", Post.A, NOW)
    w.current_ticket = "t1"
    with pytest.raises(Conflict):
        w.pause("break", NOW)
    with pytest.raises(Conflict):
        w.logout(NOW)


def test_only_flex_windows_are_assigned():
    with pytest.raises(Forbidden):
        WindowState("w1", 1, False, ["reg"]).assign(["fin"])
    flex = WindowState("w7", 7, True, [])
    flex.assign(["reg", "fin", "reg"])
    assert flex.departments == ["reg", "fin"]
