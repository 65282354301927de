"""The dashboard's alarm rules and login rate limit: plain Python, no I/O, in milliseconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hallcall.web.dashboard.alarms import (
    AlarmWatch,
    DeviceFacts,
    Picture,
    QueueFacts,
    RatingFacts,
    ServiceFacts,
    raised,
)
from hallcall.web.dashboard.ratelimit import LoginLimiter

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def ago(minutes: float) -> datetime:
    return NOW - timedelta(minutes=minutes)


def kinds(p: Picture) -> list[str]:
    return [a.key for a in raised(p)]


def test_each_rule_fires_only_past_its_limit():
    p = Picture(
        NOW,
        30,
        queues=[QueueFacts("registrar", 3, ago(31), "A003"), QueueFacts("finance", 2, ago(29))],
        services=[
            ServiceFacts("w01", 1, "registrar", "A001", ago(11), 600),
            ServiceFacts("w02", 2, "registrar", "A002", ago(9), 600),
        ],
        devices=[
            DeviceFacts("kiosk", "kiosk-1", "online", {"printer": "paper_out"}, ago(1)),
            DeviceFacts("kiosk", "kiosk-2", "online", {"printer": "ok"}, ago(1)),
            DeviceFacts("display", "lobby", "lost", {}, ago(5)),
            DeviceFacts("kiosk", "kiosk-3", "offline", {"printer": "paper_out"}, ago(5)),
            DeviceFacts(
                "sign",
                "sign-w01",
                "online",
                {"signs": {"w01": "offline"}},
                ago(2),
                1,
                ("registrar",),
            ),
        ],
        ratings=[
            RatingFacts("t1", "A009", 1, "registrar", 1, ago(5)),
            RatingFacts("t2", "A010", 1, "registrar", 2, ago(5)),
            RatingFacts("t3", "A011", 1, "registrar", 1, ago(31)),
        ],
    )
    assert kinds(p) == [
        "device_lost:display/lobby",
        "paper_out:kiosk/kiosk-1",
        "long_wait:registrar",
        "over_service:w01:A001",
        "dissatisfied:t1",
        "sign_offline:sign/sign-w01:w01",
    ]
    long_wait = raised(p)[2]
    assert long_wait.departments == ("registrar",) and round(long_wait.minutes) == 31
    assert long_wait.number == "A003" and long_wait.limit_min == 30


def test_the_hook_hears_each_alarm_once_and_again_after_it_cleared():
    heard = []
    watch = AlarmWatch([heard.append])
    watch.on_alarm(lambda a: 1 / 0)  # a failing hook stops no other
    paper = Picture(
        NOW, 30, devices=[DeviceFacts("kiosk", "k", "online", {"printer": "paper_out"}, NOW)]
    )
    assert len(watch.update(raised(paper))) == 1
    assert watch.update(raised(paper)) == []
    watch.update([])
    watch.update(raised(paper))
    assert [a.key for a in heard] == ["paper_out:kiosk/k", "paper_out:kiosk/k"]


def test_the_login_limit_holds_a_name_and_an_address():
    limit = LoginLimiter(per_user=3, per_address=5, window_s=60)
    for _ in range(3):
        assert limit.retry_after("wang", "1.2.3.4", 0) == 0
        limit.failed("wang", "1.2.3.4", 0)
    assert limit.retry_after("Wang ", "5.6.7.8", 10) == 50  # the name, from any address
    assert limit.retry_after("li", "1.2.3.4", 10) == 0
    limit.failed("li", "1.2.3.4", 10)
    limit.failed("zhao", "1.2.3.4", 10)
    assert limit.retry_after("qian", "1.2.3.4", 11) > 0  # the address, for any name
    assert limit.retry_after("wang", "5.6.7.8", 61) == 0  # the window has passed
    limit.succeeded("li")
    assert limit.retry_after("li", "9.9.9.9", 12) == 0


def test_a_flood_of_new_names_and_addresses_does_not_lift_a_lock():
    limit = LoginLimiter(per_user=3, per_address=5, window_s=60, max_keys=40)
    for _ in range(3):
        limit.failed("wang", "10.0.0.1", 0)
    assert limit.retry_after("wang", "10.9.9.9", 1) > 0
    for i in range(200):  # each failure makes two new keys: far past max_keys
        limit.failed(f"junk{i}", f"10.4.{i}.1", 2)
    assert limit.retry_after("wang", "10.9.9.9", 3) > 0
    assert len(limit._failures) <= 40 + 2  # memory stays bounded


def test_one_ipv6_client_is_its_64():
    limit = LoginLimiter(per_user=100, per_address=2, window_s=60)
    limit.failed("a", "2001:db8::1", 0)
    limit.failed("b", "2001:db8::ffff:2", 0)
    assert limit.retry_after("c", "2001:db8::3", 1) > 0
    assert limit.retry_after("c", "2001:db8:0:1::3", 1) == 0
