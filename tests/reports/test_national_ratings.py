"""A government hall on the national five levels (好差评): the catalog names them, the pad's
scores 1-5 are recorded, and the report counts each level per department and clerk, with
不满意 and 非常不满意 as the bad ratings and 非常满意 / 满意 / 基本满意 as the good ones."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from hallcall.broker.reports.report import build_report
from hallcall.broker.service.projections import catalog
from hallcall.config.loader import load_config
from hallcall.protocol.ratings import NATIONAL_RATING_LABELS
from tests.support.hall import Hall, start_service, unthrottled

GOVERNMENT = Path("config/src/hallcall/config/halls/example-government.toml")
TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def gov_config():
    return unthrottled(load_config(GOVERNMENT))


def test_the_catalog_carries_the_national_labels_on_the_five_level_scale(gov_config):
    hall = catalog(gov_config, 1)["hall"]
    assert hall["rating_scale"] == 5 and hall["rating_label_set"] == "national"
    assert hall["rating_labels"]["zh"] == ["非常不满意", "不满意", "基本满意", "满意", "非常满意"]
    assert hall["rating_labels"]["en"][2] == "Basically satisfied"
    assert hall["rating_labels"] == NATIONAL_RATING_LABELS


def test_the_report_counts_each_national_level(gov_config, engine, clock):
    hall = Hall(start_service(gov_config, engine, clock))
    hall.login("w01", "s101")
    hall.login("w02", "s102")
    # w01 (赵丽) gets 5, 4, 3, 2; w02 (孙伟) gets 1 and one visitor who did not rate.
    plan = [("w01", 5), ("w01", 4), ("w01", 3), ("w01", 2), ("w02", 1), ("w02", None)]
    for window, score in plan:
        hall.issue("social-security")
        hall.next(window)
        clock.advance(minutes=3)
        t = hall.finish(window)
        if score is not None:
            pad = f"pad-{window}"
            hall.ok("rating", pad, "rating.submit", ticket_id=t["id"], score=score)
    report = build_report(gov_config, engine, TODAY, TODAY, lang="zh", now=clock.now())

    dep = next(r for r in report.table("department").rows if r["key"] == "social-security")
    assert [dep[f"rating_{i}"] for i in range(1, 6)] == [1, 1, 1, 1, 1]
    assert (dep["rated"], dep["not_rated"], dep["bad_ratings"]) == (5, 1, 2)
    assert dep["bad_rating_rate"] == pytest.approx(2 / 5)
    assert dep["satisfaction_rate"] == pytest.approx(3 / 5)  # 好评 includes 基本满意
    clerks = {r["key"]: r for r in report.table("clerk").rows}
    assert [clerks["s101"][f"rating_{i}"] for i in range(1, 6)] == [0, 1, 1, 1, 1]
    assert clerks["s101"]["bad_ratings"] == 1 and clerks["s102"]["bad_ratings"] == 1
    assert clerks["s101"]["satisfaction_rate"] == pytest.approx(3 / 4)

    titles = {c.key: c.title("zh") for c in report.table("department").columns}
    assert [titles[f"rating_{i}"] for i in range(1, 6)] == NATIONAL_RATING_LABELS["zh"]
    assert titles["satisfaction_rate"] == "好评率" and titles["bad_rating_rate"] == "差评率"
    en = {c.key: c.title("en") for c in report.table("department").columns}
    assert en["rating_3"] == "Basically satisfied" and en["satisfaction_rate"] == "Good-rating rate"
