"""Target c of issue #10: 500 windows press `call.next` at once; when does the display see it?

A hall of 500 windows (one department, 500 clerks, all logged in) with 1,100 tickets waiting;
`hallcall broker` in its own process on SQLite. The 500 windows are spread round-robin over 10
MQTT connections (50 windows each); one thread per connection publishes its windows'
`call.next` from a common barrier, and a separate display connection subscribed to
state/window/# notes when each window's retained state first shows its called ticket. The
latency of a window is its press -> the display sees state/window/<w> with a current ticket.
One burst warms up (then every window finishes its ticket); the second is measured.

The floor is the same burst through the same connections and the same display to the echo
process, which republishes each command on reply/... and, retained, on state/window/<w> (the
two messages a display and a window get from HallCall for a call). A lighter echo that sends the
reply only, watched by the display connection, is shown beside it (no target).

Target: HallCall's p99 <= 3x the echo's max.

    .venv/bin/python bench/call_burst.py [--windows 500] [--connections 10] [--profile]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _floors import EchoProcess  # noqa: E402
from _harness import (  # noqa: E402
    BrokerProcess,
    Device,
    Row,
    burst,
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
    start_mosquitto,
    write_hall_toml,
)

HALL, ECHO_HALL = "burst", "echo-burst"


def window_groups(hall: str, windows: int, connections: int) -> list[list[Device]]:
    devices = [Device(hall, "window", f"w{i:03d}") for i in range(1, windows + 1)]
    return [devices[c::connections] for c in range(connections)]


def once(port: int, groups: list[list[Device]], make, what: str, per_device: int = 1) -> list[dict]:
    """Each device sends `per_device` commands, one after the other; all must succeed."""
    loop = closed_loop(port, groups, make, seconds=120, max_per_device=per_device)
    bad = [r for r in loop.replies if not r.get("ok")]
    expected = sum(len(g) for g in groups) * per_device
    if bad or loop.timeouts or len(loop.replies) != expected:
        raise RuntimeError(
            f"{what}: {len(loop.replies)} of {expected} answered, {len(bad)} refused "
            f"({bad[0] if bad else ''}), {loop.timeouts} timed out"
        )
    return loop.replies


def window_of(topic: str) -> str:
    return topic.rsplit("/", 1)[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--windows", type=int, default=500)
    ap.add_argument(
        "--connections", type=int, default=10, help="MQTT connections the windows share"
    )
    ap.add_argument(
        "--waiting",
        type=int,
        default=1100,
        help="tickets issued before the bursts (2 bursts need 2x windows)",
    )
    common_args(ap)
    args = parse(ap)
    install_sigterm()
    mark_start()
    n = args.windows
    if args.waiting < 2 * n:
        raise SystemExit(
            "--waiting must be at least twice --windows: two bursts each call every window"
        )
    call = lambda d, r: command("call.next")  # noqa: E731
    notes = [
        f"{n} windows over {args.connections} MQTT connections ({n // args.connections} each), one publishing "
        "thread per connection from a barrier; 1 display connection on state/window/#; "
        "`hallcall broker` in its own process on SQLite; 1 warm-up burst, 1 measured"
    ]
    with tempfile.TemporaryDirectory(prefix="hallcall-bench-burst-") as tmp:
        tmp = Path(tmp)
        halls = tmp / "halls"
        halls.mkdir()
        write_hall_toml(
            make_hall(HALL, departments=1, windows=n, kiosks=10), halls / f"{HALL}.toml"
        )
        mosquitto = start_mosquitto(tmp)
        port = mosquitto.port
        prof = profile_path("call_burst", args.profile)
        try:
            with EchoProcess(port, [f"hallcall/v1/{ECHO_HALL}/cmd/+/+"], window_state=True):
                echo = burst(
                    port,
                    window_groups(ECHO_HALL, n, args.connections),
                    call,
                    f"hallcall/v1/{ECHO_HALL}/state/window/+",
                    lambda t, p: window_of(t),
                )
            with EchoProcess(port, [f"hallcall/v1/{ECHO_HALL}-r/cmd/+/+"]):
                # The lighter floor: the echo sends only the reply (one message per press, not
                # two), which the "display" connection watches instead of the state.
                echo_reply = burst(
                    port,
                    window_groups(f"{ECHO_HALL}-r", n, args.connections),
                    call,
                    f"hallcall/v1/{ECHO_HALL}-r/reply/window/+",
                    lambda t, p: window_of(t),
                )
            broker = BrokerProcess(
                halls,
                f"sqlite:///{tmp / 'hall.db'}",
                port,
                [HALL],
                tmp / "broker.log",
                profile=prof,
            )
            with broker:
                groups = window_groups(HALL, n, args.connections)
                once(
                    port,
                    groups,
                    lambda d, i: command("window.login", staff="s" + d.id[1:], post="A"),
                    "window.login",
                )
                kiosks = [[Device(HALL, "kiosk", f"kiosk-{k}") for k in range(1, 11)]]
                once(
                    port,
                    kiosks,
                    lambda d, i: command("ticket.issue", department="d00"),
                    "ticket.issue",
                    per_device=-(-args.waiting // 10),
                )

                def finish_all(_replies) -> None:
                    once(
                        port,
                        groups,
                        lambda d, i: command("ticket.finish", outcome="done"),
                        "ticket.finish",
                    )

                cpu0 = broker.cpu_s()
                hc = burst(
                    port,
                    groups,
                    call,
                    f"hallcall/v1/{HALL}/state/window/+",
                    lambda t, p: window_of(t) if p.get("current") else None,
                    between=finish_all,
                )
                cpu = broker.cpu_s() - cpu0
        finally:
            mosquitto.stop()
    refused = [r for r in hc.replies.values() if not r.get("ok")]
    called = [r["data"]["ticket"]["id"] for r in hc.replies.values() if r.get("ok")]
    problems = len(refused) + (len(called) - len(set(called))) + (n - len(hc.replies)) + hc.lost
    if refused:
        notes.append(f"PROBLEM: {len(refused)} call.next refused, e.g. {refused[0].get('error')}")
    if hc.lost or echo.lost:
        notes.append(
            f"PROBLEM: the display never saw {hc.lost} HallCall windows, {echo.lost} echo windows"
        )
    notes.append(f"broker CPU for both bursts and the finishes between them: {cpu:.2f} s")
    rows = [
        Row("press -> display p50 (floor: echo p50)", _p(hc, 50), _p(echo, 50), "ms"),
        Row("press -> display p99 (floor: echo max)", _p(hc, 99), echo.max_ms, "ms", max_ratio=3),
        Row("press -> display max (floor: echo max)", hc.max_ms, echo.max_ms, "ms"),
        Row(
            "press -> display p99 (floor: max of an echo sending the reply only)",
            _p(hc, 99),
            echo_reply.max_ms,
            "ms",
        ),
        Row(
            f"every window called once, a different ticket each ({len(set(called))} of {n})",
            float(problems),
            None,
            "problems",
            max_abs=0,
        ),
    ]
    ok = print_table(rows, f"c. {n} windows press call.next at once", notes)
    print_profile(prof)
    sys.exit(0 if ok else 1)


def _p(b, q: float) -> float | None:
    return percentile(b.latencies_ms, q) if b.latencies_ms else None


if __name__ == "__main__":
    main()
