"""The two-tone "ding-dong" before each call: it turns heads before the number is spoken."""

from __future__ import annotations

from pathlib import Path

from .wavfile import RATE, silence, tone, write_wav

DING_HZ = 880.0  # A5
DONG_HZ = 659.25  # E5, a fourth below: the classic public-address interval


def write_chime(path: str | Path, rate: int = RATE) -> Path:
    """Write the chime (about 1.1 s, same format as the speech) to path."""
    frames = (
        tone(DING_HZ, 0.45, rate, volume=0.5, decay=3.0)
        + tone(DONG_HZ, 0.6, rate, volume=0.5, decay=3.0)
        + silence(0.1, rate)
    )
    return write_wav(path, frames, rate)
