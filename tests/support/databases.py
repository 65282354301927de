"""Fresh databases for tests: a SQLite file, or a new database on the PostgreSQL test server.

The PostgreSQL server comes from HALLCALL_TEST_PG_URL (an admin URL, e.g.
postgresql://hallcall:hallcall@127.0.0.1:54329/postgres), which `./run test` sets after starting
a private server. In CI a missing server is an error, never a skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from hallcall.broker.storage.database import create_db_engine
from hallcall.broker.storage.migrate import upgrade

PG_ENV = "HALLCALL_TEST_PG_URL"


def pg_admin_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{PG_ENV} is not set: CI must test PostgreSQL (see .ci/run)")
        pytest.skip(f"{PG_ENV} not set: no PostgreSQL server for this run (./run test starts one)")
    return url


@contextmanager
def fresh_database(kind: str, tmp_path) -> Iterator[str]:
    """Yield the URL of an empty database of `kind` ("sqlite" or "postgres"), dropped after."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'hall.db'}"
        return
    admin_url = make_url(pg_admin_url()).set(drivername="postgresql+psycopg")
    name = f"hallcall_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def migrated_engine(url: str) -> Engine:
    engine = create_db_engine(url)
    upgrade(engine)
    return engine
