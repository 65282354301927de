"""Lobby display: memory and speed over a day of calls.

    python bench/display_memory.py [--calls 2000] [--windows 20] [--render]

Feeds the lobby model a synthetic day in the contract's shapes (tests/display/synthetic.py:
20 windows, 8 departments with long Chinese names, a recall every tenth call) and prints
  - model throughput: retained messages applied (+ snapshot rebuilt) per second,
  - traced Python memory after warm-up, after the day, and its growth per 1,000 calls,
  - with --render, the same through the Qt screen (offscreen): paint time per call and the
    process's resident memory before/after.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hallcall.display.model import LobbyModel
from tests.display.synthetic import SyntheticHall


def rss_kb() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def model_bench(calls: int, windows: int) -> None:
    hall = SyntheticHall(windows=windows)
    model = LobbyModel(("zh", "en"))
    model.set_connected(True)
    model.apply("server/status", {"state": "online"})
    for topic, payload in hall.opening():
        model.apply(topic, payload)
    messages = list(hall.day(calls))
    warm = len(messages) // 10

    for topic, payload in messages[:warm]:
        model.apply(topic, payload)
        model.snapshot()
    gc.collect()
    tracemalloc.start()
    mid = warm + (len(messages) - warm) // 5
    for topic, payload in messages[warm:mid]:
        model.apply(topic, payload)
        model.snapshot()
    gc.collect()
    first, _ = tracemalloc.get_traced_memory()
    for topic, payload in messages[mid:]:
        model.apply(topic, payload)
        model.snapshot()
    gc.collect()
    end, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    calls_between = (len(messages) - mid) / 3

    # timing without tracemalloc
    hall2 = SyntheticHall(windows=windows)
    model2 = LobbyModel(("zh", "en"))
    for topic, payload in hall2.opening():
        model2.apply(topic, payload)
    msgs2 = list(hall2.day(calls))
    t0 = time.perf_counter()
    for topic, payload in msgs2:
        model2.apply(topic, payload)
        model2.snapshot()
    dt = time.perf_counter() - t0
    print(f"model: {calls} calls, {windows} windows, {len(msgs2)} retained messages")
    print(
        f"  throughput     {len(msgs2) / dt:,.0f} messages/s ({dt / len(msgs2) * 1e6:.0f} us per message incl. snapshot)"
    )
    print(f"  new calls seen {model.new_calls} (of {calls})")
    print(
        f"  traced memory  {first / 1024:.1f} KiB held after {mid // 3} calls -> {end / 1024:.1f} KiB after "
        f"{len(messages) // 3} (peak {peak / 1024:.1f} KiB)"
    )
    print(f"  growth         {(end - first) / calls_between * 1000:+.0f} bytes per 1,000 calls")


def render_bench(calls: int, windows: int) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from hallcall.display.app import setup_fonts
    from hallcall.display.widgets import LobbyScreen

    app = QApplication.instance() or QApplication([])
    setup_fonts(app)
    screen = LobbyScreen("landscape", flash_s=0)
    screen.resize(1920, 1080)
    hall = SyntheticHall(windows=windows)
    model = LobbyModel(("zh", "en"))
    model.set_connected(True)
    model.apply("server/status", {"state": "online"})
    for topic, payload in hall.opening():
        model.apply(topic, payload)
    day = hall.day(calls)
    n_warm = calls // 10

    def one_call():
        for _ in range(3):
            topic, payload = next(day)
            model.apply(topic, payload)
        screen.show_snapshot(model.snapshot())
        screen.grab()  # a full paint of every part

    for _ in range(n_warm):
        one_call()
    gc.collect()
    before = rss_kb()
    t0 = time.perf_counter()
    for _ in range(calls - n_warm):
        one_call()
    dt = time.perf_counter() - t0
    gc.collect()
    after = rss_kb()
    print(f"render: {calls - n_warm} calls painted at 1920x1080 (offscreen)")
    print(
        f"  paint          {dt / (calls - n_warm) * 1000:.1f} ms per call (snapshot + full repaint)"
    )
    print(
        f"  resident       {before / 1024:.1f} MiB -> {after / 1024:.1f} MiB ({(after - before) / 1024:+.1f} MiB)"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--calls", type=int, default=2000)
    p.add_argument("--windows", type=int, default=20)
    p.add_argument("--render", action="store_true", help="also paint the Qt screen (offscreen)")
    p.add_argument("--render-calls", type=int, default=500, help="calls painted with --render")
    args = p.parse_args()
    model_bench(args.calls, args.windows)
    if args.render:
        render_bench(args.render_calls, args.windows)


if __name__ == "__main__":
    main()
