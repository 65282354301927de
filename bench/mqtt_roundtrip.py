"""Request/reply round trip through a real Mosquitto and the queue broker (kiosk -> ticket).

Starts Mosquitto on a free loopback port (needs the mosquitto package) and the queue broker on
SQLite, then times `ticket.issue` requests from a DeviceClient. Prints p50/p99 and throughput.

    .venv/bin/python bench/mqtt_roundtrip.py [--n 500]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hallcall.broker.server import QueueBrokerServer  # noqa: E402
from hallcall.broker.service.queue_service import QueueService  # noqa: E402
from hallcall.broker.storage.database import create_db_engine  # noqa: E402
from hallcall.broker.storage.migrate import upgrade  # noqa: E402
from hallcall.config.loader import EXAMPLE_HALL, load_config  # noqa: E402
from hallcall.mqtt.connection import MqttSettings  # noqa: E402
from hallcall.mqtt.device import DeviceClient  # noqa: E402
from tests.support.mosquitto import Mosquitto  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=500)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    mosquitto = Mosquitto(tmp).start()
    config = load_config(EXAMPLE_HALL)
    engine = create_db_engine(f"sqlite:///{tmp / 'rt.db'}")
    upgrade(engine)
    settings = MqttSettings(port=mosquitto.port)
    server = QueueBrokerServer(QueueService(config, engine), settings)
    server.start()
    server.ready.wait(15)
    kiosk = DeviceClient(config.hall.id, "kiosk", "kiosk-1", settings)
    kiosk.start()
    kiosk.wait_connected(10)
    try:
        lat = []
        t0 = time.perf_counter()
        for _ in range(args.n):
            t = time.perf_counter()
            reply = kiosk.request("ticket.issue", department="international")
            lat.append((time.perf_counter() - t) * 1000)
            assert reply["ok"], reply
        total = time.perf_counter() - t0
        lat.sort()
        print(f"ticket.issue over Mosquitto: {args.n / total:.0f} req/s, "
              f"p50 {statistics.median(lat):.2f} ms, p99 {lat[int(0.99 * (len(lat) - 1))]:.2f} ms "
              "(TCP_NODELAY on: no 40-88 ms Nagle stalls)")
    finally:
        kiosk.stop()
        server.stop()
        mosquitto.stop()


if __name__ == "__main__":
    main()
