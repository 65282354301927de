"""The touch pad against a real queue broker on Mosquitto, offscreen, with screenshots.

A clerk logs in at w01 and finishes tickets; the pad at w01 asks, the visitor taps, the broker
records the rating in the database. Screenshots go to build/screenshots/rating_pad_*.png.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from hallcall.rating_pad.model import Phase
from tests.rating_pad.conftest import Clerk, pump, ratings
from tests.support.mqtt import wait_for
from tests.support.screens import save_screenshot

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def tap(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.LeftButton)
    pump()


def face(app, score: int):
    return next(b for b in app.window.ask.buttons if b.score == score)


def in_phase(app, phase: Phase, what: str | None = None) -> None:
    wait_for(lambda: app.model.phase is phase, what=what or phase.value, pump=pump)


def test_idle_asking_thanks_and_the_broker_records_it(
    queue_broker, device, engine, start_pad, cjk, qtbot, clock
):
    queue_broker()
    clerk = Clerk(device)
    lobby = device("display", "lobby", ["event/rating.recorded"])
    recorded: list[dict] = []
    lobby.on_event(lambda topic, payload: recorded.append(payload))
    app = start_pad()
    wait_for(
        lambda: app.model.clerk is not None and app.model.window_status == "open",
        what="clerk",
        pump=pump,
    )
    assert app.model.phase is Phase.IDLE
    assert app.window.idle.name.text() == "张敏" and app.window.window_label.text() == "1号窗口"
    assert not app.window.banner.isVisible()
    save_screenshot(app.window, "rating_pad_idle_800x480")

    ticket = clerk.serve()
    in_phase(app, Phase.ASKING)
    assert app.model.question.ticket_id == ticket["id"]
    assert [b.text() for b in app.window.ask.buttons] == ["满意", "一般", "不满意"]
    assert ticket["number"] in app.window.ask.subtitle.text()
    save_screenshot(app.window, "rating_pad_asking_3_levels")

    tap(qtbot, face(app, 3))
    in_phase(app, Phase.THANKS)
    assert not app.model.queued
    save_screenshot(app.window, "rating_pad_thanks")
    [row] = ratings(engine)
    assert (row.ticket_id, row.score, row.scale, row.staff, row.window, row.pad, row.reasons) == (
        ticket["id"],
        3,
        3,
        "s101",
        "w01",
        "pad-w01",
        None,
    )
    wait_for(lambda: recorded, what="rating.recorded", pump=pump)
    assert (
        recorded[0]["ticket_id"] == ticket["id"] and recorded[0].get("score") is None
    )  # the hall hides scores
    wait_for(
        lambda: app.client.states["state/window/w01"]["last_finished"]["rated"],
        what="rated",
        pump=pump,
    )

    clock.advance(4)
    in_phase(app, Phase.IDLE, "idle after the thanks")
    tap(qtbot, app.window.idle)  # tapping an idle pad does nothing
    assert len(ratings(engine)) == 1


def test_a_low_rating_asks_for_reasons(queue_broker, device, engine, start_pad, cjk, qtbot):
    queue_broker()
    clerk = Clerk(device)
    app = start_pad()
    ticket = clerk.serve()
    in_phase(app, Phase.ASKING)
    tap(qtbot, face(app, 1))
    in_phase(app, Phase.FOLLOW_UP)
    chips = {c.code: c for c in app.window.follow.chips}
    tap(qtbot, chips["waited_long"])
    tap(qtbot, chips["unclear"])
    assert chips["waited_long"].isChecked() and not chips["attitude"].isChecked()
    assert app.model.selected == ["waited_long", "unclear"]
    save_screenshot(app.window, "rating_pad_follow_up")
    tap(qtbot, app.window.language)  # the longest texts: English at 800x480
    assert app.window.follow.chips[5].text() == "Asked to come back again"
    save_screenshot(app.window, "rating_pad_follow_up_en")
    assert ratings(engine) == []  # nothing is sent before the visitor is done
    tap(qtbot, app.window.follow.submit_button)
    in_phase(app, Phase.THANKS)
    [row] = ratings(engine)
    assert (row.ticket_id, row.score, row.reasons) == (ticket["id"], 1, ["waited_long", "unclear"])


def test_no_rating_in_time_returns_to_idle_as_not_rated(
    queue_broker, device, engine, start_pad, cjk, qtbot, clock
):
    queue_broker()
    clerk = Clerk(device)
    app = start_pad()
    clerk.serve()
    in_phase(app, Phase.ASKING)
    wait_for(lambda: app.model.question.live, what="the live rating.requested", pump=pump)
    clock.advance(20)
    wait_for(lambda: "剩余 10 秒" in app.window.ask.left.text(), what="countdown", pump=pump)
    save_screenshot(app.window, "rating_pad_asking_10s_left")
    clock.advance(10)
    in_phase(app, Phase.IDLE, "idle after the timeout")
    save_screenshot(app.window, "rating_pad_timeout_idle")
    assert [o.result for o in app.model.outcomes] == ["not_rated"]
    assert ratings(engine) == []
    state = app.client.states["state/window/w01"]
    assert state["last_finished"]["rated"] is False  # "not rated" in reports: nothing to send


def test_broker_down_says_so_and_keeps_the_rating(
    queue_broker, device, engine, start_pad, cjk, qtbot, clock
):
    broker = queue_broker()
    clerk = Clerk(device)
    app = start_pad()
    ticket = clerk.serve()
    in_phase(app, Phase.ASKING)
    broker.stop()
    wait_for(lambda: not app.model.available, what="broker offline", pump=pump)
    assert app.window.banner.isVisible() and "服务暂不可用" in app.window.banner_text.text()
    save_screenshot(app.window, "rating_pad_broker_down_asking")

    tap(qtbot, face(app, 2))
    in_phase(app, Phase.THANKS)
    assert app.model.queued and app.window.message.note.isVisible()
    save_screenshot(app.window, "rating_pad_broker_down_kept")
    clock.advance(4)
    in_phase(app, Phase.IDLE)
    assert app.window.footer.isVisible() and "1" in app.window.footer.text()
    save_screenshot(app.window, "rating_pad_broker_down_idle")
    assert ratings(engine) == []

    queue_broker()  # the queue broker comes back: the kept rating is sent (once)
    wait_for(lambda: not app.model.pending, what="the kept rating sent", pump=pump, timeout=15)
    [row] = ratings(engine)
    assert (row.ticket_id, row.score) == (ticket["id"], 2)
    assert [o.result for o in app.model.outcomes] == ["recorded"]
    assert not app.window.banner.isVisible() and not app.window.footer.isVisible()


def test_english_on_the_1024x600_screen(queue_broker, device, engine, start_pad, cjk, qtbot):
    queue_broker()
    clerk = Clerk(device)
    app = start_pad(size="1024x600", language="en")
    wait_for(lambda: app.model.clerk is not None, what="clerk", pump=pump)
    assert app.window.idle.name.text() == "Zhang Min"
    save_screenshot(app.window, "rating_pad_idle_1024x600_en")
    clerk.serve()
    in_phase(app, Phase.ASKING)
    save_screenshot(app.window, "rating_pad_asking_1024x600_en")
    tap(qtbot, app.window.language)  # a visitor switches to Chinese
    assert app.model.lang == "zh" and app.window.ask.title.text() == "请您对本次服务进行评价"
    tap(qtbot, face(app, 1))
    in_phase(app, Phase.FOLLOW_UP)
    save_screenshot(app.window, "rating_pad_follow_up_1024x600")
    tap(qtbot, app.window.follow.skip_button)
    in_phase(app, Phase.THANKS)
    [row] = ratings(engine)
    assert (row.score, row.reasons) == (1, None)


def test_window_closed_and_unknown_pad(queue_broker, device, start_pad, cjk):
    queue_broker()
    app = start_pad(pad="pad-w02")
    wait_for(lambda: app.model.window_status == "closed", what="w02 state", pump=pump)
    assert app.window.idle.prompt.text() == "本窗口暂未开放"
    save_screenshot(app.window, "rating_pad_window_closed")
    stranger = start_pad(pad="pad-w99")
    assert stranger.model.phase is Phase.UNCONFIGURED
    pump()
    save_screenshot(stranger.window, "rating_pad_unconfigured")


def test_needs_documents_shows_the_missing_materials_to_the_visitor(
    queue_broker, device, engine, start_pad, cjk, qtbot
):
    """需补件 (#12 item 7): the pad the visitor faces lists what to bring, in both languages."""
    queue_broker()
    clerk = Clerk(device)
    app = start_pad()
    reply = clerk.kiosk.request("ticket.issue", department="registrar", matter="status-change")
    assert reply["ok"], reply
    assert clerk.terminal.request("call.next")["ok"]
    reply = clerk.terminal.request("ticket.finish", outcome="needs_documents", missing=[0, 1])
    assert reply["ok"], reply
    in_phase(app, Phase.ASKING)
    wait_for(lambda: app.window.ask.missing.isVisible(), what="missing list", pump=pump)
    assert app.window.ask.missing.text() == (
        "请补齐以下材料后再来办理 · Please bring the following and come back\n"
        "1. 学籍异动申请表（学院盖章） · Status change form stamped by your school\n"
        "2. 校园卡 · Campus card"
    )
    save_screenshot(app.window, "rating_pad_asking_with_missing_materials")
    tap(qtbot, face(app, 3))
    in_phase(app, Phase.THANKS)
    clerk.serve()  # the next visitor's question has no list
    wait_for(
        lambda: app.model.phase is Phase.ASKING and not app.window.ask.missing.isVisible(),
        what="plain ask",
        pump=pump,
    )
