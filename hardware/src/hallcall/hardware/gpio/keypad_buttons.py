"""`GpioKeypad`: a clerk keypad made of buttons on a Raspberry Pi's GPIO header."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from gpiozero import Button

from hallcall.hardware.keypad.actions import KeypadAction
from hallcall.hardware.keypad.port import ActionHandler, Keypad

log = logging.getLogger(__name__)


class GpioKeypad(Keypad):
    """`pins` maps actions to BCM pin numbers; any subset of the actions may have a button.

    Buttons are wired to ground (internal pull-up). A GPIO keypad has no display, so
    `show_number` only remembers the number (`.number`) for whoever wants it.
    """

    def __init__(
        self,
        pins: Mapping[KeypadAction, int] | Mapping[str, int],
        on_action: ActionHandler | None = None,
        *,
        bounce_time: float | None = 0.05,
        pin_factory=None,
    ) -> None:
        super().__init__(on_action)
        self.number: str | None = None
        self._buttons: list[Button] = []
        for action, pin in pins.items():
            button = Button(pin, pull_up=True, bounce_time=bounce_time, pin_factory=pin_factory)
            button.when_pressed = self._press_handler(KeypadAction(action))
            self._buttons.append(button)

    def _press_handler(self, action: KeypadAction):
        # gpiozero inspects the callback's signature, so it must be a real function
        def pressed() -> None:
            self._emit(action)

        return pressed

    def show_number(self, text: str) -> None:
        self.number = text

    def close(self) -> None:
        for button in self._buttons:
            button.close()
