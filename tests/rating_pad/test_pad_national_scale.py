"""A government hall on the national five-level scale (政务服务"好差评"): the pad shows exactly
the national names in both languages and on both pad sizes, and a bad rating opens a
rectification case. Screenshots: build/screenshots/rating_pad_national_*.png."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from hallcall.broker.reports.rectification import CaseBook
from hallcall.config.loader import EXAMPLE_HALL, load_config
from hallcall.protocol.ratings import NATIONAL_RATING_LABELS
from hallcall.rating_pad.model import Phase
from tests.rating_pad.conftest import Clerk, pump, ratings
from tests.support.mqtt import wait_for
from tests.support.screens import save_screenshot

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def hall_config():
    cfg = load_config(EXAMPLE_HALL)
    hall = cfg.hall.model_copy(update={"rating_scale": 5, "rating_label_set": "national"})
    return cfg.model_copy(update={"hall": hall})


@pytest.mark.parametrize("size", [(800, 480), (1024, 600)], ids=["800x480", "1024x600"])
def test_the_national_names_fit_and_a_bad_rating_opens_a_case(
    queue_broker, device, engine, start_pad, cjk, qtbot, hall_config, size
):
    queue_broker()
    clerk = Clerk(device)
    app = start_pad(size=size)
    ticket = clerk.serve()
    wait_for(lambda: app.model.phase is Phase.ASKING, what="asking", pump=pump)
    name = f"{size[0]}x{size[1]}"
    for lang in ("zh", "en"):
        if app.model.lang != lang:
            app.controller.switch_language()
            pump()
        buttons = app.window.ask.buttons
        best_first = list(reversed(NATIONAL_RATING_LABELS[lang]))
        assert [b.text() for b in buttons] == best_first
        for b in buttons:  # each name whole on its button, in its own font
            need = b.fontMetrics().horizontalAdvance(b.text())
            assert b.isVisible() and b.width() >= need, (b.text(), b.width(), need)
        save_screenshot(app.window, f"rating_pad_national_{lang}_{name}")

    qtbot.mouseClick(next(b for b in app.window.ask.buttons if b.score == 2), Qt.LeftButton)
    assert app.model.phase is Phase.FOLLOW_UP  # 不满意 is a bad rating: the reasons are asked
    qtbot.mouseClick(app.window.follow.chips[0], Qt.LeftButton)
    qtbot.mouseClick(app.window.follow.submit_button, Qt.LeftButton)
    wait_for(lambda: len(ratings(engine)) == 1, what="the rating", pump=pump)
    [case] = CaseBook(hall_config, engine).list()
    assert (case.ticket_id, case.score, case.scale) == (ticket["id"], 2, 5)
    assert case.department == ticket["department"] and case.window == "w01"
