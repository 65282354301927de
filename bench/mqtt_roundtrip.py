"""Target a of issue #10: `ticket.issue` round trip from one kiosk, against a bare echo.

One kiosk (a real DeviceClient, blocking in `request` as the kiosk app does) asks for tickets,
one after the other, through Mosquitto to `hallcall broker` running in its own process on a
new SQLite file (WAL, synchronous=FULL: every reply waits for its commit's fsync). The floor is
the same DeviceClient, in the same process, through the same Mosquitto, talking to the echo
process (bench/_floors.py), which sends each command straight back. Both servers are up for the
whole run, each on its own hall, and the rounds alternate (echo, HallCall, echo, ...), so a
burst of load on the machine lands on both.

Targets: HallCall's p50 <= 3x the echo's p50, p99 <= 5x the echo's p99.

    .venv/bin/python bench/mqtt_roundtrip.py [--n 1000] [--rounds 5] [--profile]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

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

from hallcall.mqtt.client import DeviceClient  # noqa: E402
from hallcall.mqtt.connection import MqttSettings  # noqa: E402

HALL, ECHO_HALL = "rt-hall", "echo-hall"


def timed(kiosk: DeviceClient, n: int, check: bool) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        reply = kiosk.request("ticket.issue", department="d00")
        out.append((time.perf_counter() - t) * 1000)
        if check and not reply.get("ok"):
            raise RuntimeError(f"ticket.issue refused: {reply}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="timed round trips on each side")
    ap.add_argument(
        "--rounds", type=int, default=5, help="alternations echo/HallCall the n are spread over"
    )
    ap.add_argument("--warmup", type=int, default=50)
    common_args(ap)
    args = parse(ap)
    install_sigterm()
    mark_start()
    with tempfile.TemporaryDirectory(prefix="hallcall-bench-rt-") as tmp:
        tmp = Path(tmp)
        halls = tmp / "halls"
        halls.mkdir()
        write_hall_toml(make_hall(HALL, departments=1, windows=1, kiosks=1), halls / f"{HALL}.toml")
        mosquitto = start_mosquitto(tmp)
        prof = profile_path("mqtt_roundtrip", args.profile)
        broker = BrokerProcess(
            halls,
            f"sqlite:///{tmp / 'hall.db'}",
            mosquitto.port,
            [HALL],
            tmp / "broker.log",
            profile=prof,
        )
        echo = EchoProcess(mosquitto.port, [f"hallcall/v1/{ECHO_HALL}/cmd/+/+"])
        kiosks: list[DeviceClient] = []
        try:
            broker.start()
            echo.start()
            settings = MqttSettings(port=mosquitto.port)
            hc, floor = (DeviceClient(h, "kiosk", "kiosk-1", settings) for h in (HALL, ECHO_HALL))
            kiosks = [hc, floor]
            for k in kiosks:
                k.start()
                if not k.wait_connected(10):
                    raise TimeoutError("kiosk not connected")
            time.sleep(0.3)  # its subscriptions confirmed
            timed(floor, args.warmup, False)
            timed(hc, args.warmup, True)
            per = max(1, args.n // args.rounds)
            lat_echo: list[float] = []
            lat_hc: list[float] = []
            cpu0 = broker.cpu_s()
            for _ in range(args.rounds):
                lat_echo += timed(floor, per, False)
                lat_hc += timed(hc, per, True)
            cpu_per_ms = (broker.cpu_s() - cpu0) * 1000 / len(lat_hc)
        finally:
            for k in kiosks:
                k.stop()
            echo.stop()
            broker.stop()
            mosquitto.stop()
        rows = [
            Row(
                "ticket.issue round trip p50 vs echo p50",
                percentile(lat_hc, 50),
                percentile(lat_echo, 50),
                "ms",
                max_ratio=3,
            ),
            Row(
                "ticket.issue round trip p99 vs echo p99",
                percentile(lat_hc, 99),
                percentile(lat_echo, 99),
                "ms",
                max_ratio=5,
            ),
            Row("ticket.issue round trip max vs echo max", max(lat_hc), max(lat_echo), "ms"),
            Row(
                "sequential round trips/s",
                1000 * len(lat_hc) / sum(lat_hc),
                1000 * len(lat_echo) / sum(lat_echo),
                "/s",
            ),
            Row("broker CPU per ticket.issue (whole process, from /proc)", cpu_per_ms, None, "ms"),
        ]
        ok = print_table(
            rows,
            f"a. ticket.issue round trip, one kiosk (DeviceClient), {len(lat_hc)} timed on each side",
            [
                "broker: `hallcall broker` in its own process on SQLite (WAL, synchronous=FULL); floor: the echo process "
                "through the same Mosquitto, the same DeviceClient; rounds alternate echo / HallCall",
            ],
        )
        print_profile(prof)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
