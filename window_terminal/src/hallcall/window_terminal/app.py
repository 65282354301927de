"""The clerk terminal with a screen: the device kit's DeviceApp with the terminal's controller
as its model, the window, and any serial keypads or GPIO buttons beside it.

The controller (`actions.Controller`) is the terminal's DeviceModel: what the broker says goes
in through it, and every press (window, keypad, GPIO) goes out through it, so all three behave
alike. Keypad presses arrive on the keypad's thread and are moved to the GUI thread here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, Signal

from hallcall.device_kit.app import DeviceApp
from hallcall.hardware.keypad import Keypad, KeypadAction
from hallcall.mqtt.client import DeviceClient
from hallcall.window_terminal.actions import Controller, ReplyHandler
from hallcall.window_terminal.model import TerminalModel
from hallcall.window_terminal.window import TerminalWindow


class TerminalApp(QObject):
    _keypad_pressed = Signal(str)

    def __init__(
        self,
        client: DeviceClient,
        *,
        lang: str | None = None,
        keypads: Sequence[Keypad] = (),
        now: Callable[[], datetime] | None = None,
        request_timeout_s: float = 5.0,
        keypad_pause_reason: str = "break",
        font_file: str | None = None,
    ):
        super().__init__()
        self.request_timeout_s = request_timeout_s
        self.model = TerminalModel(client.id, lang or "zh")
        self.controller = Controller(
            self.model, self._send, keypad_pause_reason=keypad_pause_reason
        )
        self.window = TerminalWindow(
            self.model,
            self.controller,
            lang_chosen=lang is not None,
            now=now,
            font_file=font_file,
        )
        self.device = DeviceApp(
            client, self.controller, screen=self.window, tick_ms=None, parent=self
        )
        self.client = client
        self._keypad_pressed.connect(self.controller.keypad_action)
        for keypad in keypads:
            self.attach_keypad(keypad)
        self.window.refresh()

    def attach_keypad(self, keypad: Keypad) -> None:
        """Presses arrive on the keypad's thread; they are handled on the GUI thread."""
        keypad.on_action = lambda action: self._keypad_pressed.emit(KeypadAction(action).value)
        self.controller.add_keypad(keypad)

    def _send(self, op: str, args: dict[str, Any], handler: ReplyHandler) -> None:
        self.device.request(op, handler, timeout=self.request_timeout_s, **args)

    def start(self) -> None:
        self.device.start()

    def stop(self) -> None:
        """Close the window, leave MQTT, let go of the keypads."""
        for keypad in self.controller.keypads:
            keypad.on_action = None
        self.device.stop()
