"""Break text into lines that fit a pixel width, measured with the font that will draw it.

Chinese has no spaces and may break between any two characters; English breaks between
words. Mixed text ("身份证 ID card") gets both. A closing punctuation mark never starts a line,
and a word wider than the line is split by characters so nothing is ever clipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PIL import ImageFont

#: The width of a line: a font's `getlength` in pixels, or a printer's character columns.
Measure = Callable[[str], float]

# One token = a run of non-CJK, non-space characters (a word), a single CJK character,
# or a run of spaces.
_TOKEN = re.compile(
    r"\s+"
    r"|[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\U00020000-\U0002fa1f]"
    r"|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\U00020000-\U0002fa1f]+"
)
_NO_LINE_START = set("，。、；：？！）》」』】〕…,.;:?!)]}%")


def wrap_text(text: str, font: ImageFont.FreeTypeFont, width_px: float) -> list[str]:
    """Lines of text each at most width_px wide (explicit newlines are kept)."""
    return wrap_measured(text, font.getlength, width_px)


def wrap_measured(text: str, measure: Measure, width: float) -> list[str]:
    """`wrap_text` for any measure of a line: pixels in a font, or a printer's columns."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_wrap_paragraph(paragraph, measure, width))
    return lines


def _wrap_paragraph(text: str, measure: Measure, width: float) -> list[str]:
    lines: list[str] = []
    line = ""
    for token in _TOKEN.findall(text):
        if token.isspace():
            if line:
                line += " "
            continue
        candidate = line + token
        if measure(candidate.rstrip()) <= width:
            line = candidate
            continue
        if token[0] in _NO_LINE_START and line and not line.endswith(" "):
            # Carry the last character down with the punctuation mark.
            lines.append(line[:-1].rstrip())
            line = line[-1] + token
        else:
            if line.strip():
                lines.append(line.rstrip())
            line = token
        while measure(line) > width and len(line) > 1:
            head = _longest_prefix(line, measure, width)
            lines.append(head)
            line = line[len(head) :]
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


def _longest_prefix(text: str, measure: Measure, width: float) -> str:
    """Longest prefix (at least one character) that fits."""
    lo, hi = 1, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if measure(text[:mid]) <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo]


def truncate_lines(
    lines: list[str], max_lines: int, font: ImageFont.FreeTypeFont, width_px: float
) -> list[str]:
    """At most max_lines lines; if some were cut, the last kept line ends with "…"."""
    if len(lines) <= max_lines:
        return lines
    return lines[: max_lines - 1] + [ellipsize(lines[max_lines - 1], font, width_px)]


def ellipsize(text: str, font: ImageFont.FreeTypeFont, width_px: float) -> str:
    """text + "…", shortened from the end until it fits width_px."""
    return ellipsize_measured(text, font.getlength, width_px)


def ellipsize_measured(text: str, measure: Measure, width: float) -> str:
    text = text.rstrip()
    while text and measure(text + "…") > width:
        text = text[:-1].rstrip()
    return text + "…"
