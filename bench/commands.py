"""Target d of issue #10: does a command cost more when the queue is long?

In-process, no MQTT: one hall on a new SQLite file (WAL, synchronous=FULL), driven through
HallHandle.handle (the message bus, its middleware, the handler, the hall aggregate, the
projections and the commit: everything but the network). Two departments, one with 10 tickets
waiting, one with 5,000; one window logged in on each. A round is, per department, `--n` times
ticket.issue + call.next + ticket.finish, so its queue stays at its length; rounds alternate
between the two departments and the median round counts, so both lengths see the same machine.
The figure is CPU time per command (time.process_time: the fsync of each commit is a wait, not
CPU, and the same for both lengths), and SQL statements per command (executemany counts once).

Target: cost with 5,000 waiting <= 1.3x the cost with 10, for ticket.issue and call.next.
Floor: the same ratio for choosing the next ticket with an indexed ORDER BY ... LIMIT 1 on the
same kind of database (bench/_floors.py raw_indexed_next), measured in the same run.

    .venv/bin/python bench/commands.py [--n 100] [--rounds 5] [--long 5000] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _floors import raw_indexed_next  # noqa: E402
from _harness import (  # noqa: E402
    Row,
    common_args,
    install_sigterm,
    make_hall,
    mark_start,
    parse,
    print_table,
)
from sqlalchemy import event  # noqa: E402

from hallcall.broker.service.bootstrap import build_bus  # noqa: E402
from hallcall.broker.service.messagebus import HallHandle, Inbound  # noqa: E402
from hallcall.broker.storage.database import create_db_engine  # noqa: E402
from hallcall.broker.storage.migrate import upgrade  # noqa: E402
from hallcall.protocol.topics import Sender  # noqa: E402

HALL = "cost-hall"
OPS = ("ticket.issue", "call.next", "ticket.finish")
KIOSK = Sender("kiosk", "kiosk-1")


class Driver:
    def __init__(self, handle: HallHandle, statements: list[int]):
        self.handle = handle
        self.statements = statements
        self.n = 0

    def raw(self, op: str, **args) -> bytes:
        self.n += 1
        return json.dumps({"request_id": f"r{self.n}", "op": op, **args}).encode()

    def timed(self, sender: Sender, op: str, **args) -> tuple[float, int]:
        """(CPU seconds, SQL statements) of one command, which must succeed."""
        raw = self.raw(op, **args)
        s0 = self.statements[0]
        t0 = time.process_time()
        reply = self.handle.handle(sender, raw).reply
        cpu = time.process_time() - t0
        if not reply.get("ok"):
            raise RuntimeError(f"{op} from {sender} refused: {reply}")
        return cpu, self.statements[0] - s0

    def fill(self, department: str, count: int, batch: int = 500) -> None:
        """`count` tickets in one go: batches through MessageBus.run (one commit each)."""
        bus = self.handle.bus
        for start in range(0, count, batch):
            msgs = [
                Inbound(HALL, KIOSK, self.raw("ticket.issue", department=department))
                for _ in range(min(batch, count - start))
            ]
            result = bus.run(msgs)
            bad = [a.reply for a in result.answers if not a.reply.get("ok")]
            if bad:
                raise RuntimeError(f"filling {department}: {bad[0]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100, help="issue+next+finish per department per round")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--short", type=int, default=10)
    ap.add_argument("--long", type=int, default=5000)
    common_args(ap)
    args = parse(ap)
    install_sigterm()
    mark_start()
    lengths = {"d00": args.short, "d01": args.long}
    windows = {"d00": Sender("window", "w001"), "d01": Sender("window", "w002")}
    with tempfile.TemporaryDirectory(prefix="hallcall-bench-cost-") as tmp:
        tmp = Path(tmp)
        engine = create_db_engine(f"sqlite:///{tmp / 'hall.db'}")
        upgrade(engine)
        statements = [0]

        def count(*_args, **_kwargs):
            statements[0] += 1

        # Reads go through Core (its event counts them); a batch's writes go through the unit of
        # work's writer (one count per executemany, and one for its BEGIN).
        event.listen(engine, "before_cursor_execute", count)
        handle = HallHandle(
            build_bus([make_hall(HALL, departments=2, windows=2, kiosks=1)], engine), HALL
        )
        writer = handle.bus.uow._writer
        execute, transaction = writer.execute, writer.transaction
        writer.execute = lambda stmt, rows: (count(), execute(stmt, rows))[1]
        writer.transaction = lambda work: (count(), transaction(work))[1]
        d = Driver(handle, statements)
        for dep, length in lengths.items():
            d.fill(dep, length)
            d.timed(windows[dep], "window.login", staff="s" + windows[dep].id[1:], post="A")
        for dep in lengths:  # warm up: every code path once
            for op, args_ in (
                ("ticket.issue", {"department": dep}),
                ("call.next", {}),
                ("ticket.finish", {"outcome": "done"}),
            ):
                d.timed(KIOSK if op == "ticket.issue" else windows[dep], op, **args_)
        cpu = {(dep, op): [] for dep in lengths for op in OPS}
        sql = {(dep, op): 0 for dep in lengths for op in OPS}
        prof = cProfile.Profile() if args.profile else None
        if prof:
            prof.enable()
        for _ in range(args.rounds):
            for dep in lengths:
                per = {op: 0.0 for op in OPS}
                for _ in range(args.n):
                    for op, sender, a in (
                        ("ticket.issue", KIOSK, {"department": dep}),
                        ("call.next", windows[dep], {}),
                        ("ticket.finish", windows[dep], {"outcome": "done"}),
                    ):
                        c, s = d.timed(sender, op, **a)
                        per[op] += c
                        sql[(dep, op)] += s
                for op in OPS:
                    cpu[(dep, op)].append(per[op] / args.n * 1000)
        if prof:
            prof.disable()
        waiting = {dep: len(handle.hall.queues[dep]) for dep in lengths}
        engine.dispose()
        nxt = raw_indexed_next(
            f"sqlite:///{tmp / 'floor.db'}", waiting=(args.short, args.long), n=1000
        )
    floor = nxt[args.long] / nxt[args.short]
    med = {k: median(v) for k, v in cpu.items()}
    count = args.n * args.rounds
    rows = []
    for op in OPS:
        short, long_ = med[("d00", op)], med[("d01", op)]
        rows.append(Row(f"{op}: CPU per command, {args.short:,} waiting", short, None, "ms"))
        rows.append(Row(f"{op}: CPU per command, {args.long:,} waiting", long_, None, "ms"))
        target = {"max_abs": 1.3} if op != "ticket.finish" else {}
        rows.append(
            Row(
                f"{op}: cost {args.long:,} / {args.short:,} waiting (floor: indexed next, same ratio)",
                long_ / short,
                floor,
                "x",
                **target,
            )
        )
    for op in OPS:
        rows.append(
            Row(
                f"{op}: SQL statements per command ({sql[('d00', op)] / count:g} with {args.short:,} waiting)",
                sql[("d01", op)] / count,
                None,
                "stmts",
            )
        )
    notes = [
        f"{count} of each command per queue length, {args.rounds} alternating rounds, median round; queues "
        f"at the end: {waiting['d00']:,} and {waiting['d01']:,} waiting",
        f"floor: indexed next {nxt[args.short]:.2f} us ({args.short:,} waiting) / {nxt[args.long]:.2f} us "
        f"({args.long:,} waiting) on SQLite through sqlite3",
        f"SQL statements: executemany counts once; the figure is with {args.long:,} waiting",
    ]
    ok = print_table(
        rows,
        "d. cost of a command with a long queue (in-process, SQLite, CPU time per command)",
        notes,
    )
    if prof:
        print(
            f"\n--- profile of the timed rounds (in-process, {count * 2 * len(OPS)} commands), top 30 by own time"
        )
        pstats.Stats(prof).sort_stats("tottime").print_stats(30)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
