"""The kiosk for general windows: matters offered directly on the start screen, and document
pickup (出件) by pickup code. The model without Qt, then the real window in both languages with
screenshots (build/screenshots/kiosk-matters-first-*.png, kiosk-pickup-*.png)."""

from __future__ import annotations

import copy

import pytest
from PySide6.QtWidgets import QApplication

from hallcall.broker.service.projections import catalog as catalog_payload
from hallcall.config.schema import HallConfig
from hallcall.device_kit.fonts import install_cjk_font
from hallcall.kiosk.model import KioskModel, Screen
from hallcall.kiosk.widgets import KioskWindow
from tests.kiosk.test_model import Clock, Effects, ok, ticket
from tests.support.screens import save_screenshot

PICKUP_NAME = {"zh": "综合窗口出件", "en": "Document pickup"}


def general_catalog(hall_config, *, pickup: bool = True) -> dict:
    """The example hall's catalog as a general-window hall sends it."""
    payload = copy.deepcopy(catalog_payload(hall_config, 11))
    payload["hall"]["kiosk_start"] = "matters"
    if pickup:
        payload["hall"]["pickup"] = {"enabled": True, "name": PICKUP_NAME}
    return payload


def model(payload: dict) -> KioskModel:
    clock, fx = Clock(), Effects()
    ids = iter(f"rid-{n}" for n in range(1, 1000))
    m = KioskModel(fx, now=clock, new_id=lambda: next(ids), connect_grace_s=0)
    m.set_mqtt(True)
    m.set_server_status({"state": "online"})
    m.set_catalog(payload)
    m.set_printer_status("ok")
    m.clock, m.fx = clock, fx  # type: ignore[attr-defined]
    return m


def test_the_start_screen_offers_every_matter_with_its_department(hall_config):
    m = model(general_catalog(hall_config))
    tiles = m.department_tiles()
    expected = [(d.id, x.id) for d in hall_config.departments for x in d.matters]
    assert [tuple(t.id.split("/")) for t in tiles] == expected
    first, dep = tiles[0], hall_config.departments[0]
    assert first.name == dep.matters[0].name.zh  # the matter's own name, not the department's
    assert first.detail.startswith(dep.name.zh) and first.prefix == dep.prefix
    assert m.start_title() == "请选择您要办理的事项"
    m.choose_language("en")
    assert m.start_title() == "What would you like to do?"


def test_a_matter_tile_goes_straight_to_its_guide_and_takes_its_ticket(hall_config):
    m = model(general_catalog(hall_config))
    m.open_department("finance/tuition")
    assert m.screen is Screen.GUIDE and (m.department_id, m.matter_id) == ("finance", "tuition")
    m.take_ticket()
    rid = m.fx.checks[-1]
    m.printer_checked(rid, "ok")
    assert m.fx.sent[-1][1:] == (
        "ticket.issue",
        {"department": "finance", "matter": "tuition", "priority": "normal", "lang": "zh"},
    )
    m.reply(ok(rid, ticket("B001", department="finance", matter="tuition")))
    m.printed(rid, True)
    assert m.screen is Screen.RESULT and m.result_view().matter


def test_back_from_a_matter_offered_directly_returns_to_the_start(hall_config):
    m = model(general_catalog(hall_config))
    m.open_department("finance/tuition")
    m.back()
    assert m.screen is Screen.START and m.department_id is None


def test_an_unknown_matter_tile_changes_nothing(hall_config):
    m = model(general_catalog(hall_config))
    m.open_department("finance/no-such-matter")
    assert m.screen is Screen.START and m.department_id is None


def test_a_grouped_matter_shows_its_group_queue(hall_config):
    group = {"id": "money", "name": {"zh": "缴费", "en": "Payments"}, "prefix": "G"}
    grouped = HallConfig.model_validate(
        {**hall_config.model_dump(), "matter_groups": [{**group, "matters": ["finance.tuition"]}]}
    )
    payload = catalog_payload(grouped, 12)  # as the broker publishes it
    payload["hall"]["kiosk_start"] = "matters"
    m = model(payload)
    m.set_queue("money", {"waiting": 4, "open_windows": 2, "estimated_wait_s": 600})
    m.set_queue("finance", {"waiting": 0, "open_windows": 1})
    tile = next(t for t in m.department_tiles() if t.id == "finance/tuition")
    assert tile.prefix == "G" and "等候 4 人" in tile.detail
    other = next(t for t in m.department_tiles() if t.id == "finance/reimbursement")
    assert other.prefix == "B" and "无需等候" in other.detail


def test_the_department_start_stays_the_default(hall_config):
    m = model(catalog_payload(hall_config, 3))
    assert not m.matters_first and not m.offers_pickup
    assert [t.id for t in m.department_tiles()] == [d.id for d in hall_config.departments]
    m.open_pickup()
    assert m.screen is Screen.START  # no pickup queue in this hall: nothing opens


def test_a_pickup_code_is_sent_as_ticket_pickup_and_its_ticket_printed(hall_config):
    m = model(general_catalog(hall_config))
    m.open_pickup()
    assert m.screen is Screen.PICKUP
    assert m.code_texts() == ("综合窗口出件", "请输入受理时告知您的取件码", "取件码")
    for ch in "4711099":
        m.key(ch)
    m.delete()
    m.submit_code()
    rid = m.fx.checks[-1]
    m.printer_checked(rid, "ok")
    assert m.fx.sent[-1][1:] == ("ticket.pickup", {"code": "471109", "lang": "zh"})
    assert m.working_message() == "正在查找您的办件，请稍候……"
    m.reply(ok(rid, ticket("Q001", queue="pickup", department="finance", matter="tuition")))
    m.printed(rid, True)
    view = m.result_view()
    assert m.screen is Screen.RESULT and view.number == "Q001" and view.badge == "取件"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("not_found", "没有找到这个取件码"),
        ("conflict", "已经使用过"),
        ("closed", "今日暂停取件"),
    ],
)
def test_a_refused_pickup_says_why_in_pickup_words(hall_config, code, message):
    m = model(general_catalog(hall_config))
    m.open_pickup()
    m.key("1")
    m.submit_code()
    rid = m.fx.checks[-1]
    m.printer_checked(rid, "ok")
    m.reply({"request_id": rid, "ok": False, "error": {"code": code, "message": "x"}})
    title, text, _retry = m.failure_view()
    assert m.screen is Screen.ERROR and title == "未能取号取件" and message in text
    assert not m.fx.prints


# ------------------------------------------------------------------ the real window
pump = QApplication.processEvents


@pytest.fixture
def window(qtbot, qapp):
    install_cjk_font(qapp)

    def make(payload: dict, lang: str, size: tuple[int, int]):
        m = model(payload)
        m.choose_language(lang)
        w = KioskWindow(m)
        qtbot.addWidget(w)
        w.fit(*size)
        w.show()
        for _ in range(4):
            pump()
        return m, w

    return make


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)], ids=["landscape", "portrait"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_matter_start_and_the_pickup_keypad_fit_in_both_languages(
    window, hall_config, lang, size
):
    m, w = window(general_catalog(hall_config), lang, size)
    orient = "landscape" if size[0] > size[1] else "portrait"
    start = w.screens[Screen.START]
    shown = {t.property("department") for t in start.picker.tiles if not t.isHidden()}
    assert "finance/tuition" in shown or m.department_page().count > 1
    assert start.pickup_tile is not None and start.pickup_tile.isVisible()
    assert w.overflow() == []
    save_screenshot(w, f"kiosk-matters-first-{lang}-{orient}")
    m.open_pickup()
    w.refresh()
    for ch in "204719":
        m.key(ch)
    for _ in range(4):
        pump()
    assert m.screen is Screen.PICKUP and w.current().title.text() == PICKUP_NAME[lang]
    assert w.overflow() == []
    save_screenshot(w, f"kiosk-pickup-{lang}-{orient}")


def test_a_pickup_ticket_says_so_at_the_top_in_both_languages(hall_config):
    from hallcall.kiosk.catalog import parse_catalog
    from hallcall.kiosk.printout import ticket_print

    catalog = parse_catalog(general_catalog(hall_config))
    t = ticket("Q001", queue="pickup", department="finance", matter="tuition")
    assert ticket_print(t, catalog, "zh").mark == "取件"
    assert ticket_print(t, catalog, "en").mark == "DOCUMENT PICKUP"
    assert ticket_print(ticket("B001"), catalog, "zh").mark is None
