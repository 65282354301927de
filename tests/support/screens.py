"""Screenshots of the device apps, saved under build/screenshots/ for people to look at."""

from __future__ import annotations

import os
from pathlib import Path

SCREENSHOTS = Path(
    os.environ.get(
        "HALLCALL_SCREENSHOTS", Path(__file__).resolve().parents[2] / "build" / "screenshots"
    )
)


def save_screenshot(widget, name: str) -> Path:
    """Grab `widget` as it is drawn now and save it as build/screenshots/<name>.png."""
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    if not widget.grab().save(str(path)):
        raise RuntimeError(f"could not save {path}")
    return path
