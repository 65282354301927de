"""Calls numbers aloud, one at a time, in order, and never late.

One worker thread plays everything, so two calls never talk over each other. A call that has
waited longer than max_age_s (e.g. behind a long queue, or after the audio device hung) is
dropped: a number called minutes late sends the wrong visitor to the window.
"""

from __future__ import annotations

import itertools
import logging
import queue
import shutil
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from .chime import write_chime
from .phrasing import speech_text
from .player import Player
from .port import Voice

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Announcement:
    seq: int
    number: str
    window_number: int | str
    created_at: datetime


class Outcome(StrEnum):
    SPOKEN = "spoken"
    DROPPED = "dropped"  # too old when its turn came, or discarded by close(drain=False)
    FAILED = "failed"  # synthesis or playback raised


@dataclass(frozen=True)
class AnnouncementResult:
    announcement: Announcement
    outcome: Outcome
    detail: str = ""


_STOP = object()


class Announcer:
    """Queue of calls spoken by one background thread through voice and player.

    Each call is: chime, then the sentence in each language, all repeated `repeats` times.
    on_finished(result) runs on the worker thread after each call is spoken, dropped or failed.
    The caller owns voice and player (and closes them after close()).
    """

    def __init__(
        self,
        voice: Voice,
        player: Player,
        *,
        languages: Sequence[str] = ("zh", "en"),
        repeats: int = 2,
        max_age_s: float = 60.0,
        templates: Mapping[str, str] | None = None,
        on_finished: Callable[[AnnouncementResult], None] | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        workdir: str | Path | None = None,
    ) -> None:
        if repeats < 1:
            raise ValueError("repeats must be at least 1")
        self.voice, self.player = voice, player
        self.languages = tuple(languages)
        self.repeats = repeats
        self.max_age_s = max_age_s
        self.templates = templates
        self.on_finished = on_finished
        self.now = now
        self.counts = {outcome: 0 for outcome in Outcome}
        self._own_workdir = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="hallcall-voice-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.chime = write_chime(self.workdir / "chime.wav")
        self._seq = itertools.count(1)
        self._queue: queue.Queue = queue.Queue()
        self._closed = False
        self._discard = threading.Event()
        self._thread = threading.Thread(target=self._run, name="announcer", daemon=True)
        self._thread.start()

    # -- public ---------------------------------------------------------------------------

    def announce(
        self, number: str, window_number: int | str, created_at: datetime | None = None
    ) -> Announcement:
        """Queue a call; created_at (aware) is when the clerk called it, default now."""
        if self._closed:
            raise RuntimeError("announcer is closed")
        created_at = created_at or self.now()
        if created_at.tzinfo is None:
            raise ValueError("created_at must be timezone-aware")
        for lang in self.languages:  # a bad number or template fails here, not on the worker
            speech_text(number, window_number, lang, self.templates)
        item = Announcement(next(self._seq), number, window_number, created_at)
        self._queue.put(item)
        return item

    def close(self, drain: bool = True, timeout: float | None = 30.0) -> None:
        """Stop taking calls; speak the queued ones (drain) or drop them; join the worker.

        Waits at most timeout seconds (one call is ~15 s of audio with two languages, twice);
        a worker still speaking then finishes on its own (it is a daemon thread).
        """
        if self._closed:
            return
        self._closed = True
        if not drain:
            self._discard.set()
        self._queue.put(_STOP)
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("announcer worker still busy after %s s", timeout)
        elif self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    @property
    def pending(self) -> int:
        return self._queue.qsize()

    # -- worker ---------------------------------------------------------------------------

    def _run(self) -> None:
        while (item := self._queue.get()) is not _STOP:
            if self._discard.is_set():
                self._finish(AnnouncementResult(item, Outcome.DROPPED, "announcer closed"))
                continue
            age = (self.now() - item.created_at).total_seconds()
            if age > self.max_age_s:
                log.info(
                    "dropped call %s (window %s): %.0f s old", item.number, item.window_number, age
                )
                self._finish(AnnouncementResult(item, Outcome.DROPPED, f"{age:.1f} s old"))
                continue
            try:
                self._speak(item)
            except Exception as exc:
                log.exception("announcing %s failed", item.number)
                self._finish(AnnouncementResult(item, Outcome.FAILED, str(exc)))
            else:
                self._finish(AnnouncementResult(item, Outcome.SPOKEN))

    def _speak(self, item: Announcement) -> None:
        speech = []
        try:
            for lang in self.languages:
                path = self.workdir / f"{item.seq}-{lang}.wav"
                text = speech_text(item.number, item.window_number, lang, self.templates)
                speech.append((lang, self.voice.synthesize(text, lang, path)))
            for round_ in range(1, self.repeats + 1):
                self.player.play(self.chime, f"{item.number} chime #{round_}")
                for lang, path in speech:
                    self.player.play(path, f"{item.number} {lang} #{round_}")
        finally:
            for _, path in speech:
                path.unlink(missing_ok=True)

    def _finish(self, result: AnnouncementResult) -> None:
        self.counts[result.outcome] += 1
        if self.on_finished is not None:
            try:
                self.on_finished(result)
            except Exception:
                log.exception("announcement callback failed")
