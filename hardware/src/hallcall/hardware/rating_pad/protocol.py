r"""The serial rating pad line protocol; see docs/hardware/rating-pad-protocol.md.

    pad -> host   R<score>\r\n    a key was pressed: 1 dissatisfied, 2 average, 3 satisfied
                                  (1-5 on a five-key pad)
    host -> pad   P1\r\n          prompt on: light the keys / "please rate" LED
    host -> pad   P0\r\n          prompt off
    host -> pad   T\r\n           thank the customer (blink, beep or "谢谢")

Lines end in CR LF (the host accepts CR or LF alone too); anything else is dropped.
"""

from __future__ import annotations

import re

PROMPT_ON = b"P1\r\n"
PROMPT_OFF = b"P0\r\n"
THANKS = b"T\r\n"
MAX_LINE = 32

_SCORE = re.compile(rb"\s*R([1-9])\s*")


class LineError(ValueError):
    """A line the host drops (and logs)."""


def encode_score(score: int) -> bytes:
    """What a pad sends (used by simulators and tests)."""
    if not 1 <= score <= 9:
        raise ValueError(f"score must be one digit, not {score}")
    return f"R{score}\r\n".encode("ascii")


def encode_prompt(active: bool) -> bytes:
    return PROMPT_ON if active else PROMPT_OFF


def parse_line(line: bytes) -> int:
    """The score in one line without its line end; raise `LineError` for anything else."""
    match = _SCORE.fullmatch(line.upper())
    if match is None:
        raise LineError(f"not a rating line: {line[:MAX_LINE]!r}")
    return int(match.group(1))
