"""`FakeKeypad`: a keypad a test presses by hand; records what it was asked to display."""

from __future__ import annotations

from hallcall.hardware.keypad.actions import KeypadAction
from hallcall.hardware.keypad.port import ActionHandler, Keypad


class FakeKeypad(Keypad):
    def __init__(self, on_action: ActionHandler | None = None) -> None:
        super().__init__(on_action)
        self.displayed: list[str] = []
        self.closed = False

    def press(self, action: KeypadAction | str) -> None:
        self._emit(KeypadAction(action))

    def show_number(self, text: str) -> None:
        self.displayed.append(text)

    def close(self) -> None:
        self.closed = True
