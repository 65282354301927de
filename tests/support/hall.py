"""Drives one hall of the queue broker the way devices do, with raw JSON commands (no MQTT)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hallcall.broker.service.bootstrap import one_hall
from hallcall.broker.service.messagebus import HallHandle
from hallcall.config.loader import (  # noqa: F401  (DEMO_PIN: the tests log in with it)
    DEMO_PIN,
    EXAMPLE_HALL,
)
from hallcall.config.schema import HallConfig, RateLimit, RateLimits
from hallcall.protocol.topics import Sender

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: 09:00 in the hall, a Monday.
MORNING = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)

#: Limits that no test of other behaviour reaches; tests/broker/test_rate_limits.py tests the
#: hall file's real ones.
_NO_LIMIT = RateLimit(burst=100000, per_minute=600000)
UNTHROTTLED = RateLimits(
    kiosk=_NO_LIMIT,
    window=_NO_LIMIT,
    rating=_NO_LIMIT,
    admin=_NO_LIMIT,
    web=_NO_LIMIT,
    other=_NO_LIMIT,
)


def unthrottled(config: HallConfig) -> HallConfig:
    return config.model_copy(update={"rate_limits": UNTHROTTLED})


def hall_file_with_limits(
    directory: Path, limits: dict[str, RateLimit], name: str = "hall.toml"
) -> Path:
    """The example hall file with these kinds' `[rate_limits]`, for tests that run `hallcall broker`."""
    table = "\n[rate_limits]\n" + "".join(
        f"{kind} = {{ burst = {limit.burst}, per_minute = {limit.per_minute:g} }}\n"
        for kind, limit in limits.items()
    )
    path = directory / name
    path.write_text(EXAMPLE_HALL.read_text(encoding="utf-8") + table, encoding="utf-8")
    return path


def unthrottled_hall_file(directory: Path) -> Path:
    """The example hall file with limits no test of other behaviour reaches."""
    kinds = ("kiosk", "window", "rating", "admin", "web", "other")
    return hall_file_with_limits(
        directory, {kind: _NO_LIMIT for kind in kinds}, "hall-unthrottled.toml"
    )


def start_service(config, engine, clock) -> HallHandle:
    return one_hall(config, engine, clock)


class Hall:
    def __init__(self, service: HallHandle):
        self.service = service
        self._n = 0
        self._prefix = uuid.uuid4().hex[:8]  # two drivers of one database never reuse an id
        self.publications = []

    def send(self, kind: str, device: str, op: str, request_id: str | None = None, **args):
        self._n += 1
        rid = request_id or f"{self._prefix}-{self._n}"
        raw = json.dumps({"request_id": rid, "op": op, **args}).encode()
        result = self.service.handle(Sender(kind, device), raw)
        self.publications += result.publications
        return result.reply

    def ok(self, kind: str, device: str, op: str, **args) -> dict:
        reply = self.send(kind, device, op, **args)
        assert reply["ok"], reply
        return reply["data"]

    def error(self, kind: str, device: str, op: str, **args) -> str:
        reply = self.send(kind, device, op, **args)
        assert not reply["ok"], reply
        return reply["error"]["code"]

    # Shortcuts for the devices of the example hall.
    def issue(self, department="registrar", **args) -> dict:
        return self.ok("kiosk", "kiosk-1", "ticket.issue", department=department, **args)["ticket"]

    def window(self, window: str, op: str, **args):
        return self.send("window", window, op, **args)

    def login(self, window: str, staff: str, post: str = "A") -> dict:
        return self.ok("window", window, "window.login", staff=staff, post=post, pin=DEMO_PIN)

    def next(self, window: str) -> dict:
        return self.ok("window", window, "call.next")["ticket"]

    def finish(self, window: str, outcome="done") -> dict:
        return self.ok("window", window, "ticket.finish", outcome=outcome)["ticket"]

    def last(self, topic_suffix: str) -> dict:
        for pub in reversed(self.publications):
            if pub.topic.endswith(topic_suffix):
                return pub.payload
        raise AssertionError(f"nothing published on {topic_suffix}")
