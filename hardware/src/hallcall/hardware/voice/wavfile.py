"""Small WAV helpers on the stdlib `wave` module: no binary assets, no numpy."""

from __future__ import annotations

import math
import wave
from array import array
from dataclasses import dataclass
from pathlib import Path

#: What espeak-ng produces through pyttsx3 (measured): 22.05 kHz, mono, 16-bit.
RATE = 22050


@dataclass(frozen=True)
class WavInfo:
    rate: int
    channels: int
    sample_width: int  # bytes per sample
    frames: int

    @property
    def duration_s(self) -> float:
        return self.frames / self.rate


def wav_info(path: str | Path) -> WavInfo:
    with wave.open(str(path), "rb") as w:
        return WavInfo(w.getframerate(), w.getnchannels(), w.getsampwidth(), w.getnframes())


def read_frames(path: str | Path) -> tuple[WavInfo, bytes]:
    with wave.open(str(path), "rb") as w:
        info = WavInfo(w.getframerate(), w.getnchannels(), w.getsampwidth(), w.getnframes())
        return info, w.readframes(w.getnframes())


def write_wav(
    path: str | Path, frames: bytes, rate: int = RATE, channels: int = 1, sample_width: int = 2
) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(sample_width)
        w.setframerate(rate)
        w.writeframes(frames)
    return Path(path)


def tone(
    freq_hz: float, seconds: float, rate: int = RATE, volume: float = 0.5, decay: float = 0.0
) -> bytes:
    """16-bit mono sine; decay > 0 fades it like a struck bell (amplitude e^(-decay*t))."""
    n = int(seconds * rate)
    fade = max(1, int(0.005 * rate))  # 5 ms ramps: no clicks at the edges
    samples = array("h")
    for i in range(n):
        t = i / rate
        ramp = min(1.0, i / fade, (n - 1 - i) / fade)
        amp = volume * ramp * math.exp(-decay * t)
        samples.append(int(32767 * amp * math.sin(2 * math.pi * freq_hz * t)))
    return samples.tobytes()


def silence(seconds: float, rate: int = RATE) -> bytes:
    return bytes(2 * int(seconds * rate))


def rms(frames: bytes) -> float:
    """Root mean square of 16-bit samples, 0..32767."""
    samples = array("h", frames)
    if not samples:
        return 0.0
    return math.sqrt(sum(s * s for s in samples) / len(samples))
