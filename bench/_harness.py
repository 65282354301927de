"""Shared helpers for the benchmarks of issue #10 (a helper module: `./run bench` skips `_*.py`).

A number alone says little on a shared 2-core machine: every benchmark measures HallCall and
its floor (the same work done bare: an MQTT echo through the same Mosquitto, raw SQL on the same
database) in the same run, prints both, their ratio, the target and the load average, so a slow
run on a busy machine can be told from a slow HallCall.

What is here:
- the table: `Row`, `print_table`, `percentile`, `mark_start`, `loadavg_line`;
- the set-up: `start_mosquitto`, `make_hall` (a HallConfig built in code), `write_hall_toml`,
  `fresh_database` (a new SQLite file or a new PostgreSQL database, dropped after);
- the queue broker as its own process: `BrokerProcess` runs `hallcall broker --config DIR`
  (optionally under cProfile, every thread: see bench/_profiled.py);
- the load: `Mux` (one paho connection standing for many devices), and three drivers used for
  HallCall and its echo floor alike: `closed_loop` (each device waits for its reply before its
  next request), `burst` (every device at the same instant, the answer seen by a display
  connection), `scheduled` (open loop at a fixed rate).

Every server binds to 127.0.0.1; every loop is bounded in count and in time.
"""

from __future__ import annotations

import json
import math
import os
import platform
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for _p in (str(ROOT), str(BENCH)):  # tests.support lives at the repo root, not in the package
    if _p not in sys.path:
        sys.path.insert(0, _p)

from hallcall.mqtt.connection import MqttSettings, make_client  # noqa: E402
from tests.support.mosquitto import Mosquitto  # noqa: E402

__all__ = [
    "Row",
    "percentile",
    "loadavg_line",
    "print_table",
    "start_mosquitto",
    "mark_start",
    "make_hall",
    "write_hall_toml",
    "fresh_database",
    "pg_admin_url",
    "BrokerProcess",
    "Mux",
    "connections",
    "closed_loop",
    "burst",
    "scheduled",
    "Loop",
    "Burst",
    "Sched",
    "common_args",
    "parse",
    "profile_path",
    "install_sigterm",
    "print_profile",
    "Device",
    "command",
    "pg_settings",
]

_load_at_start = os.getloadavg()
VENV_BIN = Path(sys.executable).parent


def mark_start() -> None:
    """Note the load average now; `print_table` reports it as the start of the run."""
    global _load_at_start
    _load_at_start = os.getloadavg()


def install_sigterm() -> None:
    """SIGTERM (e.g. from `timeout`) must run the finally blocks, or Mosquitto outlives us."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))


def percentile(values, q: float) -> float:
    """Nearest-rank percentile (q in 0..100): always a value that was measured, no interpolation."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of no values")
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def _load(avg) -> str:
    return "/".join(f"{x:.2f}" for x in avg)


def loadavg_line() -> str:
    return f"load average {_load(os.getloadavg())} (1/5/15 min)"


# ------------------------------------------------------------------------------- the table
@dataclass
class Row:
    """One figure of HallCall against its floor; ratio = hallcall / floor.

    Targets (any may be given; all must hold for PASS): max_ratio/min_ratio bound the ratio,
    max_abs/min_abs bound HallCall's figure itself. `hallcall` or `floor` may be None (not
    measured in this run: a floors-only or absolute-only row). `failed` forces FAIL (e.g. a
    duplicate ticket number was found), `note` is printed under the table.
    """

    what: str
    hallcall: float | None
    floor: float | None
    unit: str
    max_ratio: float | None = None
    min_ratio: float | None = None
    max_abs: float | None = None
    min_abs: float | None = None
    failed: bool = False

    @property
    def ratio(self) -> float | None:
        if self.hallcall is None or not self.floor:
            return None
        return self.hallcall / self.floor

    def target(self) -> str:
        parts = []
        if self.max_ratio is not None:
            parts.append(f"<= {self.max_ratio:g}x")
        if self.min_ratio is not None:
            parts.append(f">= {self.min_ratio:g}x")
        if self.max_abs is not None:
            parts.append(f"<= {self.max_abs:g} {self.unit}")
        if self.min_abs is not None:
            parts.append(f">= {self.min_abs:g} {self.unit}")
        return ", ".join(parts)

    def verdict(self) -> str:
        checks = [not self.failed] if self.failed else []
        r, h = self.ratio, self.hallcall
        if self.max_ratio is not None:
            checks.append(r is not None and r <= self.max_ratio)
        if self.min_ratio is not None:
            checks.append(r is not None and r >= self.min_ratio)
        if self.max_abs is not None:
            checks.append(h is not None and h <= self.max_abs)
        if self.min_abs is not None:
            checks.append(h is not None and h >= self.min_abs)
        if not checks:
            return ""
        return "PASS" if all(checks) else "FAIL"


def _num(x: float | None, unit: str) -> str:
    if x is None:
        return "-"
    if isinstance(x, float) and math.isinf(x):
        return "inf"
    if abs(x) >= 100:
        return f"{x:,.0f} {unit}"
    return f"{x:#.3g} {unit}" if unit == "x" else f"{x:.3g} {unit}"


def print_table(rows: list[Row], title: str, notes: list[str] = ()) -> bool:
    """Print an aligned table, its notes and the machine line; True if no row FAILed."""
    head = ("what", "HallCall", "floor", "ratio", "target", "verdict")
    body = [
        (
            r.what,
            _num(r.hallcall, r.unit),
            _num(r.floor, r.unit),
            "-" if r.ratio is None else f"{r.ratio:.2f}x",
            r.target(),
            r.verdict(),
        )
        for r in rows
    ]
    widths = [max(len(line[i]) for line in [head, *body]) for i in range(len(head))]
    right = {1, 2, 3}
    fmt = lambda line: " | ".join(  # noqa: E731
        c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(line, widths))
    ).rstrip()
    print(f"\n{title}")
    print(fmt(head))
    print("-+-".join("-" * w for w in widths))
    for line in body:
        print(fmt(line))
    for note in notes:
        print(f"  * {note}")
    print(
        f"machine: {os.cpu_count()} cpus, Python {platform.python_version()}, "
        f"load average {_load(_load_at_start)} at start, {_load(os.getloadavg())} at end",
        flush=True,
    )
    return all(r.verdict() != "FAIL" for r in rows)


def common_args(ap) -> None:
    """--pg-url and --profile, the same in every benchmark."""
    ap.add_argument(
        "--pg-url",
        default=os.environ.get("HALLCALL_TEST_PG_URL"),
        help="PostgreSQL admin URL (default: $HALLCALL_TEST_PG_URL, which "
        '`eval "$(scripts/test-postgres.sh)"` sets; none: PostgreSQL is skipped)',
    )
    ap.add_argument(
        "--profile",
        action="store_true",
        help="run the queue broker process under cProfile (every thread) and print its hot spots; "
        "the figures are then slower than normal and only the profile counts",
    )


def parse(ap, argv=None):
    """Parse, ignoring (with a warning) options meant for the other benchmarks of `./run bench`."""
    args, unknown = ap.parse_known_args(argv)
    if unknown:
        print(f"(ignored options not for this benchmark: {' '.join(unknown)})")
    return args


# ------------------------------------------------------------------------------- set-up
def start_mosquitto(tmpdir: Path) -> Mosquitto:
    """The tests' Mosquitto (loopback, free port, set_tcp_nodelay); the caller calls .stop()."""
    return Mosquitto(Path(tmpdir)).start()


def _prefix(i: int) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return letters[i] if i < 26 else letters[i // 26 - 1] + letters[i % 26]


def make_hall(
    hall_id: str,
    *,
    departments: int = 1,
    windows: int = 1,
    kiosks: int = 1,
    displays: int = 1,
    number_end: int = 99999,
    daily_cap: int | None = None,
):
    """A hall built in code: departments d00.. (prefix A, B, .., AA, ..; numbers 1..number_end),
    windows w001.. (window i serves department (i-1) mod departments), one clerk s001.. per
    window in that department, kiosks kiosk-1.., displays display-1..; English only, no close_at
    (a bench must not see the day close under it) and rate limits no bench reaches (a bench
    kiosk sends thousands of commands a minute; tests/broker/test_rate_limits.py covers them)."""
    from hallcall.config.schema import HallConfig

    if departments > 26 * 27:
        raise ValueError("at most 702 departments (one- and two-letter prefixes)")
    name = lambda s: {"en": s}  # noqa: E731
    deps = [
        {
            "id": f"d{k:02d}",
            "name": name(f"Department {k}"),
            "prefix": _prefix(k),
            "number_start": 1,
            "number_end": number_end,
            "daily_cap": daily_cap,
            "default_service_s": 300,
        }
        for k in range(departments)
    ]
    wins = [
        {"id": f"w{i:03d}", "number": i, "departments": [f"d{(i - 1) % departments:02d}"]}
        for i in range(1, windows + 1)
    ]
    staff = [
        {
            "id": f"s{i:03d}",
            "name": name(f"Clerk {i}"),
            "department": f"d{(i - 1) % departments:02d}",
            "post": "A",
        }
        for i in range(1, windows + 1)
    ]
    devices = [{"kind": "kiosk", "id": f"kiosk-{k}"} for k in range(1, kiosks + 1)]
    devices += [{"kind": "display", "id": f"display-{k}"} for k in range(1, displays + 1)]
    return HallConfig.model_validate(
        {
            "hall": {
                "id": hall_id,
                "name": name(f"Bench hall {hall_id}"),
                "languages": ["en"],
                "default_language": "en",
                "timezone": "Asia/Shanghai",
                "calls_kept": 10,
                # Bench clerks log in without a PIN (the PIN's own cost is not what is measured).
                "require_pin": False,
            },
            "departments": deps,
            "windows": wins,
            "staff": staff,
            "devices": devices,
            "rate_limits": {
                kind: {"burst": 100000, "per_minute": 600000}
                for kind in ("kiosk", "window", "rating", "admin", "other")
            },
        }
    )


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # JSON string escapes are valid TOML basic strings
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def _inline(v: Any) -> bool:
    """Scalars, lists of scalars and flat tables of scalars go inline; the rest gets a header."""
    if isinstance(v, dict):
        return all(not isinstance(x, (dict, list)) for x in v.values())
    if isinstance(v, list):
        return not any(isinstance(x, dict) for x in v) and all(_inline(x) for x in v)
    return True


def _toml_table(d: dict, path: str, out: list[str]) -> None:
    for k, v in d.items():
        if _inline(v):
            out.append(f"{k} = {_toml_value(v)}")
    for k, v in d.items():
        if _inline(v):
            continue
        sub = f"{path}.{k}" if path else k
        if isinstance(v, dict):
            out.append(f"\n[{sub}]")
            _toml_table(v, sub, out)
        else:
            for item in v:
                out.append(f"\n[[{sub}]]")
                _toml_table(item, sub, out)


def write_hall_toml(config, path: Path) -> Path:
    """Write a HallConfig as a hall file (and check that it reads back to the same config)."""
    from hallcall.config.loader import load_config

    data = config.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    out: list[str] = [f"# generated by bench/_harness.py for hall {config.hall.id}"]
    _toml_table(data, "", out)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    if load_config(path) != config:
        raise AssertionError(f"{path} does not read back to the config it was written from")
    return path


def pg_admin_url(url: str | None) -> str | None:
    return url or os.environ.get("HALLCALL_TEST_PG_URL")


@contextmanager
def fresh_database(kind: str, tmp: Path, admin_url: str | None = None) -> Iterator[str]:
    """The URL of an empty database: a new SQLite file in `tmp`, or a new database on the
    PostgreSQL server of `admin_url`, dropped afterwards."""
    if kind == "sqlite":
        path = tmp / f"hallcall-{uuid.uuid4().hex[:8]}.db"
        yield f"sqlite:///{path}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = make_url(admin_url).set(drivername="postgresql+psycopg")
    name = f"hallcall_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def pg_settings(admin_url: str) -> str:
    """fsync and synchronous_commit of the server (the tests' server runs with fsync=off)."""
    import psycopg

    with psycopg.connect(admin_url.replace("+psycopg", "", 1)) as conn:
        return ", ".join(
            f"{k}={conn.execute(f'SHOW {k}').fetchone()[0]}"
            for k in ("fsync", "synchronous_commit")
        )


# ------------------------------------------------------------------------------- the broker
class BrokerProcess:
    """`hallcall broker --config DIR --db URL` as a child process, waited for until every hall's
    retained server/status says online. With `profile`, the same CLI runs under bench/_profiled.py
    (cProfile in every thread), which writes its stats to `profile` on SIGTERM."""

    def __init__(
        self,
        config_dir: Path,
        db_url: str,
        port: int,
        halls: list[str],
        log: Path,
        profile: Path | None = None,
        extra: list[str] = (),
    ):
        self.halls = list(halls)
        self.port = port
        self.log_path = log
        self.profile = profile
        cli = [
            "broker",
            "--config",
            str(config_dir),
            "--db",
            db_url,
            "--mqtt-port",
            str(port),
            *extra,
        ]
        if profile is not None:
            self.argv = [sys.executable, str(BENCH / "_profiled.py"), str(profile), *cli]
        else:
            self.argv = [str(VENV_BIN / "hallcall"), *cli]
        self.process: subprocess.Popen | None = None
        self._log = None

    def start(self, timeout: float = 120) -> BrokerProcess:
        self._log = open(self.log_path, "ab")
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            self.argv, stdout=self._log, stderr=subprocess.STDOUT, env=env
        )
        self.started = time.perf_counter()
        try:
            self._wait_online(timeout)
        except BaseException:
            self.stop()
            raise
        self.ready_s = time.perf_counter() - self.started
        return self

    def _wait_online(self, timeout: float) -> None:
        online: set[str] = set()
        done = threading.Event()

        def on_message(_c, _u, msg):
            hall = msg.topic.split("/")[2]
            try:
                state = json.loads(msg.payload).get("state")
            except ValueError:
                return
            if state == "online" and hall in self.halls:
                online.add(hall)
                if len(online) == len(self.halls):
                    done.set()

        watcher = Mux(self.port, ["hallcall/v1/+/server/status"], name="bench-status-watch")
        watcher.client.on_message = on_message
        watcher.start()
        try:
            deadline = time.monotonic() + timeout
            while not done.wait(0.2):
                if self.process.poll() is not None:
                    raise RuntimeError(
                        f"the broker exited with {self.process.returncode}:\n{self.log_tail()}"
                    )
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"{len(online)} of {len(self.halls)} halls online after {timeout:g} s:\n{self.log_tail()}"
                    )
        finally:
            watcher.stop()

    def rss_mib(self) -> tuple[float, float]:
        """(resident now, peak resident) of the broker process in MiB, from /proc."""
        fields = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            fields[key] = value
        kib = lambda k: int(fields[k].split()[0]) / 1024  # noqa: E731
        return kib("VmRSS"), kib("VmHWM")

    def cpu_s(self) -> float:
        """User + system CPU seconds the broker process has used so far."""
        parts = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, timeout: float = 30) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> BrokerProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


PROFILE_DIR = Path(os.environ.get("HALLCALL_BENCH_PROFILES", "/tmp/hallcall-bench-profiles"))


def profile_path(bench: str, enabled: bool) -> Path | None:
    """Where a benchmark's broker profile goes (kept after the run, for pstats), or None."""
    if not enabled:
        return None
    PROFILE_DIR.mkdir(parents=True, exist_ok=True)
    return PROFILE_DIR / bench


def print_profile(path: Path | None, top: int = 25) -> None:
    """The broker's hot spots: the queue-broker worker thread and the paho network thread.

    Times are each thread's own CPU time (bench/_profiled.py): waiting for the GIL, the disk
    (fsync) or the network does not count."""
    import pstats

    if path is None:
        return

    for group in ("worker", "paho"):
        f = Path(f"{path}.{group}")
        if not f.exists():
            continue
        print(f"\n--- broker profile, {group} thread(s): top {top} by own time ({f})")
        pstats.Stats(str(f)).sort_stats("tottime").print_stats(top)
        print(f"--- broker profile, {group} thread(s): top {top} by cumulative time")
        pstats.Stats(str(f)).sort_stats("cumulative").print_stats(top)


# ------------------------------------------------------------------------------- MQTT load
class Mux:
    """One paho connection standing for many devices (QoS 1 both ways, as DeviceClient).

    A connection that carries N devices allows N messages in flight, so it does not queue their
    requests behind paho's default of 20: N real devices would each have their own connection.
    paho's network loop uses select(), which fails on file descriptors above 1023, and each
    threaded client holds three: keep to about 300 connections per process.
    """

    def __init__(
        self, port: int, subscriptions: list[str], name: str | None = None, inflight: int = 20
    ):
        self.settings = MqttSettings(port=port)
        self.client = make_client(name or f"bench-{uuid.uuid4().hex[:10]}", self.settings)
        self.client.max_inflight_messages_set(max(20, inflight))
        self.client.max_queued_messages_set(0)
        self.subscriptions = subscriptions
        self.ready = threading.Event()
        self.client.on_connect = lambda c, *_: c.subscribe([(s, 1) for s in subscriptions])
        self.client.on_subscribe = lambda *_: self.ready.set()

    def start(self, timeout: float = 15) -> Mux:
        self.client.connect_async("127.0.0.1", self.settings.port, keepalive=60)
        self.client.loop_start()
        if not self.ready.wait(timeout):
            self.stop()
            raise TimeoutError("an MQTT connection was not subscribed in time")
        return self

    def publish(self, topic: str, payload: bytes) -> None:
        self.client.publish(topic, payload, qos=1)

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@contextmanager
def connections(
    port: int, subscription_groups: list[list[str]], inflight: int = 20
) -> Iterator[list[Mux]]:
    """Connected, subscribed Muxes, one per group; every one stopped on exit."""
    if len(subscription_groups) > 300:
        raise ValueError("paho's select() allows about 300 threaded connections per process")
    muxes = [Mux(port, subs, inflight=inflight) for subs in subscription_groups]
    try:
        for m in muxes:  # connect all, then wait: the handshakes overlap
            m.client.connect_async("127.0.0.1", port, keepalive=60)
            m.client.loop_start()
        deadline = time.monotonic() + 30
        for m in muxes:
            if not m.ready.wait(max(0.0, deadline - time.monotonic())):
                raise TimeoutError(f"{len(muxes)} MQTT connections not subscribed in 30 s")
        yield muxes
    finally:
        for m in muxes:  # disconnect all first, then join: one stop() after another is slow
            m.client.disconnect()
        for m in muxes:
            m.client.loop_stop()


def command(op: str, request_id: str | None = None, **args: Any) -> tuple[str, bytes]:
    rid = request_id or uuid.uuid4().hex
    return rid, json.dumps({"request_id": rid, "op": op, **args}).encode()


@dataclass(frozen=True)
class Device:
    hall: str
    kind: str
    id: str

    @property
    def cmd(self) -> str:
        return f"hallcall/v1/{self.hall}/cmd/{self.kind}/{self.id}"

    @property
    def reply(self) -> str:
        return f"hallcall/v1/{self.hall}/reply/{self.kind}/{self.id}"


@dataclass
class Loop:
    """What a closed loop measured."""

    per_s: float
    latencies_ms: list[float]
    replies: list[dict]  # every reply, parsed
    timeouts: int  # devices that stopped waiting for a reply
    seconds: float


def closed_loop(
    port: int,
    groups: list[list[Device]],
    make: Callable[[Device, int], tuple[str, bytes]],
    seconds: float,
    max_per_device: int = 100_000,
    reply_timeout: float = 10,
) -> Loop:
    """Each device sends a request, waits for its reply, sends the next (from the network thread,
    at once), for `seconds` or `max_per_device` requests. One connection per group of devices."""
    n_dev = sum(len(g) for g in groups)
    state: dict[str, list] = {}  # reply topic -> [device, mux, sent_at, request_id, count]
    lat: list[float] = []
    replies: list[dict] = []
    lock = threading.Lock()
    stop_at = [math.inf]
    finished = threading.Semaphore(0)
    last = [0.0]

    def send(st) -> None:
        rid, payload = make(st[0], st[4])
        st[2], st[3] = time.perf_counter(), rid
        st[1].publish(st[0].cmd, payload)

    def on_message(_c, _u, msg) -> None:
        t = time.perf_counter()
        st = state.get(msg.topic)
        if st is None:
            return
        body = json.loads(msg.payload)
        if body.get("request_id") != st[3]:
            return  # a late repeat: not this request's reply
        with lock:
            lat.append((t - st[2]) * 1000)
            replies.append(body)
            last[0] = t
        st[4] += 1
        if t < stop_at[0] and st[4] < max_per_device:
            send(st)
        else:
            finished.release()

    subs = [[d.reply for d in g] for g in groups]
    with connections(port, subs, inflight=max(len(g) for g in groups)) as muxes:
        for m, g in zip(muxes, groups):
            m.client.on_message = on_message
            for d in g:
                state[d.reply] = [d, m, 0.0, None, 0]
        t0 = time.perf_counter()
        stop_at[0] = t0 + seconds
        for st in state.values():
            send(st)
        done = 0
        deadline = t0 + seconds + reply_timeout
        while done < n_dev and finished.acquire(timeout=max(0.0, deadline - time.perf_counter())):
            done += 1
        elapsed = (last[0] or time.perf_counter()) - t0
    return Loop(len(lat) / elapsed if elapsed > 0 else 0.0, lat, replies, n_dev - done, elapsed)


@dataclass
class Burst:
    latencies_ms: list[float]  # sorted, press -> seen, one per device that was seen
    replies: dict[str, dict] = field(default_factory=dict)  # device id -> reply
    lost: int = 0  # devices not seen within the timeout

    @property
    def max_ms(self) -> float:
        return self.latencies_ms[-1] if self.latencies_ms else math.inf


def burst(
    port: int,
    groups: list[list[Device]],
    make: Callable[[Device, int], tuple[str, bytes]],
    watch: str,
    seen: Callable[[str, dict], str | None],
    rounds: int = 2,
    between: Callable[[dict[str, dict]], None] | None = None,
    timeout: float = 60,
) -> Burst:
    """Every device presses at the same instant (one thread per connection, from a barrier);
    a separate display connection subscribed to `watch` tells when each press was seen:
    `seen(topic, payload)` returns the device id a message answers, or None. The first rounds
    warm up (`between(replies)` runs after each of them); the last one is measured."""
    devices = [d for g in groups for d in g]
    by_reply = {d.reply: d for d in devices}
    pressed: dict[str, float] = {}
    got: dict[str, float] = {}
    replies: dict[str, dict] = {}
    all_seen, all_replied = threading.Event(), threading.Event()
    lock = threading.Lock()
    armed = [False]

    def on_reply(_c, _u, msg) -> None:
        d = by_reply.get(msg.topic)
        if d is None:
            return
        with lock:
            replies[d.id] = json.loads(msg.payload)
            if len(replies) == len(devices):
                all_replied.set()

    def on_display(_c, _u, msg) -> None:
        t = time.perf_counter()
        if not armed[0] or not msg.payload:
            return
        dev = seen(msg.topic, json.loads(msg.payload))
        if dev is None:
            return
        with lock:
            if dev in pressed and dev not in got and t >= pressed[dev]:
                got[dev] = t
                if len(got) == len(devices):
                    all_seen.set()

    display = Mux(
        port, [watch], name=f"bench-display-{uuid.uuid4().hex[:6]}", inflight=len(devices)
    )
    display.client.on_message = on_display
    display.start()
    try:
        subs = [[d.reply for d in g] for g in groups]
        with connections(port, subs, inflight=max(len(g) for g in groups)) as muxes:
            for m in muxes:
                m.client.on_message = on_reply
            time.sleep(0.5)  # let the retained states the display was sent on subscribing go by
            for r in range(rounds):
                with lock:
                    pressed.clear(), got.clear(), replies.clear()
                all_seen.clear(), all_replied.clear()
                payloads = [[make(d, r)[1] for d in g] for g in groups]
                armed[0] = True
                barrier = threading.Barrier(len(muxes) + 1)

                def fire(
                    m: Mux, g: list[Device], ps: list[bytes], barrier: threading.Barrier = barrier
                ) -> None:
                    barrier.wait(timeout=timeout)
                    for d, p in zip(g, ps):
                        pressed[d.id] = time.perf_counter()
                        m.client.publish(d.cmd, p, qos=1)

                threads = [
                    threading.Thread(target=fire, args=a, daemon=True)
                    for a in zip(muxes, groups, payloads)
                ]
                for t in threads:
                    t.start()
                barrier.wait(timeout=timeout)
                all_seen.wait(timeout)
                all_replied.wait(timeout)
                armed[0] = False
                for t in threads:
                    t.join(timeout)
                if r < rounds - 1 and between is not None:
                    between(dict(replies))
            with lock:
                lat = sorted((got[d] - pressed[d]) * 1000 for d in got)
                return Burst(lat, dict(replies), len(devices) - len(got))
    finally:
        display.stop()


@dataclass
class Sched:
    latencies_ms: list[float]
    replies: list[tuple[str, dict]]  # (op, reply)
    sent: int
    lost: int  # requests with no reply by the end
    late_s: float  # how far the sender fell behind its schedule at worst


def scheduled(
    port: int,
    groups: list[list[Device]],
    plan: list[tuple[float, Device, str, dict]],
    drain_s: float = 5,
) -> Sched:
    """Open loop: at each (offset_s, device, op, args) of `plan` (sorted by offset) one sender
    thread publishes the command, whatever the replies do; each reply's round trip is timed.
    Devices of one group share one connection."""
    mux_of: dict[Device, Mux] = {}
    pending: dict[str, tuple[float, str]] = {}  # request_id -> (sent_at, op)
    lat: list[float] = []
    replies: list[tuple[str, dict]] = []
    lock = threading.Lock()

    def on_message(_c, _u, msg) -> None:
        t = time.perf_counter()
        body = json.loads(msg.payload)
        with lock:
            entry = pending.pop(body.get("request_id"), None)
            if entry is not None:
                lat.append((t - entry[0]) * 1000)
                replies.append((entry[1], body))

    subs = [sorted({f"hallcall/v1/{d.hall}/reply/#" for d in g}) for g in groups]
    with connections(port, subs, inflight=200) as muxes:
        for m, g in zip(muxes, groups):
            m.client.on_message = on_message
            for d in g:
                mux_of[d] = m
        t0 = time.perf_counter() + 0.2
        late = 0.0
        for offset, dev, op, args in plan:
            wait = t0 + offset - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            else:
                late = max(late, -wait)
            rid, payload = command(op, **args)
            with lock:
                pending[rid] = (time.perf_counter(), op)
            mux_of[dev].publish(dev.cmd, payload)
        deadline = time.perf_counter() + drain_s
        while time.perf_counter() < deadline:
            with lock:
                if not pending:
                    break
            time.sleep(0.02)
        with lock:
            return Sched(lat, replies, len(plan), len(pending), late)
