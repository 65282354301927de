"""`FakeSign`: a sign that records what it was told, for testing the parts that drive signs."""

from __future__ import annotations

from collections.abc import Callable

from hallcall.hardware.sign.port import Sign


class FakeSign(Sign):
    def __init__(self, on_status: Callable[[bool], None] | None = None) -> None:
        self.shown: list[str] = []  # every text in order; "" for a clear
        self.closed = False
        self._online = True
        self._on_status = on_status

    @property
    def text(self) -> str | None:
        """What the sign displays now (None before the first show)."""
        return self.shown[-1] if self.shown else None

    def show(self, text: str) -> None:
        self.shown.append(text)

    @property
    def online(self) -> bool:
        return self._online

    def set_online(self, online: bool) -> None:
        """Let a test unplug and replug the sign."""
        if online != self._online:
            self._online = online
            if self._on_status is not None:
                self._on_status(online)

    def close(self) -> None:
        self.closed = True
