"""The start screen with twelve government-length department names, in portrait 1080x1920 and
landscape 1920x1080, Chinese and English (issue #12 item 2).

Every tile's name and detail are measured in the font they are drawn in: each line fits the
label's width, the lines fit its height, the label lies inside its tile, the tile inside the
screen, nothing is elided or cut; every department is reached with the page buttons; no glyph is
missing. Screenshots: build/screenshots/kiosk-long-names-*.png.
"""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QScrollArea

from hallcall.broker.service.projections import catalog as catalog_payload
from hallcall.device_kit.fonts import install_cjk_font
from hallcall.kiosk.model import KioskModel, Screen
from hallcall.kiosk.widgets import KioskWindow
from tests.kiosk.long_names import DEPARTMENTS, catalog, queues
from tests.support.screens import save_screenshot

PORTRAIT, LANDSCAPE = (1080, 1920), (1920, 1080)
SIZES = {"portrait": PORTRAIT, "landscape": LANDSCAPE}
NAME_MIN_PX, DETAIL_MIN_PX, TOUCH_MIN_PX = 30, 26, 96
pump = QApplication.processEvents


class Effects:
    def send(self, request_id, op, args): ...
    def check_printer(self, request_id): ...
    def print_ticket(self, request_id, ticket): ...
    def publish_health(self, health): ...


@pytest.fixture
def kiosk_window(qtbot, qapp):
    install_cjk_font(qapp)  # as the app does, before any widget

    def make(payload: dict, lang: str, size: tuple[int, int], queue_states: dict | None = None):
        m = KioskModel(Effects(), connect_grace_s=0)
        m.set_mqtt(True)
        m.set_server_status({"state": "online"})
        m.set_catalog(payload)
        m.set_printer_status("ok")
        for dep, state in (queue_states or {}).items():
            m.set_queue(dep, state)
        m.choose_language(lang)
        w = KioskWindow(m)
        qtbot.addWidget(w)
        w.fit(*size)
        w.show()
        settle()
        assert w.size().toTuple() == size and m.screen is Screen.START
        return m, w

    return make


def settle() -> None:
    for _ in range(4):
        pump()


def tap(qtbot, widget) -> None:
    assert widget.isVisible() and widget.isEnabled(), widget
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
    settle()


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def assert_text_fits(lbl: QLabel, whole: str, min_px: int) -> None:
    """The label shows `whole` in full, every line measured in its own font within its box."""
    text = lbl.text()
    assert "…" not in text and squash(text) == squash(whole), (text, whole)
    assert not lbl.wordWrap()  # the lines are ours, measured: Qt does not re-break them
    font = lbl.font()
    assert font.pixelSize() >= min_px, (whole, font.pixelSize())
    fm = QFontMetricsF(font)
    box = lbl.contentsRect()
    for line in text.split("\n"):
        assert fm.horizontalAdvance(line) <= box.width() + 0.5, (
            line,
            fm.horizontalAdvance(line),
            box,
        )
    lines = text.count("\n") + 1
    assert lines * fm.lineSpacing() <= box.height() + 1, (whole, lines, fm.lineSpacing(), box)
    assert lbl.sizeHint().height() <= lbl.height() and lbl.sizeHint().width() <= lbl.width() + 1, (
        whole
    )


def assert_no_tofu(page) -> None:
    """Every character on the page has a glyph in the font it is drawn in: no empty boxes."""
    missing = set()
    for w in page.findChildren(QLabel) + page.findChildren(QPushButton):
        if w.isVisibleTo(page):
            fm = QFontMetricsF(w.font())
            missing |= {ch for ch in w.text() if ch.strip() and not fm.inFontUcs4(ord(ch))}
    assert not missing, f"characters without a glyph: {sorted(missing)}"


def assert_page_fits(window, names: dict[str, str]) -> list[str]:
    """Check the page of departments on show; returns their ids in order."""
    start = window.screens[Screen.START]
    picker = start.picker
    assert window.overflow() == [], window.overflow()
    assert not start.findChildren(QScrollArea), "the department list must page, not scroll"
    screen = QRect(0, 0, window.width(), window.height())
    area = QRect(picker.mapTo(window, picker.rect().topLeft()), picker.size())
    assert screen.contains(area), (area, screen)
    tiles = [t for t in picker.tiles if t.isVisible()]
    assert tiles, "no department on show"
    pager = QRect(picker.pager.geometry()) if picker.pager.isVisible() else None
    tiles_by_id = {t.id: t for t in window.model.department_tiles()}
    shown = []
    for i, tile in enumerate(tiles):
        dep = tile.property("department")
        shown.append(dep)
        assert picker.rect().contains(tile.geometry()), (dep, tile.geometry(), picker.rect())
        assert tile.height() >= TOUCH_MIN_PX
        assert pager is None or not tile.geometry().intersects(pager), (
            dep,
            "under the page buttons",
        )
        assert not any(tile.geometry().intersects(o.geometry()) for o in tiles[i + 1 :]), dep
        inner = tile.contentsRect()
        detail = tiles_by_id[dep].detail
        labels = [(tile.name_label, names[dep], NAME_MIN_PX)]
        if detail:
            labels.append((tile.detail_label, detail, DETAIL_MIN_PX))
        for lbl, whole, min_px in labels:
            assert lbl.parentWidget() is tile and inner.contains(lbl.geometry()), (
                dep,
                lbl.geometry(),
                inner,
            )
            assert_text_fits(lbl, whole, min_px)
    if pager is not None:
        for b in (picker.previous, picker.next):
            assert b.height() >= TOUCH_MIN_PX and b.width() >= 300, (b.text(), b.size())
    assert_no_tofu(start)
    return shown


@pytest.mark.parametrize("orient", ["portrait", "landscape"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_twelve_long_names_fit_and_every_department_is_reached_by_page(
    qtbot, kiosk_window, lang, orient
):
    m, w = kiosk_window(catalog(), lang, SIZES[orient], queues())
    names = {dep: (zh if lang == "zh" else en) for dep, zh, en in DEPARTMENTS}
    picker = w.screens[Screen.START].picker
    assert picker.pager.isVisible(), "twelve long names cannot fit one page"
    count = m.department_page().count
    seen: list[str] = []
    for number in range(1, count + 1):
        expected = f"第 {number}/{count} 页" if lang == "zh" else f"Page {number} of {count}"
        assert picker.indicator.text() == expected
        assert picker.previous.isEnabled() == (number > 1)
        assert picker.next.isEnabled() == (number < count)
        assert picker.previous.text().endswith("上一页" if lang == "zh" else "Previous")
        assert picker.next.text().startswith("下一页" if lang == "zh" else "Next")
        seen += assert_page_fits(w, names)
        save_screenshot(w, f"kiosk-long-names-{lang}-{orient}-page{number}")
        if number < count:
            tap(qtbot, picker.next)
    assert seen == list(names), "each department once, in the hall's order"
    for _ in range(count - 1):  # and back to the first page
        tap(qtbot, picker.previous)
    first_page = [t.property("department") for t in picker.tiles if t.isVisible()]
    assert first_page == seen[: len(first_page)] and m.department_page().number == 1
    # a department on the last page opens like any other
    for _ in range(count - 1):
        tap(qtbot, picker.next)
    tap(qtbot, w.screens[Screen.START].department_tile(seen[-1]))
    assert m.screen is Screen.MATTERS and m.department_id == seen[-1]
    m.home()
    settle()
    assert m.department_page().number == 1 and picker.indicator.text().startswith(
        ("第 1/", "Page 1 ")
    )


def test_turning_the_kiosk_keeps_the_visitors_page(qtbot, kiosk_window):
    m, w = kiosk_window(catalog(), "zh", PORTRAIT, queues())
    picker = w.screens[Screen.START].picker
    tap(qtbot, picker.next)
    first = [t.property("department") for t in picker.tiles if t.isVisible()][0]
    w.fit(*LANDSCAPE)
    settle()
    assert first in [t.property("department") for t in picker.tiles if t.isVisible()]
    assert_page_fits(w, {dep: zh for dep, zh, _ in DEPARTMENTS})


@pytest.mark.parametrize("orient", ["portrait", "landscape"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_small_hall_has_one_page_and_no_page_buttons(kiosk_window, hall_config, lang, orient):
    payload = catalog_payload(hall_config, 3)
    m, w = kiosk_window(payload, lang, SIZES[orient])
    picker = w.screens[Screen.START].picker
    assert not picker.pager.isVisible() and m.department_page().count == 1
    names = {d["id"]: d["name"][lang] for d in payload["departments"]}
    assert assert_page_fits(w, names) == list(names)
    assert all(t.name_label.font().pixelSize() == 40 for t in picker.tiles)  # room: full size
    save_screenshot(w, f"kiosk-long-names-{lang}-{orient}-small-hall")


@pytest.mark.parametrize("orient", ["portrait", "landscape"])
def test_names_longer_than_any_hall_uses_are_still_whole(kiosk_window, orient):
    """A name too long even for one tile a page, and one word wider than a line: cut between
    characters, still whole and inside its tile, never elided."""
    odd = [
        (
            "long",
            "市民服务中心综合受理窗口" * 6 + "（企业开办、不动产登记、社保医保与公积金一窗通办）",
            "x",
        ),
        ("word", "Telecommunicationsinfrastructureadministrationandregulationdepartment", "y"),
        *DEPARTMENTS[:3],
    ]
    m, w = kiosk_window(catalog(odd), "zh", SIZES[orient])
    names = {dep: zh for dep, zh, _ in odd}
    picker = w.screens[Screen.START].picker
    seen = []
    for number in range(1, m.department_page().count + 1):
        seen += assert_page_fits(w, names)
        if number == 1:
            save_screenshot(w, f"kiosk-long-names-zh-{orient}-absurd")
        if picker.next.isVisible() and picker.next.isEnabled():
            picker.next.click()
            settle()
    assert seen == list(names)


@pytest.mark.parametrize("orient", ["portrait", "landscape"])
def test_with_the_priority_banner_names_still_fit_on_more_pages(qtbot, kiosk_window, orient):
    m, w = kiosk_window(catalog(), "en", SIZES[orient], queues())
    tap(qtbot, w.screens[Screen.START].priority_tile)
    assert m.priority and w.screens[Screen.START].banner.isVisible()
    picker = w.screens[Screen.START].picker
    names = {dep: en for dep, _, en in DEPARTMENTS}
    seen = []
    for number in range(1, m.department_page().count + 1):
        seen += assert_page_fits(w, names)
        if number == 1:
            save_screenshot(w, f"kiosk-long-names-en-{orient}-priority")
        if number < m.department_page().count:
            tap(qtbot, picker.next)
    assert seen == list(names)
