"""A simulated month (with five days of the month before, for trends) shared by report tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.support.hall import SHANGHAI, Hall, start_service
from tests.support.month import simulate_month, working_days

OCTOBER = working_days(date(2026, 10, 26), 5)
NOVEMBER = working_days(date(2026, 11, 2), 20)
DECEMBER_1 = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture(scope="session")
def month_data(tmp_path_factory, hall_config):
    """(November's truths, October's truths, engine) on SQLite, simulated once per session."""
    from hallcall.broker.service.clock import FakeClock
    from tests.support.databases import migrated_engine

    path = tmp_path_factory.mktemp("month") / "hall.db"
    engine = migrated_engine(f"sqlite:///{path}")
    clock = FakeClock(datetime(2026, 10, 26, 8, 0, tzinfo=SHANGHAI))
    hall = Hall(start_service(hall_config, engine, clock))
    october = simulate_month(hall, clock, OCTOBER, seed=1026, per_day=30)
    november = simulate_month(hall, clock, NOVEMBER)
    yield november, october, engine
    engine.dispose()
