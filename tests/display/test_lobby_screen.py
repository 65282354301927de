"""The lobby screen against a real queue broker on a real Mosquitto, rendered offscreen.

A 20-window hall with long Chinese names, mid-day: both layouts are saved as screenshots under
build/screenshots/ (look at them), the display is restarted and shows the same picture from
retained state without calling anyone again, and the queue broker going away is shown.
"""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from tests.display.checks import assert_lines_fit, assert_no_tofu
from tests.display.halls import CALLING, PAUSE_REASON, PAUSED, big_hall, drive_midday, ok
from tests.support.mqtt import wait_for
from tests.support.screens import save_screenshot

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
pump = QApplication.processEvents


@pytest.fixture(scope="module")
def hall_config():
    return big_hall()


def ready(display, windows: int = 20):
    def check():
        snap = display.model.snapshot()
        return (
            snap.online
            and len(snap.windows) == windows
            and snap.newest is not None
            and len(snap.queues) == 8
        )

    return check


def settled(display, expected_newest: str, recall: bool):
    def check():
        snap = display.model.snapshot()
        paused = next((w for w in snap.windows if w.id == PAUSED), None)
        return (
            ready(display)()
            and snap.newest.number == expected_newest
            and snap.newest.recall is recall
            and paused is not None
            and paused.status == "paused"
        )

    return check


def test_both_layouts_mid_day_with_twenty_windows(queue_broker, device, make_display, qtbot):
    queue_broker()
    scene = drive_midday(device)
    called = dict(scene["called"])
    landscape = make_display("landscape")
    portrait = make_display("portrait")
    for d in (landscape, portrait):
        wait_for(settled(d, called["w03"], True), timeout=15, what="the mid-day picture", pump=pump)
    snap = landscape.model.snapshot()
    assert portrait.model.snapshot() == snap
    assert landscape.heard_calls == []  # everything was called before the display started

    # the picture the broker's retained state describes
    assert snap.newest.window_number == 3 and snap.newest.recall
    serving = {w.id: w.current for w in snap.windows if w.status == "serving"}
    assert serving == called
    statuses = {w.id: w.status for w in snap.windows}
    assert (
        statuses[PAUSED] == "paused" and statuses["w07"] == "closed" and statuses["w20"] == "closed"
    )
    assert statuses["w11"] == "open" and statuses["w14"] == "open"
    w17 = next(w for w in snap.windows if w.id == PAUSED)
    assert w17.pause_reason == PAUSE_REASON and w17.clerk[0] == "端木雨桐"
    # waiting counts are the broker's own
    kiosk_states = scene["kiosk"]  # the kiosk client does not subscribe; read the broker's states
    lobby_states = landscape.client.states
    for q in snap.queues:
        assert q.waiting == lobby_states[f"state/queue/{q.department}"]["waiting"]
    assert sum(q.waiting for q in snap.queues) == 8 * 4 - len(CALLING)
    assert kiosk_states is not None

    for display, name, size in (
        (landscape, "lobby-landscape", (1920, 1080)),
        (portrait, "lobby-portrait", (1080, 1920)),
    ):
        screen = display.screen
        screen.resize(*size)
        path = save_screenshot(screen, name)
        assert path.exists()
        texts = screen.drawn_texts()
        assert snap.newest.number in texts["now"]
        assert "请到 3 号窗口" in texts["now"] and "Please go to window 3" in texts["now"]
        grid = texts["grid"]
        for number in called.values():
            assert number in grid
        for n in range(1, 21):
            assert str(n) in grid
        assert "暂停服务" in grid and PAUSE_REASON in grid and "未开放" in grid
        assert "市民" not in texts["header"][0]  # the example hall's own name
        assert texts["header"][0] == "学生事务服务大厅"
        # nothing that matters is cut: numbers, names of clerks, window labels
        elided = screen.elided_texts()
        for w in snap.windows:
            assert w.current not in elided and w.clerk[0] not in elided
        assert not screen.waiting.elided  # nor a department's name in the waiting panel
        assert_lines_fit(screen.waiting)
        assert_no_tofu(screen)
        assert not screen.cover.isVisible()

    # a new call flashes (and lights its window's tile) for a few seconds
    ok(scene["windows"]["w11"].request("call.next"))
    wait_for(lambda: landscape.heard_calls, timeout=10, what="the new call", pump=pump)
    assert [c.window for c in landscape.heard_calls] == ["w11"]
    assert landscape.screen.flashing and landscape.screen.grid.highlight == "w11"
    qtbot.waitUntil(lambda: landscape.screen.now_calling.flash_on, timeout=2000)
    save_screenshot(landscape.screen, "lobby-landscape-flash")
    assert landscape.model.snapshot().newest.window_number == 11


def test_restarted_display_shows_the_same_picture_without_calling_again(
    queue_broker, device, make_display, qtbot
):
    queue_broker()
    scene = drive_midday(device, issue_per_department=3)
    first = make_display("landscape", flash_s=0)
    wait_for(
        settled(first, dict(scene["called"])["w03"], True),
        timeout=15,
        what="the picture",
        pump=pump,
    )
    before = first.model.snapshot()
    save_screenshot(first.screen, "lobby-before-restart")
    texts_before = first.screen.drawn_texts()
    first.stop()  # the Pi reboots

    second = make_display("landscape", flash_s=0)
    wait_for(
        lambda: second.model.snapshot() == before, timeout=15, what="the same picture", pump=pump
    )
    save_screenshot(second.screen, "lobby-after-restart")
    assert second.screen.drawn_texts() == texts_before
    assert second.heard_calls == [] and second.model.new_calls == 0

    # ...and it calls what comes next, once
    ok(scene["windows"]["w14"].request("call.next"))
    wait_for(lambda: second.heard_calls, timeout=10, what="the next call", pump=pump)
    qtbot.wait(200)
    assert [(c.window, c.recall) for c in second.heard_calls] == [("w14", False)]


def test_queue_broker_offline_is_shown_instead_of_stale_data(
    queue_broker, device, make_display, qtbot
):
    broker = queue_broker()
    scene = drive_midday(device, issue_per_department=3)
    display = make_display("landscape", flash_s=0)
    wait_for(ready(display), timeout=15, what="the picture", pump=pump)
    before = display.model.snapshot()
    broker.stop()
    wait_for(lambda: not display.model.snapshot().online, timeout=10, what="offline", pump=pump)
    assert display.screen.cover.isVisible() and display.screen.cover.reason == "server"
    save_screenshot(display.screen, "lobby-offline")
    texts = display.screen.drawn_texts()["cover"]
    assert "叫号系统离线 · 暂停叫号" in texts and "Queue broker offline: calls are paused" in texts
    assert_no_tofu(display.screen)

    # the broker comes back: the same picture at once, nobody called again
    queue_broker()
    wait_for(lambda: display.model.snapshot().online, timeout=15, what="online again", pump=pump)
    try:
        wait_for(
            lambda: display.model.snapshot() == before,
            timeout=10,
            what="the same picture",
            pump=pump,
        )
    except AssertionError:
        assert display.model.snapshot().as_dict() == before.as_dict()  # says what differs
        raise
    pump()
    assert not display.screen.cover.isVisible()
    assert display.heard_calls == []
    assert scene["called"]
