"""The `Keypad` port: a clerk's call keypad, serial, wireless or GPIO alike."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Self

from hallcall.hardware.keypad.actions import KeypadAction

log = logging.getLogger(__name__)

ActionHandler = Callable[[KeypadAction], None]


class Keypad(ABC):
    """Reports each key press to `on_action` (from a driver thread); shows the current number.

    A failing handler is logged and never stops the keypad: the next press still arrives.
    """

    def __init__(self, on_action: ActionHandler | None = None) -> None:
        self.on_action = on_action

    def _emit(self, action: KeypadAction) -> None:
        handler = self.on_action
        if handler is None:
            log.info("keypad %s pressed with nobody listening", action.value)
            return
        try:
            handler(action)
        except Exception:
            log.exception("keypad handler failed on %s", action.value)

    @abstractmethod
    def show_number(self, text: str) -> None:
        """Show the ticket being served (e.g. "A012") on the keypad, if it has a display."""

    @property
    def online(self) -> bool:
        return True

    def close(self) -> None:
        """Stop reporting presses and release the device."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
