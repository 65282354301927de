"""The clerk terminal after #12 items 6-7, offscreen against a real queue broker on Mosquitto:
the PIN at log-in, questions before a no-show that was never recalled and before a transfer to a
department with no open window, 需补件 with the missing materials picked from the guide and
shown to the visitor in both languages, a 办结 button that looks disabled when it is, and no
stale 'waiting for rating' or 'Called A001.' lines. Screenshots: build/screenshots/window-terminal-2*.png.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.window_terminal.conftest import shot, until
from tests.window_terminal.test_window import LEFT, key, login

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def test_a_wrong_pin_is_refused_in_plain_words_and_five_lock_the_id(make_terminal, qtbot):
    win = make_terminal()
    assert win.pin_edit.isVisible() and win.pin_edit.echoMode() == win.pin_edit.EchoMode.Password
    shot(win, "20-login-with-pin")
    login(win, qtbot, pin="1357")
    assert win.model.status == "closed" and win.pin_edit.text() == "", (
        "the PIN is not left on screen"
    )
    assert win.message.text() == "PIN 不正确。再错 4 次，该工号将被锁定。"
    for _ in range(4):
        login(win, qtbot, pin="1357")
    assert win.message.text().startswith("工号 s101 多次输错 PIN，已锁定到 09:15。")
    shot(win, "21-pin-locked")
    login(win, qtbot)  # the right PIN, but locked
    assert win.model.status == "closed"


def test_no_show_before_any_recall_asks_and_after_a_recall_does_not(
    make_terminal, kiosk, events, qtbot
):
    win = make_terminal()
    login(win, qtbot)
    kiosk()
    kiosk()
    key(win, qtbot, Qt.Key.Key_F1)
    qtbot.keyClick(win, Qt.Key.Key_F3)
    assert win.bottom.currentIndex() == 3, "the question panel"
    assert win.cf_text.text() == "A001 还没有重呼过，访客可能没听到第一次叫号。确定记为过号吗？"
    shot(win, "22-no-show-asks")
    qtbot.keyClick(win, Qt.Key.Key_Escape)
    assert win.bottom.currentIndex() == 0 and win.model.current["number"] == "A001"
    assert not events.of("ticket.no_show")
    qtbot.keyClick(win, Qt.Key.Key_F3)
    key(win, qtbot, Qt.Key.Key_Return)
    until(lambda: events.of("ticket.no_show"), "no-show after yes")
    key(win, qtbot, Qt.Key.Key_F1)
    key(win, qtbot, Qt.Key.Key_F2)  # recalled once: the clerk has tried twice, no question
    key(win, qtbot, Qt.Key.Key_F3)
    until(lambda: len(events.of("ticket.no_show")) == 2, "second no-show at once")


def test_needs_documents_records_the_missing_materials_and_shows_them_to_the_visitor(
    make_terminal, kiosk, events, qtbot
):
    win = make_terminal()
    login(win, qtbot)
    kiosk(matter="status-change")
    key(win, qtbot, Qt.Key.Key_F1)
    qtbot.keyClick(win, Qt.Key.Key_F8)
    assert win.bottom.currentIndex() == 4
    assert [b.text() for b in win._material_boxes] == [
        "学籍异动申请表（学院盖章）",
        "校园卡",
        "医院证明（因病休学时）",
    ]
    qtbot.keyClick(win, Qt.Key.Key_Return)  # nothing ticked: it asks, nothing is sent
    assert win.message.text() == "请至少勾选一项缺少的材料。" and not events.of("ticket.finished")
    win._material_boxes[0].setChecked(True)
    win._material_boxes[2].setChecked(True)
    shot(win, "23-missing-materials-panel")
    key(win, qtbot, Qt.Key.Key_Return)
    until(lambda: events.of("ticket.finished"), "finished")
    finished = events.of("ticket.finished")[0]["ticket"]
    assert finished["outcome"] == "needs_documents"
    assert [m["en"] for m in finished["missing_materials"]] == [
        "Status change form stamped by your school",
        "Hospital certificate (for medical leave)",
    ]
    assert win.notice.isVisible()
    assert "请补齐以下材料" in win.notice_title.text() and "Please bring" in win.notice_title.text()
    assert win.notice_items.text() == (
        "1. 学籍异动申请表（学院盖章） · Status change form stamped by your school\n"
        "2. 医院证明（因病休学时） · Hospital certificate (for medical leave)"
    )
    shot(win, "24-missing-materials-for-the-visitor")
    qtbot.mouseClick(win.notice_close, LEFT)
    assert not win.notice.isVisible()


def test_a_long_guide_scrolls_in_the_missing_materials_panel(
    make_terminal, kiosk, qtbot, monkeypatch
):
    """Fourteen materials (a property registration's list) do not fit the panel's rows: each
    one can still be reached and ticked, none is cut off for good."""
    from PySide6.QtCore import QRect
    from PySide6.QtWidgets import QApplication

    win = make_terminal()
    login(win, qtbot)
    kiosk(matter="status-change")
    key(win, qtbot, Qt.Key.Key_F1)
    many = [
        {"zh": f"第 {i} 项证明材料（原件及复印件）", "en": f"Document {i} (original and copy)"}
        for i in range(1, 15)
    ]
    monkeypatch.setattr(win.model, "guide_materials", lambda: many)
    qtbot.keyClick(win, Qt.Key.Key_F8)
    assert win.bottom.currentIndex() == 4 and len(win._material_boxes) == 14
    QApplication.processEvents()
    viewport = win.mi_scroll.viewport()
    assert win.mi_scroll.verticalScrollBar().maximum() > 0, (
        "the list is longer than the panel: it scrolls"
    )
    for box in win._material_boxes:
        win.mi_scroll.ensureWidgetVisible(box, 0, 0)
        QApplication.processEvents()
        shown = QRect(box.mapTo(viewport, box.rect().topLeft()), box.size())
        assert viewport.rect().contains(shown), (box.text(), shown, viewport.rect())
    win._material_boxes[-1].setChecked(True)
    shot(win, "23b-missing-materials-long-guide")


def test_a_disabled_finish_button_looks_disabled(make_terminal, kiosk, qtbot):
    win = make_terminal()
    login(win, qtbot)

    def colour(button):
        image = button.grab().toImage()
        return image.pixelColor(image.width() // 2, 6)

    done = win.buttons["done"]
    assert not done.isEnabled()
    grey = colour(done)
    assert abs(grey.red() - grey.green()) < 12 and abs(grey.green() - grey.blue()) < 16, grey.name()
    assert colour(done).name() == colour(win.buttons["returned"]).name(), (
        "as grey as every disabled button"
    )
    shot(win, "25-finish-disabled")
    kiosk()
    key(win, qtbot, Qt.Key.Key_F1)
    green = colour(done)
    assert done.isEnabled() and green.green() > green.red() + 40, green.name()


def test_waiting_for_rating_ends_with_the_pads_timeout(make_terminal, kiosk, qtbot, clock):
    win = make_terminal()
    login(win, qtbot)
    kiosk()
    key(win, qtbot, Qt.Key.Key_F1)
    key(win, qtbot, Qt.Key.Key_F4)
    until(lambda: win.model.last_finished is not None, "last finished")
    assert win.rating.text() == "等待评价"
    clock.advance(31)  # the hall's rating_timeout_s is 30
    win._render_timer()  # what the one-second ticker does
    assert win.rating.text() == "未评价（评价器已超时）"
    shot(win, "26-rating-timed-out")


def test_a_transfer_to_a_department_with_no_open_window_asks(make_terminal, kiosk, events, qtbot):
    win = make_terminal()
    login(win, qtbot)
    kiosk()
    key(win, qtbot, Qt.Key.Key_F1)
    until(lambda: win.model.open_windows("finance") == 0, "finance queue state")
    qtbot.keyClick(win, Qt.Key.Key_F5)
    assert "暂无窗口开放" in win.tr_buttons["finance"].text()
    qtbot.mouseClick(win.tr_buttons["finance"], LEFT)
    qtbot.keyClick(win, Qt.Key.Key_Return)
    assert win.bottom.currentIndex() == 3 and not events.of("ticket.transferred")
    assert win.cf_text.text().startswith("财务处（学费与报销） 现在没有开放的窗口")
    shot(win, "27-transfer-to-closed-department")
    key(win, qtbot, Qt.Key.Key_Return)
    until(lambda: events.of("ticket.transferred"), "transferred after yes")


def test_the_close_of_day_leaves_no_called_banner(make_terminal, kiosk, device, qtbot):
    win = make_terminal()
    login(win, qtbot)
    kiosk()
    key(win, qtbot, Qt.Key.Key_F1)
    assert win.message.text() == "已叫号 A001。"
    admin = device("admin", "office")
    assert admin.request("day.close", actor="test")["ok"]
    until(lambda: win.model.status == "closed", "window closed by the close of day")
    assert win.message.text() == "大厅今日已结束服务，本窗口已关闭。"
    assert "A001" not in win.message.text()
    shot(win, "28-after-close-of-day")
