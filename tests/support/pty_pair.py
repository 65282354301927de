"""A real pseudo-terminal pair made by `socat`, for testing serial devices byte for byte.

One end is opened by the driver under test (as it would open /dev/ttyUSB0), the other end by
the test, which plays the device. A pty carries real bytes but does not simulate baud rate, and
setting DTR/RTS on it fails with OSError 25 (see docs/measured-facts.md): tests must not rely on either.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class PtyPair:
    device: str  # the path the driver under test opens
    peer: str  # the path the test opens to play the device
    process: subprocess.Popen

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_pty_pair(directory: Path, timeout: float = 5.0) -> PtyPair:
    """Start `socat` linking two ptys at directory/device and directory/peer."""
    if shutil.which("socat") is None:
        raise RuntimeError("socat is not installed: apt-get install socat")
    device, peer = directory / "device", directory / "peer"
    proc = subprocess.Popen(
        [
            "socat",
            f"pty,raw,echo=0,link={device}",
            f"pty,raw,echo=0,link={peer}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + timeout
    while not (device.exists() and peer.exists()):
        if proc.poll() is not None:
            raise RuntimeError(f"socat exited with {proc.returncode}")
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("socat did not create the pty pair in time")
        time.sleep(0.02)
    return PtyPair(os.fspath(device), os.fspath(peer), proc)
