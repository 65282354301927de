"""Runs a RatingPadModel on the device kit's `DeviceApp`, plus what only a pad has: its keys,
its outbox of ratings and its health.

Only QtCore is used, so a pad with physical keys and no screen runs the same controller under a
QCoreApplication. Everything that touches the model happens on the thread that owns this object:
MQTT messages arrive through the DeviceApp, key presses through a queued signal.

Ratings go out through the device kit's one request style with a request_id the model keeps
and no deadline (`timeout=None`): the kit sends a rating again with the same id until the broker
answers (it records it once), also across a broker restart.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from hallcall.device_kit.app import DeviceApp
from hallcall.mqtt.client import DeviceClient
from hallcall.rating_pad.model import RatingPadModel
from hallcall.rating_pad.physical import PhysicalPad

log = logging.getLogger(__name__)

SUBSCRIPTIONS = [
    "state/catalog",
    "state/window/+",
    "event/rating.requested",
    "event/rating.recorded",
]


class PadController(QObject):
    changed = Signal()
    _key = Signal(int)

    def __init__(
        self,
        client: DeviceClient,
        model: RatingPadModel,
        tick_ms: int = 200,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self.client = client
        self.model = model
        self.physical: PhysicalPad | None = None
        self.keys_follow_up = False  # a key press opens the reasons only when there is a screen
        self._health: tuple[int, bool | None] | None = None
        self._key.connect(self._on_key)
        self.device = DeviceApp(client, model, tick_ms=tick_ms, parent=self)
        self.device.changed.connect(self._after)
        self._after()

    # ------------------------------------------------------------------ lifecycle
    def attach_keys(self, physical: PhysicalPad, follow_up: bool = False) -> None:
        """Use a physical pad: its presses come in through `post_key` (any thread)."""
        self.physical = physical
        self.keys_follow_up = follow_up
        physical._post = self.post_key
        self._after()

    def post_key(self, key: int) -> None:
        self._key.emit(key)  # queued to this object's thread when called from a driver thread

    def start(self) -> None:
        self.device.start()

    def stop(self) -> None:
        """Stop ticking, leave MQTT, close the keys."""
        self.device.stop()
        if self.physical is not None:
            self.physical.close()

    # ------------------------------------------------------------------ inputs
    def _on_key(self, key: int) -> None:
        if self.physical is not None:
            self.physical.press(self.model, key, self.keys_follow_up)
        self._after()

    # ------------------------------------------------------------------ the visitor (touch screen)
    def choose(self, score: int) -> None:
        self.model.choose(score)
        self._after()

    def toggle_reason(self, code: str) -> None:
        self.model.toggle_reason(code)
        self._after()

    def confirm_reasons(self) -> None:
        self.model.confirm_reasons()
        self._after()

    def skip_reasons(self) -> None:
        self.model.skip_reasons()
        self._after()

    def switch_language(self) -> None:
        self.model.set_language(self.model.next_language())
        self._after()

    def tick(self) -> None:
        self.model.tick()
        self._after()

    # ------------------------------------------------------------------ outputs
    def _after(self) -> None:
        for sub in self.model.take_outbox():
            log.info("sending rating of %s", sub.number)
            self.device.request(
                "rating.submit",
                self.model.late_reply,
                timeout=None,
                request_id=sub.request_id,
                **sub.command(),
            )
        if self.physical is not None:
            try:
                self.physical.sync(self.model)
            except Exception:  # a broken pad must not stop the screen
                log.exception("rating pad light failed")
        health = (len(self.model.pending), self.physical.pad.online if self.physical else None)
        if health != self._health and self.client.connected.is_set():
            self._health = health
            extra: dict[str, int | str] = {"pending_ratings": health[0]}
            if health[1] is not None:
                extra["keys"] = "online" if health[1] else "offline"
            self.client.set_health(**extra)
        self.changed.emit()
