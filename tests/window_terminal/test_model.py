"""The terminal's model and controller without Qt or MQTT: what is allowed, the lock, the words."""

from __future__ import annotations

import string
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hallcall.hardware.keypad import FakeKeypad, KeypadAction
from hallcall.window_terminal.actions import Controller
from hallcall.window_terminal.model import Action, TerminalModel, TimerLevel, command, timer_level
from hallcall.window_terminal.texts import TEXTS, duration, t

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def ISO(dt):
    return dt.isoformat().replace("+00:00", "Z")


CATALOG = {
    "seq": 1,
    "hall": {
        "languages": ["zh", "en"],
        "default_language": "zh",
        "recall_limit": 2,
        "rating_labels": {
            "zh": ["不满意", "基本满意", "满意"],
            "en": ["Dissatisfied", "Average", "Satisfied"],
        },
    },
    "departments": [
        {
            "id": "registrar",
            "name": {"zh": "教务处", "en": "Registrar"},
            "matters": [
                {
                    "id": "transcript",
                    "name": {"zh": "成绩单", "en": "Transcript"},
                    "service_limit_min": 10,
                }
            ],
        },
        {"id": "finance", "name": {"zh": "财务处", "en": "Finance"}, "matters": []},
    ],
    "windows": [{"id": "w01", "number": 1, "flex": False, "departments": ["registrar"]}],
}


def window_state(seq=10, status="open", current=None, **extra):
    state = {
        "seq": seq,
        "window": "w01",
        "number": 1,
        "flex": False,
        "departments": ["registrar"],
        "status": status,
        "served_today": 0,
        "pause_reason": None,
        "current": current,
        "staff": {"id": "s101", "name": {"zh": "张敏", "en": "Zhang Min"}, "post": "A"}
        if status != "closed"
        else None,
        "last_finished": None,
    }
    state.update(extra)
    return state


def ticket(number="A001", recalls_left=2, called=T0, limit=600, **extra):
    view = {
        "id": "t1",
        "number": number,
        "department": "registrar",
        "matter": "transcript",
        "issued_at": ISO(called - timedelta(minutes=12)),
        "called_at": ISO(called),
        "recalls_left": recalls_left,
        "service_limit_s": limit,
        "priority": "normal",
    }
    view.update(extra)
    return view


def ready(status="open", current=None, **extra) -> TerminalModel:
    m = TerminalModel("w01", "zh")
    m.set_connected(True)
    m.apply_state("server/status", {"state": "online"})
    m.apply_state("state/catalog", CATALOG)
    m.apply_state("state/window/w01", window_state(status=status, current=current, **extra))
    m.apply_state(
        "state/queue/registrar",
        {"seq": 11, "waiting": 3, "priority_waiting": 1, "estimated_wait_s": 600},
    )
    return m


def test_the_model_and_controller_import_neither_qt_nor_mqtt():
    code = (
        "import sys, hallcall.window_terminal.model, hallcall.window_terminal.actions, "
        "hallcall.window_terminal.texts; "
        "bad = [m for m in ('PySide6', 'paho') if m in sys.modules]; assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_older_states_never_move_the_screen_back():
    m = ready(current=ticket())
    assert not m.apply_state("state/window/w01", window_state(seq=9, current=None))
    assert m.current["number"] == "A001"
    assert m.apply_state("state/window/w01", window_state(seq=12, current=None))
    assert m.current is None
    assert not m.apply_state("state/window/w02", window_state(seq=99))  # not this window's
    assert not m.apply_state("state/queue/finance", {"waiting": 5})  # no seq: dropped


def test_what_may_be_done_in_each_state():
    idle = ready()
    assert [a for a in Action if idle.can(a)] == [
        Action.LOGIN,
        Action.LOGOUT,
        Action.NEXT,
        Action.PAUSE,
    ]
    serving = ready(current=ticket())
    assert [a for a in Action if serving.can(a)] == [
        Action.LOGIN,
        Action.RECALL,
        Action.NO_SHOW,
        Action.TRANSFER,
        Action.FINISH,
    ]
    assert serving.why_not(Action.NEXT).text("zh") == "请先办结、转办或过号当前的 A001。"
    at_limit = ready(current=ticket(recalls_left=0))
    assert not at_limit.can(Action.RECALL)
    assert at_limit.why_not(Action.RECALL).text("en") == (
        "A001 was recalled 2 times, the limit. Mark it no-show or serve the visitor."
    )
    paused = ready(status="paused", pause_reason="meeting")
    assert [a for a in Action if paused.can(a)] == [Action.LOGIN, Action.LOGOUT, Action.RESUME]
    assert paused.status_text() == "暂停：开会"
    closed = ready(status="closed")
    assert [a for a in Action if closed.can(a)] == [Action.LOGIN]
    flex = ready(departments=[])
    assert flex.why_not(Action.NEXT).key == "err_flex_unassigned"


def test_nothing_may_be_sent_without_the_broker():
    m = ready()
    m.set_connected(False)
    assert not any(m.can(a) for a in Action)
    assert m.why_not(Action.NEXT).key == "err_offline"
    m.set_connected(True)
    m.apply_state("server/status", {"state": "offline"})
    assert m.why_not(Action.LOGIN).key == "err_server_down"


def test_one_command_at_a_time():
    m = ready()
    assert m.begin(Action.NEXT)
    assert m.in_flight is Action.NEXT and not m.can(Action.PAUSE)
    assert not m.begin(Action.NEXT)  # the double press
    assert m.message is None  # swallowed silently, no alarming text
    m.end(Action.NEXT, {"ok": True, "data": {"ticket": ticket()}})
    assert m.in_flight is None
    assert m.message_text() == "已叫号 A001。"


def test_a_window_reply_is_applied_as_the_newest_state():
    m = ready()
    assert m.begin(Action.PAUSE)
    m.end(
        Action.PAUSE,
        {"ok": True, "data": window_state(seq=20, status="paused", pause_reason="break")},
        {"reason": "break"},
    )
    assert m.status == "paused"
    assert m.message_text() == "窗口已暂停：休息。"
    m.lang = "en"
    assert m.message_text() == "Window paused: Break."  # messages follow the clerk's language


@pytest.mark.parametrize(
    "action, code, detail, args, expected",
    [
        (
            Action.NEXT,
            "empty",
            "nobody is waiting",
            {},
            "Nobody is waiting for this window right now.",
        ),
        (
            Action.NEXT,
            "timeout",
            "",
            {},
            "The queue server did not answer in time. Watch the screen, then try again if needed.",
        ),
        (
            Action.LOGIN,
            "not_found",
            "unknown staff id 's9'",
            {"staff": "s9"},
            "There is no staff id s9. Please check it.",
        ),
        (
            Action.LOGIN,
            "forbidden",
            "",
            {"staff": "s201"},
            "s201 belongs to another department and cannot log in at this window.",
        ),
        (
            Action.LOGIN,
            "conflict",
            "s101 is already on duty at window w02; log out there first",
            {"staff": "s101"},
            "s101 is logged in at another window; log out there first.",
        ),
        (
            Action.LOGIN,
            "conflict",
            "finish the current ticket before another clerk takes over",
            {"staff": "s102"},
            "Finish the current ticket before another clerk takes over.",
        ),
        (
            Action.TRANSFER,
            "invalid",
            "already in department",
            {},
            "The ticket is already in that department's queue.",
        ),
        (Action.NEXT, "closed", "", {}, "The hall has closed for today."),
        (
            Action.NEXT,
            "unavailable",
            "database down",
            {},
            "The queue service could not handle this just now. Try again shortly; if it keeps failing, call the hall's IT staff.",
        ),
        (Action.NEXT, "rate_limited", "slow down", {}, "The queue service refused: slow down"),
    ],
)
def test_errors_in_plain_words(action, code, detail, args, expected):
    m = ready()
    assert m.error_message(action, code, detail, args).text("en") == expected


def test_recall_refused_by_the_broker_at_the_limit():
    m = ready(current=ticket(recalls_left=1))
    assert m.begin(Action.RECALL)
    m.end(
        Action.RECALL,
        {"ok": False, "error": {"code": "conflict", "message": "recalled 2 times, the limit"}},
    )
    assert m.message.key == "err_recall_limit"


def test_timer_colour_against_the_time_limit():
    assert timer_level(0, 600) is TimerLevel.NORMAL
    assert timer_level(479, 600) is TimerLevel.NORMAL
    assert timer_level(480, 600) is TimerLevel.AMBER  # 80 %
    assert timer_level(599, 600) is TimerLevel.AMBER
    assert timer_level(600, 600) is TimerLevel.RED
    assert timer_level(5000, None) is TimerLevel.NONE
    m = ready(current=ticket(called=T0))
    assert m.timer_level(T0 + timedelta(minutes=7)) is TimerLevel.NORMAL
    assert m.timer_level(T0 + timedelta(minutes=9)) is TimerLevel.AMBER
    assert m.timer_level(T0 + timedelta(minutes=11)) is TimerLevel.RED
    assert (
        m.service_elapsed_s(T0 - timedelta(seconds=5)) == 0
    )  # a clock a little behind the broker's
    assert m.waited_s() == 12 * 60
    # An older broker without service_limit_s: the limit comes from the catalog's matter.
    old = ready(current=ticket(limit=None))
    assert old.service_limit_s() == 600
    assert duration("zh", 200) == "3 分 20 秒" and duration("en", 200) == "3:20"


def test_waiting_counts_follow_the_windows_departments():
    m = ready()
    assert [(w.department, w.waiting, w.priority_waiting) for w in m.waiting()] == [
        ("registrar", 3, 1)
    ]
    m.apply_state(
        "state/queue/finance",
        {"seq": 30, "waiting": 7, "priority_waiting": 0, "estimated_wait_s": 60},
    )
    m.apply_state("state/window/w01", window_state(seq=31, departments=["registrar", "finance"]))
    assert [(w.name, w.waiting) for w in m.waiting()] == [("教务处", 3), ("财务处", 7)]


def test_rating_received_shows_without_the_score_unless_the_hall_allows():
    last = {"ticket_id": "t9", "number": "A009", "outcome": "done", "rated": False}
    m = ready(last_finished=last)
    assert m.rating_text() == "等待评价" and not m.rated
    assert not m.apply_event("event/rating.recorded", {"window": "w02", "ticket_id": "x"})
    assert m.apply_event(
        "event/rating.recorded", {"window": "w01", "ticket_id": "t9", "staff": "s101"}
    )
    assert m.rated and m.rating_text() == "已收到评价"
    m.apply_event("event/rating.recorded", {"window": "w01", "ticket_id": "t9", "score": 3})
    assert m.rating_text() == "已收到评价：满意"
    m.lang = "en"
    assert m.rating_text() == "Rating received: Satisfied"
    # The retained state alone (after a restart) still says it was rated.
    again = ready(last_finished={**last, "rated": True})
    assert again.rated and again.rating_text() == "已收到评价"


def test_keypad_display_text():
    assert ready(current=ticket(number="B017")).display_text() == "B017"
    assert ready().display_text() == "WAIT 3"
    assert ready(status="paused").display_text() == "PAUSE"
    assert ready(status="closed").display_text() == "----"


def test_commands_are_checked_before_they_leave():
    assert command(Action.LOGIN, staff=" S101 ", post="B") == (
        "window.login",
        {"staff": "s101", "post": "B"},
    )
    assert command(Action.TRANSFER, department="finance", matter=None) == (
        "ticket.transfer",
        {"department": "finance"},
    )
    assert command(Action.FINISH, outcome="needs_documents") == (
        "ticket.finish",
        {"outcome": "needs_documents"},
    )
    assert command(Action.NEXT) == ("call.next", {})
    for bad in (
        {"action": Action.LOGIN, "staff": "s1", "post": "C"},
        {"action": Action.FINISH, "outcome": "maybe"},
        {"action": Action.PAUSE, "reason": "  "},
    ):
        with pytest.raises(ValueError):
            command(**bad)


class FakeSend:
    def __init__(self):
        self.calls = []

    def __call__(self, op, args, handler):
        self.calls.append((op, args, handler))

    def reply(self, i=-1, **reply):
        handler = self.calls[i][2]
        handler({"ok": True, "data": {}, **reply})


def test_controller_sends_once_and_maps_keypad_keys():
    m = ready()
    send = FakeSend()
    c = Controller(m, send, keypad_pause_reason="break")
    pad = FakeKeypad()
    c.add_keypad(pad)
    assert pad.displayed == ["WAIT 3"]
    assert c.keypad_action(KeypadAction.NEXT)
    assert not c.keypad_action(KeypadAction.NEXT)  # pressed again while in flight
    assert not c.perform(Action.NEXT)
    assert [op for op, _, _ in send.calls] == ["call.next"]
    m.apply_state("state/window/w01", window_state(seq=40, current=ticket(number="A004")))
    send.reply(data={"ticket": ticket(number="A004")})
    assert pad.displayed[-1] == "A004"
    assert c.keypad_action(KeypadAction.FINISH)
    assert send.calls[-1][:2] == ("ticket.finish", {"outcome": "done"})
    m.apply_state("state/window/w01", window_state(seq=41))
    send.reply()
    assert c.keypad_action(KeypadAction.PAUSE)
    assert send.calls[-1][:2] == ("window.pause", {"reason": "break"})
    m.apply_state("state/window/w01", window_state(seq=42, status="paused", pause_reason="break"))
    send.reply()
    assert pad.displayed[-1] == "PAUSE"
    assert c.keypad_action(KeypadAction.PAUSE)  # a five-key pad: PAUSE again resumes
    assert send.calls[-1][:2] == ("window.resume", {})


def test_controller_reports_a_send_failure_and_missing_input():
    m = ready()

    def broken(op, args, handler):
        raise OSError("socket closed")

    c = Controller(m, broken)
    assert c.perform(Action.NEXT)
    assert m.in_flight is None and m.message.key == "err_offline"
    assert not c.perform(Action.LOGIN, staff="  ", post="A")
    assert m.message.key == "err_staff_missing"
    assert not c.perform(Action.TRANSFER)
    assert m.message.key == "err_choose_department"


def test_every_text_exists_in_both_languages_and_formats():
    assert set(TEXTS["zh"]) == set(TEXTS["en"])
    for lang, table in TEXTS.items():
        for key, text in table.items():
            names = {f[1] for f in string.Formatter().parse(text) if f[1]}
            out = t(lang, key, **{n: 1 for n in names})
            assert "{" not in out and out == out.strip() or key == "served_unit", (lang, key)
    import re

    import hallcall.window_terminal.model as model_module

    folder = Path(model_module.__file__).parent
    sources = "".join(
        (folder / f"{name}.py").read_text(encoding="utf-8")
        for name in ("model", "window", "actions")
    )
    used = set(re.findall(r'"((?:err|ok|info)_[a-z_]+)"', sources))
    assert used <= set(TEXTS["en"]), used - set(TEXTS["en"])


def test_a_stale_reply_does_not_end_a_newer_command():
    m = ready()
    assert m.begin(Action.NEXT)
    first = m.token
    # the broker fails without a request_id: the command in flight ends with that failure
    m.late_reply(
        {"request_id": None, "ok": False, "error": {"code": "unavailable", "message": "db"}}
    )
    assert m.in_flight is None and m.message.key == "err_unavailable"
    assert m.begin(Action.NEXT)
    m.end(
        Action.NEXT, {"ok": False, "error": {"code": "timeout"}}, token=first
    )  # the old wait ends
    assert m.in_flight is Action.NEXT  # ...but the new command is still in flight
    m.end(Action.NEXT, {"ok": True, "data": {"ticket": ticket()}}, token=m.token)
    assert m.in_flight is None and m.message.key == "ok_next"
    m.late_reply({"request_id": "abc", "ok": True, "data": {}})
    assert m.message.key == "info_late_reply"


# ---------------------------------------------------------------- #12 items 6-7 (Qt-free)
def test_the_pin_and_the_missing_materials_go_out_and_pin_refusals_read_plainly():
    assert command(Action.LOGIN, staff="s101", post="A", pin=" 2468 ") == (
        "window.login",
        {"staff": "s101", "post": "A", "pin": "2468"},
    )
    assert command(Action.FINISH, outcome="needs_documents", missing=[2, 0, 2]) == (
        "ticket.finish",
        {"outcome": "needs_documents", "missing": [0, 2]},
    )
    with pytest.raises(ValueError):
        command(Action.FINISH, outcome="done", missing=[0])
    m = ready(status="closed")
    args = {"staff": "s101"}
    wrong = m.error_message(
        Action.LOGIN,
        "forbidden",
        "wrong PIN for s101; 3 more tries before it is locked",
        args,
        {"reason": "wrong_pin", "tries_left": 3},
    )
    assert wrong.text("zh") == "PIN 不正确。再错 3 次，该工号将被锁定。"
    locked = m.error_message(
        Action.LOGIN,
        "locked",
        "s101 is locked after 5 wrong PINs until 09:15 (hall time)",
        args,
        {"reason": "pin_locked", "until": "09:15"},
    )
    assert "09:15" in locked.text("en") and "locked" in locked.text("en")


def test_no_show_asks_only_before_any_recall_and_a_transfer_to_a_closed_department_asks():
    m = ready(current=ticket(recalls=0, recalls_left=2))
    assert m.confirmation(Action.NO_SHOW).key == "confirm_no_show"
    m.apply_state(
        "state/window/w01", window_state(seq=20, current=ticket(recalls=1, recalls_left=1))
    )
    assert m.confirmation(Action.NO_SHOW) is None
    assert m.confirmation(Action.TRANSFER, department="finance") is None, (
        "unknown open windows: no guess"
    )
    m.apply_state("state/queue/finance", {"seq": 21, "waiting": 0, "open_windows": 0})
    question = m.confirmation(Action.TRANSFER, department="finance")
    m.lang = "en"
    assert (
        question.text("en")
        == "No window of Finance is open now: A001 would wait until one opens. Transfer anyway?"
    )
    m.apply_state("state/queue/finance", {"seq": 22, "waiting": 0, "open_windows": 1})
    assert m.confirmation(Action.TRANSFER, department="finance") is None


def test_waiting_for_rating_ends_with_the_pads_timeout_and_no_stale_called_banner():
    catalog = {**CATALOG, "seq": 2, "hall": {**CATALOG["hall"], "rating_timeout_s": 30}}
    last = {
        "ticket_id": "t1",
        "number": "A001",
        "finished_at": ISO(T0),
        "outcome": "done",
        "rated": False,
    }
    m = ready(last_finished=last)
    m.apply_state("state/catalog", catalog)
    assert m.rating_text(T0 + timedelta(seconds=29)) == "等待评价"
    assert m.rating_text(T0 + timedelta(seconds=30)) == "未评价（评价器已超时）"

    m = ready(current=ticket(number="A005"))
    m.end(Action.NEXT, {"ok": True, "data": {"ticket": ticket(number="A005")}})
    assert m.message_text() == "已叫号 A005。"
    m.apply_state("state/window/w01", window_state(seq=30, status="closed"))  # the close of day
    assert (
        "A005" not in m.message_text() and m.message_text() == "大厅今日已结束服务，本窗口已关闭。"
    )


def test_a_finish_with_a_pickup_code_tells_the_clerk_the_code():
    """General windows: a time-limited matter done gets a pickup code (出件), said in both
    languages so the clerk can tell the visitor."""
    m = ready(current=ticket("Z001"))
    assert m.begin(Action.FINISH)
    m.end(
        Action.FINISH,
        {"ok": True, "data": {"ticket": ticket("Z001", pickup_code="48213907")}},
        {"outcome": "done"},
    )
    assert "48213907" in m.message_text() and "取件码" in m.message_text()
    m.lang = "en"
    assert m.message_text().startswith("Z001 finished: done. Pickup code 48213907")


def test_a_general_windows_waiting_counts_are_its_queues_and_a_pickup_window_may_call():
    """General windows: the counts follow the window's `queues` (a matter group's named from
    the catalog), and a window serving only the pickup queue has no department yet may call."""
    m = ready()
    m.catalog = {
        **(m.catalog or {}),
        "queues": [
            {"id": "integrated", "kind": "group", "name": {"zh": "综合受理", "en": "Integrated"}}
        ],
        "windows": [{"id": "w01", "number": 1, "departments": [], "skills": [], "pickup": True}],
    }
    m.apply_state("state/queue/integrated", {"seq": 40, "waiting": 5, "priority_waiting": 0})
    m.apply_state(
        "state/window/w01",
        window_state(seq=41, departments=["registrar"], queues=["integrated", "registrar"]),
    )
    assert [(w.department, w.name, w.waiting) for w in m.waiting()] == [
        ("registrar", "教务处", 3),
        ("integrated", "综合受理", 5),
    ]
    m.apply_state("state/window/w01", window_state(seq=42, departments=[], queues=["pickup"]))
    assert m.why_not(Action.NEXT) is None  # the pickup queue is its one queue
    m.apply_state("state/window/w01", window_state(seq=43, departments=[]))
    assert m.why_not(Action.NEXT) is None  # the catalog says it serves pickup
