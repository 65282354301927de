"""The pause reasons a clerk terminal offers, as codes on the wire and words on every screen.

`window.pause` carries a code below or the clerk's own text; every device that shows a pause
(the clerk terminal, the lobby display) says the code in its languages and free text as typed.
"""

from __future__ import annotations

PAUSE_REASONS: dict[str, dict[str, str]] = {
    "break": {"zh": "休息", "en": "Break"},
    "training": {"zh": "培训", "en": "Training"},
    "meeting": {"zh": "开会", "en": "Meeting"},
    "errand": {"zh": "外出办事", "en": "Errand"},
}


def reason_label(lang: str, reason: str | None) -> str:
    """A pause reason: a known code in `lang` (English for another language), free text as typed."""
    if not reason:
        return ""
    words = PAUSE_REASONS.get(reason)
    if words is None:
        return reason
    return words.get(lang, words["en"])
