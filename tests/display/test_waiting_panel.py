"""The waiting panel and the notice band (#12 item 4), rendered offscreen without a broker.

Halls of 8, 12 and 16 departments with government-length names, in both layouts and with
Chinese or English first: every department's name is shown whole (smaller, on more lines, or
on a later page, never cut with "…"), each line drawn fits its box, and a hall without a notice
gets no empty ticker band. Screenshots: build/screenshots/lobby-waiting-*.png.
"""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor

from hallcall.display.model import LobbyModel
from hallcall.display.widgets import BG, NAME_MIN_PX, PAGE_S, LobbyScreen, name_lines
from tests.display.checks import assert_lines_fit, assert_no_tofu
from tests.display.synthetic import NOTICE, SyntheticHall
from tests.support.screens import save_screenshot

SIZES = {"landscape": (1920, 1080), "portrait": (1080, 1920)}


def lobby(departments: int, languages=("zh", "en"), notice=NOTICE):
    """A model mid-morning: the hall's catalog, every window and queue, six calls."""
    hall = SyntheticHall(windows=20, departments=departments, notice=notice)
    model = LobbyModel(languages)
    model.set_connected(True)
    model.apply("server/status", {"state": "online"})
    for topic, payload in hall.opening():
        model.apply(topic, payload)
    for i in range(6):
        for topic, payload in hall.call(i):
            model.apply(topic, payload)
    return model, hall


def shown(qtbot, layout: str, model: LobbyModel) -> LobbyScreen:
    screen = LobbyScreen(layout, flash_s=0)
    qtbot.addWidget(screen)
    screen.resize(*SIZES[layout])
    screen.show_snapshot(model.snapshot())
    screen.show()
    qtbot.waitExposed(screen)
    screen.grab()  # paints every part now (as the screenshots do)
    return screen


def squeeze(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("notice", [True, False], ids=["notice", "no-notice"])
@pytest.mark.parametrize("departments", [8, 12, 16])
@pytest.mark.parametrize("languages", [("zh", "en"), ("en", "zh")], ids=["zh", "en"])
@pytest.mark.parametrize("layout", ["landscape", "portrait"])
def test_every_department_name_is_shown_whole(
    qtbot, lobby_fonts, layout, languages, departments, notice
):
    model, _ = lobby(departments, languages, NOTICE if notice else None)
    snap = model.snapshot()
    screen = shown(qtbot, layout, model)
    waiting = screen.waiting
    drawn = screen.drawn_texts()["waiting"]
    assert len(drawn) > len(snap.queues)  # painted, with its names
    assert not [t for t in drawn if "…" in t], drawn
    assert not waiting.elided, waiting.elided

    names = {q.department: q.name[0] for q in snap.queues}
    seen: list[str] = []
    pages = waiting.pages
    for page in range(len(pages)):
        waiting.show_page(page)
        waiting.grab()
        kind = "notice" if notice else "none"
        save_screenshot(
            screen, f"lobby-waiting-{layout}-{languages[0]}-{departments}-{kind}-p{page + 1}"
        )
        drawn = screen.drawn_texts()["waiting"]
        assert not waiting.elided and not [t for t in drawn if "…" in t], drawn
        assert_lines_fit(waiting)
        assert list(waiting.shown_names) == pages[page]
        for dep, lines in waiting.shown_names.items():
            assert squeeze("".join(lines)) == squeeze(names[dep])  # the whole name, in order
            assert all(line in drawn for line in lines)
            assert len(lines) <= 3
        name_lines_drawn = {line for lines in waiting.shown_names.values() for line in lines}
        name_sizes = {f.pixelSize() for text, _, f in waiting.boxes if text in name_lines_drawn}
        assert name_sizes and min(name_sizes) >= NAME_MIN_PX  # readable across the hall
        if len(pages) > 1:
            assert f"{page + 1}/{len(pages)}" in drawn  # which page this is, and how many
        else:
            assert not [t for t in drawn if "/" in t]
        seen += list(waiting.shown_names)
        assert_no_tofu(screen)
    assert sorted(seen) == sorted(names)  # every department once, none left out
    if layout == "landscape" and departments <= 8:
        assert len(pages) == 1  # eight departments fit on one landscape page
    if layout == "landscape" and languages[0] == "zh" and departments == 12 and not notice:
        assert len(pages) == 1  # the ticker's space lets twelve fit


@pytest.mark.parametrize("languages", [("zh", "en"), ("en", "zh")], ids=["zh", "en"])
@pytest.mark.parametrize("layout", ["landscape", "portrait"])
def test_long_queues_priority_and_closed_departments_fit_too(qtbot, lobby_fonts, layout, languages):
    model, hall = lobby(12, languages)
    topic, busy = hall.queue_state("d1", 128)
    model.apply(topic, {**busy, "priority_waiting": 12})
    topic, shut = hall.queue_state("d2", 0)
    model.apply(topic, {**shut, "closed": True})
    snap = model.snapshot()
    screen = shown(qtbot, layout, model)
    waiting = screen.waiting
    drawn: list[str] = []
    seen: list[str] = []
    for page in range(len(waiting.pages)):
        waiting.show_page(page)
        waiting.grab()
        assert_lines_fit(waiting)
        if page == 0:  # the busy and the closed department are on the first page
            save_screenshot(screen, f"lobby-waiting-busy-{layout}-{languages[0]}")
        drawn += screen.drawn_texts()["waiting"]
        seen += [
            dep
            for dep, lines in waiting.shown_names.items()
            if squeeze("".join(lines))
            == squeeze(next(q.name[0] for q in snap.queues if q.department == dep))
        ]
    assert not waiting.elided and not [t for t in drawn if "…" in t]
    assert sorted(seen) == sorted(q.department for q in snap.queues)
    assert "128" in drawn
    if languages[0] == "zh":
        assert "人 优先 12" in drawn and "已停止" in drawn
    else:
        assert "priority 12" in drawn and "closed" in drawn


def test_pages_turn_by_themselves_and_a_hall_that_fits_does_not_page(qtbot, lobby_fonts):
    model, _ = lobby(16)
    screen = shown(qtbot, "landscape", model)
    waiting = screen.waiting
    pages = waiting.pages
    assert len(pages) >= 2
    assert waiting.timer.isActive() and waiting.timer.interval() == PAGE_S * 1000
    first = list(waiting.shown_names)
    assert first == pages[0]
    waiting.timer.setInterval(100)
    qtbot.waitUntil(lambda: waiting.page == 1, timeout=3000)
    waiting.grab()
    assert list(waiting.shown_names) == pages[1]
    assert f"2/{len(pages)}" in screen.drawn_texts()["waiting"]
    qtbot.waitUntil(lambda: waiting.page == 0, timeout=3000)  # ...and round again

    small, _ = lobby(4)
    screen.show_snapshot(small.snapshot())
    waiting.grab()
    assert len(waiting.pages) == 1 and not waiting.timer.isActive() and waiting.page == 0
    assert len(waiting.shown_names) == 4


def test_a_bracketed_name_breaks_before_its_bracket(qtbot, lobby_fonts):
    name = "人力资源和社会保障局（社保医保参保登记）"
    assert name_lines(name, 230.0, 22, 2) == ("人力资源和社会保障局", "（社保医保参保登记）")
    assert name_lines(name, 2000.0, 22, 2) == (name,)
    assert name_lines(name, 120.0, 22, 2) is None  # would need more lines than allowed
    long_en = "Healthcare Security Administration (Transfers & Out-of-Town Treatment)"
    lines = name_lines(long_en, 300.0, 20, 3)
    assert lines and len(lines) == 3 and all(not line.startswith(" ") for line in lines)


@pytest.mark.parametrize("layout", ["landscape", "portrait"])
def test_no_notice_no_ticker_band(qtbot, lobby_fonts, layout):
    w, h = SIZES[layout]
    model, hall = lobby(12, notice=None)
    screen = shown(qtbot, layout, model)
    save_screenshot(screen, f"lobby-no-notice-{layout}")
    assert screen.marquee.isHidden() and not screen.marquee.timer.isActive()
    assert "marquee" not in screen.drawn_texts()
    # the band's place goes to the waiting panel, down to the screen's bottom margin
    assert screen.waiting.geometry().bottom() >= h - 20
    image = screen.grab().toImage()
    assert image.pixelColor(8, h - 30) == QColor(BG)  # no band drawn across the bottom
    assert_no_tofu(screen)

    # a notice set later brings the band back and the panel makes room for it
    hall.notice = {"zh": "今日下午四点停止取号。", "en": "No tickets after 4 pm today."}
    model.apply(*hall.catalog())
    screen.show_snapshot(model.snapshot())
    screen.grab()
    assert screen.marquee.isVisible()
    assert screen.waiting.geometry().bottom() < screen.marquee.geometry().top()
    notice = "今日下午四点停止取号。　　No tickets after 4 pm today."
    assert notice in screen.drawn_texts()["marquee"]
    assert_lines_fit(screen.waiting)
    save_screenshot(screen, f"lobby-notice-back-{layout}")

    hall.notice = None
    model.apply(*hall.catalog())
    screen.show_snapshot(model.snapshot())
    assert screen.marquee.isHidden()
    assert screen.waiting.geometry().bottom() >= h - 20
