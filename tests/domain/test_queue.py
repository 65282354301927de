"""CallQueue keeps the rule of `ordering` incrementally: it must always agree with it."""

import random
from datetime import UTC, date, datetime, timedelta

from hallcall.broker.domain.model import Priority, Source, Ticket
from hallcall.broker.domain.ordering import in_call_order, waiting_ahead
from hallcall.broker.domain.queue import CallQueue

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
EARLY = timedelta(minutes=15)


def random_ticket(rng: random.Random, i: int) -> Ticket:
    at = T0 + timedelta(seconds=rng.randrange(0, 4 * 3600))
    kind = rng.random()
    t = Ticket(
        id=f"T{i:05d}",
        number=f"A{i:03d}",
        service_date=date(2026, 11, 23),
        department="reg",
        original_department="reg",
        issued_at=at,
        queued_at=at,
    )
    if kind < 0.15:
        t.priority = Priority.PRIORITY
    elif kind < 0.35:
        t.source = Source.APPOINTMENT
        t.booked_at = T0 + timedelta(minutes=rng.randrange(0, 8 * 60))
        t.queued_at = t.booked_at
    return t


def test_the_queue_agrees_with_the_rule_as_tickets_come_go_and_time_passes():
    rng = random.Random(20261123)
    queue = CallQueue(EARLY)
    waiting: dict[str, Ticket] = {}
    now = T0
    for i in range(1500):
        now += timedelta(seconds=rng.randrange(0, 40))
        if waiting and rng.random() < 0.4:
            head = queue.head(now)
            expected = in_call_order(waiting.values(), now, EARLY)[0]
            assert head[3] == expected.id
            queue.remove(expected.id)
            del waiting[expected.id]
        else:
            t = random_ticket(rng, i)
            queue.add(t, now)
            waiting[t.id] = t
        if i % 50 == 0 and waiting:
            ordered = in_call_order(waiting.values(), now, EARLY)
            assert queue.ids_in_order(now) == [t.id for t in ordered]
            probe = rng.choice(list(waiting.values()))
            assert queue.ahead_of(probe.id, now) == waiting_ahead(
                probe, waiting.values(), now, EARLY
            )
            assert queue.priority_waiting == sum(
                t.priority is Priority.PRIORITY for t in waiting.values()
            )
    assert len(queue) == len(waiting)


def test_an_appointment_moves_ahead_when_it_becomes_due():
    queue = CallQueue(EARLY)
    walk_in = Ticket("W", "A001", date(2026, 11, 23), "reg", "reg", T0, T0)
    booked = T0 + timedelta(hours=1)
    appt = Ticket(
        "P",
        "A002",
        date(2026, 11, 23),
        "reg",
        "reg",
        T0,
        booked,
        source=Source.APPOINTMENT,
        booked_at=booked,
    )
    queue.add(walk_in, T0)
    queue.add(appt, T0)
    assert queue.head(T0)[3] == "W" and queue.ahead_of("P", T0) == 1
    due = booked - EARLY
    assert queue.head(due)[3] == "P" and queue.ahead_of("W", due) == 1


def test_choosing_and_counting_do_not_scan_the_queue():
    """With 5,000 waiting, one pick + count costs about what it costs with 10 (O(log n))."""
    import time

    def cost(n: int) -> float:
        rng = random.Random(n)
        queue = CallQueue(EARLY)
        tickets = [random_ticket(rng, i) for i in range(n)]
        for t in tickets:
            queue.add(t, T0)
        probe = tickets[len(tickets) // 2]
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(2000):
                queue.head(T0)
                queue.ahead_of(probe.id, T0)
            best = min(best, time.perf_counter() - start)
        return best

    small, large = cost(10), cost(5000)
    assert large < 3 * small, (small, large)  # a scan would be ~500x
