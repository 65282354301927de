"""What the dashboard's cases page (差评整改) shows, worded in zh or en: plain Python, no I/O.

The cases are the reports' `CaseBook`'s (the same as `hallcall case ...`); this module turns
them into rows for the list, the detail of one case with its history, the counts table, and
the domain's refusals (`CaseError`, English) into the page's language.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hallcall.broker.domain.rectification import Case
from hallcall.broker.domain.working_days import WorkingCalendar, is_working_day
from hallcall.broker.reports.rectification import CASE_COUNTS, case_counts
from hallcall.config.schema import HallConfig
from hallcall.protocol.ratings import rating_labels
from hallcall.web.dashboard.texts import t
from hallcall.web.dashboard.view import dep_name
from hallcall.web.storage.users import User

#: The list's filters: every open case, the overdue ones, those appealed (decided or not),
#: the closed ones, all of them.
FILTERS = ("open", "overdue", "appealed", "closed", "all")
#: The longest text a case keeps (the database's columns), and the longest name.
TEXT_MAX, NAME_MAX = 2000, 80


def aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def visible(user: User, case: Case) -> bool:
    """A department head sees (and acts on) only the cases of their department's tickets."""
    return user.sees(case.department)


def matches(case: Case, state: str, today: date) -> bool:
    if state == "open":
        return case.is_open
    if state == "overdue":
        return case.overdue(today)
    if state == "appealed":
        return case.appealed
    if state == "closed":
        return not case.is_open
    return True


def working_days_between(start: date, end: date, calendar: WorkingCalendar) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    n, day = 0, start
    while day < end:
        day += timedelta(days=1)
        n += is_working_day(day, calendar)
    return n


def level_name(config: HallConfig, case: Case, lang: str) -> str:
    """The rating's level by its name on the hall's scale, as the pad showed it."""
    label_set = (
        config.hall.rating_label_set if case.scale == config.hall.rating_scale else "default"
    )
    try:
        names = rating_labels(case.scale, label_set)[lang]
    except (ValueError, KeyError):
        return f"{case.score}/{case.scale}"
    name = names[case.score - 1] if 1 <= case.score <= len(names) else "?"
    return f"{name} ({case.score}/{case.scale})"


def _window(config: HallConfig, window_id: str | None, lang: str) -> str:
    w = config.window(window_id) if window_id else None
    return t(lang, "window_n", number=w.number) if w else (window_id or "–")


def _clerk(config: HallConfig, staff: str | None, lang: str) -> str:
    s = config.staff_member(staff) if staff else None
    return s.name.get(lang) if s else (staff or "–")


def _matter(config: HallConfig, case: Case, lang: str) -> str:
    dep = config.department(case.department) if case.department else None
    for m in dep.matters if dep else []:
        if m.id == case.matter:
            return m.name.get(lang)
    return case.matter or ""


def status_text(case: Case, today: date, lang: str) -> str:
    state = case.status(today)
    text = t(lang, f"case_{state}")
    if state == "closed" and case.appeal_decision == "upheld":
        text = t(lang, "case_closed_upheld")
    return text


def deadline_text(
    config: HallConfig, case: Case, today: date, calendar: WorkingCalendar, lang: str
) -> str:
    """ "10 working days: due 2026-12-07 (3 working days left)" or "... overdue by 2"."""
    days = config.rectification.deadline_working_days
    due = case.due_on.isoformat()
    if not case.is_open:
        return t(lang, "deadline_closed", days=days, due=due)
    if case.overdue(today):
        late = working_days_between(case.due_on, today, calendar)
        return t(lang, "deadline_overdue", days=days, due=due, n=max(1, late))
    left = working_days_between(today, case.due_on, calendar)
    return t(lang, "deadline_left", days=days, due=due, n=left)


def summary(config: HallConfig, case: Case, today: date, lang: str, zone: ZoneInfo) -> dict:
    """One case on the list."""
    return {
        "id": case.id,
        "state": case.status(today),
        "state_text": status_text(case, today, lang),
        "overdue": case.overdue(today),
        "number": case.number or case.ticket_id,
        "department": dep_name(config, case.department, lang) or "–",
        "matter": _matter(config, case, lang),
        "window": _window(config, case.window, lang),
        "clerk": _clerk(config, case.staff, lang),
        "level": level_name(config, case, lang),
        "opened": aware(case.opened_at).astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        "due": case.due_on.isoformat(),
    }


def detail(
    config: HallConfig,
    case: Case,
    reasons: list[str],
    today: date,
    calendar: WorkingCalendar,
    lang: str,
    zone: ZoneInfo,
) -> dict[str, Any]:
    """One case in full, with its history (each step's time, oldest first)."""

    def at(dt: datetime | None) -> str:
        return aware(dt).astimezone(zone).strftime("%Y-%m-%d %H:%M") if dt else ""

    history: list[tuple[datetime, str]] = [
        (case.opened_at, t(lang, "h_opened", level=level_name(config, case, lang)))
    ]
    if case.callback_at:
        history.append((case.callback_at, t(lang, "h_callback", by=case.callback_by)))
    if case.fixed_at:
        history.append((case.fixed_at, t(lang, "h_fix")))
    if case.appealed_at:
        history.append((case.appealed_at, t(lang, "h_appeal")))
    if case.appeal_decided_at:
        history.append(
            (
                case.appeal_decided_at,
                t(
                    lang,
                    "h_decided",
                    decision=t(lang, f"decision_{case.appeal_decision}"),
                    by=case.appeal_decided_by,
                ),
            )
        )
    if case.closed_at:
        history.append((case.closed_at, t(lang, "h_closed", by=case.closed_by)))
    history.sort(key=lambda x: aware(x[0]))
    return summary(config, case, today, lang, zone) | {
        "ticket_id": case.ticket_id,
        "comment": ", ".join(reasons) if lang == "en" else "、".join(reasons),
        "deadline": deadline_text(config, case, today, calendar, lang),
        "is_open": case.is_open,
        "callback": {
            "by": case.callback_by,
            "at": at(case.callback_at),
            "outcome": case.callback_outcome,
        }
        if case.callback_at
        else None,
        "fix": {"text": case.fix, "at": at(case.fixed_at)} if case.fixed_at else None,
        "appeal": {"reason": case.appeal_reason, "at": at(case.appealed_at)}
        if case.appealed_at
        else None,
        "decision": {
            "decision": case.appeal_decision,
            "text": t(lang, f"decision_{case.appeal_decision}"),
            "by": case.appeal_decided_by,
            "reason": case.appeal_decision_reason,
            "at": at(case.appeal_decided_at),
        }
        if case.appeal_decided_at
        else None,
        "closed": {"by": case.closed_by, "at": at(case.closed_at)} if case.closed_at else None,
        "appeal_pending": case.appeal_pending,
        "history": [{"at": at(when), "text": text} for when, text in history],
    }


def count_rows(
    config: HallConfig,
    cases: list[Case],
    local_day: Callable[[datetime], date],
    today: date,
    lang: str,
) -> list[dict]:
    """The counts table of `cases`: one row per department, then one per clerk (as the
    report's "Rectification cases" table, of the cases the user sees)."""
    rows = []
    for dim, key_of, name_of in (
        ("department", lambda c: c.department or "", lambda k: dep_name(config, k, lang)),
        ("clerk", lambda c: c.staff or "", lambda k: _clerk(config, k, lang)),
    ):
        groups: dict[str, list[Case]] = {}
        for c in cases:
            groups.setdefault(key_of(c), []).append(c)
        for key in sorted(groups):
            n = case_counts(groups[key], local_day, today)
            rows.append(
                {
                    "scope": t(lang, f"by_{dim}"),
                    "key": key,
                    "name": name_of(key) if key else "–",
                    "counts": [n[k] for k in CASE_COUNTS],
                }
            )
    return rows


# ------------------------------------------------------------------ refusals in zh and en
_ZH: list[tuple[str, str]] = [
    (r"no case #(\d+)", "没有整改件 #{0}"),
    (r"case #(\d+) is closed", "整改件 #{0} 已办结，不能再改"),
    (r"a callback needs who called", "回访须填写回访人"),
    (r"a callback needs its outcome", "回访须填写回访结果"),
    (r"a fix needs what was done", "整改须填写整改措施"),
    (r"case #(\d+) was already appealed", "整改件 #{0} 已申诉过，每件只能申诉一次"),
    (r"an appeal needs its reason", "申诉须填写理由"),
    (r"case #(\d+) has no appeal to decide", "整改件 #{0} 没有待裁决的申诉"),
    (r"case #(\d+)'s appeal was already decided \((\w+)\)", "整改件 #{0} 的申诉已裁决（{1}）"),
    (r"decision must be one of: .*", "裁决须为“申诉成立”或“申诉不成立”"),
    (r"a decision needs the manager who made it", "裁决须有作出裁决的管理员"),
    (r"a decision needs its reason", "裁决须填写理由"),
    (r"closing needs who closes it", "办结须有办结人"),
    (
        r"case #(\d+) needs (a callback and a fix|a callback|a fix) before it closes "
        r"\(or an upheld appeal\)",
        "整改件 #{0} 尚需{1}才能办结（或申诉成立）",
    ),
]
_ZH_WORDS = {
    "a callback and a fix": "回访和整改",
    "a callback": "回访",
    "a fix": "整改",
    "upheld": "申诉成立",
    "rejected": "申诉不成立",
}


def refusal(lang: str, message: str) -> str:
    """The page's words for a refused step: the CaseBook's own reason, in zh translated."""
    reason = message
    if lang == "zh":
        for pattern, zh in _ZH:
            m = re.fullmatch(pattern, message)
            if m:
                reason = zh.format(*(_ZH_WORDS.get(g, g) for g in m.groups()))
                break
    return t(lang, "case_refused", reason=reason)
