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
    VoiceError,
)

from .model import Call
from .settings import VoiceSettings

log = logging.getLogger(__name__)


class RetryingVoice(Voice):
    """Tries a synthesis again when the engine produced nothing.

    Measured with pyttsx3 2.99 + espeak-ng 1.51: now and then (about 1 in 30 fresh engines,
    more under load) the first sentence comes back as an empty WAV ("engine produced no
    audio"): pyttsx3 writes the file when espeak reports the end of the message, before the
    samples of that last callback are added. Saying it again works.
    """

    def __init__(self, inner: Voice, attempts: int = 3):
        self.inner = inner
        self.attempts = max(1, attempts)
        self.retries = 0

    def synthesize(self, text: str, lang: str, path):
        for attempt in range(1, self.attempts + 1):
            try:
                return self.inner.synthesize(text, lang, path)
            except VoiceError as exc:
                if attempt == self.attempts:
                    raise
                self.retries += 1
                log.info("speech synthesis failed (%s); trying again", exc)
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.inner.close()


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
        self.voice = voice or Pyttsx3Voice(voices=settings.voices or None, rate=settings.rate)
        self.speaker = RetryingVoice(self.voice)
        self.player = player or AplayPlayer(device=settings.audio_device)
        self.announcer = Announcer(
            self.speaker,
            self.player,
            languages=settings.languages,
            repeats=settings.repeat,
            max_age_s=settings.max_age_s,
            templates=settings.templates or None,
            on_finished=on_finished,
            now=now,
            workdir=workdir,
        )
        #: Calls handed to the announcer, in order (bounded: counters only).
        self.queued = 0

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
