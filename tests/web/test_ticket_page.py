"""What the visitor's page says for each answer of `ticket.status` (plain Python, no I/O)."""

from __future__ import annotations

from hallcall.protocol.payloads import CatalogView
from hallcall.web.ticket_page import TEXTS, choose_lang, ticket_page

CATALOG = CatalogView(
    seq=1,
    hall={"default_language": "en"},
    departments=[
        {
            "id": "registrar",
            "name": {"zh": "教务处", "en": "Registrar"},
            "matters": [{"id": "transcript", "name": {"zh": "成绩单", "en": "Transcript"}}],
        }
    ],
    windows=[],
    devices=[],
)


def status(**ticket) -> dict:
    base = {
        "id": "20261123-A005",
        "number": "A005",
        "department": "registrar",
        "matter": "transcript",
        "status": "waiting",
        "waiting_ahead": 4,
        "estimated_wait_s": 600,
    }
    flags = {k: ticket.pop(k) for k in list(ticket) if k in FLAGS}
    return {
        "ticket": {**base, **ticket},
        "service_date": "2026-11-23",
        "today": "2026-11-23",
        "other_day": False,
        "day_closed": False,
        "hall_closed": False,
        "closed_by_system": False,
        "can_rate": False,
        **flags,
    }


FLAGS = {"other_day", "day_closed", "hall_closed", "closed_by_system", "can_rate"}


def test_waiting_then_near_then_called_in_both_languages():
    far = ticket_page(status(), "zh", CATALOG)
    assert (far.state, far.headline, far.near) == ("waiting", "前面还有 4 人", False)
    assert far.detail == "预计等候约 10 分钟"
    assert (far.department, far.matter) == ("教务处", "成绩单")
    near = ticket_page(status(waiting_ahead=3), "en", CATALOG)
    assert near.near and near.headline == "3 ahead of you"
    assert near.detail.startswith("Your turn is near")
    assert ticket_page(status(waiting_ahead=0), "en", CATALOG).headline == "You are next"
    assert not ticket_page(status(waiting_ahead=3), "en", CATALOG, near_ahead=2).near
    called = ticket_page(status(status="called", window_number=3), "zh", CATALOG)
    assert (called.state, called.headline, called.window_number) == ("called", "请到 3 号窗口", 3)
    assert called.ahead is None and not called.near


def test_no_open_window_says_so_instead_of_a_wait():
    page = ticket_page(status(estimated_wait_s=None), "en", CATALOG)
    assert page.detail == TEXTS("en", "wait_unknown")


def test_after_the_service_and_the_ways_a_ticket_ends():
    assert ticket_page(status(status="finished", outcome="done"), "en", CATALOG).headline == (
        "Served. Thank you"
    )
    missing = [{"zh": "身份证", "en": "ID card"}, {"zh": "照片", "en": "Photo"}]
    docs = ticket_page(
        status(status="finished", outcome="needs_documents", missing_materials=missing),
        "zh",
        CATALOG,
    )
    assert docs.headline == "还需补充材料：身份证、照片"
    assert ticket_page(status(status="no_show"), "en", CATALOG).state == "gone"
    closed = ticket_page(status(status="finished", closed_by_system=True), "zh", CATALOG)
    assert closed.headline == "今日已结束办理，请改日再来"
    ended_by_close = ticket_page(status(status="no_show", closed_by_system=True), "zh", CATALOG)
    assert ended_by_close.headline == "今日已结束办理，请改日再来"
    waiting_closed = ticket_page(status(day_closed=True), "en", CATALOG)
    assert waiting_closed.state == "gone"


def test_a_ticket_of_another_day():
    page = ticket_page(status(other_day=True), "en", CATALOG)
    assert (page.state, page.headline) == (
        "gone",
        "This ticket was for 2026-11-23; it is not valid today",
    )


def test_the_language_asked_else_the_halls():
    assert choose_lang("zh", CATALOG) == "zh"
    assert choose_lang("fr", CATALOG) == "en"
    assert choose_lang(None, None) == "zh"


def test_every_text_in_both_languages():
    from hallcall.web.lobby_page import WORDS

    assert TEXTS.missing() == {}
    assert WORDS.missing() == {}


def test_a_time_limited_matter_done_shows_its_pickup_code():
    """General windows (出件): the page says the code the documents are collected with."""
    done = status(status="finished", outcome="done", pickup_code="48213907")
    assert ticket_page(done, "zh", CATALOG).headline == (
        "已受理。取件码 48213907：办结后凭此码在取号机取出件号"
    )
    assert "Pickup code 48213907" in ticket_page(done, "en", CATALOG).headline
