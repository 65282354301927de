"""The speech-engine port: text in, WAV file out, so playback and testing are separate."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path


class VoiceError(RuntimeError):
    """Synthesis failed; the announcer logs it and moves on to the next call."""


class Voice(ABC):
    @abstractmethod
    def synthesize(self, text: str, lang: str, path: str | Path) -> Path:
        """Write text spoken in lang ("zh" | "en") to path as a WAV file; return path."""

    def close(self) -> None:
        """Release the engine."""
