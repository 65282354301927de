"""The cases page's words without a browser: every refusal the domain gives (`CaseError`)
reads in Chinese on a Chinese page, the deadline counts working days, the history is in time
order. The pages themselves: tests/web/test_dashboard_cases.py."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hallcall.broker.calendars import calendar_for
from hallcall.broker.domain.rectification import Case, CaseError
from hallcall.config.loader import EXAMPLE_HALL, load_config
from hallcall.web.dashboard import cases

CONFIG = load_config(EXAMPLE_HALL)
T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
ZONE = ZoneInfo("Asia/Shanghai")


def case(**changes) -> Case:
    base = Case(
        7, "t1", "A001", "registrar", "transcript", "w01", "s101", 1, 3, T0, date(2026, 12, 7)
    )
    return dataclasses.replace(base, **changes)


def refused(step) -> str:
    with pytest.raises(CaseError) as exc:
        step()
    return str(exc.value)


def test_every_refusal_of_the_domain_reads_in_chinese():
    fresh, closed = case(), case(closed_at=T0, closed_by="Wang")
    appealed = fresh.appeal("mistaken", T0)
    decided = appealed.decide("rejected", "Wang", "stands", T0)
    called = fresh.record_callback("Li", T0, "ok")
    messages = [
        "no case #7",
        refused(lambda: closed.record_fix("x", T0)),
        refused(lambda: fresh.record_callback(" ", T0, "ok")),
        refused(lambda: fresh.record_callback("Li", T0, " ")),
        refused(lambda: fresh.record_fix(" ", T0)),
        refused(lambda: appealed.appeal("again", T0)),
        refused(lambda: fresh.appeal(" ", T0)),
        refused(lambda: fresh.decide("upheld", "Wang", "r", T0)),
        refused(lambda: decided.decide("upheld", "Wang", "r", T0)),
        refused(lambda: appealed.decide("maybe", "Wang", "r", T0)),
        refused(lambda: appealed.decide("upheld", " ", "r", T0)),
        refused(lambda: appealed.decide("upheld", "Wang", " ", T0)),
        refused(lambda: fresh.close(" ", T0)),
        refused(lambda: fresh.close("Wang", T0)),
        refused(lambda: called.close("Wang", T0)),
        refused(lambda: fresh.record_fix("x", T0).close("Wang", T0)),
    ]
    for message in messages:
        zh = cases.refusal("zh", message)
        assert zh.startswith("未执行："), zh
        assert not re.search(r"[A-Za-z]{2,}", zh), (message, zh)  # nothing left in English
        assert cases.refusal("en", message) == f"Not done: {message}"
    assert cases.refusal("zh", refused(lambda: called.close("Wang", T0))) == (
        "未执行：整改件 #7 尚需整改才能办结（或申诉成立）"
    )
    assert cases.refusal("zh", refused(lambda: decided.decide("upheld", "W", "r", T0))) == (
        "未执行：整改件 #7 的申诉已裁决（申诉不成立）"
    )


def test_the_deadline_counts_working_days_on_chinas_calendar():
    calendar = calendar_for(CONFIG)
    c = case()
    assert cases.deadline_text(CONFIG, c, date(2026, 11, 23), calendar, "en") == (
        "10 working days: due 2026-12-07 (10 working days left)"
    )
    assert cases.deadline_text(CONFIG, c, date(2026, 12, 5), calendar, "zh") == (
        "10 个工作日，2026-12-07 前办结（还剩 1 个工作日）"  # a Saturday: Monday is left
    )
    assert cases.deadline_text(CONFIG, c, date(2026, 12, 9), calendar, "en") == (
        "10 working days: due 2026-12-07 — OVERDUE by 2 working days"
    )
    closed = case(closed_at=T0 + timedelta(days=30), closed_by="W")
    assert "OVERDUE" not in cases.deadline_text(CONFIG, closed, date(2027, 1, 9), calendar, "en")


def test_the_detail_keeps_the_history_in_time_order_and_names_the_level():
    c = (
        case()
        .appeal("pressed the wrong key", T0 + timedelta(hours=2))
        .record_callback("Li", T0 + timedelta(hours=1), "ok")
        .decide("upheld", "Wang", "CCTV", T0 + timedelta(hours=3))
        .close("Wang", T0 + timedelta(hours=4))
    )
    d = cases.detail(CONFIG, c, ["rude"], date(2026, 11, 23), calendar_for(CONFIG), "en", ZONE)
    assert [h["text"] for h in d["history"]] == [
        "Opened by a bad rating: Dissatisfied (1/3)",
        "Callback by Li",
        "Appeal filed",
        "Appeal decided by Wang: Upheld",
        "Closed by Wang",
    ]
    assert d["state_text"] == "Closed (appeal upheld)" and d["comment"] == "rude"
    assert (d["matter"], d["window"], d["clerk"]) == (
        "Official transcript",
        "Window 1",
        "Zhang Min",
    )
    five = case(score=2, scale=5)
    assert cases.level_name(CONFIG, five, "zh") == "不满意 (2/5)"
