"""Text broken into lines that fit a box, whole: never clipped, never cut with "…".

The screens (the kiosk's department tiles, the lobby's waiting panel) give the width a text
takes (`Measure`: Qt's font metrics there), so the rules here need no Qt and are tested alone.
Chinese may break between any two characters, other text between words; punctuation sticks to
its neighbour; a bracketed part ("人力资源和社会保障局 / （社保医保参保登记）") gets lines of its
own when that costs no line, and the lines are balanced.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

#: Punctuation that may not start a line (it sticks to the piece before it) ...
CLOSING = frozenset("）)》〉」』】〕]}”’，。、；：！？,.;:!?%")
#: ... and punctuation that may not end one (it sticks to the piece after it).
OPENING = frozenset("（(《〈「『【〔[{“‘")

Measure = Callable[[str], float]


def _wide(ch: str) -> bool:
    """Chinese, Japanese, Korean and full-width characters: a line may break between any two."""
    return ord(ch) >= 0x2E80


def text_pieces(text_: str) -> list[tuple[str, bool]]:
    """The text cut where a line may break: (piece, a space before it). A word, or one Chinese
    character with the punctuation that must stay with it, is never split."""
    pieces: list[list] = []
    space = glue = word = False
    for ch in text_:
        if ch.isspace():
            space = bool(pieces)
            glue = word = False
            continue
        if pieces and not space and (glue or ch in CLOSING or (word and not _wide(ch))):
            pieces[-1][0] += ch
        else:
            pieces.append([ch, space])
        space = False
        glue = ch in OPENING
        word = not _wide(ch) and ch not in "-/" and ch not in CLOSING
    return [(p, sb) for p, sb in pieces]


def _join(pieces: list[tuple[str, bool]]) -> str:
    return "".join((" " if sb and i else "") + p for i, (p, sb) in enumerate(pieces))


def _greedy(
    pieces: list[tuple[str, bool]], width: float, measure: Measure, hard: bool
) -> list[str] | None:
    """Fill each line as far as it goes; None if a piece is wider than a line (unless `hard`:
    then that piece is cut between characters, still whole, never elided)."""
    lines: list[str] = []
    line: list[tuple[str, bool]] = []
    for piece, sb in pieces:
        if measure(piece) > width:
            if not hard:
                return None
            if line:
                lines.append(_join(line))
                line = []
            chunk = ""
            for ch in piece:
                if chunk and measure(chunk + ch) > width:
                    lines.append(chunk)
                    chunk = ""
                chunk += ch
            line = [(chunk, False)]
            continue
        if line and measure(_join([*line, (piece, sb)])) > width:
            lines.append(_join(line))
            line = [(piece, False)]
        else:
            line.append((piece, sb))
    if line:
        lines.append(_join(line))
    return lines


def wrap_text(
    text_: str, width: float, measure: Measure, hard: bool = False, reflow: bool = True
) -> list[str] | None:
    """The fewest lines no wider than `width`, re-flowed to read well: a bracketed part starts
    its own line when that costs no extra line, and the lines are balanced (no lone last word)."""
    pieces = text_pieces(text_)
    if not pieces:
        return []
    lines = _greedy(pieces, width, measure, hard)
    if lines is None or len(lines) == 1 or not reflow:
        return lines
    # a bracketed part, e.g. "人力资源和社会保障局 / （社保医保参保登记）", on lines of its own
    cut = next((i for i, (p, _) in enumerate(pieces) if i and p[0] in OPENING), None)
    if cut is not None:
        head = _greedy(pieces[:cut], width, measure, hard)
        tail = _greedy(pieces[cut:], width, measure, hard)
        if head is not None and tail is not None and len(head) + len(tail) == len(lines):
            return _balanced(pieces[:cut], head, measure, hard) + _balanced(
                pieces[cut:], tail, measure, hard
            )
    return _balanced(pieces, lines, measure, hard)


def _balanced(pieces, lines: list[str], measure: Measure, hard: bool) -> list[str]:
    """The narrowest width that still needs no more lines than `lines`: even line lengths."""
    if len(lines) <= 1:
        return lines
    lo = max(measure(p) for p, _ in pieces) if not hard else 1.0
    hi = max(measure(line) for line in lines)
    best = lines
    for _ in range(12):
        if hi - lo < 1:
            break
        mid = (lo + hi) / 2
        trial = _greedy(pieces, mid, measure, hard)
        if trial is not None and len(trial) <= len(lines):
            best, hi = trial, mid
        else:
            lo = mid
    return best


@dataclass(frozen=True)
class FittedText:
    size: int  # the font's pixel size
    lines: list[str]
    height: float


def fit_text(
    text_: str,
    width: float,
    height: float,
    sizes: list[int],
    measure: Callable[[int], Measure],
    line_height: Callable[[int], float],
    max_lines: int | None = None,
    hard: bool = False,
    reflow: bool = True,
) -> FittedText | None:
    """The biggest of `sizes` (biggest first) at which `text_` fits width x height whole, its
    lines re-flowed; None if it fits at none (the caller then gives it a bigger box)."""
    for size in sizes:
        lines = wrap_text(text_, width, measure(size), hard, reflow)
        if lines is None or (max_lines and len(lines) > max_lines):
            continue
        h = len(lines) * line_height(size)
        if h <= height:
            return FittedText(size, lines, h)
    return None
