"""Floors for the benchmarks of issue #10: the same work as HallCall's, done bare (a helper
module: `./run bench` skips `_*.py`; `python bench/_floors.py` prints them alone).

A HallCall figure is judged against what the machine can do at best on the same path, measured
in the same run:
- MQTT: `EchoProcess`, a paho client in its own process (as the queue broker is) subscribed to
  the commands at QoS 1 that republishes each one unchanged on the reply topic, QoS 1, from its
  network thread (with --window-state, a window's command also goes out retained on
  state/window/<id>, as HallCall's state does). No queue rules, no database: what HallCall adds
  on top of this is HallCall's cost. The benchmarks drive it with the very clients and
  connections they drive HallCall with (bench/_harness.py).
- SQL: the rows HallCall writes for a `ticket.issue`, on the schema `hallcall db upgrade`
  creates, through the bare driver (sqlite3 / psycopg, no SQLAlchemy): `raw_issue` with one
  ticket per transaction (what a stateless server does) or B tickets per transaction (group
  commit, what HallCall does); `raw_indexed_next` for the cost of choosing the next ticket.

Everything binds to 127.0.0.1; every loop is bounded in count and in time.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1])]

from _harness import Row, fresh_database, mark_start, print_table, start_mosquitto  # noqa: E402

# ---------------------------------------------------------------------------------- MQTT echo


def _serve_echo(port: int, filters: list[str], window_state: bool) -> None:
    """The echo server's main (`python bench/_floors.py echo ...`): runs until SIGTERM."""
    from hallcall.mqtt.connection import MqttSettings, make_client, start, stop

    settings = MqttSettings(port=port)
    client = make_client(f"floor-echo-{uuid.uuid4().hex[:6]}", settings)
    client.max_queued_messages_set(0)  # as QueueBrokerServer: an unlimited outgoing queue
    ready = threading.Event()
    client.on_connect = lambda c, *_: c.subscribe([(f, 1) for f in filters])
    client.on_subscribe = lambda *_: ready.set()

    def on_message(c, _u, m) -> None:
        c.publish(m.topic.replace("/cmd/", "/reply/", 1), m.payload, qos=1)
        if window_state and "/cmd/window/" in m.topic:
            c.publish(m.topic.replace("/cmd/", "/state/", 1), m.payload, qos=1, retain=True)

    client.on_message = on_message
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    start(client, settings)
    if not ready.wait(15):
        raise SystemExit("echo: not subscribed within 15 s")
    print("ready", flush=True)
    stopped.wait(3600)  # bounded: a forgotten echo ends by itself
    stop(client)


class EchoProcess:
    """The echo floor as its own process (the queue broker runs as one too)."""

    def __init__(self, port: int, filters: list[str], window_state: bool = False):
        self.argv = [sys.executable, str(Path(__file__).resolve()), "echo", "--port", str(port)]
        for f in filters:
            self.argv += ["--filter", f]
        if window_state:
            self.argv.append("--window-state")
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 20) -> EchoProcess:
        self.process = subprocess.Popen(self.argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline() if ready else b""
        if line.strip() != b"ready":
            self.stop()
            raise RuntimeError(
                f"echo process did not start: {self.process.stderr.read().decode(errors='replace')}"
            )
        return self

    def cpu_s(self) -> float:
        parts = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def __enter__(self) -> EchoProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# ---------------------------------------------------------------------------------- SQL
HALL = "floor-hall"
#: About the size of a ticket.issue reply, stored with each command for idempotency.
_REPLY = json.dumps({"request_id": "x" * 32, "ok": True, "data": {"ticket": {"pad": "y" * 640}}})


class _Db:
    """A bare driver connection to a database migrated by HallCall (`upgrade`): sqlite3 in WAL
    with synchronous=FULL and BEGIN IMMEDIATE (as broker/src/hallcall/broker/storage/database.py sets it), or
    psycopg. SQL is written with %s and adapted for sqlite3."""

    def __init__(self, url: str):
        from hallcall.broker.storage.database import create_db_engine
        from hallcall.broker.storage.migrate import upgrade

        engine = create_db_engine(url)
        upgrade(engine)
        engine.dispose()
        self.pg = url.startswith("postgresql")
        if self.pg:
            import psycopg
            from sqlalchemy.engine import make_url

            plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
            self.conn = psycopg.connect(plain, autocommit=True)
            settings = {
                k: self.conn.execute(f"SHOW {k}").fetchone()[0]
                for k in ("fsync", "synchronous_commit")
            }
            self.note = ", ".join(f"{k}={v}" for k, v in settings.items())
        else:
            import sqlite3

            self.conn = sqlite3.connect(
                url.removeprefix("sqlite:///"), isolation_level=None, timeout=30
            )
            for pragma in (
                "journal_mode=WAL",
                "synchronous=FULL",
                "foreign_keys=ON",
                "busy_timeout=30000",
            ):
                self.conn.execute(f"PRAGMA {pragma}")
            self.note = "WAL, synchronous=FULL"

    def sql(self, text: str) -> str:
        return text if self.pg else text.replace("%s", "?")

    def ts(self, t: date | datetime):
        if self.pg:
            return t
        if isinstance(t, datetime):  # as HallCall's UTCDateTime stores it on SQLite: naive UTC
            return t.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
        return t.isoformat()

    def cursor(self):
        return self.conn.cursor()

    def begin(self) -> None:
        self.conn.execute("BEGIN" if self.pg else "BEGIN IMMEDIATE")

    def commit(self) -> None:
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


_ISSUE_SQL = dict(
    seq="UPDATE hall SET seq = seq + %s WHERE id = %s",
    counter="UPDATE ticket_counters SET last_number = last_number + %s, issued = issued + %s "
    "WHERE hall_id = %s AND department = %s AND service_date = %s RETURNING last_number",
    ticket="INSERT INTO tickets (hall_id, id, service_date, seqno, number, department, original_department, "
    "matter, priority, source, lang, status, issued_at, queued_at, recalls, transfers, closed_by_system) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, NULL, 'normal', 'walk_in', 'en', 'waiting', %s, %s, 0, 0, %s)",
    event="INSERT INTO ticket_events (hall_id, ticket_id, at, action, department, detail) "
    "VALUES (%s, %s, %s, 'issued', %s, %s)",
    command="INSERT INTO commands (hall_id, device_kind, device_id, request_id, op, reply, at) "
    "VALUES (%s, 'kiosk', %s, %s, 'ticket.issue', %s, %s)",
)


def raw_issue(
    url: str, n: int = 2000, batch: int = 1, seconds: float = 5, warmup_tx: int = 5
) -> float:
    """Tickets per second written the bare way on the database at `url` (migrated first), per
    transaction UPDATE hall seq; UPDATE counter +B RETURNING; B x INSERT ticket, INSERT
    ticket_event, INSERT command (executemany); COMMIT. batch=1 is one ticket per commit (one
    fsync each on SQLite); batch=B is the group commit of B kiosks' tickets. Stops after `n`
    tickets or `seconds` (after `warmup_tx` transactions not counted)."""
    db = _Db(url)
    hall = f"floor-{uuid.uuid4().hex[:8]}"  # a hall of its own: the database may hold others
    try:
        day = date.today()
        dep = "d00"
        q = {k: db.sql(v) for k, v in _ISSUE_SQL.items()}
        now = db.ts(datetime.now(UTC))
        db.conn.execute(
            db.sql("INSERT INTO hall (id, seq, created_at) VALUES (%s, 0, %s)"), (hall, now)
        )
        db.conn.execute(
            db.sql("INSERT INTO ticket_counters VALUES (%s, %s, %s, 0, 0)"), (hall, dep, db.ts(day))
        )
        cur = db.cursor()
        detail = json.dumps({"source": "walk_in", "priority": "normal"})
        tx, counted, t0 = 0, 0, None
        while counted < n and (t0 is None or time.perf_counter() < t0 + seconds):
            now = db.ts(datetime.now(UTC))
            db.begin()
            cur.execute(q["seq"], (batch * 3, hall))
            (last,) = cur.execute(q["counter"], (batch, batch, hall, dep, db.ts(day))).fetchone()
            seqs = range(last - batch + 1, last + 1)
            ids = [f"{day:%Y%m%d}-A{s:05d}" for s in seqs]
            cur.executemany(
                q["ticket"],
                [
                    (hall, i, db.ts(day), s, i[9:], dep, dep, now, now, False)
                    for i, s in zip(ids, seqs)
                ],
            )
            cur.executemany(q["event"], [(hall, i, now, dep, detail) for i in ids])
            cur.executemany(
                q["command"],
                [(hall, f"kiosk-{s % 50}", uuid.uuid4().hex, _REPLY, now) for s in seqs],
            )
            db.commit()
            tx += 1
            if tx == warmup_tx:
                t0 = time.perf_counter()
            elif tx > warmup_tx:
                counted += batch
        return counted / (time.perf_counter() - t0)
    finally:
        db.close()


# The floor of call.next's choice: an index whose order is the queue's order, so LIMIT 1 reads
# one entry whatever the queue's length ('priority' sorts after 'normal': DESC puts it first).
_NEXT_INDEX = (
    "CREATE INDEX ix_floor_next ON tickets "
    "(hall_id, service_date, department, status, priority DESC, queued_at, seqno)"
)
_NEXT = (
    "SELECT id FROM tickets WHERE hall_id = %s AND service_date = %s AND department = %s "
    "AND status = 'waiting' ORDER BY priority DESC, queued_at, seqno LIMIT 1"
)


def raw_indexed_next(
    url: str,
    waiting: tuple[int, ...] = (10, 5000),
    n: int = 2000,
    batches: int = 5,
    served: int = 5000,
) -> dict[int, float]:
    """Microseconds to choose the next ticket (indexed ORDER BY ... LIMIT 1) per queue length.

    Each length is its own department of one day (plus `served` finished tickets of that day, so
    the index is not only the queue); batches of `n` queries alternate between the lengths and
    the median batch counts, so both sides see the same machine. A new database at `url`.
    Raises if the plan sorts instead of walking the index.
    """
    db = _Db(url)
    try:
        day = db.ts(date(2026, 12, 1))
        start_at = datetime(2026, 12, 1, 1, tzinfo=UTC)
        rows, seq = [], 0
        for length in waiting:
            for status, count in (("waiting", length), ("finished", served)):
                for _ in range(count):
                    seq += 1
                    at = db.ts(start_at + timedelta(seconds=seq))
                    prio = "priority" if seq % 20 == 0 else "normal"
                    rows.append(
                        (
                            HALL,
                            f"t{seq}",
                            day,
                            seq,
                            f"N{seq:06d}",
                            f"d{length}",
                            f"d{length}",
                            prio,
                            status,
                            at,
                            at,
                        )
                    )
        db.begin()
        db.cursor().executemany(
            db.sql(
                "INSERT INTO tickets (hall_id, id, service_date, seqno, number, department, original_department, "
                "priority, source, lang, status, issued_at, queued_at, recalls, transfers, closed_by_system) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'walk_in', 'en', %s, %s, %s, 0, 0, false)"
            ),
            rows,
        )
        db.conn.execute(_NEXT_INDEX)
        db.commit()
        db.conn.execute("ANALYZE")
        query = db.sql(_NEXT)
        plan = " ".join(
            str(r)
            for r in db.conn.execute(
                ("EXPLAIN " if db.pg else "EXPLAIN QUERY PLAN ") + query,
                (HALL, day, f"d{waiting[-1]}"),
            ).fetchall()
        )
        if "Sort" in plan or "TEMP B-TREE" in plan:
            raise RuntimeError(f"the next-ticket query sorts instead of using the index: {plan}")
        times: dict[int, list[float]] = {length: [] for length in waiting}
        for _ in range(batches):
            for length in waiting:
                args = (HALL, day, f"d{length}")
                t0 = time.perf_counter()
                for _ in range(n):
                    db.conn.execute(query, args).fetchone()
                times[length].append((time.perf_counter() - t0) / n * 1e6)
        return {length: sorted(ts)[len(ts) // 2] for length, ts in times.items()}
    finally:
        db.close()


# ---------------------------------------------------------------------------------- main
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="what")
    e = sub.add_parser("echo", help="run the echo server (what EchoProcess starts)")
    e.add_argument("--port", type=int, required=True)
    e.add_argument("--filter", action="append", default=[])
    e.add_argument("--window-state", action="store_true")
    ap.add_argument(
        "--pg-url",
        default=os.environ.get("HALLCALL_TEST_PG_URL"),
        help="PostgreSQL admin URL (default $HALLCALL_TEST_PG_URL; none: PostgreSQL skipped)",
    )
    args = ap.parse_args()
    if args.what == "echo":
        _serve_echo(args.port, args.filter or ["hallcall/v1/+/cmd/+/+"], args.window_state)
        return
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    mark_start()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="hallcall-floors-") as tmp:
        tmp = Path(tmp)
        from _harness import Device, closed_loop

        mosquitto = start_mosquitto(tmp)
        try:
            with EchoProcess(mosquitto.port, ["hallcall/v1/+/cmd/+/+"]):
                from _harness import command, percentile

                loop = closed_loop(
                    mosquitto.port,
                    [[Device("echo-hall", "kiosk", "kiosk-1")]],
                    lambda d, i: command("ticket.issue", department="d00"),
                    seconds=2,
                )
                rows.append(
                    Row(
                        "echo round trip p50 (1 kiosk)",
                        None,
                        percentile(loop.latencies_ms, 50),
                        "ms",
                    )
                )
                rows.append(
                    Row(
                        "echo round trip p99 (1 kiosk)",
                        None,
                        percentile(loop.latencies_ms, 99),
                        "ms",
                    )
                )
        finally:
            mosquitto.stop()
        kinds = [("SQLite", "sqlite")] + ([("PostgreSQL", "postgres")] if args.pg_url else [])
        for label, kind in kinds:
            for batch in (1, 50):
                with fresh_database(kind, tmp, args.pg_url) as url:
                    rows.append(
                        Row(
                            f"{label} raw issue, {batch} ticket(s) per commit",
                            None,
                            raw_issue(url, batch=batch),
                            "/s",
                        )
                    )
            with fresh_database(kind, tmp, args.pg_url) as url:
                nxt = raw_indexed_next(url, n=500)
            rows.append(
                Row(f"{label} indexed next 5,000 / 10 waiting", None, nxt[5000] / nxt[10], "x")
            )
    print_table(rows, "HallCall floors alone (the benchmarks measure them again beside HallCall)")


if __name__ == "__main__":
    main()
