"""The `Sign` port: what the rest of HallCall may ask of a window's LED sign."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Self


class Sign(ABC):
    """A one-window LED sign. `show` replaces the whole display; it never blocks on the device.

    `online` is False while the sign cannot be reached; a serial sign keeps the last text and
    shows it again by itself when it comes back, so callers never have to repeat themselves.
    """

    @abstractmethod
    def show(self, text: str) -> None: ...

    def clear(self) -> None:
        self.show("")

    @property
    @abstractmethod
    def online(self) -> bool: ...

    def close(self) -> None:
        """Release the port; the sign keeps showing whatever it shows."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
