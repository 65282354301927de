"""Issue #16 item 6: a ticket's bytes, and the time from "take ticket" to its last byte on the
printer's serial line, in raster and in native mode, at 115200 and 9600 baud.

A kiosk (a real DeviceClient) asks `hallcall broker` (its own process, the county example hall,
through Mosquitto) for a ticket, builds it as the kiosk app does (kiosk.printout.ticket_print
from the broker's catalog) and prints it with the real driver (python-escpos Serial) into a
socat pty pair. The printer at the far end answers the status queries and takes bytes no
faster than the line would carry them (8N1: 10 bits a byte): a pty has no baud rate of its own,
so the far end paces its reads. The time is measured to the moment it has the last byte.

The floor, in the same run on the same paced line: the smallest ticket python-escpos makes
(reset, the number as text, the printer's QR, cut), with no broker and no layout.

Target: a native ticket under 3 KB (issue #16).

    .venv/bin/python bench/ticket_print.py [--n 3] [--skip-slow]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import serial  # noqa: E402
from _harness import (  # noqa: E402
    BrokerProcess,
    Row,
    install_sigterm,
    mark_start,
    parse,
    percentile,
    print_table,
    start_mosquitto,
)
from escpos.printer import Dummy  # noqa: E402

from hallcall.broker.service.projections import catalog as catalog_payload  # noqa: E402
from hallcall.config.loader import load_config  # noqa: E402
from hallcall.hardware.printer import PrinterConfig, open_printer, print_ticket  # noqa: E402
from hallcall.kiosk.catalog import parse_catalog  # noqa: E402
from hallcall.kiosk.printout import ticket_print  # noqa: E402
from hallcall.mqtt.client import DeviceClient  # noqa: E402
from hallcall.mqtt.connection import MqttSettings  # noqa: E402
from tests.support.pty_pair import start_pty_pair  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
HALL_FILE = ROOT / "config/src/hallcall/config/halls/example-government.toml"
HEALTHY = {1: 0x12, 2: 0x12, 4: 0x12}  # DLE EOT answers: online, cover closed, paper ok


class PacedPrinter:
    """The printer at the far end of the pty: answers DLE EOT at once, and reads no faster
    than `baud` would carry the bytes. `expect(n)` then `wait()` returns when n bytes came."""

    def __init__(self, path: str, baud: int):
        self.port = serial.Serial(path, timeout=0.01)
        self.baud = baud
        self.received = bytearray()
        self._want = 0
        self._done = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def expect(self, count: int) -> None:
        with self._lock:
            self.received.clear()
            self._want = count
            self._done.clear()

    def wait(self, timeout: float) -> float:
        if not self._done.wait(timeout):
            raise TimeoutError(f"the printer got {len(self.received)} of {self._want} bytes")
        return self.last_at

    def _run(self) -> None:
        started = None
        while not self._stop.is_set():
            chunk = self.port.read(256)
            if not chunk:
                continue
            now = time.perf_counter()
            with self._lock:
                if not self.received:
                    started = now
                self.received += chunk
                for i in range(len(chunk) - 2):
                    if chunk[i : i + 2] == b"\x10\x04" and chunk[i + 2] in HEALTHY:
                        self.port.write(bytes([HEALTHY[chunk[i + 2]]]))
                # the line carries baud/10 bytes a second: wait until these could have come
                due = (started or now) + len(self.received) * 10 / self.baud
                done = self._want and len(self.received) >= self._want
            if due > now:
                time.sleep(due - now)
            if done:
                self.last_at = time.perf_counter()
                self._done.set()

    def close(self) -> None:
        self._stop.set()
        self.thread.join(timeout=2)
        self.port.close()


def floor_bytes(number: str, qr: str) -> bytes:
    p = Dummy()
    p.hw("INIT")
    p.text(number + "\n")
    p.qr(qr, native=True, size=6)
    p.cut()
    return bytes(p.output)


STATUS_QUERY_BYTES = 6  # DLE EOT 1, DLE EOT 4 before each ticket


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=3, help="tickets per mode and speed")
    ap.add_argument(
        "--skip-slow",
        action="store_true",
        help="skip the raster ticket at 9600 baud (about 90 s a ticket): its time is then "
        "computed from its bytes",
    )
    args = parse(ap)
    install_sigterm()
    mark_start()
    config = load_config(HALL_FILE)
    catalog = parse_catalog(catalog_payload(config, 1))
    dep = config.departments[0]
    matter = next((m.id for m in dep.matters), None)
    results: dict[tuple[str, int], list[float]] = {}
    floors: dict[int, list[float]] = {}
    sizes: dict[str, int] = {}
    floor_size = 0
    with tempfile.TemporaryDirectory(prefix="hallcall-bench-print-") as tmp:
        tmp = Path(tmp)
        halls = tmp / "halls"
        halls.mkdir()
        (halls / HALL_FILE.name).write_text(HALL_FILE.read_text("utf-8"), "utf-8")
        mosquitto = start_mosquitto(tmp)
        broker = BrokerProcess(
            halls, f"sqlite:///{tmp / 'hall.db'}", mosquitto.port, [config.hall.id], tmp / "b.log"
        )
        pty = start_pty_pair(tmp)
        kiosk = DeviceClient(config.hall.id, "kiosk", "kiosk-1", MqttSettings(port=mosquitto.port))
        far = None
        try:
            broker.start()
            kiosk.start()
            if not kiosk.wait_connected(10):
                raise TimeoutError("kiosk not connected")
            time.sleep(0.3)
            for baud in (115200, 9600):
                far = PacedPrinter(pty.peer, baud)
                for mode in ("native", "raster"):
                    if mode == "raster" and baud == 9600 and args.skip_slow:
                        continue
                    cfg = PrinterConfig(kind="serial", devfile=pty.device, baudrate=baud, mode=mode)
                    printer = open_printer(cfg)
                    times = []
                    n = 1 if (mode, baud) == ("raster", 9600) else args.n
                    for _ in range(n):
                        t0 = time.perf_counter()
                        reply = kiosk.request(
                            "ticket.issue", department=dep.id, matter=matter, lang="zh"
                        )
                        if not reply.get("ok"):
                            raise RuntimeError(f"ticket.issue refused: {reply}")
                        ticket = ticket_print(reply["data"]["ticket"], catalog, "zh")
                        asked_s = time.perf_counter() - t0
                        # The bytes the far end waits for, from the same driver into a fake
                        # printer: not timed (a kiosk does not print every ticket twice).
                        probe = open_printer(PrinterConfig(kind="fake", mode=mode))
                        print_ticket(probe, ticket, cfg.paper_width_px, mode=mode)
                        sizes[mode] = len(probe.output)
                        far.expect(STATUS_QUERY_BYTES + len(probe.output))
                        t1 = time.perf_counter()
                        print_ticket(printer, ticket, cfg.paper_width_px, mode=mode)
                        times.append((asked_s + far.wait(600) - t1) * 1000)
                    printer.close()
                    results[(mode, baud)] = times
                floor = floor_bytes("A001", catalog.hall.status_url or "https://hall.example/t/x")
                floor_size = len(floor)
                floor_times = []
                for _ in range(args.n):
                    raw = open_printer(
                        PrinterConfig(
                            kind="serial", devfile=pty.device, baudrate=baud, query_status=False
                        )
                    )
                    far.expect(len(floor))
                    t0 = time.perf_counter()
                    raw._raw(floor)
                    floor_times.append((far.wait(60) - t0) * 1000)
                    raw.close()
                floors[baud] = floor_times
                far.close()
                far = None
        finally:
            if far is not None:
                far.close()
            kiosk.stop()
            broker.stop()
            pty.close()
            mosquitto.stop()

    def p50(values: list[float]) -> float:
        return percentile(values, 50)

    rows = [
        Row("native ticket bytes", sizes["native"], floor_size, "B", max_abs=3072),
        Row("raster ticket bytes", sizes["raster"], floor_size, "B"),
    ]
    for baud in (115200, 9600):
        for mode in ("native", "raster"):
            times = results.get((mode, baud))
            if times is None:  # skipped: the wire time of its bytes, not measured
                computed = (STATUS_QUERY_BYTES + sizes["raster"]) * 10 / baud * 1000
                rows.append(Row(f"{mode} at {baud} baud (computed)", computed, None, "ms"))
                continue
            rows.append(
                Row(
                    f"take ticket -> last byte, {mode}, {baud} baud, p50",
                    p50(times),
                    p50(floors[baud]),
                    "ms",
                )
            )
    ok = print_table(
        rows,
        f"ticket printing, county example hall (zh), 80 mm paper, {args.n} tickets per row "
        "(raster at 9600: one)",
        [
            "HallCall: ticket.issue through Mosquitto to `hallcall broker` (SQLite), the kiosk's "
            "ticket_print, the real serial driver into a socat pty pair whose far end answers "
            "the status queries and reads at the line rate",
            "floor: python-escpos's smallest ticket (reset, number, native QR, cut) on the same "
            "paced line, no broker",
        ],
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
