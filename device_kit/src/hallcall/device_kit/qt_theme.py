"""The palette as Qt colours, for the screens that paint with QPainter.

    from hallcall.device_kit.qt_theme import qcolor
    from hallcall.device_kit.theme import PALETTE

    painter.setPen(qcolor(PALETTE.lobby_text))
    painter.fillRect(rect, qcolor(PALETTE.lobby_background, alpha=215))

`theme.py` holds the colours and needs no Qt; this module is the only Qt part of the theme.
"""

from __future__ import annotations

from PySide6.QtGui import QColor


def qcolor(color: str, alpha: int = 255) -> QColor:
    """A palette colour (`PALETTE.<role>`) as a QColor, see-through when alpha < 255."""
    c = QColor(color)
    if not c.isValid():
        raise ValueError(f"not a colour: {color!r}")
    c.setAlpha(alpha)
    return c
