"""The one place that wires the queue broker: halls, database, clock, message bus."""

from __future__ import annotations

from sqlalchemy import Engine

from hallcall.broker.service.clock import Clock
from hallcall.broker.service.messagebus import HallHandle, MessageBus
from hallcall.broker.service.rate_limit import RateLimiter
from hallcall.broker.storage.sql_unit_of_work import SqlUnitOfWork
from hallcall.config.schema import HallConfig


def build_bus(
    configs: list[HallConfig], engine: Engine, clock: Clock | None = None, rate_limits: bool = True
) -> MessageBus:
    """A started bus serving `configs` on `engine` (migrated), every hall loaded.

    `rate_limits=False` is for tools that replay many commands of one device (benchmarks).
    """
    limiter = RateLimiter(configs) if rate_limits else None
    bus = MessageBus(configs, SqlUnitOfWork(engine), clock, limiter)
    bus.start()
    return bus


def one_hall(config: HallConfig, engine: Engine, clock: Clock | None = None) -> HallHandle:
    """A started bus for one hall, driven command by command."""
    return HallHandle(build_bus([config], engine, clock), config.hall.id)
