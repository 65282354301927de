"""A hostile kiosk, as its own process: `python -m tests.support.flood PORT COUNT [--invalid] [--rate N]`.

Publishes COUNT commands (ticket.issue, or 10 KB of garbage with --invalid) on kiosk-1's
command topic, as fast as paho can or N a second, then waits until Mosquitto has them all.
Its own process, so that its CPU does not share the test's interpreter lock. It prints
"flooding" once Mosquitto has acknowledged its first commands (`under_way` waits for that:
Python's start-up on a 2-core machine is not the flood) and COUNT when it is done.
"""

from __future__ import annotations

import json
import select
import subprocess
import sys
import time
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

TOPIC = "hallcall/v1/campus-hall/cmd/kiosk/kiosk-1"
ROOT = Path(__file__).resolve().parents[2]


def spawn(port: int, count: int, *options: str) -> subprocess.Popen:
    """Start the hostile kiosk as its own process (the tests and bench/flood.py)."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.flood", str(port), str(count), *options],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )


def under_way(proc: subprocess.Popen, timeout: float = 30) -> None:
    """Block until the hostile kiosk says its flood is under way."""
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    line = proc.stdout.readline() if ready else ""
    if line.strip() != "flooding":
        raise AssertionError(f"the flood did not start within {timeout} s: {line!r}")


def main(argv: list[str]) -> int:
    port, count, invalid = int(argv[0]), int(argv[1]), "--invalid" in argv
    rate = float(argv[argv.index("--rate") + 1]) if "--rate" in argv else None
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="hostile-kiosk")
    client.max_inflight_messages_set(0)
    client.max_queued_messages_set(0)
    client.connect("127.0.0.1", port)
    client.loop_start()
    infos = []
    started = time.monotonic()
    for i in range(count):
        if rate is not None and i % 20 == 0:  # paced in steps of 20 messages
            ahead = started + i / rate - time.monotonic()
            if ahead > 0:
                time.sleep(ahead)
        if invalid:
            payload = (
                b'{"request_id": "f%d", "op": "ticket.issue", "department": [' % i
                + b"[" * 5000
                + b"]" * 5000
                + b"]}"
            )
        else:
            payload = json.dumps(
                {"request_id": f"f{i}", "op": "ticket.issue", "department": "registrar"}
            ).encode()
        infos.append(client.publish(TOPIC, payload, qos=1))
        if i == min(count, 50) - 1:
            for info in infos:
                info.wait_for_publish(30)
            print("flooding", flush=True)
    for info in infos:
        info.wait_for_publish(30)
    client.disconnect()
    client.loop_stop()
    print(count)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
