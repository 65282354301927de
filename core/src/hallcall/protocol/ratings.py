"""The names of a rating scale's levels (好差评: three or five levels), lowest first.

Part of the contract: the catalog carries them as `hall.rating_labels`, the reports print them,
and a rating pad that has no catalog yet falls back on them. One table for all three.
"""

from __future__ import annotations

RATING_LABELS: dict[int, dict[str, list[str]]] = {
    3: {"zh": ["不满意", "一般", "满意"], "en": ["Dissatisfied", "Average", "Satisfied"]},
    5: {
        "zh": ["非常不满意", "不满意", "一般", "满意", "非常满意"],
        "en": ["Very dissatisfied", "Dissatisfied", "Average", "Satisfied", "Very satisfied"],
    },
}
