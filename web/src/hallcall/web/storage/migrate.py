"""Runs the web part's Alembic migrations from code (the web command, `hallcall web user`, tests).

They keep their own version table (`web_alembic_version`), so a web database may be the queue
broker's own file without either's migrations seeing the other's.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from hallcall.broker.storage.database import create_db_engine

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "web_alembic_version"
DEFAULT_URL = "sqlite:///hallcall-web.db"


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)


def open_web_db(url: str = DEFAULT_URL) -> Engine:
    """The web database at `url` (a plain path is taken as a SQLite file), migrated to head."""
    if "://" not in url:
        url = f"sqlite:///{url}"
    engine = create_db_engine(url)
    upgrade(engine)
    return engine
