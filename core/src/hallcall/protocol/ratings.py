"""The names of a rating scale's levels (好差评: three or five levels), lowest first.

Part of the contract: the catalog carries them as `hall.rating_labels`, the reports print them,
and a rating pad that has no catalog yet falls back on them. One table for all three.

A hall chooses the scale (`[hall] rating_scale`, 3 or 5) and, for five levels, the names
(`[hall] rating_label_set`): "default" (HallCall's own, with 一般 / Average in the middle) or
"national", the five levels of the State Council's 政务服务"好差评" (国办发〔2019〕51号):
非常满意, 满意, 基本满意, 不满意, 非常不满意. Either way a score is 1 (lowest) .. 5 (highest), so a
device that reads `rating_scale` and `rating_labels` from the catalog needs no change.
"""

from __future__ import annotations

RATING_LABELS: dict[int, dict[str, list[str]]] = {
    3: {"zh": ["不满意", "一般", "满意"], "en": ["Dissatisfied", "Average", "Satisfied"]},
    5: {
        "zh": ["非常不满意", "不满意", "一般", "满意", "非常满意"],
        "en": ["Very dissatisfied", "Dissatisfied", "Average", "Satisfied", "Very satisfied"],
    },
}

#: The national five levels of 政务服务"好差评", lowest first (score 1 = 非常不满意 .. 5 = 非常满意).
NATIONAL_RATING_LABELS: dict[str, list[str]] = {
    "zh": ["非常不满意", "不满意", "基本满意", "满意", "非常满意"],
    "en": [
        "Very dissatisfied",
        "Dissatisfied",
        "Basically satisfied",
        "Satisfied",
        "Very satisfied",
    ],
}

#: The label sets a hall may choose, and the scales each one has names for.
RATING_LABEL_SETS: dict[str, dict[int, dict[str, list[str]]]] = {
    "default": RATING_LABELS,
    "national": {5: NATIONAL_RATING_LABELS},
}


def rating_labels(scale: int, label_set: str = "default") -> dict[str, list[str]]:
    """The names of `scale`'s levels in `label_set`, per language, lowest first."""
    try:
        return RATING_LABEL_SETS[label_set][scale]
    except KeyError:
        raise ValueError(f"the {label_set!r} rating labels have no {scale}-level scale") from None


def is_bad_rating(score: int, scale: int) -> bool:
    """A bad rating (差评): the lowest of three; the lowest two of five (不满意, 非常不满意)."""
    return score == 1 if scale == 3 else score <= 2


def is_good_rating(score: int, scale: int, label_set: str = "default") -> bool:
    """A satisfied rating: the highest of three; the highest two of five; with the national
    labels the highest three (好评: 非常满意, 满意, 基本满意), as the 好差评 rules count them."""
    if scale == 3:
        return score == 3
    return score >= (3 if label_set == "national" else 4)
