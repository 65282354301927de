"""A callback that records what a driver's thread reports, for tests to wait on."""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

T = TypeVar("T")


class Recorder(Generic[T]):
    def __init__(self) -> None:
        self.values: list[T] = []
        self._cond = threading.Condition()

    def __call__(self, value: T) -> None:
        with self._cond:
            self.values.append(value)
            self._cond.notify_all()

    def wait_for(self, count: int, timeout: float = 3.0) -> list[T]:
        """The values once there are `count` of them (or all there are after `timeout`)."""
        with self._cond:
            self._cond.wait_for(lambda: len(self.values) >= count, timeout)
            return list(self.values)
