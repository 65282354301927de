"""A player for tests: keeps every clip with when it played, and joins them into one WAV."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .player import Player
from .wavfile import WavInfo, read_frames, write_wav


@dataclass(frozen=True)
class Clip:
    label: str
    info: WavInfo
    frames: bytes
    started: float  # time.monotonic() when play() began
    ended: float  # time.monotonic() when play() returned
    offset_s: float  # where the clip starts in the joined recording

    @property
    def duration_s(self) -> float:
        return self.info.duration_s


class RecordingPlayer(Player):
    """Records clips instead of sounding them.

    With speed set, play() blocks for duration/speed like a real player would (speed=1 is
    real time), so overlapping playback would show in the clips' start/end times;
    `max_concurrent` counts it directly.
    """

    def __init__(self, speed: float | None = None) -> None:
        self.speed = speed
        self.clips: list[Clip] = []
        self.max_concurrent = 0
        self._playing = 0
        self._lock = threading.Lock()
        self._offset = 0.0

    def play(self, path: str | Path, label: str = "") -> None:
        info, frames = read_frames(path)
        with self._lock:
            self._playing += 1
            self.max_concurrent = max(self.max_concurrent, self._playing)
        started = time.monotonic()
        try:
            if self.speed:
                time.sleep(info.duration_s / self.speed)
        finally:
            with self._lock:
                self._playing -= 1
                self.clips.append(
                    Clip(
                        label or Path(path).name,
                        info,
                        frames,
                        started,
                        time.monotonic(),
                        self._offset,
                    )
                )
                self._offset += info.duration_s

    @property
    def labels(self) -> list[str]:
        return [clip.label for clip in self.clips]

    def write(self, path: str | Path) -> list[tuple[str, float, float]]:
        """Join every clip into one WAV; return (label, start_s, end_s) within it."""
        if not self.clips:
            raise ValueError("nothing was played")
        first = self.clips[0].info
        for clip in self.clips:
            if (clip.info.rate, clip.info.channels, clip.info.sample_width) != (
                first.rate,
                first.channels,
                first.sample_width,
            ):
                raise ValueError(f"clip {clip.label!r} has a different WAV format: {clip.info}")
        write_wav(
            path,
            b"".join(c.frames for c in self.clips),
            first.rate,
            first.channels,
            first.sample_width,
        )
        return [(c.label, c.offset_s, c.offset_s + c.duration_s) for c in self.clips]
