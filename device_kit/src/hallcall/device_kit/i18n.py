"""What every device app does with the contract's texts and times, done one way.

A hall's texts arrive as `{"zh": ..., "en": ...}` (a LocalText) or a plain string; its times as
ISO 8601 with a `Z`. Qt-free: the models use it, and they are tested without Qt.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

Lang = Literal["zh", "en"]
LANGUAGES: tuple[Lang, ...] = ("zh", "en")


def localized(value: Any, lang: str) -> str:
    """`value` in `lang`; else in Chinese, English or any language it has; else "".

    A hall that wrote a text in one language only still shows it, rather than a blank.
    """
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):
        return ""
    for key in (lang, *LANGUAGES, *value.keys()):
        text = value.get(key)
        if isinstance(text, str) and text:
            return text
    return ""


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time of the contract as an aware datetime (UTC when it has no offset);
    None for anything else, so a bad field in a message shows nothing rather than crashing."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)  # Python 3.11 reads the trailing "Z"
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
