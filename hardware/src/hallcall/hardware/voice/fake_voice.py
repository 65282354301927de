"""A voice for tests of other parts: real WAV files, no speech engine needed."""

from __future__ import annotations

import threading
from pathlib import Path

from .port import Voice
from .wavfile import RATE, tone, write_wav

SECONDS_PER_CHAR = 0.04


class FakeVoice(Voice):
    """Writes a sine tone as long as the text would take to say, and records what was asked."""

    def __init__(self, rate: int = RATE) -> None:
        self.rate = rate
        self.calls: list[tuple[str, str]] = []  # (lang, text), in order
        self._lock = threading.Lock()

    @property
    def texts(self) -> list[str]:
        return [text for _, text in self.calls]

    def synthesize(self, text: str, lang: str, path: str | Path) -> Path:
        with self._lock:
            self.calls.append((lang, text))
        seconds = max(0.2, SECONDS_PER_CHAR * len(text))
        freq = 440.0 if lang == "zh" else 330.0
        return write_wav(path, tone(freq, seconds, self.rate, volume=0.3), self.rate)
