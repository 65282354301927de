"""Run the `hallcall` CLI with cProfile in every thread (a helper: `./run bench` skips `_*.py`).

cProfile only sees the thread that enabled it, and the queue broker works in two threads of its
own (paho's network thread, the `queue-broker` worker), so each thread's run() is wrapped in a
profiler here (timing each thread's own CPU time), without touching the broker's code. When the CLI returns (SIGTERM makes
`hallcall broker` stop its threads and return), the stats are written to OUT.worker (the
queue-broker thread), OUT.paho (every paho network thread) and OUT.main.

    .venv/bin/python bench/_profiled.py OUT broker --config DIR --db URL --mqtt-port N
"""

from __future__ import annotations

import cProfile
import os
import pstats
import signal
import sys
import threading
import time

out = sys.argv[1]
#: CPU time of the thread itself (default): waits for the GIL, the disk or the network do not
#: count, so own-time is where the CPU goes. HALLCALL_PROFILE_WALL=1 profiles wall-clock time.
TIMER = time.perf_counter if os.environ.get("HALLCALL_PROFILE_WALL") else time.thread_time
profiles: list[tuple[str, cProfile.Profile]] = []
_run = threading.Thread.run


def _profiled_run(self: threading.Thread) -> None:
    prof = cProfile.Profile(TIMER)
    profiles.append((self.name, prof))
    prof.enable()
    try:
        _run(self)
    finally:
        prof.disable()


threading.Thread.run = _profiled_run  # type: ignore[method-assign]


def _group(name: str) -> str:
    if name == "queue-broker":
        return "worker"
    if name.startswith("paho"):
        return "paho"
    return "other"


def main() -> int:
    from hallcall.cli import main as cli

    # uvicorn (`hallcall web`) raises the SIGTERM it caught again once it has shut down: with
    # the default handler that kills the process before the stats below are written.
    signal.signal(signal.SIGTERM, lambda *_: None)

    main_prof = cProfile.Profile(TIMER)
    main_prof.enable()
    try:
        return cli(sys.argv[2:])
    finally:
        main_prof.disable()
        groups: dict[str, list[cProfile.Profile]] = {"main": [main_prof]}
        for name, prof in profiles:
            groups.setdefault(_group(name), []).append(prof)
        for group, profs in groups.items():
            try:
                stats = pstats.Stats(profs[0])
                for p in profs[1:]:
                    stats.add(p)
                stats.dump_stats(f"{out}.{group}")
            except TypeError:  # a profiler that never ran has no stats
                pass


if __name__ == "__main__":
    sys.exit(main())
