"""A real X server with no screen (Xvfb) for tests that must open windows as on a desktop.

`-fbdir` keeps the framebuffer in a file (XWD), so a test can save what was on the screen.
"""

from __future__ import annotations

import select
import struct
import subprocess
from pathlib import Path


class Xvfb:
    def __init__(self, fbdir: Path, size: str = "1920x1200x24"):
        self.fbdir, self.size = fbdir, size
        self.process: subprocess.Popen | None = None
        self.display = ""

    def start(self) -> Xvfb:
        self.fbdir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                "Xvfb",
                "-displayfd",
                "1",
                "-screen",
                "0",
                self.size,
                "-fbdir",
                str(self.fbdir),
                "-nolisten",
                "tcp",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        ready, _, _ = select.select([self.process.stdout], [], [], 20)
        number = self.process.stdout.readline().strip() if ready else ""
        if not number.isdigit():
            self.stop()
            raise RuntimeError("Xvfb did not start (apt-get install xvfb)")
        self.display = f":{number}"
        return self

    def save_png(self, path: Path) -> Path:
        """The screen as it is now, as a PNG (the XWD framebuffer read with Qt)."""
        from PySide6.QtGui import QImage

        data = (self.fbdir / "Xvfb_screen0").read_bytes()
        header = struct.unpack(">25I", data[:100])
        header_size, width, height, bytes_per_line, colours = (
            header[0],
            header[4],
            header[5],
            header[12],
            header[19],
        )
        start = header_size + colours * 12
        image = QImage(
            data[start : start + bytes_per_line * height],
            width,
            height,
            bytes_per_line,
            QImage.Format.Format_RGB32,
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        if not image.copy().save(str(path)):
            raise RuntimeError(f"could not save {path}")
        return path

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
