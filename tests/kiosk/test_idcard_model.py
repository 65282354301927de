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


def test_the_age_counts_full_years_on_the_halls_today(catalog):
    m = make(catalog)
    m.card_read(SIXTY_TOMORROW)
    assert m.screen is Screen.START and m.card_age() == 59
    off = make(catalog, green_channel_age=0)
    off.card_read(OLD)
    assert off.screen is Screen.START and not off.priority
    assert off.card_hint() == "把身份证放在读卡器上"
    assert make(catalog, green_channel_age=65).card_hint() == "65 岁以上可走绿色通道"


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
