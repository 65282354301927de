"""Runs Alembic migrations from code, so the broker, the CLI and the tests share one path.

`Migrations` is one tree of migrations (its folder and its version table); the broker's own is
`BROKER` (`upgrade`, `downgrade`), and the web part's database uses the same class with its
own tree and table. `run_env` is the body of every tree's `env.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, MetaData, create_engine


@dataclass(frozen=True)
class Migrations:
    script_location: Path
    #: Where the tree keeps its revision: two trees may share one database with two tables.
    version_table: str = "alembic_version"

    def config(self, engine: Engine) -> Config:
        cfg = Config()
        cfg.set_main_option("script_location", str(self.script_location))
        cfg.attributes["engine"] = engine
        return cfg

    def upgrade(self, engine: Engine, revision: str = "head") -> None:
        command.upgrade(self.config(engine), revision)

    def downgrade(self, engine: Engine, revision: str) -> None:
        command.downgrade(self.config(engine), revision)


def run_env(metadata: MetaData, version_table: str = "alembic_version") -> None:
    """An `env.py`: migrate the engine the caller gave (`Migrations.config`), else the
    configured `sqlalchemy.url`; SQLite alters tables in batches."""
    from alembic import context

    config = context.config
    engine = config.attributes.get("engine")
    if engine is None:
        url = config.get_main_option("sqlalchemy.url")
        if url is None:
            raise RuntimeError("alembic was given neither an engine nor a sqlalchemy.url")
        engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table=version_table,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


BROKER = Migrations(Path(__file__).parent / "migrations")


def upgrade(engine: Engine, revision: str = "head") -> None:
    BROKER.upgrade(engine, revision)


def downgrade(engine: Engine, revision: str) -> None:
    BROKER.downgrade(engine, revision)
