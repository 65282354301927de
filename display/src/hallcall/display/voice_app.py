"""Voice calls without a screen: for a hall whose speakers hang somewhere the TV is not.

    hallcall display --device voice.toml --voice-only

Listens to `state/calls` (and the catalog, for the hall's voice settings), finds new calls and recalls exactly as the lobby screen does
(a restart never calls the morning again) and speaks them through the same VoiceCaller. No Qt.
"""

from __future__ import annotations

import logging
import threading

from hallcall.device_kit.client import device_client
from hallcall.mqtt.client import DeviceClient
from hallcall.protocol.payloads import CatalogView, Payload

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
        self.client = client or device_client(settings, "display", ["state/calls", "state/catalog"])
        self.model = LobbyModel(settings.languages)
        self._lock = threading.Lock()
        self.client.on_view(self._heard)

    def _heard(self, topic: str, view: Payload) -> None:
        if isinstance(view, CatalogView):
            self.caller.follow_hall(view.hall.get("voice"))
            return
        if topic != "state/calls":
            return
        with self._lock:
            self.model.heard(topic, view)
            fresh = self.model.fresh
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
