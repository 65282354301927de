"""The hall's assessment thresholds (Haicheng business rules art. 22), flagged per clerk and
department: a quarter is disqualified when the bad-rating rate reaches 10 % or 5 bad ratings,
the over-time rate reaches 5 % or 10 cases, or volume is below 30 time-limited or 100 immediate
matters. The numbers come from the hall file's [assessment] section.

How they are applied (docs/reports.md, "Assessment"):
- a clerk is assessed by the rule as written: rate OR count;
- a department pools many clerks, so a count that one clerk can reach in a quarter says little
  about it: a department is flagged by the rate, and only once it also has the count (the count
  is then a minimum sample, so 1 bad rating of 2 does not flag a department either);
- the counts and rates are maxima: reaching one in any part of a quarter already breaks that
  quarter, so they apply to a shorter period unchanged; a longer one (a year) multiplies the
  counts by its quarters;
- the volume minima are per quarter: a shorter (or longer) period is compared with the minima
  pro-rated to its days, rounded up, and the report says so.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from fractions import Fraction

from hallcall.config.schema import Assessment


def reaches(count: int, total: int, rate: float) -> bool:
    """count/total >= rate, exactly (3 of 30 reaches 10 %, which floats can get wrong)."""
    return total > 0 and Fraction(count, total) >= Fraction(str(rate))


def quarter_days(day: date) -> int:
    q0 = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    q1 = date(q0.year + (q0.month == 10), (q0.month + 2) % 12 + 1, 1)
    return (q1 - q0).days


def quarter_share(start: date, end: date) -> Fraction:
    """The period's length in quarters: 1 for a calendar quarter, 30/92 for November."""
    if (
        end.month % 3 == 0
        and start.day == 1
        and start.month % 3 == 1
        and (end + timedelta(days=1)).day == 1
    ):
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        return Fraction(months, 3)  # whole quarters: exactly 1, 2, 4...
    return Fraction((end - start).days + 1, quarter_days(start))


def minima(rules: Assessment, share: Fraction = Fraction(1)) -> tuple[int, int]:
    """The (time-limited, immediate) volume minima for a period of `share` quarters."""
    return (math.ceil(rules.min_time_limited * share), math.ceil(rules.min_immediate * share))


def counts(rules: Assessment, share: Fraction = Fraction(1)) -> tuple[int, int]:
    """The (bad-rating, over-time) count limits: a quarter's for any shorter period, times the
    quarters for a longer one."""
    k = max(Fraction(1), share)
    return math.ceil(rules.bad_rating_count * k), math.ceil(rules.overtime_count * k)


def flags(
    row: dict, rules: Assessment, level: str = "clerk", share: Fraction = Fraction(1)
) -> list[str]:
    """The names of the thresholds a clerk's or department's figures break (empty: none)."""
    out = []
    bad, rated = row["bad_ratings"], row["rated"]
    over, served = row["overtime"], row["served"]
    bad_count, over_count = counts(rules, share)
    if level == "department":
        bad_broken = reaches(bad, rated, rules.bad_rating_rate) and bad >= bad_count
        over_broken = reaches(over, served, rules.overtime_rate) and over >= over_count
    else:
        bad_broken = reaches(bad, rated, rules.bad_rating_rate) or bad >= bad_count
        over_broken = reaches(over, served, rules.overtime_rate) or over >= over_count
    if bad_broken:
        out.append("bad_ratings")
    if over_broken:
        out.append("overtime")
    min_tl, min_im = minima(rules, share)
    if row["time_limited"] < min_tl or row["immediate"] < min_im:
        out.append("low_volume")
    return out


FLAG_LABELS = {
    "bad_ratings": {"zh": "差评超标", "en": "too many bad ratings"},
    "overtime": {"zh": "超时超标", "en": "too many over-time cases"},
    "low_volume": {"zh": "业务量不足", "en": "volume too low"},
}
