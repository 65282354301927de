"""How many live pages may be open (plain Python)."""

from __future__ import annotations

from hallcall.web.streams import StreamLimits


def test_per_ticket_per_client_and_in_all():
    limits = StreamLimits(per_ticket=2, per_client=3, total=4)
    assert limits.open("t1", "a") and limits.open("t1", "a")
    assert not limits.open("t1", "b")  # a third page of one ticket
    assert limits.open("t2", "a")
    assert not limits.open("t3", "a")  # a fourth page from one client
    assert limits.open("t3", "b")
    assert not limits.open("t4", "c")  # five in all
    limits.close("t1", "a")
    assert limits.open("t4", "c")
    for t, c in (("t1", "a"), ("t2", "a"), ("t3", "b"), ("t4", "c")):
        limits.close(t, c)
    assert limits.open("t1", "a") and limits._open == 1
