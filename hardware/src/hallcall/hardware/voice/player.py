"""The audio-output port, and the real player: `aplay`, one clip at a time, blocking."""

from __future__ import annotations

import logging
import shutil
import subprocess
from abc import ABC, abstractmethod
from pathlib import Path

from .wavfile import wav_info

log = logging.getLogger(__name__)


class Player(ABC):
    @abstractmethod
    def play(self, path: str | Path, label: str = "") -> None:
        """Play a WAV file and return when it has finished. label is for logs and tests."""


class AplayPlayer(Player):
    """Plays through ALSA's `aplay`. A hall without sound must still call numbers on screen,
    so a missing aplay or audio device is logged once, and later clips are skipped quietly."""

    def __init__(self, device: str | None = None, aplay: str = "aplay") -> None:
        self.device = device
        self.aplay = aplay
        self._warned = False

    def play(self, path: str | Path, label: str = "") -> None:
        exe = shutil.which(self.aplay)
        if exe is None:
            self._warn_once(f"{self.aplay} not found (apt-get install alsa-utils)")
            return
        cmd = [exe, "-q", *(["-D", self.device] if self.device else []), str(path)]
        try:
            timeout = wav_info(path).duration_s + 10
            result = subprocess.run(
                cmd, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            self._warn_once(f"aplay hung playing {label or path}; audio device stuck?")
            return
        if result.returncode != 0:
            self._warn_once(f"aplay failed ({result.returncode}): {result.stderr.strip()}")
        else:
            self._warned = False  # the device is back: warn again if it goes away again

    def _warn_once(self, message: str) -> None:
        if not self._warned:
            log.warning("no audio output, announcements are silent: %s", message)
            self._warned = True
