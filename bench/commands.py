"""Commands per second through the queue service (no MQTT): issue, call next, finish.

Uses a department with no daily cap in the example hall (student-affairs, window 5).

    .venv/bin/python bench/commands.py [--n 800] [--db URL]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from hallcall.broker.service.queue_service import QueueService
from hallcall.broker.storage.database import create_db_engine
from hallcall.broker.storage.migrate import upgrade
from hallcall.config.loader import EXAMPLE_HALL, load_config
from hallcall.protocol.topics import Sender


def timed(service, sender, op, n, **args):
    lat = []
    for i in range(n):
        raw = json.dumps({"request_id": f"{op}-{i}-{time.perf_counter_ns()}", "op": op, **args}).encode()
        t = time.perf_counter()
        reply = service.handle(sender, raw).reply
        lat.append(time.perf_counter() - t)
        assert reply["ok"], reply
    return lat


def report(name, lat):
    lat_ms = sorted(x * 1000 for x in lat)
    p99 = lat_ms[int(0.99 * (len(lat_ms) - 1))]
    print(f"{name:<28} {len(lat) / sum(lat):8.0f} cmd/s   p50 {statistics.median(lat_ms):6.2f} ms   p99 {p99:6.2f} ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=800, help="at most 999: one department's number range")
    ap.add_argument("--db")
    args = ap.parse_args()
    config = load_config(EXAMPLE_HALL)
    url = args.db or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    engine = create_db_engine(url)
    upgrade(engine)
    service = QueueService(config, engine)
    service.initialize()
    print(f"database: {engine.url.render_as_string(hide_password=True)}")
    report("ticket.issue", timed(service, Sender("kiosk", "kiosk-1"), "ticket.issue", args.n, department="student-affairs"))
    w = Sender("window", "w05")
    timed(service, w, "window.login", 1, staff="s301", post="A")
    calls, finishes = [], []
    for _ in range(args.n // 2):
        calls += timed(service, w, "call.next", 1)
        finishes += timed(service, w, "ticket.finish", 1, outcome="done")
    report("call.next", calls)
    report("ticket.finish", finishes)


if __name__ == "__main__":
    main()
