"""The hall's assessment thresholds (Haicheng business rules art. 22), flagged per clerk and
department: a quarter is disqualified when the bad-rating rate reaches 10 % or 5 bad ratings,
the over-time rate reaches 5 % or 10 cases, or volume is below 30 time-limited or 100 immediate
matters. The numbers come from the hall file's [assessment] section.
"""

from __future__ import annotations

from fractions import Fraction

from hallcall.config.schema import Assessment


def reaches(count: int, total: int, rate: float) -> bool:
    """count/total >= rate, exactly (3 of 30 reaches 10 %, which floats can get wrong)."""
    return total > 0 and Fraction(count, total) >= Fraction(str(rate))


def flags(row: dict, rules: Assessment) -> list[str]:
    """The names of the thresholds a clerk's or department's figures break (empty: none)."""
    out = []
    bad, rated = row["bad_ratings"], row["rated"]
    if reaches(bad, rated, rules.bad_rating_rate) or bad >= rules.bad_rating_count:
        out.append("bad_ratings")
    over, served = row["overtime"], row["served"]
    if reaches(over, served, rules.overtime_rate) or over >= rules.overtime_count:
        out.append("overtime")
    if row["time_limited"] < rules.min_time_limited or row["immediate"] < rules.min_immediate:
        out.append("low_volume")
    return out


FLAG_LABELS = {
    "bad_ratings": {"zh": "差评超标", "en": "too many bad ratings"},
    "overtime": {"zh": "超时超标", "en": "too many over-time cases"},
    "low_volume": {"zh": "业务量不足", "en": "volume too low"},
}
