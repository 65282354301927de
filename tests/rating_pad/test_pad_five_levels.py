"""A hall that rates on five levels, with a clerk photo: the pad follows the catalog."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from hallcall.config.loader import EXAMPLE_HALL, load_config
from hallcall.rating_pad.model import Phase
from tests.rating_pad.conftest import Clerk, pump, ratings
from tests.support.mqtt import wait_for
from tests.support.screens import save_screenshot

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.fixture
def hall_config():
    """The example hall, rating on five levels, with a photo for clerk s101."""
    cfg = load_config(EXAMPLE_HALL)
    hall = cfg.hall.model_copy(update={"rating_scale": 5})
    staff = [s.model_copy(update={"photo": "s101.png"}) if s.id == "s101" else s for s in cfg.staff]
    return cfg.model_copy(update={"hall": hall, "staff": staff})


def draw_portrait(path) -> None:
    """A stand-in photo: a drawn head and shoulders on a blue backdrop."""
    image = QImage(240, 300, QImage.Format_RGB32)
    image.fill(QColor("#90A4AE"))
    p = QPainter(image)
    p.setRenderHint(QPainter.Antialiasing)
    p.setPen(Qt.NoPen)
    p.setBrush(QColor("#263238"))
    p.drawEllipse(QRectF(40, 210, 160, 160))
    p.setBrush(QColor("#FFCC80"))
    p.drawEllipse(QPointF(120, 130), 52, 62)
    p.setBrush(QColor("#3E2723"))
    p.drawChord(QRectF(66, 62, 108, 80), 0, 180 * 16)
    p.end()
    assert image.save(str(path))


def test_five_levels_with_the_clerks_photo(
    queue_broker, device, engine, start_pad, cjk, qtbot, tmp_path
):
    draw_portrait(tmp_path / "s101.png")
    queue_broker()
    clerk = Clerk(device)
    app = start_pad(photo_dir=tmp_path)
    wait_for(
        lambda: app.model.clerk is not None and app.window.idle.photo.has_photo,
        what="photo",
        pump=pump,
    )
    save_screenshot(app.window, "rating_pad_idle_with_photo")
    ticket = clerk.serve()
    wait_for(lambda: app.model.phase is Phase.ASKING, what="asking", pump=pump)
    assert app.model.scale == 5
    assert [b.text() for b in app.window.ask.buttons] == [
        "非常满意",
        "满意",
        "一般",
        "不满意",
        "非常不满意",
    ]
    save_screenshot(app.window, "rating_pad_asking_5_levels")
    app.controller.switch_language()
    pump()
    save_screenshot(app.window, "rating_pad_asking_5_levels_en")
    qtbot.mouseClick(next(b for b in app.window.ask.buttons if b.score == 4), Qt.LeftButton)
    wait_for(lambda: app.model.phase is Phase.THANKS, what="thanks", pump=pump)
    [row] = ratings(engine)
    assert (row.ticket_id, row.score, row.scale) == (ticket["id"], 4, 5)

    # Two on five opens the reasons too (the lowest two levels).
    ticket = clerk.serve()
    wait_for(
        lambda: app.model.phase is Phase.ASKING and app.model.question.ticket_id == ticket["id"],
        pump=pump,
    )
    qtbot.mouseClick(next(b for b in app.window.ask.buttons if b.score == 2), Qt.LeftButton)
    assert app.model.phase is Phase.FOLLOW_UP
    qtbot.mouseClick(app.window.follow.chips[3], Qt.LeftButton)
    qtbot.mouseClick(app.window.follow.submit_button, Qt.LeftButton)
    wait_for(lambda: len(ratings(engine)) == 2, what="second rating", pump=pump)
    assert (ratings(engine)[1].score, ratings(engine)[1].reasons) == (2, ["not_solved"])
