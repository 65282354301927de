"""What every device app does with the contract's texts and times, done one way.

A hall's texts arrive as `{"zh": ..., "en": ...}` (a LocalText) or a plain string; its times as
ISO 8601 with a `Z`. Qt-free: the models use it, and they are tested without Qt.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hallcall.protocol.payloads import Language

LANGUAGES: tuple[Language, ...] = ("zh", "en")


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


class TextTable:
    """A device app's wording, `{lang: {key: template}}`, looked up as `table(lang, key, **values)`.

    A key missing in one language falls back to the other one, then to the key itself (a
    visitor sees English rather than nothing); `missing()` lists such keys, and each app's
    tests assert there are none. Placeholders are filled with str.format; a template whose
    placeholder was not given is shown as written rather than crashing the screen.
    """

    def __init__(self, by_language: dict[str, dict[str, str]]) -> None:
        self.by_language = by_language

    @classmethod
    def by_key(cls, table: dict[str, dict[str, str]]) -> TextTable:
        """The same table written `{key: {lang: template}}`."""
        by_language: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
        for key, texts in table.items():
            for lang, text in texts.items():
                by_language.setdefault(lang, {})[key] = text
        return cls(by_language)

    def __call__(self, lang: str, key: str, **values: object) -> str:
        template = self.get(lang, key)
        if template is None:
            template = key
        try:
            return template.format(**values) if values else template
        except (KeyError, IndexError, ValueError):
            return template

    def get(self, lang: str, key: str) -> str | None:
        for language in (lang, *LANGUAGES):
            found = self.by_language.get(language, {}).get(key)
            if found is not None:
                return found
        return None

    def __contains__(self, key: str) -> bool:
        return any(key in texts for texts in self.by_language.values())

    def missing(self) -> dict[str, list[str]]:
        """Per language, the keys another language has and it lacks."""
        keys = set().union(*(texts.keys() for texts in self.by_language.values()))
        lacking = {lang: keys - self.by_language.get(lang, {}).keys() for lang in LANGUAGES}
        return {lang: sorted(absent) for lang, absent in lacking.items() if absent}
