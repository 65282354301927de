"""Alembic environment: the engine comes from the caller (see hallcall.broker.storage.migrate)."""

from hallcall.broker.storage.migrate import run_env
from hallcall.broker.storage.orm import Base

run_env(Base.metadata)
