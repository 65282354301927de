"""Target b of issue #10: tickets per second with 50 kiosks, SQLite and PostgreSQL.

50 kiosks ask for tickets as fast as the replies come: each kiosk has one request outstanding
and sends its next the moment its reply arrives (a closed loop, as 50 kiosk apps blocked in
DeviceClient.request would). The kiosks are multiplexed over 5 MQTT connections of 10 kiosks
each (one paho connection per real kiosk would cost 50 network threads in this one process,
which would measure the load generator, not HallCall); every kiosk keeps its own cmd/reply
topics. The broker is `hallcall broker` in its own process, serving one hall of 20 departments
(no daily_cap, numbers 1..99999, so no range runs out), kiosk k issuing in department k mod 20.

Afterwards the database is checked: per department the numbers issued are 1..n without a gap
or a repeat, and they are exactly the numbers the kiosks were answered with.

Floors, measured in the same run: the raw "issue ticket" transaction on the same (migrated)
database through the bare driver, one ticket per commit (the issue's floor); the same writes
group-committed at HallCall's own mean batch size (read back from the database: a batch's
rows share one timestamp), which is the fair floor for a group-committing broker; and the echo
process answering the same 50 kiosks over the same connections. The target is absolute
(>= 1,000/s on SQLite, >= 500/s on PostgreSQL); the ratio column of the target row is against
the one-ticket-per-commit floor.

    .venv/bin/python bench/throughput.py [--seconds 5] [--kiosks 50] [--pg-url URL] [--profile]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _floors import EchoProcess, raw_issue  # noqa: E402
from _harness import (  # noqa: E402
    BrokerProcess,
    Device,
    Row,
    closed_loop,
    command,
    common_args,
    fresh_database,
    install_sigterm,
    make_hall,
    mark_start,
    parse,
    pg_settings,
    print_profile,
    print_table,
    profile_path,
    start_mosquitto,
    write_hall_toml,
)

DEPARTMENTS = 20
CONNECTIONS = 5


def groups_for(hall: str, kiosks: int, connections: int) -> list[list[Device]]:
    devices = [Device(hall, "kiosk", f"kiosk-{k}") for k in range(1, kiosks + 1)]
    return [devices[c::connections] for c in range(connections)]


def issue_for(device: Device, i: int):
    k = int(device.id.rsplit("-", 1)[1])
    return command("ticket.issue", department=f"d{k % DEPARTMENTS:02d}")


def check_numbers(url: str, hall: str, replies: list[dict]) -> tuple[list[str], int, float]:
    """Problems found (empty: none), tickets in the database, mean tickets per committed batch."""
    from sqlalchemy import create_engine, text

    from hallcall.broker.storage.database import create_db_engine

    engine = create_db_engine(url) if url.startswith("sqlite") else create_engine(url)
    try:
        with engine.connect() as c:
            rows = c.execute(
                text("SELECT original_department, seqno, number FROM tickets WHERE hall_id = :h"),
                {"h": hall},
            ).all()
            batches = c.execute(
                text("SELECT COUNT(DISTINCT issued_at) FROM tickets WHERE hall_id = :h"),
                {"h": hall},
            ).scalar()
    finally:
        engine.dispose()
    problems = []
    per_dep: dict[str, list[int]] = defaultdict(list)
    for dep, seqno, _ in rows:
        per_dep[dep].append(seqno)
    for dep, seqs in sorted(per_dep.items()):
        seqs.sort()
        if len(set(seqs)) != len(seqs):
            problems.append(f"{dep}: {len(seqs) - len(set(seqs))} duplicate numbers")
        if seqs != list(range(1, len(seqs) + 1)):
            missing = sorted(set(range(1, seqs[-1] + 1)) - set(seqs))
            problems.append(f"{dep}: not contiguous from 1 (missing {missing[:5]}...)")
    refused = [r for r in replies if not r.get("ok")]
    if refused:
        problems.append(f"{len(refused)} refused, e.g. {refused[0].get('error')}")
    answered = [r["data"]["ticket"]["number"] for r in replies if r.get("ok")]
    if len(set(answered)) != len(answered):
        problems.append(f"{len(answered) - len(set(answered))} numbers answered twice")
    in_db = {n for _, _, n in rows}
    if set(answered) != in_db:
        problems.append(
            f"{len(in_db - set(answered))} tickets in the database never answered, "
            f"{len(set(answered) - in_db)} answered but not in the database"
        )
    return problems, len(rows), len(rows) / batches if batches else 0.0


def run_hallcall(
    kind: str,
    label: str,
    tmp: Path,
    port: int,
    args,
    rows: list[Row],
    notes: list[str],
    target: float,
) -> None:
    hall = f"tp-{kind}"
    halls = tmp / f"halls-{kind}"
    halls.mkdir()
    write_hall_toml(
        make_hall(hall, departments=DEPARTMENTS, windows=DEPARTMENTS, kiosks=args.kiosks),
        halls / f"{hall}.toml",
    )
    groups = groups_for(hall, args.kiosks, args.connections)
    replies: list[dict] = []
    prof = profile_path(f"throughput-{kind}", args.profile)
    with fresh_database(kind, tmp, args.pg_url) as url:
        broker = BrokerProcess(halls, url, port, [hall], tmp / f"broker-{kind}.log", profile=prof)
        try:
            broker.start()
            warm = closed_loop(port, groups, issue_for, seconds=1)
            replies += warm.replies
            cpu0 = broker.cpu_s()
            loop = closed_loop(port, groups, issue_for, seconds=args.seconds)
            cpu = broker.cpu_s() - cpu0
            replies += loop.replies
        finally:
            broker.stop()
        if warm.timeouts or loop.timeouts:
            notes.append(
                f"{label}: {warm.timeouts + loop.timeouts} kiosks stopped on a reply timeout"
            )
        problems, in_db, mean_batch = check_numbers(url, hall, replies)
        ok_per_s = sum(1 for r in loop.replies if r.get("ok")) / loop.seconds
        batch = max(1, round(mean_batch))
        per_tx = raw_issue(url, n=2000, batch=1, seconds=3)
        batched = raw_issue(url, n=50_000, batch=batch, seconds=3)
    rows.append(
        Row(
            f"{label}: tickets/s, {args.kiosks} kiosks (floor: raw issue, 1 ticket/commit)",
            ok_per_s,
            per_tx,
            "/s",
            min_abs=target,
        )
    )
    rows.append(
        Row(
            f"{label}: same, floor: raw issue group-committed {batch}/commit",
            ok_per_s,
            batched,
            "/s",
        )
    )
    rows.append(
        Row(
            f"{label}: no duplicate or missing number ({in_db:,} tickets, {DEPARTMENTS} departments)",
            float(len(problems)),
            None,
            "problems",
            max_abs=0,
        )
    )
    rows.append(
        Row(
            f"{label}: broker CPU per ticket (whole process)",
            cpu * 1000 / max(1, len(loop.replies)),
            None,
            "ms",
        )
    )
    notes.append(
        f"{label}: HallCall committed {mean_batch:.1f} tickets per transaction on average "
        f"({in_db:,} tickets incl. 1 s of warm-up); p50/p99 round trip under this load "
        f"{_p(loop.latencies_ms, 50):.1f}/{_p(loop.latencies_ms, 99):.1f} ms"
    )
    for p in problems:
        notes.append(f"{label}: PROBLEM {p}")
    print_profile(prof)


def _p(values, q):
    from _harness import percentile

    return percentile(values, q) if values else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5, help="measured time per database")
    ap.add_argument("--kiosks", type=int, default=50)
    ap.add_argument(
        "--connections", type=int, default=CONNECTIONS, help="MQTT connections the kiosks share"
    )
    common_args(ap)
    args = parse(ap)
    install_sigterm()
    mark_start()
    rows: list[Row] = []
    notes = [
        f"{args.kiosks} kiosks over {args.connections} MQTT connections ({args.kiosks // args.connections} kiosks each, "
        "one request outstanding per kiosk, the next sent from paho's network thread on each reply)"
    ]
    with tempfile.TemporaryDirectory(prefix="hallcall-bench-tp-") as tmp:
        tmp = Path(tmp)
        mosquitto = start_mosquitto(tmp)
        try:
            with EchoProcess(mosquitto.port, ["hallcall/v1/echo-tp/cmd/+/+"]):
                closed_loop(
                    mosquitto.port,
                    groups_for("echo-tp", args.kiosks, args.connections),
                    issue_for,
                    seconds=0.5,
                )
                echo = closed_loop(
                    mosquitto.port,
                    groups_for("echo-tp", args.kiosks, args.connections),
                    issue_for,
                    seconds=min(args.seconds, 3),
                )
            run_hallcall("sqlite", "SQLite", tmp, mosquitto.port, args, rows, notes, 1000)
            if args.pg_url:
                notes.append(f"PostgreSQL server: {pg_settings(args.pg_url)}")
                run_hallcall("postgres", "PostgreSQL", tmp, mosquitto.port, args, rows, notes, 500)
            else:
                notes.append(
                    "PostgreSQL skipped: no --pg-url and no HALLCALL_TEST_PG_URL "
                    '(eval "$(scripts/test-postgres.sh)" starts the tests\' server)'
                )
        finally:
            mosquitto.stop()
    tp = [r for r in rows if "tickets/s" in r.what and "raw issue, 1" in r.what]
    for r in tp:
        label = r.what.split(":")[0]
        rows.append(
            Row(
                f"{label}: same, floor: echo answering the same kiosks",
                r.hallcall,
                echo.per_s,
                "/s",
            )
        )
    rows.sort(key=lambda r: 0 if r.what.startswith("SQLite") else 1)
    ok = print_table(
        rows,
        f"b. ticket.issue throughput, {args.kiosks} kiosks, one broker process, {args.seconds:g} s per database",
        notes,
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
