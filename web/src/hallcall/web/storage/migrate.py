"""Runs the web part's Alembic migrations from code (the web command, `hallcall web user`, tests).

They keep their own version table (`web_alembic_version`), so a web database may be the queue
broker's own file without either's migrations seeing the other's.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from hallcall.broker.storage.database import create_db_engine
from hallcall.broker.storage.migrate import Migrations

VERSION_TABLE = "web_alembic_version"
WEB = Migrations(Path(__file__).parent / "migrations", VERSION_TABLE)
DEFAULT_URL = "sqlite:///hallcall-web.db"


def upgrade(engine: Engine, revision: str = "head") -> None:
    WEB.upgrade(engine, revision)


def downgrade(engine: Engine, revision: str) -> None:
    WEB.downgrade(engine, revision)


def open_web_db(url: str = DEFAULT_URL) -> Engine:
    """The web database at `url` (a plain path is taken as a SQLite file), migrated to head."""
    if "://" not in url:
        url = f"sqlite:///{url}"
    engine = create_db_engine(url)
    upgrade(engine)
    return engine
