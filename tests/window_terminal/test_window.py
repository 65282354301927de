"""The real clerk window, offscreen, against a real queue broker on a real Mosquitto.

Each test drives the window the way a clerk does (buttons, F-keys, Enter) and checks what the
broker did (events, states) and what the window shows; each state is saved as a screenshot
under build/screenshots/window-terminal-*.png.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tests.support.mqtt import RawClient
from tests.window_terminal.conftest import idle, shot, until

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

LEFT = Qt.MouseButton.LeftButton


def login(win, qtbot, staff="s101", post="A", pin="2468"):
    win.staff_edit.setText(staff)
    win.pin_edit.setText(pin)
    qtbot.mouseClick(win.post_buttons[post], LEFT)
    qtbot.keyClick(win.staff_edit, Qt.Key.Key_Return)
    idle(win, "login reply")


def key(win, qtbot, k):
    qtbot.keyClick(win, k)
    idle(win, f"reply to {k}")


def test_login_next_timer_recall_limit_and_no_show(make_terminal, kiosk, events, qtbot, clock):
    win = make_terminal()
    assert win.pages.currentWidget() is win.login_page
    assert win.message.isHidden()
    shot(win, "01-login")

    login(win, qtbot)
    assert win.model.status == "open"
    assert win.pages.currentWidget() is win.main_page
    assert "张敏" in win.h_clerk.text() and "A岗" in win.h_clerk.text()
    assert win.h_status.text() == "在岗"
    assert win.message.text() == "张敏 已登录（A岗）。"
    shot(win, "02-logged-in-idle")

    first = kiosk(matter="transcript")  # 10-minute limit
    kiosk(matter="status-change")
    until(lambda: win._dep_rows and win._dep_rows[0][2].text() == "2", "waiting count 2")
    key(win, qtbot, Qt.Key.Key_F1)
    assert win.number.text() == first["number"] == "A001"
    assert win.matter.text() == "成绩单打印与盖章"
    assert win.message.text() == "已叫号 A001。"
    until(lambda: len(events.of("ticket.called")) == 1, "ticket.called")  # the lobby's own link
    until(lambda: win._dep_rows[0][2].text() == "1", "waiting count 1")
    assert win.recalls.text() == "还可重呼 2/2 次"
    assert not win.buttons["next"].isEnabled() and not win.buttons["pause"].isEnabled()
    assert not win.logout_button.isEnabled()

    # The service timer against the matter's 10-minute limit: green, amber at 80 %, red at 100 %.
    clock.advance(3 * 60 + 20)
    win._render_timer()
    assert win.timer.property("level") == "normal"
    assert win.timer.text() == "办理用时 3 分 20 秒  /  时限 10 分钟"
    shot(win, "03-serving")
    clock.advance(5 * 60)
    win._render_timer()
    assert win.timer.property("level") == "amber"
    shot(win, "04-timer-amber")
    clock.advance(2 * 60)
    win._render_timer()
    assert win.timer.property("level") == "red"
    shot(win, "05-timer-red")

    # Recall until the hall's limit (2); then Recall is grey and F2 says why in plain words.
    qtbot.mouseClick(win.buttons["recall"], LEFT)
    idle(win)
    assert win.buttons["recall"].title.text() == "重呼（剩 1 次）"
    key(win, qtbot, Qt.Key.Key_F2)
    assert win.model.recalls_left == 0
    assert not win.buttons["recall"].isEnabled()
    assert win.recalls.text() == "已达重呼上限"
    until(lambda: len(events.of("ticket.recalled")) == 2, "ticket.recalled twice")
    qtbot.keyClick(win, Qt.Key.Key_F2)
    assert win.model.in_flight is None
    assert win.message.text() == "A001 已重呼 2 次（上限）。请记为过号或开始办理。"
    assert win.message.property("kind") == "error"
    shot(win, "06-recall-limit")
    assert len(events.of("ticket.recalled")) == 2

    key(win, qtbot, Qt.Key.Key_F3)  # no-show
    until(lambda: events.of("ticket.no_show"), "no_show event")
    assert events.of("ticket.no_show")[0]["ticket"]["number"] == "A001"
    assert win.model.current is None and win.number.isHidden()
    assert win.message.text() == "A001 已记为过号。"
    assert win.buttons["next"].isEnabled()
    shot(win, "07-no-show")


def test_transfer_finish_outcomes_and_rating(make_terminal, kiosk, events, device, qtbot, clock):
    win = make_terminal()
    login(win, qtbot)
    for matter in ("transcript", "status-change", "transcript", "transcript"):
        kiosk(matter=matter)

    # Transfer A001 to Finance, matter "tuition": the ticket keeps its number and its place.
    key(win, qtbot, Qt.Key.Key_F1)
    qtbot.keyClick(win, Qt.Key.Key_F5)
    assert win.bottom.currentIndex() == 1
    assert set(win.tr_buttons) == {"finance", "student-affairs", "international"}
    qtbot.mouseClick(win.tr_buttons["finance"], LEFT)
    win.choose_transfer_matter("tuition")
    assert win.tr_matter.currentText() == "学费缴纳与票据"
    shot(win, "08-transfer-panel")
    qtbot.keyClick(win, Qt.Key.Key_Return)
    assert win.bottom.currentIndex() == 3, "no Finance window is open: it asks first"
    qtbot.keyClick(win, Qt.Key.Key_Return)
    idle(win)
    until(lambda: events.of("ticket.transferred"), "ticket.transferred")
    moved = events.of("ticket.transferred")
    assert len(moved) == 1 and moved[0]["department"] == "finance"
    assert moved[0]["ticket"]["number"] == "A001" and moved[0]["ticket"]["matter"] == "tuition"
    assert win.bottom.currentIndex() == 0 and win.model.current is None
    assert win.message.text() == "A001 已转到 财务处（学费与报销）。"
    until(lambda: win.model.queues.get("finance", {}).get("waiting") == 1, "finance queue")

    # Finish with each outcome: done (F4), returned (button), needs documents (F8).
    outcomes = []
    for press, outcome, text in (
        (Qt.Key.Key_F4, "done", "已办结"),
        ("returned", "returned", "已退回"),
        (Qt.Key.Key_F8, "needs_documents", "已记为需补件"),
    ):
        key(win, qtbot, Qt.Key.Key_F1)
        number = win.model.current["number"]
        clock.advance(90)
        if isinstance(press, str):
            qtbot.mouseClick(win.buttons[press], LEFT)
            idle(win)
        else:
            key(win, qtbot, press)
        if outcome == "needs_documents":  # F8 asks which materials are missing first
            assert win.bottom.currentIndex() == 4 and len(win._material_boxes) == 2
            win._material_boxes[1].setChecked(True)
            key(win, qtbot, Qt.Key.Key_Return)
        outcomes.append(outcome)
        until(lambda: len(events.of("ticket.finished")) == len(outcomes), "finished event")
        assert events.of("ticket.finished")[-1]["ticket"]["outcome"] == outcome
        assert win.message.text() == f"{number} {text}。"
        until(lambda: win.served.text() == str(len(outcomes)), "served today")
    assert win.last_line.text() == "A004 · 需补件"
    assert win.rating.text() == "等待评价"
    shot(win, "09-finished-waiting-for-rating")

    # The rating pad rates the last ticket: the clerk sees that it arrived, not the score.
    pad = device("rating", "pad-w01")
    reply = pad.request("rating.submit", ticket_id=win.model.last_finished["ticket_id"], score=3)
    assert reply["ok"], reply
    until(lambda: win.model.rated and "已收到评价" in win.rating.text(), "rating indicator")
    assert win.rating.text() == "✓ 已收到评价"
    assert "满意" not in win.rating.text()
    shot(win, "10-rating-received")


def test_pause_resume_b_takeover_and_logout(make_terminal, kiosk, events, qtbot):
    win = make_terminal()
    login(win, qtbot)

    qtbot.keyClick(win, Qt.Key.Key_F6)
    assert win.bottom.currentIndex() == 2
    qtbot.mouseClick(win.pa_buttons["training"], LEFT)
    shot(win, "11-pause-panel")
    qtbot.mouseClick(win.pa_confirm, LEFT)
    idle(win)
    assert win.model.status == "paused" and win.model.window["pause_reason"] == "training"
    assert win.h_status.text() == "暂停：培训"
    assert win.buttons["pause"].title.text() == "恢复服务"
    assert not win.buttons["next"].isEnabled()
    qtbot.keyClick(win, Qt.Key.Key_F1)  # Next while paused: plain words, nothing sent
    assert win.message.text() == "窗口已暂停，请先恢复服务。"
    shot(win, "12-paused")

    key(win, qtbot, Qt.Key.Key_F6)
    assert win.model.status == "open" and win.message.text() == "已恢复服务。"

    # A free-text reason works too.
    qtbot.keyClick(win, Qt.Key.Key_F6)
    qtbot.keyClicks(
        win.pa_other, "IT "
    )  # QTest types ASCII only; the rest as an input method would
    win.pa_other.insert("设备维修")
    qtbot.keyClick(win.pa_other, Qt.Key.Key_Return)
    idle(win)
    assert win.model.window["pause_reason"] == "IT 设备维修"
    assert win.h_status.text() == "暂停：IT 设备维修"
    key(win, qtbot, Qt.Key.Key_F6)

    # The B clerk takes over while A steps away (no logout in between).
    qtbot.mouseClick(win.change_button, LEFT)
    assert win.pages.currentWidget() is win.login_page
    assert win.post_buttons["B"].isChecked()
    assert "张敏" in win.l_info.text()
    shot(win, "13-change-clerk")
    win.staff_edit.setText("s102")
    win.pin_edit.setText("2468")
    qtbot.mouseClick(win.login_button, LEFT)
    idle(win)
    assert win.pages.currentWidget() is win.main_page
    assert win.model.staff["id"] == "s102" and win.model.staff["post"] == "B"
    assert "李华" in win.h_clerk.text() and "B岗" in win.h_clerk.text()
    # The event reaches the lobby on its own connection: it may come just after the reply.
    until(lambda: events.of("window.changed")[-1].get("staff") == "s102", "window.changed")
    assert events.of("window.changed")[-1]["replaced"] == "s101"
    shot(win, "14-b-took-over")

    # Nobody takes over in the middle of a visitor.
    kiosk()
    key(win, qtbot, Qt.Key.Key_F1)
    qtbot.mouseClick(win.change_button, LEFT)
    win.staff_edit.setText("s101")
    win.pin_edit.setText("2468")
    win.set_post("A")
    qtbot.keyClick(win.staff_edit, Qt.Key.Key_Return)
    idle(win)
    assert win.message.text() == "请先办完当前的号，再换人登录。"
    assert win.model.staff["id"] == "s102"
    qtbot.keyClick(win, Qt.Key.Key_Escape)
    assert win.pages.currentWidget() is win.main_page
    key(win, qtbot, Qt.Key.Key_F4)

    qtbot.mouseClick(win.logout_button, LEFT)
    idle(win)
    assert win.model.status == "closed"
    assert win.pages.currentWidget() is win.login_page
    assert win.message.text() == "已退出登录。"
    assert win.h_status.text() == "未登录"
    shot(win, "15-logged-out")


def test_errors_in_plain_words(make_terminal, kiosk, qtbot):
    win = make_terminal()
    qtbot.keyClick(win.staff_edit, Qt.Key.Key_Return)  # nothing typed
    assert win.message.text() == "请输入工号。"
    login(win, qtbot, staff="s999")
    assert win.model.status == "closed"
    assert win.message.text() == "工号 s999 不存在。请核对工号。"
    assert win.message.property("kind") == "error"
    shot(win, "16-unknown-staff")
    login(win, qtbot, staff="s201")  # a finance clerk at a registrar window
    assert win.message.text() == "s201 不属于本窗口的部门，不能在这里登录。"

    login(win, qtbot, staff="S101")  # ids are not case-sensitive for the clerk
    key(win, qtbot, Qt.Key.Key_F1)
    assert win.model.current is None
    assert win.message.text() == "现在没有人在等候本窗口。"
    shot(win, "17-queue-empty")
    # Keys for a ticket that is not there: nothing is sent, the clerk is told why.
    sent = len(win.controller.sent)
    qtbot.keyClick(win, Qt.Key.Key_F4)
    qtbot.keyClick(win, Qt.Key.Key_F5)
    assert win.message.text() == "当前没有正在办理的号。"
    assert len(win.controller.sent) == sent and win.bottom.currentIndex() == 0


def test_double_press_calls_exactly_one_visitor(make_terminal, kiosk, events, mosquitto, qtbot):
    win = make_terminal()
    login(win, qtbot)
    for _ in range(3):
        kiosk()
    spy = RawClient(mosquitto.port)
    try:
        spy.subscribe("hallcall/v1/campus-hall/cmd/window/w01")
        qtbot.mouseClick(win.buttons["next"], LEFT)
        assert not win.buttons["next"].isEnabled()  # grey while the command is in flight
        shot(win, "18-in-flight")
        qtbot.mouseClick(win.buttons["next"], LEFT)
        qtbot.keyClick(win, Qt.Key.Key_F1)
        win.controller.keypad_action("next")
        idle(win)
        until(lambda: len(events.of("ticket.called")) >= 1, "called")
        until(lambda: win._dep_rows[0][2].text() == "2", "waiting count")
        calls = [p for _, p in spy.messages if p.get("op") == "call.next"]
        assert len(calls) == 1
        assert len(events.of("ticket.called")) == 1
        assert win.model.current["number"] == "A001"
    finally:
        spy.stop()


def test_restarted_terminal_shows_the_current_ticket_without_calling_again(
    make_terminal, kiosk, events, device, qtbot
):
    win = make_terminal()
    login(win, qtbot)
    kiosk()
    kiosk()
    key(win, qtbot, Qt.Key.Key_F1)
    key(win, qtbot, Qt.Key.Key_F2)
    win.terminal.stop()  # closes the window and leaves MQTT

    again = make_terminal()  # a new process would do the same: a new client, a new window
    assert again is not win
    assert again.pages.currentWidget() is again.main_page
    assert again.number.text() == "A001"
    assert again.model.staff["id"] == "s101"
    assert again.model.recalls_left == 1
    assert again.controller.sent == []
    assert len(events.of("ticket.called")) == 1
    assert again.message.isHidden()
    shot(win=again, name="19-after-restart")


def test_broker_unreachable_then_back(make_terminal, kiosk, events, broker, mosquitto, qtbot):
    win = make_terminal()
    login(win, qtbot)
    kiosk()
    key(win, qtbot, Qt.Key.Key_F1)

    mosquitto.stop()
    until(lambda: not win.model.connected, "disconnect noticed")
    assert win.message.text().startswith("连不上排队服务器")
    assert "未连接" in win.h_net.text()
    assert not any(b.isEnabled() for b in win.buttons.values())
    assert win.number.text() == "A001"  # what is known stays on screen
    shot(win, "20-broker-unreachable")
    assert not win.controller.keypad_action("finish")  # a keypad press is refused too

    mosquitto.start()  # same port; it lost every retained message
    until(lambda: win.model.connected and win.model.server_online, "reconnected", timeout=20)
    until(lambda: broker.ready.is_set() and win.model.catalog is not None, "republished")
    assert win.message.isHidden()
    assert win.number.text() == "A001" and win.buttons["done"].isEnabled()
    key(win, qtbot, Qt.Key.Key_F4)
    assert win.message.text() == "A001 已办结。"
    assert (
        len(events.of("ticket.called")) <= 1
    )  # the lobby client lost its subscription, not the call

    broker.stop()  # the queue broker itself stops: Mosquitto says so (its status goes offline)
    until(lambda: not win.model.server_online, "server offline")
    assert win.message.text() == "排队服务没有运行。请联系大厅管理员。"
    assert not win.buttons["next"].isEnabled()
    shot(win, "21-queue-service-down")


def test_english_terminal(make_terminal, kiosk, qtbot, clock):
    win = make_terminal(lang="en")
    shot(win, "22-en-login")
    login(win, qtbot)
    kiosk(matter="status-change", priority="priority")
    kiosk()
    key(win, qtbot, Qt.Key.Key_F1)
    assert win.message.text() == "Called A001."
    assert win.badges["priority"].isVisible()
    clock.advance(17 * 60)  # 20-minute limit: 85 %
    win._render_timer()
    assert win.timer.property("level") == "amber"
    assert win.timer.text() == "Serving for 17:00  /  limit 20 min"
    shot(win, "23-en-serving-amber")
    qtbot.keyClick(win, Qt.Key.Key_F5)
    qtbot.mouseClick(win.tr_buttons["international"], LEFT)
    shot(win, "24-en-transfer-panel")
    qtbot.keyClick(win, Qt.Key.Key_Escape)
    assert win.bottom.currentIndex() == 0
    qtbot.mouseClick(win.lang_button, LEFT)  # the clerk switches language
    assert win.buttons["next"].title.text() == "叫下一位"
    qtbot.mouseClick(win.lang_button, LEFT)
    assert win.buttons["next"].title.text() == "Next"
    key(win, qtbot, Qt.Key.Key_F4)
    qtbot.keyClick(win, Qt.Key.Key_F6)
    key(win, qtbot, Qt.Key.Key_Return)
    assert win.model.window["pause_reason"] == "break"
    assert win.h_status.text() == "Paused: Break"
    shot(win, "25-en-paused")


def test_default_language_is_the_halls(make_terminal):
    win = make_terminal(lang=None)
    assert win.model.lang == "zh"  # example hall: default_language = "zh"
    assert win.l_title.text() == "工作人员登录"


def test_a_hung_or_failing_queue_broker_is_told_in_plain_words(make_terminal, kiosk, broker, qtbot):
    win = make_terminal(timeout=1.0)
    login(win, qtbot)
    kiosk()
    run_batch = broker._run
    broker._run = lambda batch: None  # the broker takes the command and never answers
    try:
        qtbot.keyClick(win, Qt.Key.Key_F1)
        assert not win.buttons["next"].isEnabled()
        idle(win, "timeout")
        assert win.message.text() == "排队服务器没有及时回应。请稍候查看画面，必要时再试。"
        assert win.buttons["next"].isEnabled()  # the clerk may try again
        shot(win, "27-timeout")
    finally:
        broker._run = run_batch

    def fail(messages):
        raise RuntimeError("database is locked")

    run = broker.bus.run
    # E.g. the database went away: the broker answers "unavailable" (without the request_id,
    # so the reply is tied to the command in flight, not left to time out).
    broker.bus.run = fail
    try:
        key(win, qtbot, Qt.Key.Key_F1)
        shot(win, "29-unavailable")
        assert (
            win.message.text()
            == "排队服务暂时处理不了这个操作。请稍后再试；一直不行请联系大厅管理员。"
        )
    finally:
        broker.bus.run = run
    key(win, qtbot, Qt.Key.Key_F1)
    assert win.number.text() == "A001"


def test_flex_window_follows_the_admins_assignment(make_terminal, kiosk, device, qtbot):
    win = make_terminal(window_id="w07")
    login(win, qtbot, staff="s202", post="B")
    assert win.h_sub.text() == "弹性窗口（未分配业务）"
    assert not win.buttons["next"].isEnabled()
    assert win.hint.text() == "这个弹性窗口还没有分配业务，请联系大厅管理员。"
    kiosk(department="finance", matter="tuition")
    admin = device("admin", "office")
    assert admin.request("window.assign", window="w07", departments=["finance", "registrar"])["ok"]
    until(lambda: len(win._dep_rows) == 2, "two departments shown")
    assert win.h_sub.text() == "财务处（学费与报销） · 教务处（学籍与成绩）"
    until(lambda: [r[2].text() for r in win._dep_rows] == ["1", "0"], "waiting counts")
    shot(win, "28-flex-window-assigned")
    key(win, qtbot, Qt.Key.Key_F1)
    assert win.number.text() == "B001"
