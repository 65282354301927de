"""Checks on a drawn lobby screen shared by the display tests: glyphs exist, lines fit."""

from __future__ import annotations

from PySide6.QtCore import QRectF
from PySide6.QtGui import QFont, QFontMetrics, QFontMetricsF

from hallcall.display.widgets import Fonts


def assert_no_tofu(screen) -> None:
    """Every character drawn exists in the fonts used: no empty boxes instead of Chinese."""
    text_font = QFontMetrics(QFont(Fonts.text))
    number_font = QFontMetrics(QFont(Fonts.number))
    missing = set()
    for texts in screen.drawn_texts(include_clock=True).values():
        for t in texts:
            for ch in t:
                if ch.strip() and not (
                    text_font.inFontUcs4(ord(ch)) or number_font.inFontUcs4(ord(ch))
                ):
                    missing.add(ch)
    assert not missing, f"characters without a glyph: {sorted(missing)}"


def assert_lines_fit(part) -> None:
    """Each line the part drew fits its box, measured in the font it was drawn in (as wide and
    as tall as the font needs), and each box lies inside the part: nothing is cut or clipped."""
    bounds = QRectF(0, 0, part.design_w, part.design_h).adjusted(-0.5, -0.5, 0.5, 0.5)
    assert part.boxes, "nothing drawn"
    for text, box, font in part.boxes:
        fm = QFontMetricsF(font)
        assert "…" not in text, text
        width = fm.horizontalAdvance(text)
        assert width <= box.width() + 0.5, (text, width, box)
        assert fm.height() <= box.height() + 0.5, (text, fm.height(), box)
        assert bounds.contains(box), (text, box, bounds)
