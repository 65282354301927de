"""Issue #11 item 3: a flooding kiosk against a clerk's round trip, and how fast floods are refused.

`hallcall broker` runs in its own process with the hall file's real kiosk limits (10, then 30 a
minute); a clerk terminal (a DeviceClient) pauses and resumes its window, one round trip after
the other. The floor is the same DeviceClient through the same Mosquitto to the echo process
(bench/_floors.py). The hostile kiosk is tests/support/flood.py in its own process: first paced
at --rate commands a second while the clerk is timed, then as fast as paho publishes, to see
whether the queue broker keeps up (the floor there is the flooder's own sending rate).

Targets: the clerk's p95 during the paced flood <= 2x its idle p95; the broker refuses a flood
at >= 0.8x the rate the flooder sends it.

    .venv/bin/python bench/flood.py [--n 200] [--rate 2000] [--profile]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from _floors import EchoProcess  # noqa: E402
from _harness import (  # noqa: E402
    BrokerProcess,
    Row,
    common_args,
    install_sigterm,
    make_hall,
    mark_start,
    parse,
    percentile,
    print_profile,
    print_table,
    profile_path,
    start_mosquitto,
    write_hall_toml,
)

from hallcall.config.schema import RateLimit, RateLimits  # noqa: E402
from hallcall.mqtt.client import DeviceClient  # noqa: E402
from hallcall.mqtt.connection import MqttSettings  # noqa: E402
from tests.support.flood import spawn as flood  # noqa: E402
from tests.support.flood import under_way  # noqa: E402

HALL, ECHO_HALL = "campus-hall", "echo-hall"  # tests/support/flood.py floods campus-hall's kiosk-1


def timed(clerk: DeviceClient, n: int, check: bool) -> list[float]:
    out = []
    for i in range(n):
        t = time.perf_counter()
        reply = (
            clerk.request("window.pause", reason="break")
            if i % 2 == 0
            else clerk.request("window.resume")
        )
        out.append((time.perf_counter() - t) * 1000)
        if check and not reply.get("ok"):
            raise RuntimeError(f"refused: {reply}")
        time.sleep(0.02)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200, help="timed clerk round trips in each phase")
    ap.add_argument("--rate", type=int, default=2000, help="commands a second of the paced flood")
    common_args(ap)
    args = parse(ap)
    install_sigterm()
    mark_start()
    unlimited = RateLimit(burst=100000, per_minute=600000)
    config = make_hall(HALL, departments=1, windows=1, kiosks=1)
    config = config.model_copy(
        update={"rate_limits": RateLimits(window=unlimited)}
    )  # kiosks keep the real limits
    with tempfile.TemporaryDirectory(prefix="hallcall-bench-flood-") as tmp:
        tmp = Path(tmp)
        halls = tmp / "halls"
        halls.mkdir()
        write_hall_toml(config, halls / f"{HALL}.toml")
        mosquitto = start_mosquitto(tmp)
        prof = profile_path("flood", args.profile)
        broker = BrokerProcess(
            halls,
            f"sqlite:///{tmp / 'hall.db'}",
            mosquitto.port,
            [HALL],
            tmp / "broker.log",
            profile=prof,
        )
        echo = EchoProcess(mosquitto.port, [f"hallcall/v1/{ECHO_HALL}/cmd/+/+"])
        clerks: list[DeviceClient] = []
        try:
            broker.start()
            echo.start()
            settings = MqttSettings(port=mosquitto.port)
            hc, floor = (DeviceClient(h, "window", "w001", settings) for h in (HALL, ECHO_HALL))
            clerks = [hc, floor]
            for c in clerks:
                c.start()
                if not c.wait_connected(10):
                    raise TimeoutError("clerk terminal not connected")
            time.sleep(0.3)
            if not hc.request("window.login", staff="s001", post="A")["ok"]:
                raise RuntimeError("login refused")
            timed(hc, 20, True)
            timed(floor, 20, False)
            echo_idle = timed(floor, args.n, False)
            idle = timed(hc, args.n, True)
            paced = flood(mosquitto.port, args.rate * 60, "--rate", str(args.rate))
            under_way(paced)
            flooded = timed(hc, args.n, True)
            lasted = paced.poll() is None
            paced.kill()
            paced.wait()
            time.sleep(2)  # what Mosquitto still held for the broker is refused by now
            count = 20000
            started = time.monotonic()
            fast = flood(mosquitto.port, count)
            fast.wait(120)
            sent_s = time.monotonic() - started
            hc.request(
                "window.resume" if len(flooded) % 2 else "window.pause", reason="break", timeout=120
            )
            caught_up_s = time.monotonic() - started
        finally:
            for c in clerks:
                c.stop()
            echo.stop()
            broker.stop()
            mosquitto.stop()
        rows = [
            Row(
                "clerk round trip p95, idle, vs echo p95",
                percentile(idle, 95),
                percentile(echo_idle, 95),
                "ms",
            ),
            Row(
                f"clerk round trip p95 during a {args.rate}/s kiosk flood vs idle",
                percentile(flooded, 95),
                percentile(idle, 95),
                "ms",
                max_ratio=2,
                failed=not lasted,
            ),
            Row(
                "clerk round trip p50 during the flood vs idle",
                percentile(flooded, 50),
                percentile(idle, 50),
                "ms",
            ),
            Row(
                "flood refused per second vs the flooder's sending rate",
                count / caught_up_s,
                count / sent_s,
                "/s",
                min_ratio=0.8,
            ),
        ]
        ok = print_table(
            rows,
            "flood. one kiosk floods; a clerk's round trip and the refusal rate",
            [
                "broker: `hallcall broker` on SQLite with the real kiosk limits; floor of the first row: the echo process "
                "through the same Mosquitto; the flooder is its own process"
                + (
                    ""
                    if lasted
                    else "; THE PACED FLOOD ENDED BEFORE THE PROBES (raise --rate's duration)"
                ),
            ],
        )
        print_profile(prof)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
