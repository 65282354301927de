"""Which espeak-ng voice speaks which language."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .port import VoiceError

#: Preference order per language, matched against a voice's id tail and its language codes.
#: Never plain "cmn": it reads pinyin (and our Latin letters) as English.
PREFERRED = {
    "zh": ("cmn-latn-pinyin",),
    "en": ("en-us", "en-gb", "en"),
}


def pick_voice(voices: Iterable[tuple[str, Sequence[str]]], lang: str) -> str:
    """The id of the best voice for lang among (id, languages) pairs."""
    voices = list(voices)
    wanted = PREFERRED.get(lang)
    if wanted is None:
        raise VoiceError(f"no voice preference for language {lang!r}")
    for code in wanted:
        for voice_id, languages in voices:
            names = {voice_id.rsplit("/", 1)[-1].lower(), *(lang.lower() for lang in languages)}
            if code in names:
                return voice_id
    raise VoiceError(
        f"espeak-ng has no voice for {lang!r} (looked for {', '.join(wanted)}); "
        "install espeak-ng-data"
    )


def check_voice(voices: Iterable[tuple[str, Sequence[str]]], voice_id: str) -> str:
    """voice_id if the engine has it. pyttsx3 ignores an unknown voice silently and keeps
    speaking with the previous one (measured), so a typo in a hall config must fail here."""
    for known, _ in voices:
        if known.lower() == voice_id.lower():
            return known
    raise VoiceError(f"espeak-ng has no voice {voice_id!r}")
