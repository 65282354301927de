"""Break text into lines that fit a pixel width, measured with the font that will draw it.

Chinese has no spaces and may break between any two characters; English breaks between
words. Mixed text ("身份证 ID card") gets both. A closing punctuation mark never starts a line,
and a word wider than the line is split by characters so nothing is ever clipped.
"""

from __future__ import annotations

import re

from PIL import ImageFont

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
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_wrap_paragraph(paragraph, font, width_px))
    return lines


def _wrap_paragraph(text: str, font: ImageFont.FreeTypeFont, width_px: float) -> list[str]:
    lines: list[str] = []
    line = ""
    for token in _TOKEN.findall(text):
        if token.isspace():
            if line:
                line += " "
            continue
        candidate = line + token
        if font.getlength(candidate.rstrip()) <= width_px:
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
        while font.getlength(line) > width_px and len(line) > 1:
            head = _longest_prefix(line, font, width_px)
            lines.append(head)
            line = line[len(head) :]
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


def _longest_prefix(text: str, font: ImageFont.FreeTypeFont, width_px: float) -> str:
    """Longest prefix (at least one character) that fits."""
    lo, hi = 1, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if font.getlength(text[:mid]) <= width_px:
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
    text = text.rstrip()
    while text and font.getlength(text + "…") > width_px:
        text = text[:-1].rstrip()
    return text + "…"
