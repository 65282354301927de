"""Issue #14's web target: with 1,000 visitors' pages open, a page's live update arrives
<= 50 ms (p99) after the lobby display hears the MQTT message; and the web part's RSS then.

A hall of one department and one window; `hallcall broker` and `hallcall web` each in their own
process on the same Mosquitto (SQLite). 1,000 tickets are taken and their 1,000 pages opened as
server-sent event streams (`/t/{token}/events`) by this process. A display connection here
subscribes to `event/ticket.called`. Then the clerk calls the next ticket `--calls` times; for
each call the latency is: the display hears the call -> the called ticket's page gets "please
go to window 1". Beside it: how long until every other waiting page showed its new "N ahead"
(each asks `ticket.status` again), a spread with no target.

The floor: the same 1,000 streams held by a bare Starlette app on uvicorn with one bare paho
subscription on the same Mosquitto (bench/_sse_floor.py); a message published to `floor/<i>`
is heard by the same display connection and written at once to stream i. Its p99 and RSS are
measured in the same run, after HallCall's.

    .venv/bin/python bench/web_pages.py [--pages 1000] [--calls 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx  # noqa: E402
from _harness import (  # noqa: E402
    VENV_BIN,
    BrokerProcess,
    Row,
    install_sigterm,
    make_hall,
    mark_start,
    percentile,
    print_table,
    start_mosquitto,
    write_hall_toml,
)

from hallcall.config.schema import HallConfig  # noqa: E402
from hallcall.mqtt.client import DeviceClient  # noqa: E402
from hallcall.mqtt.connection import MqttSettings, make_client, start, stop  # noqa: E402
from hallcall.web.background import free_port  # noqa: E402

HALL = "bench-web"
TARGET_MS = 50.0


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def bench_hall() -> HallConfig:
    data = make_hall(HALL, windows=1, kiosks=1, displays=1).model_dump(mode="json")
    data["devices"].append({"kind": "web", "id": "web"})
    data["hall"]["require_pin"] = False  # the bench clerk logs in without a PIN
    data["rate_limits"]["web"] = {"burst": 100000, "per_minute": 600000}
    return HallConfig.model_validate(data)


class Display:
    """The lobby display's connection: when it hears each call (and each floor message)."""

    def __init__(self, port: int):
        self.heard: dict[str, float] = {}
        self.settings = MqttSettings(port=port)
        self.client = make_client("bench-web-display", self.settings)
        ready = threading.Event()
        self.client.on_connect = lambda c, *_: c.subscribe(
            [(f"hallcall/v1/{HALL}/event/ticket.called", 0), ("floor/#", 0)]
        )
        self.client.on_subscribe = lambda *_: ready.set()
        self.client.on_message = self._on_message
        start(self.client, self.settings)
        if not ready.wait(10):
            raise SystemExit("display: not subscribed")

    def _on_message(self, _c, _u, msg) -> None:
        now = time.monotonic()
        if msg.topic.startswith("floor/"):
            self.heard[f"floor:{msg.topic.rsplit('/', 1)[1]}"] = now
        else:
            self.heard[json.loads(msg.payload)["ticket"]["id"]] = now

    def stop(self) -> None:
        stop(self.client)


class Pages:
    """`count` open server-sent event streams; every event's arrival time, by stream."""

    def __init__(self, urls: list[str]):
        self.urls = urls
        self.events: list[list[tuple[float, str]]] = [[] for _ in urls]
        self.opened = 0

    async def run(self, stop: asyncio.Event) -> None:
        limits = httpx.Limits(max_connections=len(self.urls) + 10)
        timeout = httpx.Timeout(None, connect=30)
        async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
            tasks = [asyncio.create_task(self._one(client, i)) for i in range(len(self.urls))]
            await stop.wait()
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _one(self, client: httpx.AsyncClient, i: int) -> None:
        async with client.stream("GET", self.urls[i]) as response:
            self.opened += 1
            async for line in response.aiter_lines():
                if line.startswith("data:"):
                    self.events[i].append((time.monotonic(), line[5:].strip()))


def in_thread(pages: Pages) -> tuple[threading.Thread, asyncio.AbstractEventLoop, asyncio.Event]:
    loop = asyncio.new_event_loop()
    stop_event = asyncio.Event()
    thread = threading.Thread(
        target=lambda: loop.run_until_complete(pages.run(stop_event)), daemon=True
    )
    thread.start()
    return thread, loop, stop_event


def wait(predicate, timeout: float, what: str) -> float:
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.002)
    return time.monotonic() - started


def measure_hallcall(args, tmp: Path, port: int, display: Display) -> dict:
    config = bench_hall()
    (tmp / "halls").mkdir()
    hall_file = write_hall_toml(config, tmp / "halls" / f"{HALL}.toml")
    out: dict = {}
    with BrokerProcess(
        tmp / "halls", f"sqlite:///{tmp}/bench.db", port, [HALL], tmp / "broker.log"
    ):
        settings = MqttSettings(port=port)
        kiosk = DeviceClient(HALL, "kiosk", "kiosk-1", settings)
        kiosk.start()
        kiosk.wait_connected(10)
        tickets = [
            kiosk.request("ticket.issue", department="d00")["data"]["ticket"]
            for _ in range(args.pages)
        ]
        web_port = free_port()
        log = open(tmp / "web.log", "ab")
        runner = (
            [sys.executable, str(Path(__file__).with_name("_profiled.py")), args.profile]
            if args.profile
            else [str(VENV_BIN / "hallcall")]
        )
        web = subprocess.Popen(
            [
                *runner,
                "web",
                "--config",
                str(hall_file),
                "--port",
                str(web_port),
                "--mqtt-port",
                str(port),
                "--pages-per-client",  # every page of the bench comes from this one address
                str(args.pages + 10),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{web_port}"
        try:
            wait(lambda: _healthy(base), 30, "the web part")
            out["rss_idle"] = rss_mib(web.pid)
            pages = Pages([f"{base}/t/{t['token']}/events?lang=en" for t in tickets])
            thread, loop, stop_event = in_thread(pages)
            opened = wait(lambda: all(pages.events), 120, "every page's first picture")
            out["open_s"] = opened
            out["rss"] = rss_mib(web.pid)
            clerk = DeviceClient(HALL, "window", "w001", settings)
            clerk.start()
            clerk.wait_connected(10)
            login = clerk.request("window.login", staff="s001", post="A")
            assert login["ok"], login
            latencies, spreads = [], []
            for n in range(args.calls):
                if n:
                    assert clerk.request("ticket.finish", outcome="done")["ok"]
                before = [len(e) for e in pages.events]
                called = clerk.request("call.next")["data"]["ticket"]
                i = next(k for k, t in enumerate(tickets) if t["id"] == called["id"])

                def shown(i=i, before=before) -> bool:
                    return any('"called"' in d for _, d in pages.events[i][before[i] :])

                wait(shown, 10, f"the page of {called['number']}")
                wait(lambda c=called: c["id"] in display.heard, 5, "the display")
                at = next(t for t, d in pages.events[i][before[i] :] if '"called"' in d)
                latencies.append((at - display.heard[called["id"]]) * 1000)
                rest = [k for k in range(i + 1, len(tickets))]

                def all_moved(rest=rest, before=before) -> bool:
                    return all(len(pages.events[k]) > before[k] for k in rest)

                wait(all_moved, 60, "every waiting page's new place")
                last = max(pages.events[k][before[k]][0] for k in rest) if rest else at
                spreads.append((last - display.heard[called["id"]]) * 1000)
            out["latency"], out["spread"] = latencies, spreads
            out["rss_after"] = rss_mib(web.pid)
            loop.call_soon_threadsafe(stop_event.set)
            thread.join(30)
            clerk.stop()
        finally:
            web.terminate()
            web.wait(10)
            kiosk.stop()
    return out


def measure_floor(args, port: int, display: Display) -> dict:
    http_port = free_port()
    floor = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("_sse_floor.py")), str(port), str(http_port)]
    )
    out: dict = {}
    try:
        base = f"http://127.0.0.1:{http_port}"
        wait(lambda: _listening(http_port), 30, "the floor server")
        time.sleep(0.5)  # its MQTT subscription
        out["rss_idle"] = rss_mib(floor.pid)
        pages = Pages([f"{base}/s/{i}" for i in range(args.pages)])
        thread, loop, stop_event = in_thread(pages)
        wait(lambda: pages.opened == args.pages, 120, "the floor's streams")
        time.sleep(0.5)
        out["rss"] = rss_mib(floor.pid)
        pub = make_client("bench-floor-pub", display.settings)
        start(pub, display.settings)
        time.sleep(0.3)
        latencies = []
        for n in range(args.calls):
            i = (n * 37) % args.pages
            before = len(pages.events[i])
            pub.publish(f"floor/{i}", json.dumps({"n": n}), qos=0)
            wait(lambda i=i, before=before: len(pages.events[i]) > before, 10, "a floor event")
            wait(lambda i=i: f"floor:{i}" in display.heard, 5, "the display (floor)")
            latencies.append((pages.events[i][before][0] - display.heard.pop(f"floor:{i}")) * 1000)
            time.sleep(0.05)
        out["latency"] = latencies
        stop(pub)
        loop.call_soon_threadsafe(stop_event.set)
        thread.join(30)
    finally:
        floor.terminate()
        floor.wait(10)
    return out


def _healthy(base: str) -> bool:
    try:
        return httpx.get(base + "/healthz", timeout=1).json().get("broker") is True
    except (httpx.HTTPError, ValueError):
        return False


def _listening(port: int) -> bool:
    import socket

    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--calls", type=int, default=30)
    ap.add_argument(
        "--profile",
        metavar="OUT",
        help="run the web part under cProfile (bench/_profiled.py) and print its hot spots",
    )
    args = ap.parse_args()
    install_sigterm()
    mark_start()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        mosquitto = start_mosquitto(tmp)
        display = Display(mosquitto.port)
        try:
            hc = measure_hallcall(args, tmp, mosquitto.port, display)
            fl = measure_floor(args, mosquitto.port, display)
        finally:
            display.stop()
            mosquitto.stop()
    rows = [
        Row(
            f"called page after the display, p99 ({args.pages} pages open)",
            percentile(hc["latency"], 99),
            percentile(fl["latency"], 99),
            "ms",
            max_abs=TARGET_MS,
        ),
        Row(
            "called page after the display, p50",
            percentile(hc["latency"], 50),
            percentile(fl["latency"], 50),
            "ms",
        ),
        Row(
            "every other page's new place, p50 (no target)",
            percentile(hc["spread"], 50),
            None,
            "ms",
        ),
        Row(f"RSS with {args.pages} pages open", hc["rss"], fl["rss"], "MiB"),
        Row("RSS with no page open", hc["rss_idle"], fl["rss_idle"], "MiB"),
    ]
    notes = [
        f"opening {args.pages} pages (each asks ticket.status once): {hc['open_s']:.1f} s; "
        f"RSS after {args.calls} calls {hc['rss_after']:.0f} MiB",
        f"{args.calls} calls; each waiting page asks ticket.status again when its queue moves",
    ]
    ok = print_table(rows, "bench/web_pages.py: visitors' pages (issue #14)", notes)
    if args.profile:
        import pstats

        for group in ("main", "paho"):
            if Path(f"{args.profile}.{group}").exists():
                print(f"\n--- web part, {group} thread(s): top 20 by own CPU time")
                pstats.Stats(f"{args.profile}.{group}").sort_stats("tottime").print_stats(20)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
