"""The kiosk's model without Qt, MQTT or a printer: screens, refusals, printing, late replies."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pyzbar.pyzbar import decode

from hallcall.broker.service.projections import catalog as catalog_payload
from hallcall.device_kit.i18n import localized as loc
from hallcall.hardware.printer import FakePrinter, TicketPrint
from hallcall.hardware.printer.raster import raster_images, stack
from hallcall.kiosk.catalog import parse_catalog
from hallcall.kiosk.model import KioskModel, Phase, Screen
from hallcall.kiosk.printout import TicketPrinter, qr_data, ticket_print
from hallcall.protocol.payloads import timeout_reply

QT_FREE = [
    "hallcall.kiosk.model",
    "hallcall.kiosk.catalog",
    "hallcall.kiosk.strings",
    "hallcall.kiosk.printout",
    "hallcall.kiosk.settings",
    "hallcall.kiosk.cli",
]


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t

    def advance(self, s: float) -> None:
        self.t += s


class Effects:
    def __init__(self):
        self.sent: list[tuple[str, str, dict]] = []
        self.checks: list[str] = []
        self.prints: list[tuple[str, TicketPrint]] = []
        self.health: list[dict] = []

    def send(self, request_id, op, args):
        self.sent.append((request_id, op, args))

    def check_printer(self, request_id):
        self.checks.append(request_id)

    def print_ticket(self, request_id, ticket):
        self.prints.append((request_id, ticket))

    def publish_health(self, health):
        self.health.append(dict(health))


@pytest.fixture
def catalog(hall_config):
    return catalog_payload(hall_config, 7)


@pytest.fixture
def kiosk(catalog):
    clock, fx = Clock(), Effects()
    ids = iter(f"rid-{n}" for n in range(1, 1000))
    m = KioskModel(
        fx,
        now=clock,
        new_id=lambda: next(ids),
        idle_return_s=60,
        result_return_s=20,
        connect_grace_s=5,
    )
    m.set_mqtt(True)
    m.set_server_status({"state": "online"})
    m.set_catalog(catalog)
    m.set_printer_status("ok")
    m.clock, m.fx = clock, fx
    return m


def ticket(number="A001", **extra):
    t = {
        "id": f"20261123-{number}",
        "number": number,
        "department": "registrar",
        "matter": "status-change",
        "priority": "normal",
        "source": "walk_in",
        "waiting_ahead": 3,
        "estimated_wait_s": 610,
        "issued_at": "2026-11-23T01:05:00Z",
    }
    t.update(extra)
    return t


def ok(rid, t):
    return {"request_id": rid, "ok": True, "data": {"ticket": t}}


def take_to_request(m: KioskModel, dep="registrar", matter="status-change") -> str:
    m.open_department(dep)
    m.open_matter(matter)
    m.take_ticket()
    rid = m.fx.checks[-1]
    m.printer_checked(rid, "ok")
    return rid


def test_the_model_and_its_helpers_import_no_qt():
    code = (
        "import sys\n"
        + "".join(f"import {name}\n" for name in QT_FREE)
        + "bad = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6')))\n"
        + "assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr


def test_catalog_is_read_with_guides_and_both_languages(catalog):
    cat = parse_catalog(catalog)
    assert [d.id for d in cat.departments] == [
        "registrar",
        "finance",
        "student-affairs",
        "international",
    ]
    m = cat.matter("registrar", "transcript")
    assert loc(m.name, "en") == "Official transcript" and loc(m.name, "zh") == "成绩单打印与盖章"
    assert loc(m.guide.materials[0], "zh") == "校园卡或身份证原件"
    assert cat.hall.default_language == "zh" and cat.hall.timezone == "Asia/Shanghai"
    assert loc({"zh": "只有中文"}, "en") == "只有中文"  # a missing language falls back


def test_walk_in_ticket_is_printed_only_after_a_good_reply(kiosk):
    m, fx = kiosk, kiosk.fx
    assert m.screen is Screen.START and m.lang == "zh"
    assert m.department_tiles()[0].name == "教务处（学籍与成绩）"
    m.open_department("registrar")
    assert m.screen is Screen.MATTERS
    assert [t.id for t in m.matter_tiles()] == ["transcript", "status-change"]
    m.open_matter("status-change")
    assert m.screen is Screen.GUIDE
    titles = [s.title for s in m.guide_sections()]
    assert titles == ["所需材料", "办理流程", "办理时限", "办理依据"]
    m.take_ticket()
    assert m.screen is Screen.WORKING and fx.checks == ["rid-1"] and fx.sent == []
    m.printer_checked("rid-1", "ok")
    assert fx.sent == [
        (
            "rid-1",
            "ticket.issue",
            {
                "department": "registrar",
                "matter": "status-change",
                "priority": "normal",
                "lang": "zh",
            },
        )
    ]
    assert fx.prints == []
    m.reply(ok("rid-1", ticket(token="Tq4l8-mKz2_cV7nW1xYb3A")))
    assert m.request.phase is Phase.PRINTING
    ((rid, tp),) = fx.prints
    assert rid == "rid-1" and tp.number == "A001" and tp.lang == "zh"
    assert tp.hall_name == "学生事务服务大厅" and tp.department == "教务处（学籍与成绩）"
    assert tp.matter == "学籍异动（休学、复学、转专业）"
    assert tp.materials[0] == "学籍异动申请表（学院盖章）"
    assert tp.qr_data == "https://hall.example.edu.cn/t/Tq4l8-mKz2_cV7nW1xYb3A"  # the token
    assert tp.issued_at.hour == 9 and tp.issued_at.minute == 5  # the hall's local time
    m.printed("rid-1", True)
    assert m.screen is Screen.RESULT
    v = m.result_view()
    assert (v.number, v.ahead, v.wait, v.printed) == ("A001", "3 人", "约 11 分钟", True)
    assert v.message == "请取走下方打印的号票"
    m.reply(ok("rid-1", ticket()))  # a duplicate (QoS 1) changes nothing
    assert len(fx.prints) == 1
    m.clock.advance(20)
    m.tick()
    assert m.screen is Screen.START and m.result is None


def test_english_priority_ticket(kiosk):
    m, fx = kiosk, kiosk.fx
    m.toggle_language()
    assert m.lang == "en" and m.language_button() == "中文"
    m.start_priority()
    m.open_department("finance")
    m.open_matter("tuition")
    assert m.take_ticket_label() == "Take a priority ticket"
    m.take_ticket()
    m.printer_checked(fx.checks[-1], "ok")
    assert fx.sent[-1][2] == {
        "department": "finance",
        "matter": "tuition",
        "priority": "priority",
        "lang": "en",
    }
    m.reply(
        ok(
            fx.sent[-1][0],
            ticket("B001", department="finance", matter="tuition", priority="priority"),
        )
    )
    tp = fx.prints[-1][1]
    assert tp.lang == "en" and tp.hall_name == "Student Service Hall" and tp.mark == "PRIORITY"
    assert tp.footer.endswith("A missed number must take a new ticket.")
    m.printed(fx.sent[-1][0], True)
    assert m.result_view().badge == "Priority"
    m.home()
    assert m.lang == "zh" and not m.priority  # the next visitor starts in the hall's language


def test_broker_unreachable_says_so_and_sends_nothing(kiosk):
    m, fx = kiosk, kiosk.fx
    m.open_department("registrar")
    m.open_matter("transcript")
    m.set_server_status({"state": "offline"})
    assert m.screen is Screen.UNAVAILABLE and m.unavailable_reason() == "broker_offline"
    assert "无法连接" in m.unavailable_message()
    m.take_ticket()
    assert fx.checks == [] and fx.sent == []
    m.set_server_status({"state": "online"})
    assert m.screen is Screen.GUIDE  # the visitor carries on where they were
    m.set_mqtt(False)
    assert m.screen is Screen.UNAVAILABLE


def test_a_broker_of_another_protocol_major_is_named_on_screen(kiosk):
    """The device client passes such a status on as offline; the kiosk says why (issue #16)."""
    m, fx = kiosk, kiosk.fx
    m.set_server_status({"state": "offline", "version": "2.0.0", "protocol": 2})
    assert m.screen is Screen.UNAVAILABLE and m.unavailable_reason() == "version_mismatch"
    assert "版本不兼容" in m.unavailable_message()
    m.choose_language("en")
    assert "incompatible versions" in m.unavailable_message()
    m.take_ticket()
    assert fx.sent == []
    m.set_server_status({"state": "online", "version": "0.1.0", "protocol": 1})
    assert m.unavailable_reason() is None


def test_a_kiosk_that_never_hears_the_broker_gives_up_waiting(catalog):
    clock, fx = Clock(), Effects()
    m = KioskModel(fx, now=clock, connect_grace_s=5)
    assert m.unavailable_reason() == "connecting"
    clock.advance(6)
    assert m.unavailable_reason() == "broker_offline"
    m.set_mqtt(True)  # MQTT is up but the queue broker never said it is online
    assert m.unavailable_reason() == "broker_offline"
    m.set_server_status({"state": "online"})
    assert m.unavailable_reason() == "no_catalog"
    m.set_catalog(catalog)
    assert m.unavailable_reason() is None


def test_printer_trouble_stops_tickets_and_is_published_as_health(kiosk):
    m, fx = kiosk, kiosk.fx
    assert fx.health == [{"printer": "ok"}]
    m.set_printer_status("paper_out")
    assert fx.health[-1] == {"printer": "paper_out"}
    assert m.screen is Screen.UNAVAILABLE and "缺纸" in m.unavailable_message()
    m.toggle_language()
    assert "out of paper" in m.unavailable_message()
    m.set_printer_status("paper_low")  # still has paper: tickets go on, staff see the health
    assert m.screen is Screen.START and fx.health[-1] == {"printer": "paper_low"}


def test_the_printer_is_asked_again_just_before_the_ticket(kiosk):
    m, fx = kiosk, kiosk.fx
    m.open_department("registrar")
    m.open_matter("transcript")
    m.take_ticket()
    m.printer_checked(fx.checks[-1], "cover_open")
    assert fx.sent == [] and m.screen is Screen.ERROR
    title, message, retry = m.failure_view()
    assert title == "未能取号" and "机盖打开" in message and not retry


def test_error_replies_in_plain_words(kiosk):
    m, fx = kiosk, kiosk.fx
    rid = take_to_request(m)
    m.reply({"request_id": rid, "ok": False, "error": {"code": "closed", "message": "closed"}})
    assert m.screen is Screen.ERROR and fx.prints == []
    assert "停止取号" in m.failure_view()[1]
    m.home()
    m.open_appointment()
    for c in "12a-4":
        m.key(c)
    assert m.code == "12A4"
    m.delete()
    m.key("9")
    m.submit_code()
    m.printer_checked(fx.checks[-1], "ok")
    assert fx.sent[-1][1:] == ("appointment.checkin", {"code": "12A9"})
    m.reply(
        {"request_id": fx.sent[-1][0], "ok": False, "error": {"code": "not_found", "message": "x"}}
    )
    assert m.failure_view()[0] == "未能签到" and "没有找到这个预约" in m.failure_view()[1]


def test_no_reply_in_time_then_the_late_reply_is_still_printed(kiosk):
    m, fx = kiosk, kiosk.fx
    rid = take_to_request(m)
    m.reply(timeout_reply(rid, "ticket.issue"))  # the device kit's deadline passed
    assert m.screen is Screen.ERROR and m.failure_view()[2]  # "try again" offered
    assert rid in m.abandoned
    m.reply(ok(rid, ticket("A007")))  # the broker was only slow
    assert m.screen is Screen.WORKING and fx.prints[-1][0] == rid
    m.printed(rid, True)
    v = m.result_view()
    assert m.screen is Screen.RESULT and v.number == "A007" and v.late_note


def test_a_late_reply_after_the_visitor_left_is_printed_and_shown(kiosk):
    m, fx = kiosk, kiosk.fx
    rid = take_to_request(m)
    m.reply(timeout_reply(rid, "ticket.issue"))  # the device kit's deadline passed
    m.home()
    m.reply(ok(rid, ticket("A008")))
    assert fx.prints[-1][0] == rid
    m.printed(rid, False, "paper_out")  # and even if it cannot print, the number is shown
    v = m.result_view()
    assert m.screen is Screen.RESULT and v.number == "A008" and not v.printed
    assert "请记住您的号码" in v.message


def test_a_late_reply_waits_for_the_visitor_at_the_kiosk(kiosk):
    m = kiosk
    first = take_to_request(m)
    m.reply(timeout_reply(first, "ticket.issue"))  # the device kit's deadline passed
    m.home()
    second = take_to_request(m, "finance", "tuition")
    m.reply(ok(first, ticket("A009")))  # arrives while someone else's ticket is under way
    m.printed(first, True)
    assert m.screen is Screen.WORKING
    m.reply(ok(second, ticket("B001", department="finance", matter="tuition")))
    m.printed(second, True)
    assert m.result_view().number == "B001"
    m.home()
    assert m.screen is Screen.RESULT and m.result_view().number == "A009"


def test_a_deadline_after_the_answer_changes_nothing(kiosk):
    m, fx = kiosk, kiosk.fx
    rid = take_to_request(m)
    m.reply(ok(rid, ticket("A010")))
    m.reply(timeout_reply(rid, "ticket.issue"))  # a racing deadline must not undo the answer
    assert m.screen is Screen.WORKING and fx.prints[-1][0] == rid and not m.abandoned


def test_try_again_resends_the_same_request_id(kiosk):
    m, fx = kiosk, kiosk.fx
    rid = take_to_request(m)
    m.reply(timeout_reply(rid, "ticket.issue"))  # the device kit's deadline passed
    m.retry()
    m.printer_checked(fx.checks[-1], "ok")
    assert [s[0] for s in fx.sent] == [rid, rid]  # the broker answers a repeat with one ticket
    m.reply(ok(rid, ticket()))
    m.reply(ok(rid, ticket()))
    assert len(fx.prints) == 1


def test_idle_visitors_return_to_the_start(kiosk):
    m = kiosk
    m.toggle_language()
    m.open_department("registrar")
    m.clock.advance(59)
    m.tick()
    assert m.screen is Screen.MATTERS
    m.touch()
    m.clock.advance(59)
    m.tick()
    assert m.screen is Screen.MATTERS
    m.clock.advance(2)
    m.tick()
    assert m.screen is Screen.START and m.lang == "zh"


def test_catalog_changes_apply_at_once(kiosk, catalog):
    m = kiosk
    m.open_department("registrar")
    m.open_matter("status-change")
    changed = {**catalog, "seq": catalog["seq"] + 1}
    changed["departments"] = [dict(d) for d in catalog["departments"]]
    reg = changed["departments"][0]
    reg["matters"] = [x for x in reg["matters"] if x["id"] != "status-change"]
    changed["departments"].append(
        {"id": "library", "name": {"zh": "图书馆", "en": "Library"}, "prefix": "L", "matters": []}
    )
    m.set_catalog(changed)
    assert m.screen is Screen.MATTERS and [t.id for t in m.matter_tiles()] == ["transcript"]
    m.home()
    assert m.department_tiles()[-1].name == "图书馆"
    m.open_department("library")  # no matters: straight to "take a ticket"
    assert m.screen is Screen.GUIDE and m.guide_sections() == []


def test_ticket_bytes_decode_to_the_qr_and_carry_no_text_bytes(catalog):
    cat = parse_catalog(catalog)
    nasty = ticket("A042", token="k3Jq0-Zx_T9wLm2VbN4pQa")
    printable = ticket_print(nasty, cat, "zh")
    printable.materials.append("\x1b@\x1dV\x00 evil")  # even config text is only ever pixels
    fake = FakePrinter()
    printed, status = TicketPrinter(fake, 576).print(printable)
    assert printed and status is None
    data = fake.output
    image = stack(raster_images(data))
    codes = [c.data.decode() for c in decode(image.convert("L"))]
    assert codes == ["https://hall.example.edu.cn/t/k3Jq0-Zx_T9wLm2VbN4pQa"]
    assert b"evil" not in data
    # Without a status URL the QR is the ticket's id.
    no_url = parse_catalog({**catalog, "hall": {**catalog["hall"], "status_url": None}})
    assert qr_data(no_url, nasty) == "20261123-A042"


def test_a_printer_that_fails_mid_print_is_reported_not_raised():
    class Broken(FakePrinter):
        def image(self, *a, **k):
            raise OSError("cable pulled")

    printed, status = TicketPrinter(Broken(), 576).print(ticket_print(ticket(), None, "en"))
    assert (printed, status) == (False, "offline")


def test_start_after_an_error_keeps_the_visitors_language(kiosk):
    m = kiosk
    m.toggle_language()
    rid = take_to_request(m)
    m.reply({"request_id": rid, "ok": False, "error": {"code": "closed", "message": "x"}})
    m.home()  # the visitor taps "Start": still English
    assert m.screen is Screen.START and m.lang == "en"
    m.clock.advance(61)
    m.tick()  # nobody touched it for a minute: the next visitor gets the hall's language
    assert m.lang == "zh"


def test_no_window_open_promises_no_wait_on_screen_tile_or_ticket(kiosk):
    """Issue #12 item 1: with no window of the department open, nobody is told "under 1 minute"."""
    m, fx = kiosk, kiosk.fx
    m.set_queue(
        "registrar",
        {
            "seq": 5,
            "department": "registrar",
            "waiting": 0,
            "open_windows": 0,
            "estimated_wait_s": 0,
            "closed": False,
        },
    )
    assert m.department_tiles()[0].detail == "暂无窗口开放"
    m.set_queue(
        "registrar",
        {
            "seq": 6,
            "department": "registrar",
            "waiting": 2,
            "open_windows": 0,
            "estimated_wait_s": 480,
            "closed": False,
        },
    )
    assert m.department_tiles()[0].detail == m.t("waiting_count", n=2) + " · 暂无窗口开放"
    rid = take_to_request(m)
    m.reply(ok(rid, ticket(waiting_ahead=2, estimated_wait_s=None, open_windows=0)))
    tp = fx.prints[-1][1]
    assert tp.no_window_open
    from hallcall.hardware.printer.ticket import labels

    assert labels(tp)["wait"] == "暂无窗口开放，开放后按顺序叫号"
    m.printed(rid, True)
    v = m.result_view()
    assert (v.wait_caption, v.wait) == ("办理窗口", "暂未开放")
    # Once a window is open the estimate comes back.
    m.home()
    rid = take_to_request(m)
    m.reply(ok(rid, ticket("A002", open_windows=1)))
    m.printed(rid, True)
    assert (m.result_view().wait_caption, m.result_view().wait) == ("预计等待", "约 11 分钟")
    assert (
        not fx.prints[-1][1].no_window_open
        and labels(fx.prints[-1][1])["wait"] == "预计等待约 11 分钟"
    )


def test_the_kiosk_never_claims_staff_were_notified():
    """Issue #12 item 5: nothing notifies staff yet, so no text may say it did."""
    from hallcall.kiosk.strings import STRINGS

    for lang, table in STRINGS.items():
        for key, value in table.items():
            assert "已收到提示" not in value and "have been told" not in value, (lang, key)
        assert (
            "告知工作人员" in table["unavailable_info_desk"]
            or "tell the staff" in table["unavailable_info_desk"]
        )


def test_an_appointment_ticket_says_so_at_the_top_with_its_booked_time(kiosk):
    """Issue #12 item 3: the mark is printed first and big, the booked time under the number."""
    from hallcall.hardware.printer.ticket import labels

    m, fx = kiosk, kiosk.fx
    m.open_appointment()
    for c in "123456":
        m.key(c)
    m.submit_code()
    m.printer_checked(fx.checks[-1], "ok")
    m.reply(
        ok(
            fx.sent[-1][0],
            ticket(
                "B002",
                department="finance",
                matter="tuition",
                source="appointment",
                booked_at="2026-11-23T02:30:00Z",
            ),
        )
    )
    tp = fx.prints[-1][1]
    assert tp.mark == "预约" and labels(tp)["booked"] == "预约时间 2026-11-23 10:30"
    assert tp.footer == "请留意叫号屏幕和语音提示，过号请重新取号。"
    from hallcall.hardware.printer.render import render_ticket

    image = render_ticket(tp, 384)
    from tests.support.screens import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    image.save(SCREENSHOTS / "ticket_zh_appointment.png")
    from dataclasses import replace

    plain = render_ticket(replace(tp, mark=None, booked_at=None), 384)
    assert image.height > plain.height + 60, "the mark and the booked time take their own lines"


# ------------------------------------------------------------------ department pages, line breaks
def test_department_pages_turn_and_keep_the_visitors_place(kiosk):
    from tests.kiosk.long_names import DEPARTMENTS
    from tests.kiosk.long_names import catalog as long_catalog

    m = kiosk
    m.set_catalog(long_catalog())
    ids = [dep for dep, _, _ in DEPARTMENTS]
    assert m.department_page().count == 1  # until the view says how many fit
    m.set_departments_per_page(5)
    page = m.department_page()
    assert (page.number, page.count, [t.id for t in page.tiles]) == (1, 3, ids[:5])
    assert not page.has_previous and page.has_next and page.indicator == "第 1/3 页"
    assert (page.previous_label, page.next_label) == ("上一页", "下一页")
    m.previous_page()
    assert m.department_page().number == 1  # nothing before the first page
    m.next_page()
    m.next_page()
    m.next_page()
    page = m.department_page()
    assert (page.number, [t.id for t in page.tiles], page.has_next) == (3, ids[10:], False)
    m.previous_page()
    assert [t.id for t in m.department_page().tiles] == ids[5:10]
    # the kiosk is turned: 4 fit now; the page shown still holds the tile the visitor turned to
    m.set_departments_per_page(4)
    assert ids[5] in [t.id for t in m.department_page().tiles]
    m.set_departments_per_page(5)  # and back: the same page as before
    assert [t.id for t in m.department_page().tiles] == ids[5:10]
    m.choose_language("en")
    assert m.department_page().indicator == "Page 2 of 3"
    m.open_department(ids[7])
    m.next_page()  # not on the start screen: no page turns
    m.home()
    assert m.department_page().number == 1  # the next visitor starts at the first page


def test_names_break_where_a_line_may_break():
    from hallcall.device_kit.text_fit import CLOSING, OPENING, fit_text, wrap_text

    assert wrap_text("人力资源和社会保障局（社保医保参保登记）", 12, len) == [
        "人力资源和社会保障局",
        "（社保医保参保登记）",
    ]  # the bracketed part on a line of its own
    name = "税务局（个人所得税与发票业务）"
    for width in (3, 4, 5, 7):
        lines = wrap_text(name, width, len)
        assert "".join(lines) == name and all(len(line) <= width for line in lines), lines
        assert not any(line[0] in CLOSING or line[-1] in OPENING for line in lines), lines
    en = "Market Regulation Administration (Business Start-up and Sole Trader Registration)"
    lines = wrap_text(en, 36, len)
    assert all(len(line) <= 36 for line in lines) and " ".join(lines).replace("- ", "-") == en
    assert lines[1].startswith("(Business")  # a new line for the bracket when it costs none
    assert wrap_text("Administration", 8, len) is None  # a word is never split ...
    assert (
        "".join(wrap_text("Administration", 8, len, hard=True)) == "Administration"
    )  # unless it must
    # the biggest size that fits, never a cut: at size 4 two lines of 5 (4 px each) in 20 x 16 px
    fitted = fit_text(
        "一二三四五六七八九十",
        20,
        16,
        [8, 6, 4],
        lambda size: lambda s: len(s) * size,
        lambda size: size,
    )
    assert (fitted.size, fitted.lines) == (4, ["一二三四五", "六七八九十"])
    assert (
        fit_text(
            "一二三四五六七八九十",
            20,
            7,
            [4],
            lambda size: lambda s: len(s) * size,
            lambda size: size,
        )
        is None
    )


def test_a_department_with_one_matter_says_one_service(kiosk, catalog):
    """Before the queue state arrives a tile counts its matters: "1 service", not "1 services"."""
    one = {
        **catalog,
        "seq": catalog["seq"] + 1,
        "departments": [dict(d) for d in catalog["departments"]],
    }
    one["departments"][0]["matters"] = one["departments"][0]["matters"][:1]
    kiosk.set_catalog(one)
    assert kiosk.department_tiles()[0].detail == "1 项业务"
    kiosk.choose_language("en")
    assert kiosk.department_tiles()[0].detail == "1 service"
    assert kiosk.department_tiles()[1].detail.endswith(" services")


def test_a_kiosk_whose_commands_are_not_answered_says_so_instead_of_online(kiosk):
    """The connect probe got no reply (the Mosquitto ACL): no tickets, and the screen says why."""
    m, fx = kiosk, kiosk.fx
    assert m.unavailable_reason() is None
    m.open_department("registrar")
    m.open_matter("transcript")
    m.commands_answered(False)
    assert m.screen is Screen.UNAVAILABLE and m.unavailable_reason() == "commands_refused"
    assert "ACL" in m.unavailable_message()
    m.lang = "en"
    assert "commands not answered" in m.unavailable_message()
    m.take_ticket()
    assert fx.sent == []
    m.commands_answered(True)
    assert m.unavailable_reason() is None and m.screen is Screen.GUIDE
