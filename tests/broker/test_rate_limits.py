"""Issue #11 item 3: a flooding device is refused `rate_limited`, and the others hardly notice.

Real processes: Mosquitto, `hallcall broker` with the example hall file's real limits (only the
probing clerk terminal's kind is unlimited, so that probing does not measure the limit), and
the hostile kiosk in a process of its own (tests/support/flood.py).
"""

from __future__ import annotations

import statistics
import subprocess
import time

from hallcall.broker.service.rate_limit import RateLimiter
from hallcall.config.loader import EXAMPLE_HALL, load_config
from hallcall.config.schema import RateLimit
from hallcall.mqtt.client import DeviceClient
from hallcall.mqtt.connection import MqttSettings
from hallcall.protocol.topics import Sender
from tests.broker.test_kill import start_broker
from tests.support.flood import spawn as flood
from tests.support.flood import under_way
from tests.support.hall import hall_file_with_limits
from tests.support.mqtt import RawClient, wait_for

ROOT = "hallcall/v1/campus-hall/"
#: Commands a second from the hostile kiosk: 20 times the flood of the issue (a kiosk took 400
#: tickets in 4 s). The queue broker keeps up with ~10,000 a second (docs/benchmarks.md), but on
#: a 2-core machine a flooder at full speed takes the CPU the probe and Mosquitto need.
FLOOD_RATE = 2000
#: Timed round trips on each side (the idle half before the flood, half after): the p95 of 60
#: was their third-slowest, one scheduler hiccup away from a failure.
PROBES = 120
ATTEMPTS = 3
PROBED_DEPARTMENTS = ("finance", "student-affairs", "international")


def hall_file(tmp_path, kiosk: RateLimit | None = None):
    """The example hall; the probing clerk unlimited, and kiosks as given (else the real limits)."""
    limits = {"window": RateLimit(burst=100000, per_minute=600000)}
    if kiosk is not None:
        limits["kiosk"] = kiosk
    return hall_file_with_limits(tmp_path, limits)


def probe(device: DeviceClient, n: int) -> list[float]:
    """Round trips (ms): a clerk pausing and resuming its window, or a kiosk issuing tickets."""
    out = []
    for i in range(n):
        started = time.perf_counter()
        if device.kind == "kiosk":
            # the departments the flood (registrar) leaves alone, in turn: ATTEMPTS x PROBES x 2
            # tickets stay under their daily caps of 300
            reply = device.request("ticket.issue", department=PROBED_DEPARTMENTS[i % 3])
        else:
            reply = (
                device.request("window.pause", reason="break")
                if i % 2 == 0
                else device.request("window.resume")
            )
        out.append((time.perf_counter() - started) * 1000)
        assert reply["ok"], reply
        time.sleep(0.02)
    return out


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18]


def test_one_kiosk_cannot_take_a_departments_daily_cap(mosquitto, sqlite_url, tmp_path):
    config = load_config(EXAMPLE_HALL)
    limit = config.rate_limits.kiosk
    proc = start_broker(sqlite_url, mosquitto.port, hall_file(tmp_path))
    raw = RawClient(mosquitto.port)
    other = DeviceClient("campus-hall", "kiosk", "kiosk-2", MqttSettings(port=mosquitto.port))
    try:
        raw.subscribe(ROOT + "reply/kiosk/kiosk-1")
        other.start()
        assert other.wait_connected(10)
        wait_for(lambda: other.server_online, timeout=30, what="queue broker online")
        started = time.monotonic()
        hostile = flood(mosquitto.port, 400)
        assert hostile.wait(60) == 0
        # Answered: what the bucket let through and `burst` refusals; the rest of a flood is not.
        wait_for(lambda: len(raw.messages) >= 2 * limit.burst, timeout=30, what="the answers")
        time.sleep(1.0)
        elapsed = time.monotonic() - started
        replies = [payload for _, payload in raw.messages]
        issued = [r for r in replies if r["ok"]]
        refused = [r for r in replies if not r["ok"]]
        assert limit.burst <= len(issued) <= limit.burst + elapsed * limit.per_minute / 60 + 1
        assert len(refused) == limit.burst
        assert {r["error"]["code"] for r in refused} == {"rate_limited"}
        assert all(r["request_id"].startswith("f") for r in replies), (
            "every refusal names its request"
        )
        # The department is still open to everybody else.
        ticket = other.request("ticket.issue", department="registrar")
        assert ticket["ok"] and ticket["data"]["ticket"]["number"] == f"A{len(issued) + 1:03d}"
    finally:
        other.stop()
        raw.stop()
        proc.terminate()
        proc.wait(20)


def flooded_latency(port: int, broker: subprocess.Popen, device: DeviceClient) -> None:
    """`device`'s p95 round trip while kiosk-1 floods at FLOOD_RATE is within 2x of its idle p95.

    The idle figure pools probes from before and after the flood, so that the shared machine's
    drift during the test counts on both sides; the flooded probes start only once the flooder
    says its commands are arriving (not during its Python start-up). Other tests running on the
    same 2 cores can still take the CPU for a second: up to ATTEMPTS measurements, one must hold
    (without the limits every one is far off: 477 ms in the issue)."""
    hostile = None
    try:
        device.start()
        assert device.wait_connected(10)
        wait_for(lambda: device.server_online, timeout=30, what="queue broker online")
        if device.kind == "window":
            assert device.request("window.login", staff="s101", post="A", pin="2468")["ok"]
        probe(device, 10)  # warm up
        results = []
        for _ in range(ATTEMPTS):
            idle = probe(device, PROBES // 2)
            hostile = flood(port, FLOOD_RATE * 10, "--rate", str(FLOOD_RATE))
            under_way(hostile)
            flooded = probe(device, PROBES)
            still_flooding = hostile.poll() is None
            hostile.wait(120)
            idle += probe(device, PROBES // 2)
            assert still_flooding, "the flood ended before the probes did: it measured nothing"
            results.append((p95(idle), p95(flooded)))
            print(
                f"\n{device.kind} round trip p95: idle {p95(idle):.2f} ms, during a flood {p95(flooded):.2f} ms"
            )
            if p95(flooded) <= 2 * p95(idle):
                break
        assert any(flooded <= 2 * idle for idle, flooded in results), results
    finally:
        if hostile is not None and hostile.poll() is None:
            hostile.kill()
        device.stop()
        broker.terminate()
        broker.wait(20)


def test_a_flood_keeps_a_clerk_within_twice_its_idle_latency(mosquitto, sqlite_url, tmp_path):
    broker = start_broker(sqlite_url, mosquitto.port, hall_file(tmp_path))
    flooded_latency(
        mosquitto.port,
        broker,
        DeviceClient("campus-hall", "window", "w01", MqttSettings(port=mosquitto.port)),
    )


def test_a_flood_keeps_a_second_kiosk_within_twice_its_idle_latency(
    mosquitto, sqlite_url, tmp_path
):
    """Kiosks may send 100 a second here, so that the second kiosk can be timed; the first
    floods at FLOOD_RATE (20 times that) and gets its tickets (registrar) up to the cap."""
    broker = start_broker(
        sqlite_url, mosquitto.port, hall_file(tmp_path, RateLimit(burst=200, per_minute=6000))
    )
    flooded_latency(
        mosquitto.port,
        broker,
        DeviceClient("campus-hall", "kiosk", "kiosk-2", MqttSettings(port=mosquitto.port)),
    )


def test_invalid_payloads_are_limited_and_do_not_write_a_log_line_each(
    mosquitto, sqlite_url, tmp_path
):
    proc = start_broker(sqlite_url, mosquitto.port, hall_file(tmp_path))
    raw = RawClient(mosquitto.port)
    try:
        raw.subscribe(ROOT + "reply/kiosk/kiosk-1")
        raw.subscribe(ROOT + "server/status")
        wait_for(
            lambda: any(
                t.endswith("server/status") and p.get("state") == "online" for t, p in raw.messages
            ),
            timeout=30,
            what="queue broker online",
        )
        raw.messages.clear()
        hostile = flood(mosquitto.port, 5000, "--invalid")
        assert hostile.wait(120) == 0
        burst = load_config(EXAMPLE_HALL).rate_limits.kiosk.burst
        wait_for(lambda: len(raw.messages) >= 2 * burst, timeout=60, what="the answers")
        time.sleep(1.0)
        codes = [p["error"]["code"] for _, p in raw.messages]
        assert codes == ["invalid"] * burst + ["rate_limited"] * burst
    finally:
        raw.stop()
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
    lines = out.splitlines()
    assert len(lines) < 40, f"{len(lines)} log lines for 5000 bad payloads"


def test_the_limiter_refills_at_the_configured_rate():
    config = load_config(EXAMPLE_HALL)
    now = [0.0]
    limiter = RateLimiter([config], clock=lambda: now[0])
    kiosk = Sender("kiosk", "kiosk-1")
    burst, per_minute = config.rate_limits.kiosk.burst, config.rate_limits.kiosk.per_minute
    assert [limiter.allow("campus-hall", kiosk) for _ in range(burst + 1)] == [True] * burst + [
        False
    ]
    assert [limiter.check("campus-hall", kiosk) for _ in range(burst)] == ["refuse"] * (
        burst - 1
    ) + ["drop"]
    assert limiter.allow("campus-hall", Sender("kiosk", "kiosk-2")), (
        "each device has its own bucket"
    )
    now[0] += 60 / per_minute
    assert limiter.allow("campus-hall", kiosk) and not limiter.allow("campus-hall", kiosk)
