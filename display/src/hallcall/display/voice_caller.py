"""Speaks each new call and recall through the voice driver's Announcer (chime + sentences).

`VoiceCaller.call(calls)` only queues: synthesis (pyttsx3/espeak-ng in its own child process)
and playback run on the Announcer's worker thread, in call order, one at a time, so the lobby
screen never waits for speech. A call older than `max_age_s` when its turn comes is dropped.

A call's age is counted from the time the queue broker stamped it (`at`), so a display that
was cut off for minutes does not call stale numbers when it reconnects; the Pi's clock must be
kept right (NTP, as Raspberry Pi OS does by default). A stamp in the future (a clock behind
the broker's) counts as "now".
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from hallcall.hardware.voice import (
    AnnouncementResult,
    Announcer,
    AplayPlayer,
    Player,
    Pyttsx3Voice,
    Voice,
)

from .model import Call
from .settings import VoiceSettings

log = logging.getLogger(__name__)


class VoiceCaller:
    def __init__(
        self,
        settings: VoiceSettings,
        voice: Voice | None = None,
        player: Player | None = None,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        on_finished: Callable[[AnnouncementResult], None] | None = None,
        workdir: str | None = None,
    ):
        self.settings = settings
        self.now = now
        self._own_voice = voice is None
        # The voice driver takes any language code; the settings allow only the lobby's ones.
        voices: dict[str, str] = {lang: name for lang, name in settings.voices.items()}
        templates: dict[str, str] = {lang: text for lang, text in settings.templates.items()}
        self.voice = voice or Pyttsx3Voice(voices=voices or None, rate=settings.rate)

        self.player = player or AplayPlayer(device=settings.audio_device)
        # Until the hall's catalog arrives: what the device file says, else the usual defaults.
        self.announcer = Announcer(
            self.voice,
            self.player,
            languages=settings.languages or ("zh", "en"),
            repeats=settings.repeat or 2,
            max_age_s=settings.max_age_s or 60.0,
            templates=templates or None,
            on_finished=on_finished,
            now=now,
            workdir=workdir,
        )
        #: Calls handed to the announcer, in order (bounded: counters only).
        self.queued = 0

    def follow_hall(self, voice: dict | None) -> None:
        """Take the hall file's [hall.voice] (from the catalog) for what the device file leaves
        unset; read per announcement, so the next call already uses it."""
        if not voice:
            return
        s, a = self.settings, self.announcer
        if s.languages is None and voice.get("languages"):
            a.languages = tuple(voice["languages"])
        if s.repeat is None and voice.get("repeat"):
            a.repeats = int(voice["repeat"])
        if s.max_age_s is None and voice.get("max_age_s"):
            a.max_age_s = float(voice["max_age_s"])
        if not s.templates and voice.get("templates"):
            a.templates = dict(voice["templates"])

    def call(self, calls: Iterable[Call]) -> None:
        """Queue these calls (oldest first), as LobbyModel.apply returns them."""
        for c in calls:
            now = self.now()
            at = c.at if c.at is not None and c.at <= now else now
            try:
                self.announcer.announce(c.number, c.window_number, at)
                self.queued += 1
            except RuntimeError:
                log.warning("voice is closed; call %s not spoken", c.number)

    def close(self, drain: bool = False) -> None:
        self.announcer.close(drain=drain)
        if self._own_voice:
            self.voice.close()
