"""Voice calls without a screen: for a hall whose speakers hang somewhere the TV is not.

    hallcall display --device voice.toml --voice-only

Listens to `state/calls` (and the catalog, for the hall's voice settings), finds new calls and recalls exactly as the lobby screen does
(a restart never calls the morning again) and speaks them through the same VoiceCaller. No Qt.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from hallcall.mqtt.client import DeviceClient

from .model import LobbyModel
from .settings import DisplaySettings
from .voice_caller import VoiceCaller

log = logging.getLogger(__name__)


class VoiceApp:
    def __init__(
        self,
        settings: DisplaySettings,
        caller: VoiceCaller | None = None,
        client: DeviceClient | None = None,
    ):
        self.settings = settings
        self.caller = caller or VoiceCaller(settings.voice)
        self.client = client or DeviceClient(
            settings.hall,
            "display",
            settings.device,
            settings.mqtt.settings(),
            ["state/calls", "state/catalog"],
        )
        self.model = LobbyModel(settings.languages)
        self._lock = threading.Lock()
        self.client.on_state(self._on_state)

    def _on_state(self, topic: str, payload: dict[str, Any]) -> None:
        if topic == "state/catalog":
            self.caller.follow_hall((payload.get("hall") or {}).get("voice"))
            return
        if topic != "state/calls":
            return
        with self._lock:
            fresh = self.model.apply(topic, payload)
        if fresh:
            self.caller.call(fresh)  # only queues: speech runs on the announcer's thread

    def start(self) -> None:
        self.client.start()

    def stop(self) -> None:
        try:
            self.client.stop()
        finally:
            self.caller.close(drain=False)

    def run(self, stop: threading.Event) -> None:
        self.start()
        stop.wait()
        self.stop()
