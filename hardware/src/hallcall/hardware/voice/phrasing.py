"""The sentence spoken for a call, written the way the speech engine reads it best.

Measured with espeak-ng 1.51 (`espeak-ng -x` phonemes): the `cmn-latn-pinyin` voice reads
"A012" as "A 零十二" (a number), but "A 零一二" digit by digit, and reads capital letters like
their English names; "3号窗口" comes out as "三号窗口". The English voices read "A012" as
"A zero twelve", and "A 0 1 2" with the article "uh"; "A, zero, one, two" is read as meant.
"""

from __future__ import annotations

from collections.abc import Mapping

#: Hall configs may replace these; {number} is the spelled-out ticket number, {window} the window.
DEFAULT_TEMPLATES: Mapping[str, str] = {
    "zh": "请 {number} 号到 {window} 号窗口办理",
    "en": "Number {number}, please go to window {window}",
}

_ZH_DIGITS = dict(zip("0123456789", "零一二三四五六七八九", strict=True))
_EN_DIGITS = dict(
    zip(
        "0123456789",
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"],
        strict=True,
    )
)


def spell_number(number: str, lang: str) -> str:
    """Ticket number as the engine should read it: one letter or digit at a time."""
    chars = [c.upper() for c in number if c.isalnum()]
    if not chars:
        raise ValueError(f"ticket number {number!r} has no letters or digits")
    if lang == "zh":
        return " ".join(_zh_groups(chars))
    if lang == "en":
        return ", ".join(_EN_DIGITS.get(c, c) for c in chars)
    raise ValueError(f"unsupported announcement language {lang!r}")


def _zh_groups(chars: list[str]) -> list[str]:
    """Letters stand alone; a run of digits becomes one group of hanzi numerals ("零一二")."""
    groups: list[str] = []
    for c in chars:
        if c in _ZH_DIGITS:
            if groups and groups[-1][-1] in _ZH_DIGITS.values():
                groups[-1] += _ZH_DIGITS[c]
            else:
                groups.append(_ZH_DIGITS[c])
        else:
            groups.append(c)
    return groups


def speech_text(
    number: str,
    window_number: int | str,
    lang: str,
    templates: Mapping[str, str] | None = None,
) -> str:
    """The full call sentence, e.g. zh "请 A 零一二 号到 3 号窗口办理"."""
    template = (templates or DEFAULT_TEMPLATES).get(lang) or DEFAULT_TEMPLATES.get(lang)
    if template is None:
        raise ValueError(f"no announcement template for language {lang!r}")
    return template.format(number=spell_number(number, lang), window=str(window_number).strip())
