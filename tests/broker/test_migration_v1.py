"""A v1 database (one hall, revision 0003), made by the v1 queue broker, migrates with nothing lost.

tests/data/v1_hall.json holds every row of such a database (see tests/data/README.md). The test
loads it into a fresh 0003 schema, upgrades to head, checks every row came through under the
hall's id, and then lets the new broker carry on the open day where v1 left it.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import sqlalchemy as sa

from hallcall.broker.service.clock import FakeClock
from hallcall.broker.storage.database import create_db_engine
from hallcall.broker.storage.migrate import downgrade, upgrade
from tests.support.hall import SHANGHAI, Hall, start_service

FIXTURE = json.loads((Path(__file__).parents[1] / "data" / "v1_hall.json").read_text("utf-8"))
TABLES = {name: t for name, t in FIXTURE["tables"].items() if name != "alembic_version"}


def _to_python(value, column: sa.Column, dialect: str):
    if value is None:
        return None
    if isinstance(column.type, sa.DateTime):
        naive = datetime.fromisoformat(value)
        return naive if dialect == "sqlite" else naive.replace(tzinfo=UTC)
    if isinstance(column.type, sa.Date):
        return date.fromisoformat(value)
    if isinstance(column.type, sa.Boolean):
        return bool(value)
    return value


def _normal(value):
    """One spelling for a value read back from either database, as the fixture writes it."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def _load_v1(engine) -> None:
    upgrade(engine, "0003")
    with engine.begin() as c:
        meta = sa.MetaData()
        meta.reflect(c)
        for name in (
            "hall",
            "tickets",
            "ticket_counters",
            "windows",
            "staff_sessions",
            "window_pauses",
            "ratings",
            "appointments",
            "commands",
            "closed_days",
            "complaints",
            "ticket_events",
        ):
            table, data = meta.tables[name], TABLES[name]
            rows = [
                {
                    col: _to_python(v, table.c[col], engine.dialect.name)
                    for col, v in zip(data["columns"], row, strict=True)
                }
                for row in data["rows"]
            ]
            c.execute(table.insert(), rows)


def test_a_v1_database_migrates_with_nothing_lost_and_the_day_goes_on(db_url, hall_config):
    engine = create_db_engine(db_url)
    _load_v1(engine)
    upgrade(engine)
    with engine.connect() as c:
        meta = sa.MetaData()
        meta.reflect(c)
        for name, data in TABLES.items():
            table = meta.tables[name]
            if name != "hall":
                halls = set(c.execute(sa.select(table.c.hall_id).distinct()).scalars())
                assert halls == {"campus-hall"}, name
            got = sorted(
                tuple(_normal(v) for v in row)
                for row in c.execute(sa.select(*[table.c[col] for col in data["columns"]]))
            )
            want = sorted(tuple(row) for row in data["rows"])
            assert got == want, f"table {name} changed in the migration"

    # Tuesday 2026-11-24 was left open by v1: the new broker carries on with it.
    clock = FakeClock(datetime(2026, 11, 24, 11, 0, tzinfo=SHANGHAI))
    hall = Hall(start_service(hall_config, engine, clock))
    ticket = hall.issue()
    assert ticket["number"] == "A005", "numbering goes on from v1's counter"
    assert ticket["waiting_ahead"] == 1, "v1's waiting A004 is still ahead in the queue"
    assert "20261124-A001" in hall.service.hall.queues["student-affairs"], "transferred by v1, kept"
    assert hall.ok("window", "w01", "ticket.finish", outcome="done")["ticket"]["number"] == "A003"
    assert hall.next("w01")["number"] == "A004"
    seqs = [p.payload["seq"] for p in hall.publications]
    assert min(seqs) > 278, "seq goes on from v1's"
    repeat = hall.send(
        "kiosk", "kiosk-2", "ticket.issue", request_id="v1-0097", department="registrar"
    )
    assert repeat == next(
        r[4]
        for r in TABLES["commands"]["rows"]
        if r[0] == "kiosk" and r[1] == "kiosk-2" and r[2] == "v1-0097"
    ), "a request id answered by v1 gets v1's reply"
    engine.dispose()


def test_going_down_to_v1_is_refused_with_two_halls(db_url, hall_config):
    engine = create_db_engine(db_url)
    upgrade(engine)
    clock = FakeClock(datetime(2026, 11, 24, 11, 0, tzinfo=SHANGHAI))
    start_service(hall_config, engine, clock)
    other = hall_config.model_copy(
        update={"hall": hall_config.hall.model_copy(update={"id": "other-hall"})}
    )
    start_service(other, engine, clock)
    try:
        downgrade(engine, "0003")
    except RuntimeError as exc:
        assert "holds 2 halls" in str(exc)
    else:
        raise AssertionError("a two-hall database went down to the one-hall schema")
    engine.dispose()
