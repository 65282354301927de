"""Target e of issue #10: 50 halls of 100 windows in one broker process, under a busy hall's load.

50 hall files (100 windows, 100 clerks, 5 departments, 2 kiosks each) are generated into a
temporary folder and served by ONE `hallcall broker --config DIR` process on SQLite, so the
multi-hall CLI is what is measured. Every window logs in; then, for `--seconds`, every hall gets
a busy hall's traffic, open loop at fixed times whatever the replies do: per second 2
ticket.issue, 1 call.next and 1 ticket.finish (with 50 halls: 100 + 50 + 50 = 200 commands a
second in all), the halls' seconds staggered evenly; then the same at twice the rate (400 a
second: the brief's "200 issue + 100 next + 100 finish"), on the same broker. The devices of 5
halls share one MQTT connection (10 in all).

Memory is the resident set of the broker process itself (from /proc/<pid>/status: VmRSS after
start, after the log-ins and after the load, and VmHWM, its peak); the target applies to the
peak. The floor of the round trip is the echo process under the same plan (the same commands,
times, connections and topics), run before the broker starts.

Targets: peak RSS <= 300 MB; round trip p99 <= 20 ms.

    .venv/bin/python bench/many_halls.py [--halls 50] [--windows 100] [--seconds 20] [--rates 1,2] [--profile]
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
    Device,
    Row,
    closed_loop,
    command,
    common_args,
    install_sigterm,
    make_hall,
    mark_start,
    parse,
    percentile,
    print_profile,
    print_table,
    profile_path,
    scheduled,
    start_mosquitto,
    write_hall_toml,
)

DEPARTMENTS = 5
MB = 1e6 / 2**20  # MiB per MB: the target is 300 MB = 286 MiB


def hall_ids(n: int) -> list[str]:
    return [f"hall-{h:02d}" for h in range(1, n + 1)]


def plan_for(
    halls: list[str], windows: int, seconds: float, rate: float = 1.0, first_cycle: int = 0
) -> list[tuple[float, Device, str, dict]]:
    """Per hall, `rate` cycles a second of: issue, call.next, issue, finish at +0, +1/4, +1/2,
    +3/4 of the cycle (hall k starts k/N of a cycle late). In cycle c both issues go to
    department c mod 5 and window (c mod windows)+1, which serves it, calls and finishes: no
    window is called twice within `windows` cycles, and no queue runs dry."""
    plan = []
    period = 1 / rate
    for k, hall in enumerate(halls):
        for c in range(first_cycle, first_cycle + int(seconds * rate)):
            base = (c - first_cycle + k / len(halls)) * period
            dep = f"d{c % DEPARTMENTS:02d}"
            w = Device(hall, "window", f"w{(c % windows) + 1:03d}")
            plan += [
                (base, Device(hall, "kiosk", "kiosk-1"), "ticket.issue", {"department": dep}),
                (base + period / 4, w, "call.next", {}),
                (
                    base + period / 2,
                    Device(hall, "kiosk", "kiosk-2"),
                    "ticket.issue",
                    {"department": dep},
                ),
                (base + period * 3 / 4, w, "ticket.finish", {"outcome": "done"}),
            ]
    plan.sort(key=lambda e: e[0])
    return plan


def connection_groups(halls: list[str], windows: int, per_connection: int) -> list[list[Device]]:
    groups = []
    for i in range(0, len(halls), per_connection):
        g = []
        for hall in halls[i : i + per_connection]:
            g += [Device(hall, "kiosk", "kiosk-1"), Device(hall, "kiosk", "kiosk-2")]
            g += [Device(hall, "window", f"w{j:03d}") for j in range(1, windows + 1)]
        groups.append(g)
    return groups


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--halls", type=int, default=50)
    ap.add_argument("--windows", type=int, default=100)
    ap.add_argument(
        "--seconds", type=int, default=20, help="of HallCall under the mixed load, per rate"
    )
    ap.add_argument(
        "--echo-seconds",
        type=int,
        default=5,
        help="of the echo floor under the same plan, per rate",
    )
    ap.add_argument("--halls-per-connection", type=int, default=5)
    ap.add_argument(
        "--rates",
        default="1,2",
        help="busy-hall cycles (2 issue + 1 next + 1 finish) per second per hall, one run each: "
        "1 is the issue's rate (4 commands/s per hall), 2 the brief's total (400 commands/s for 50 halls)",
    )
    common_args(ap)
    args = parse(ap)
    install_sigterm()
    mark_start()
    rates = [float(r) for r in args.rates.split(",")]
    halls = hall_ids(args.halls)
    groups = connection_groups(halls, args.windows, args.halls_per_connection)
    notes = [
        f"{args.halls} halls x {args.windows} windows, {DEPARTMENTS} departments each, in one `hallcall broker --config DIR` "
        f"process on SQLite; {len(groups)} MQTT connections of {args.halls_per_connection} halls' devices each; open loop"
    ]
    plans, first = {}, 0
    for rate in rates:
        plans[rate] = (
            plan_for(halls, args.windows, args.echo_seconds, rate),
            plan_for(halls, args.windows, args.seconds, rate, first_cycle=first),
        )
        first += int(args.seconds * rate)
    if first > args.windows:
        raise SystemExit(
            f"{first} cycles would call some window twice: fewer --seconds or more --windows"
        )
    echo, hc, cpu = {}, {}, {}
    with tempfile.TemporaryDirectory(prefix="hallcall-bench-halls-") as tmp:
        tmp = Path(tmp)
        cfg_dir = tmp / "halls"
        cfg_dir.mkdir()
        t0 = time.perf_counter()
        for hall in halls:
            write_hall_toml(
                make_hall(hall, departments=DEPARTMENTS, windows=args.windows, kiosks=2),
                cfg_dir / f"{hall}.toml",
            )
        notes.append(
            f"{args.halls} hall files written and checked in {time.perf_counter() - t0:.1f} s"
        )
        mosquitto = start_mosquitto(tmp)
        port = mosquitto.port
        prof = profile_path("many_halls", args.profile)
        try:
            with EchoProcess(port, ["hallcall/v1/+/cmd/+/+"]):
                for rate in rates:
                    echo[rate] = scheduled(port, groups, plans[rate][0])
            broker = BrokerProcess(
                cfg_dir,
                f"sqlite:///{tmp / 'halls.db'}",
                port,
                halls,
                tmp / "broker.log",
                profile=prof,
            )
            with broker:
                rss_start, _ = broker.rss_mib()
                notes.append(
                    f"broker ready (every hall's server/status online) {broker.ready_s:.1f} s after start"
                )
                logins = closed_loop(
                    port,
                    groups,
                    lambda d, i: command("window.login", staff="s" + d.id[1:], post="A")
                    if d.kind == "window"
                    else command("ticket.issue", department=f"d{i % DEPARTMENTS:02d}"),
                    seconds=120,
                    max_per_device=1,
                )
                # the kiosks above issued one ticket each; 2 more per department and hall:
                more = closed_loop(
                    port,
                    [[d for d in g if d.kind == "kiosk"] for g in groups],
                    lambda d, i: command("ticket.issue", department=f"d{i % DEPARTMENTS:02d}"),
                    seconds=60,
                    max_per_device=DEPARTMENTS,
                )
                bad_setup = [r for r in logins.replies + more.replies if not r.get("ok")]
                if bad_setup or logins.timeouts or more.timeouts:
                    raise RuntimeError(
                        f"set-up: {len(bad_setup)} refused ({bad_setup[:1]}), "
                        f"{logins.timeouts + more.timeouts} timed out"
                    )
                rss_login, _ = broker.rss_mib()
                for rate in rates:
                    cpu0 = broker.cpu_s()
                    hc[rate] = scheduled(port, groups, plans[rate][1])
                    cpu[rate] = broker.cpu_s() - cpu0
                rss_end, rss_peak = broker.rss_mib()
        finally:
            mosquitto.stop()
    rows = [
        Row(
            f"broker peak RSS, {args.halls} halls x {args.windows} windows",
            rss_peak / MB,
            None,
            "MB",
            max_abs=300,
        )
    ]
    notes.append(
        f"broker RSS: {rss_start:.0f} MiB after start, {rss_login:.0f} MiB after {args.halls * args.windows:,} "
        f"log-ins, {rss_end:.0f} MiB after the load; peak (VmHWM) {rss_peak:.0f} MiB = {rss_peak / MB:.0f} MB"
    )
    for rate in rates:
        h, e = hc[rate], echo[rate]
        per_s = args.halls * 4 * rate
        tag = f"{per_s:g} cmd/s"
        refused = [(op, r) for op, r in h.replies if not r.get("ok")]
        if refused:
            notes.append(
                f"{tag}: PROBLEM {len(refused)} refused, e.g. {refused[0][0]}: {refused[0][1].get('error')}"
            )
        if h.lost or e.lost:
            notes.append(f"{tag}: PROBLEM no reply to {h.lost} HallCall and {e.lost} echo requests")
        rows += [
            Row(
                f"{tag}: round trip p50 (floor: echo p50)",
                percentile(h.latencies_ms, 50),
                percentile(e.latencies_ms, 50),
                "ms",
            ),
            Row(
                f"{tag}: round trip p99 (floor: echo p99)",
                percentile(h.latencies_ms, 99),
                percentile(e.latencies_ms, 99),
                "ms",
                max_abs=20,
            ),
            Row(
                f"{tag}: round trip max (floor: echo max)",
                max(h.latencies_ms),
                max(e.latencies_ms),
                "ms",
            ),
            Row(
                f"{tag}: commands answered ok ({len(h.replies):,} of {h.sent:,})",
                float(len(refused) + h.lost),
                None,
                "problems",
                max_abs=0,
            ),
        ]
        notes.append(
            f"{tag} = {args.halls * 2 * rate:g} issue + {args.halls * rate:g} next + {args.halls * rate:g} finish "
            f"a second ({4 * rate:g} per hall): broker CPU {cpu[rate] / args.seconds * 100:.0f}% of one core; "
            f"the sender fell behind its schedule by at most {h.late_s * 1000:.1f} ms (echo run: {e.late_s * 1000:.1f} ms)"
        )
    ok = print_table(
        rows,
        f"e. {args.halls} halls in one broker process, a busy hall's mixed load each "
        f"({args.seconds} s per rate, echo {args.echo_seconds} s)",
        notes,
    )
    print_profile(prof)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
