"""A font that has Chinese glyphs, so no screen ever shows empty boxes instead of Chinese."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from hallcall.fonts import CJK_FONT_FILES

log = logging.getLogger(__name__)


def install_cjk_font(app: QApplication, extra: str | None = None) -> str | None:
    """Load a CJK font into Qt and make it the application's default; returns its family.

    Call it right after creating the QApplication and before any widget: widgets created
    earlier keep the old default and mix two fonts in one line. Calling it again for the same
    application and font (a test making many windows) returns the family loaded the first time.
    """
    key = f"hallcall_cjk_font:{extra or ''}"
    done = app.property(key)
    if isinstance(done, str):
        return done or None
    family = _load_cjk_font(app, extra)
    app.setProperty(key, family or "")
    return family


def _load_cjk_font(app: QApplication, extra: str | None) -> str | None:
    for path in ([extra] if extra else []) + list(CJK_FONT_FILES):
        if path and Path(path).exists():
            font_id = QFontDatabase.addApplicationFont(path)
            families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
            if families:
                font = QFont(families[0])
                app.setFont(font)
                return families[0]
    log.warning(
        "no CJK font found: Chinese text will show as boxes (apt-get install fonts-wqy-microhei)"
    )
    return None
