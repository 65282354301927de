"""One path from a clerk's press to the queue broker, for the app, the serial keypad and GPIO buttons.

`Controller.perform(action, **args)` checks the model (is it allowed now, is a command already
in flight), sends the command through a `send(op, args, on_reply)` function, and hands the reply
back to the model. It is the terminal's `DeviceModel`: the Qt terminal (`app.TerminalApp`) feeds
it from the device kit's DeviceApp and sends through `DeviceApp.request` (reply on the GUI
thread); a headless terminal feeds it on paho's thread. `keypad_action` maps a `KeypadAction` onto the same
actions, and every change refreshes the keypads' displays with the number being served.

No Qt here: the window marshals keypad presses onto its GUI thread before calling in.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from hallcall.device_kit.device_model import DeviceModel, as_json
from hallcall.hardware.keypad import Keypad, KeypadAction
from hallcall.protocol.payloads import Payload
from hallcall.window_terminal.model import Action, Message, TerminalModel, command

log = logging.getLogger(__name__)

ReplyHandler = Callable[[dict[str, Any]], None]
SendFn = Callable[[str, dict[str, Any], ReplyHandler], None]

_MISSING_ARGUMENT = {
    Action.LOGIN: "err_staff_missing",
    Action.TRANSFER: "err_choose_department",
    Action.PAUSE: "err_reason_missing",
}


class Controller(DeviceModel):
    def __init__(self, model: TerminalModel, send: SendFn, *, keypad_pause_reason: str = "break"):
        self.model = model
        self._send = send
        self.keypad_pause_reason = keypad_pause_reason
        self.keypads: list[Keypad] = []
        self._shown: dict[int, str] = {}
        self._listeners: list[Callable[[], None]] = []
        self._lock = threading.RLock()
        #: (op, args) of every command sent, oldest first (diagnostics and tests).
        self.sent: list[tuple[str, dict[str, Any]]] = []

    # ------------------------------------------------------------------ wiring
    def on_change(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def add_keypad(self, keypad: Keypad) -> None:
        self.keypads.append(keypad)
        self.refresh_display()

    # ------------------------------------------------------------------ presses
    def perform(self, action: Action | str, **args: Any) -> bool:
        """Send `action` if the model allows it now; True if a command went out."""
        action = Action(action)
        with self._lock:
            try:
                op, payload = command(action, **args)
                if action is Action.LOGIN and not payload["staff"]:
                    raise ValueError("no staff id")
            except (ValueError, KeyError):
                self.model.message = Message(
                    "error", _MISSING_ARGUMENT.get(action, "err_refused"), {"detail": action.value}
                )
                self._changed()
                return False
            if not self.model.begin(action):
                self._changed()
                return False
            token = self.model.token
            self.sent.append((op, payload))
        self._changed()
        try:
            self._send(op, payload, lambda reply: self._replied(action, reply, payload, token))
        except Exception as exc:  # the client could not even queue it
            log.exception("could not send %s", op)
            self._replied(
                action,
                {"ok": False, "error": {"code": "offline", "message": str(exc)}},
                payload,
                token,
            )
        return True

    def keypad_action(self, key: KeypadAction | str) -> bool:
        """A key on a serial keypad or a GPIO button: the same commands the app's buttons send.

        FINISH finishes as "done"; PAUSE pauses with the configured reason, or resumes when the
        window is paused (five-key pads have no RESUME key).
        """
        key = KeypadAction(key)
        if key is KeypadAction.NEXT:
            return self.perform(Action.NEXT)
        if key is KeypadAction.RECALL:
            return self.perform(Action.RECALL)
        if key is KeypadAction.NO_SHOW:
            return self.perform(Action.NO_SHOW)
        if key is KeypadAction.FINISH:
            return self.perform(Action.FINISH, outcome="done")
        if key is KeypadAction.RESUME or (
            key is KeypadAction.PAUSE and self.model.status == "paused"
        ):
            return self.perform(Action.RESUME)
        return self.perform(Action.PAUSE, reason=self.keypad_pause_reason)

    def _replied(
        self, action: Action, reply: dict[str, Any], args: dict[str, Any], token: int
    ) -> None:
        with self._lock:
            self.model.end(action, reply, args, token)
        self._changed()

    # ------------------------------------------------------------------ what the broker says
    def heard(self, topic: str, view: Payload) -> None:
        """What the device kit heard, parsed with the contract's model (see DeviceModel)."""
        if topic.startswith("event/"):
            self.event(topic, as_json(view))
        else:
            self.state(topic, as_json(view))

    def connection_changed(self, connected: bool) -> None:
        self.connection(connected)

    def state(self, topic: str, payload: dict[str, Any]) -> None:
        with self._lock:
            changed = self.model.apply_state(topic, payload)
        if changed:
            self._changed()

    def event(self, topic: str, payload: dict[str, Any]) -> None:
        with self._lock:
            changed = self.model.apply_event(topic, payload)
        if changed:
            self._changed()

    def connection(self, up: bool) -> None:
        with self._lock:
            self.model.set_connected(up)
        self._changed()

    def late_reply(self, reply: dict[str, Any]) -> None:
        with self._lock:
            self.model.late_reply(reply)
        self._changed()

    # ------------------------------------------------------------------ out
    def _changed(self) -> None:
        self.refresh_display()
        for listener in self._listeners:
            try:
                listener()
            except Exception:
                log.exception("terminal change listener failed")

    def refresh_display(self) -> None:
        """Show the current number on every keypad with a display (only when it changed)."""
        with self._lock:
            text = self.model.display_text()
        for keypad in self.keypads:
            if self._shown.get(id(keypad)) != text:
                self._shown[id(keypad)] = text
                try:
                    keypad.show_number(text)
                except Exception:
                    log.exception("keypad display failed")
