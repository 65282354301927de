"""Find a font that really has Chinese glyphs.

Without one, Pillow draws every Chinese character as the same empty box and the ticket still
"renders" fine, so we check glyphs instead of trusting a file name. (fc-match ":lang=zh" was
measured to answer DejaVuSans here even with WenQuanYi installed, so fc-list is used.)
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess

from PIL import ImageFont

from hallcall.fonts import CJK_FONT_FILES

_PROBE = "号窗"  # two different common hanzi
_MISSING = "\ue000\ue001"  # private-use code points: no font draws these, so they show .notdef


class CjkFontNotFound(RuntimeError):
    """No usable font with Chinese glyphs; the message says how to fix it."""


def has_cjk_glyphs(path: str) -> bool:
    """True if the font draws hanzi as real, distinct glyphs rather than .notdef boxes."""
    try:
        font = ImageFont.truetype(path, 32)
    except OSError:
        return False
    drawn = [_mask_bytes(font, ch) for ch in _PROBE]
    missing = _mask_bytes(font, _MISSING[0])
    return all(drawn) and drawn[0] != drawn[1] and missing not in drawn


def _mask_bytes(font: ImageFont.FreeTypeFont, text: str) -> bytes:
    """The pixels of text's glyph mask, one byte each."""
    # Pillow's stub of ImagingCore declares only __getitem__, not the __len__ with which
    # bytes() reads it as a sequence at run time.
    return bytes(font.getmask(text))  # pyright: ignore[reportArgumentType]


@functools.cache
def find_cjk_font(font_path: str | None = None) -> str:
    """Return a path to a CJK-capable font: font_path if given, else a well-known one."""
    if font_path is not None:
        if not os.path.exists(font_path):
            raise CjkFontNotFound(f"font file {font_path!r} does not exist")
        if not has_cjk_glyphs(font_path):
            raise CjkFontNotFound(
                f"font {font_path!r} has no Chinese glyphs: tickets would print empty boxes. "
                "Point font_path at a CJK font such as wqy-microhei.ttc."
            )
        return font_path
    for candidate in (*CJK_FONT_FILES, *_fontconfig_candidates()):
        if os.path.exists(candidate) and has_cjk_glyphs(candidate):
            return candidate
    raise CjkFontNotFound(
        "no font with Chinese glyphs found: install one (apt-get install fonts-wqy-microhei, "
        "5 MB) or set the printer's font_path"
    )


def _fontconfig_candidates() -> list[str]:
    if shutil.which("fc-list") is None:
        return []
    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted(line.strip().rstrip(":") for line in out.splitlines() if line.strip())
