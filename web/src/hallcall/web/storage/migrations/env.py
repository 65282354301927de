"""Alembic environment of the web database: the engine comes from hallcall.web.storage.migrate."""

from hallcall.broker.storage.migrate import run_env
from hallcall.web.storage.migrate import VERSION_TABLE
from hallcall.web.storage.tables import metadata

run_env(metadata, VERSION_TABLE)
