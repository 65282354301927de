"""The clerk terminal without a screen: a call keypad alone drives the window ("instead of" the app).

Same model and controller as the Qt window, fed on paho's thread; commands go out through
`DeviceClient.submit` like every device's, and the keypad's display shows the number being served.
"""

from __future__ import annotations

import logging
from typing import Any

from hallcall.hardware.keypad import Keypad, KeypadAction, KeypadConfig, open_keypad
from hallcall.mqtt.client import DeviceClient
from hallcall.mqtt.connection import MqttSettings
from hallcall.window_terminal.actions import Controller, ReplyHandler, SendFn
from hallcall.window_terminal.model import Action, TerminalModel

log = logging.getLogger(__name__)


def subscriptions(window: str) -> list[str]:
    """What a clerk terminal listens to, under the hall's root."""
    return ["state/catalog", f"state/window/{window}", "state/queue/+", "event/rating.recorded"]


def sender(client: DeviceClient, timeout: float) -> SendFn:
    """The controller's `send` on the client's one request style; a timeout comes back as a
    reply with error code "timeout"."""

    def send(op: str, args: dict[str, Any], handler: ReplyHandler) -> None:
        client.submit(op, handler, timeout=timeout, **args)

    return send


def connect_controller(client: DeviceClient, controller: Controller) -> None:
    """Feed the controller from a DeviceClient (on paho's thread), seeded with what it holds."""
    client.on_view(controller.heard)
    client.on_connection(controller.connection_changed)
    client.on_reply(controller.late_reply)
    controller.connection_changed(client.connected.is_set())
    controller.state("server/status", {"state": "online" if client.server_online else "offline"})
    for topic, view in list(client.views.items()):
        controller.heard(topic, view)


class HeadlessTerminal:
    def __init__(
        self,
        hall: str,
        window: str,
        mqtt: MqttSettings,
        keypad: KeypadConfig | Keypad,
        *,
        lang: str = "zh",
        request_timeout_s: float = 5.0,
        keypad_pause_reason: str = "break",
        staff: str | None = None,
        post: str = "A",
        pin: str | None = None,
    ):
        self.client = DeviceClient(hall, "window", window, mqtt, subscriptions(window), probe=True)
        self.model = TerminalModel(window, lang)
        self.controller = Controller(
            self.model,
            sender(self.client, request_timeout_s),
            keypad_pause_reason=keypad_pause_reason,
        )
        self.controller.on_change(self._log_message)
        self.controller.on_change(self._auto_login)
        self._last_message: str | None = None
        self._login = (staff, post) if staff else None
        self._pin = pin
        self._login_tried = False
        connect_controller(self.client, self.controller)
        if isinstance(keypad, Keypad):
            self.keypad = keypad
            keypad.on_action = self._key_pressed
        else:
            self.keypad = open_keypad(keypad, self._key_pressed)
        self.controller.add_keypad(self.keypad)

    def _key_pressed(self, key: KeypadAction) -> None:
        """A key press from the keypad's thread (whether it was sent shows in the model)."""
        self.controller.keypad_action(key)

    def start(self) -> None:
        self.client.start()

    def stop(self) -> None:
        self.keypad.close()
        self.client.stop()

    def _auto_login(self) -> None:
        """Log the configured clerk in once, when the window turns out to be closed."""
        m = self.model
        if self._login is None or self._login_tried or m.window is None or m.catalog is None:
            return
        if not m.can(Action.LOGIN):
            return
        self._login_tried = True
        if m.status == "closed":
            staff, post = self._login
            self.controller.perform(Action.LOGIN, staff=staff, post=post, pin=self._pin)

    def _log_message(self) -> None:
        text = self.model.message_text()
        if text and text != self._last_message:
            log.info("window %s: %s", self.model.window_id, text)
        self._last_message = text
