"""The kiosk's ID card path without Qt: the card screen, the green channel offer, the masked name
on the ticket and nothing of the card in a command or a log."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from hallcall.kiosk.model import CardSeen, CardState, KioskModel, Screen
from hallcall.kiosk.printout import ticket_print
from hallcall.kiosk.settings import KioskSettings
from tests.kiosk.test_model import Clock, Effects, ok, ticket

TODAY = date(2026, 11, 23)
OLD = CardSeen("张*丰", date(1956, 5, 1))  # 70
YOUNG = CardSeen("李*", date(1996, 5, 1))  # 30
SIXTY_TOMORROW = CardSeen("王*", date(1966, 11, 24))  # 59 today, 60 tomorrow


@pytest.fixture
def kiosk(catalog):
    return make(catalog)


def make(catalog, **kw) -> KioskModel:
    clock, fx = Clock(), Effects()
    ids = iter(f"rid-{n}" for n in range(1, 1000))
    m = KioskModel(
        fx,
        now=clock,
        new_id=lambda: next(ids),
        **{"idcard": True, "today": lambda: TODAY, "card_wait_s": 10, **kw},
    )
    m.set_mqtt(True)
    m.set_server_status({"state": "online"})
    m.set_catalog(catalog)
    m.set_printer_status("ok")
    m.clock, m.fx = clock, fx  # type: ignore[attr-defined]
    return m


@pytest.fixture
def catalog(hall_config):
    from hallcall.broker.service.projections import catalog as catalog_payload

    return catalog_payload(hall_config, 7)


def take(m: KioskModel, dep="registrar", matter="status-change") -> str:
    m.open_department(dep)
    m.open_matter(matter)
    m.take_ticket()
    rid = m.fx.checks[-1]  # type: ignore[attr-defined]
    m.printer_checked(rid, "ok")
    return rid


def test_an_old_visitor_is_offered_the_green_channel_and_gets_a_priority_ticket(kiosk):
    m = kiosk
    m.open_card()
    assert m.screen is Screen.CARD and m.card_state is CardState.WAITING
    assert m.card_view()[1] == "请将身份证放在读卡区"
    m.card_read(OLD)
    assert m.screen is Screen.GREEN and m.card_age() == 70
    assert "张*丰" in m.card_view()[1]
    m.accept_green_channel()
    assert m.screen is Screen.START and m.priority and m.card_banner() == "绿色通道（优先）：张*丰"
    rid = take(m)
    (_, op, args) = m.fx.sent[-1]
    assert op == "ticket.issue" and args["priority"] == "priority"
    assert "张" not in repr(args)  # nothing of the card goes in the command
    m.reply(ok(rid, ticket(priority="priority")))
    printed = m.fx.prints[-1][1]
    assert printed.mark and "张*丰" in (printed.footer or "")
    m.printed(rid, True)
    assert m.screen is Screen.RESULT
    m.home()
    assert m.card is None and not m.priority  # the next visitor starts clean


def test_declining_the_green_channel_gives_a_normal_ticket(kiosk):
    m = kiosk
    m.card_read(OLD)  # placed on the start screen directly
    assert m.screen is Screen.GREEN
    m.decline_green_channel()
    assert m.screen is Screen.START and not m.priority and m.card is not None
    take(m)
    assert m.fx.sent[-1][2]["priority"] == "normal"


def test_a_young_visitor_goes_straight_to_the_departments(kiosk):
    m = kiosk
    m.open_card()
    m.card_read(YOUNG)
    assert m.screen is Screen.START and not m.priority and m.card_banner() == "已读取身份证：李*"
    rid = take(m)
    m.reply(ok(rid, ticket()))
    printed = m.fx.prints[-1][1]
    assert printed.mark is None and "李*" in (printed.footer or "")


def hall_catalog(**idcard) -> dict:
    """The example hall's catalog with these `[idcard]` choices."""
    from hallcall.broker.service.projections import catalog as catalog_payload
    from hallcall.config.loader import EXAMPLE_HALL, load_config

    config = load_config(EXAMPLE_HALL)
    config = config.model_copy(update={"idcard": config.idcard.model_copy(update=idcard)})
    return catalog_payload(config, 7)


def test_the_age_counts_full_years_on_the_halls_today(catalog):
    m = make(catalog)
    m.card_read(SIXTY_TOMORROW)
    assert m.screen is Screen.START and m.card_age() == 59
    off = make(hall_catalog(green_channel_age=0))
    off.card_read(OLD)
    assert off.screen is Screen.START and not off.priority
    assert off.card_hint() == "把身份证放在读卡器上"
    assert make(hall_catalog(green_channel_age=65)).card_hint() == "65 岁以上可走绿色通道"


def test_the_hall_decides_the_age_over_the_device_file(catalog):
    """The hall file's `[idcard] green_channel_age` (in the catalog) wins; the device file's
    counts only with a catalog that says nothing (an older broker)."""
    assert make(catalog, green_channel_age=0).green_channel_age == 60
    older = {**catalog, "hall": {k: v for k, v in catalog["hall"].items() if k != "idcard"}}
    m = make(older, green_channel_age=0)
    assert m.green_channel_age == 0
    m.card_read(OLD)
    assert m.screen is Screen.START and not m.priority


def test_nothing_read_in_time_says_so_and_the_visitor_can_try_again(kiosk):
    m = kiosk
    m.open_card()
    m.clock.advance(11)  # type: ignore[attr-defined]
    m.tick()
    assert m.card_state is CardState.FAILED and m.card_view()[0] == "!"
    m.choose_language("en")
    assert m.card_view()[1] == "The ID card could not be read"
    m.retry_card()
    assert m.card_state is CardState.WAITING
    m.card_read(YOUNG)
    assert m.screen is Screen.START and m.card is not None


def test_an_offline_reader_is_told_and_a_normal_ticket_stays_possible(kiosk):
    m = kiosk
    m.set_card_reader_online(False)
    m.open_card()
    assert m.card_view()[1] == "身份证阅读器暂时不能使用"
    m.clock.advance(30)  # type: ignore[attr-defined]
    m.tick()
    assert m.card_view()[1] == "身份证阅读器暂时不能使用"
    m.back()
    assert m.screen is Screen.START
    take(m)
    assert m.fx.sent[-1][2]["priority"] == "normal"
    m.set_card_reader_online(True)


def test_a_card_mid_way_or_without_a_reader_is_ignored(kiosk, catalog):
    m = kiosk
    m.open_department("registrar")
    m.card_read(OLD)
    assert m.screen is Screen.MATTERS and m.card is None
    plain = make(catalog, idcard=False)
    plain.open_card()
    assert plain.screen is Screen.START
    plain.card_read(OLD)
    assert plain.card is None


def test_cancel_forgets_the_card(kiosk):
    m = kiosk
    m.card_read(OLD)
    m.accept_green_channel()
    m.cancel_card()
    assert m.card is None and not m.priority and m.card_banner() == ""


def test_no_card_no_name_on_the_ticket(catalog):
    from hallcall.kiosk.catalog import parse_catalog

    cat = parse_catalog(catalog)
    plain = ticket_print(ticket(), cat, "zh")
    carded = ticket_print(ticket(), cat, "en", card_name="张*丰")
    assert "张" not in (plain.footer or "") and (carded.footer or "").startswith("Taken by: 张*丰.")


def test_the_device_file_keys():
    s = KioskSettings(hall="h")
    assert s.idcard is None and s.green_channel_age == 60
    s = KioskSettings.model_validate(
        {
            "hall": "h",
            "idcard": {"kind": "serial", "devfile": "/dev/ttyUSB3"},
            "green_channel_age": 0,
        }
    )
    assert s.idcard is not None and s.idcard.devfile == "/dev/ttyUSB3" and s.green_channel_age == 0
    with pytest.raises(ValueError):
        KioskSettings.model_validate({"hall": "h", "idcard": {"kind": "serial"}})


def test_the_model_logs_no_name(kiosk, caplog):
    caplog.set_level(logging.DEBUG)
    kiosk.open_department("registrar")
    kiosk.card_read(OLD)  # ignored: logged without the card
    kiosk.home()
    kiosk.card_read(OLD)
    assert "张" not in caplog.text


# ---------------------------------------------------------------- check-in by card (issue #15)
HASH = "ab" * 32
OLD_HASHED = CardSeen("张*丰", date(1956, 5, 1), HASH)
YOUNG_HASHED = CardSeen("李*", date(1996, 5, 1), "cd" * 32)


def not_found(rid: str, detail=None) -> dict:
    error = {"code": "not_found", "message": "no appointment today for this ID card"}
    if detail:
        error["detail"] = detail
    return {"request_id": rid, "ok": False, "error": error}


def test_a_card_checks_in_first_and_only_its_hash_is_sent(catalog, caplog):
    caplog.set_level(logging.DEBUG)
    m = make(catalog, card_key=True)
    assert m.card_hint() == "预约自动签到 · 60 岁以上绿色通道"
    m.card_read(OLD_HASHED)  # 70, but an appointment first: no green channel offer
    assert m.screen is Screen.WORKING and m.working_message() == "正在查找您今天的预约，请稍候……"
    rid = m.fx.checks[-1]  # type: ignore[attr-defined]
    m.printer_checked(rid, "ok")
    assert m.fx.sent[-1] == (rid, "appointment.checkin", {"id_hash": HASH})  # type: ignore[attr-defined]
    m.reply(ok(rid, ticket(source="appointment")))
    printed = m.fx.prints[-1][1]  # type: ignore[attr-defined]
    assert "张*丰" in (printed.footer or "")
    m.printed(rid, True)
    view = m.result_view()
    assert m.screen is Screen.RESULT and view is not None
    assert view.badge == "预约" and view.message == "张*丰，预约签到成功。请取走下方打印的号票"
    assert "OLD" not in repr(OLD_HASHED) and HASH not in repr(OLD_HASHED)


def test_no_appointment_today_offers_a_ticket_that_keeps_the_hash(catalog):
    m = make(catalog, card_key=True)
    m.card_read(OLD_HASHED)
    rid = m.fx.checks[-1]  # type: ignore[attr-defined]
    m.printer_checked(rid, "ok")
    m.reply(not_found(rid, {"reason": "not_today", "booked_for": "2026-11-25"}))
    assert m.screen is Screen.NO_APPOINTMENT
    assert m.card_view()[1:] == (
        "张*丰，您今天没有预约",
        "您的预约在 2026-11-25，不是今天。今天可以直接取号排队。",
    )
    m.card_take_ticket()
    assert m.screen is Screen.GREEN  # then the 70-year-old's green channel offer
    m.accept_green_channel()
    rid = take(m)
    op, args = m.fx.sent[-1][1:]  # type: ignore[attr-defined]
    assert op == "ticket.issue" and args["id_hash"] == HASH and args["priority"] == "priority"


def test_the_hall_may_turn_card_check_in_or_card_tickets_off(catalog):
    # Without the key on this kiosk: a ticket as before, nothing sent for the card.
    m = make(catalog)
    m.card_read(YOUNG_HASHED)
    assert m.screen is Screen.START and m.fx.sent == []  # type: ignore[attr-defined]
    # The hall turns check-in off: the same.
    m = make(hall_catalog(card_checkin=False), card_key=True)
    m.card_read(YOUNG_HASHED)
    assert m.screen is Screen.START and m.fx.sent == []  # type: ignore[attr-defined]
    # Card tickets off, check-in on: "check in with ID card"; no appointment: back to start.
    m = make(hall_catalog(card_ticket=False), card_key=True)
    assert m.card_button() == "刷身份证签到" and m.card_hint() == "已预约的自动签到"
    m.card_read(YOUNG_HASHED)
    rid = m.fx.checks[-1]  # type: ignore[attr-defined]
    m.printer_checked(rid, "ok")
    m.reply(not_found(rid))
    assert m.card_view()[2] == "没有找到用这张身份证预约的今天的事项。请返回首页取号。"
    m.card_take_ticket()
    assert m.screen is Screen.START and m.card is None
    # Both off: no card button, and a card laid on the reader is ignored.
    m = make(hall_catalog(card_ticket=False, card_checkin=False), card_key=True)
    assert not m.offers_card()
    m.card_read(YOUNG_HASHED)
    assert m.card is None and m.screen is Screen.START
