"""The web database: migrations, users with argon2id hashes, sessions (both databases)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect, select

from hallcall.broker.storage.database import create_db_engine
from hallcall.web.storage.migrate import downgrade, upgrade
from hallcall.web.storage.tables import sessions, users
from hallcall.web.storage.users import UserError, UserStore

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@pytest.fixture
def store(db_url):
    engine = create_db_engine(db_url)
    upgrade(engine)
    yield UserStore(engine)
    engine.dispose()


def test_migrations_go_up_and_down_beside_the_brokers(db_url):
    engine = create_db_engine(db_url)
    upgrade(engine)
    names = set(inspect(engine).get_table_names())
    assert {"web_users", "web_sessions", "web_alembic_version"} <= names
    assert "alembic_version" not in names  # the queue broker's own version table is untouched
    downgrade(engine, "base")
    assert "web_users" not in set(inspect(engine).get_table_names())
    engine.dispose()


def test_users_passwords_and_sessions(store):
    wang = store.add("wang", "a long password", "manager", now=T0)
    li = store.add("li", "another password", "department_head", "finance", now=T0)
    with store.engine.connect() as conn:
        hashes = list(conn.execute(select(users.c.password_hash)).scalars())
    assert all(h.startswith("$argon2id$") for h in hashes)
    with pytest.raises(UserError):
        store.add("wang", "a long password", "manager")
    with pytest.raises(UserError):
        store.add("zhao", "short", "manager")
    with pytest.raises(UserError):
        store.add("zhao", "a long password", "department_head")
    assert store.authenticate("wang", "a long password") == wang
    assert store.authenticate("wang", "wrong password") is None
    assert store.authenticate("nobody", "a long password") is None
    assert li.sees("finance") and not li.sees("registrar") and wang.sees(None)

    cookie, session = store.open_session(li, T0)
    with store.engine.connect() as conn:
        kept = conn.execute(select(sessions.c.id)).scalar_one()
    assert kept != cookie and len(kept) == 64  # only the cookie's hash is kept
    assert store.session(cookie, T0 + timedelta(minutes=5)).csrf == session.csrf
    assert store.session("forged", T0) is None
    assert store.session(cookie, T0 + timedelta(hours=3)) is None  # idle too long: ended
    cookie, _ = store.open_session(li, T0)
    store.set_password("li", "a new password!", T0)
    assert store.session(cookie, T0) is None  # a new password ends every session
    cookie, _ = store.open_session(wang, T0)
    store.close_session(cookie)
    assert store.session(cookie, T0) is None
    store.remove("li")
    assert [u.username for u in store.list()] == ["wang"]
