"""The web part in a real browser (Debian's chromium through Playwright) against a real queue
broker on a real Mosquitto: the QR of a printed ticket opens its page, the page counts down as
the clerk calls, the near alert fires, "please go to window N" comes when called; a bad token
is a clear page; the lobby page follows the calls. Phone pages are checked for the 适老化
guidance (body text >= 18 px, touch targets >= 60 x 60 px, contrast >= 4.5:1). Screenshots
of each page, phone and desktop, in both languages, go to build/screenshots/.
"""

from __future__ import annotations

import time
from urllib.parse import urlparse

import httpx
import pytest
from pyzbar.pyzbar import decode

from hallcall.hardware.printer import PrinterConfig, open_printer
from hallcall.hardware.printer.raster import raster_images, stack
from hallcall.kiosk.catalog import parse_catalog
from hallcall.kiosk.printout import TicketPrinter, ticket_print
from hallcall.web.background import serve_in_background
from hallcall.web.hub import WebHub
from tests.web.browser import DESKTOP, PHONE, TV, check_elderly, shoot


def wait_online(web) -> None:
    deadline = time.monotonic() + 15
    while not web.hub.online:
        assert time.monotonic() < deadline, "the web part does not hear the queue broker"
        time.sleep(0.05)


@pytest.fixture
def web(hall_config, mqtt_settings):
    """The web part under uvicorn on a free loopback port."""
    running = serve_in_background(WebHub(hall_config.hall.id, mqtt_settings, "web"))
    yield running
    running.stop()


def printed_qr(kiosk, ticket: dict) -> str:
    """Print `ticket` as a kiosk does (fake printer, real raster bytes) and read its QR code."""
    catalog = parse_catalog(kiosk.states["state/catalog"])
    config = PrinterConfig(kind="fake")
    printer = TicketPrinter(open_printer(config), config.paper_width_px, None)
    ok, status = printer.print(ticket_print(ticket, catalog, "zh"))
    assert ok, status
    image = stack(raster_images(printer.printer.output)).convert("L")
    codes = [c.data.decode() for c in decode(image)]
    assert len(codes) == 1, codes
    return codes[0]


def test_the_printed_qr_opens_a_live_page_that_alerts_and_calls(queue_broker, device, web, browser):
    queue_broker()
    wait_online(web)
    kiosk = device("kiosk", "kiosk-1", ["state/catalog"])
    assert kiosk.states.get("state/catalog") or time.sleep(1) or kiosk.states["state/catalog"]
    ahead = [
        kiosk.request("ticket.issue", department="registrar", matter="transcript")["data"]
        for _ in range(4)
    ]
    assert all("ticket" in a for a in ahead)
    mine = kiosk.request("ticket.issue", department="registrar", matter="transcript")
    assert mine["ok"], mine
    ticket = mine["data"]["ticket"]
    url = printed_qr(kiosk, ticket)
    assert ticket["token"] in url and ticket["id"] not in url  # unguessable, not the ticket id
    path = urlparse(url).path

    phone = browser.new_page(viewport=PHONE)
    phone.goto(web.url + path)
    assert phone.locator("#number").inner_text() == ticket["number"]
    assert phone.locator("#headline").inner_text() == "前面还有 4 人"
    check_elderly(phone, "waiting, zh")
    shoot(phone, "ticket-phone-zh-waiting")

    clerk = device("window", "w01")
    assert clerk.request("window.login", staff="s101", post="A", pin="2468")["ok"]
    assert clerk.request("call.next")["ok"]
    phone.wait_for_function(
        "() => document.getElementById('headline').textContent === '前面还有 3 人'"
    )
    phone.wait_for_function("() => window.hallcallAlerts === 1")  # 3 ahead: the near alert
    assert "near" in phone.locator("#ticket").get_attribute("class")
    shoot(phone, "ticket-phone-zh-near")

    for _ in range(3):
        assert clerk.request("ticket.finish", outcome="done")["ok"]
        assert clerk.request("call.next")["ok"]
    assert clerk.request("ticket.finish", outcome="done")["ok"]
    started = time.monotonic()
    assert clerk.request("call.next")["data"]["ticket"]["number"] == ticket["number"]
    phone.wait_for_function(
        "() => document.getElementById('headline').textContent.startsWith('请到')", timeout=5000
    )
    took = time.monotonic() - started
    assert phone.locator("#headline").inner_text() == "请到 1 号窗口"
    assert took < 2, took
    assert phone.evaluate("window.hallcallAlerts") == 2  # called: it rings again
    check_elderly(phone, "called, zh")
    shoot(phone, "ticket-phone-zh-called")

    en = browser.new_page(viewport=PHONE)
    en.goto(web.url + path + "?lang=en")
    assert en.locator("#headline").inner_text() == "Please go to window 1"
    check_elderly(en, "called, en")
    shoot(en, "ticket-phone-en-called")
    desk = browser.new_page(viewport=DESKTOP)
    desk.goto(web.url + path + "?lang=en")
    shoot(desk, "ticket-desktop-en-called")

    assert clerk.request("ticket.finish", outcome="done")["ok"]
    phone.wait_for_function(
        "() => document.getElementById('headline').textContent === '办理完毕，谢谢'"
    )
    # Served: the page offers the hall's rating levels (best first), once, as the pad does.
    phone.wait_for_selector("#rate:not([hidden])")
    assert phone.locator("#rate .level").all_inner_texts() == ["满意", "一般", "不满意"]
    check_elderly(phone, "rate, zh")
    shoot(phone, "ticket-phone-zh-done")
    pad = device("rating", "pad-w01")
    phone.click("#rate .level >> text=满意")
    phone.wait_for_selector("#rate-said")
    assert phone.locator("#rate-said").inner_text() == "感谢您的评价！"
    assert phone.locator("#rate").get_attribute("hidden") is not None
    shoot(phone, "ticket-phone-zh-rated")
    late = pad.request("rating.submit", ticket_id=ticket["id"], score=1)
    assert not late["ok"] and late["error"]["detail"]["reason"] == "already_rated"
    again = phone.request.post(web.url + path + "/rate", form={"score": "1", "lang": "en"})
    assert "rated=rate_already" in again.url
    # Rated: nothing more can happen to it, so its stream says so and ends (no polling after).
    with httpx.stream("GET", web.url + path + "/events", timeout=10) as events:
        lines = [line for line in events.iter_lines() if line.startswith("event:")]
    assert lines == ["event: ticket", "event: end"]
    superscript = phone.request.post(web.url + path + "/rate", form={"score": "²"})
    assert superscript.status == 200 and "rated=rate_refused" in superscript.url
    for p in (phone, en, desk):
        p.close()


def test_a_bad_token_is_a_clear_page_in_both_languages(queue_broker, web, browser):
    queue_broker()
    wait_online(web)
    page = browser.new_page(viewport=PHONE)
    for token, lang, words in [
        ("A" * 22, "zh", "找不到这张号"),
        ("no", "en", "Ticket not found"),
        ("20261123-A001", "en", "Ticket not found"),  # a ticket id is no token
    ]:
        response = page.goto(f"{web.url}/t/{token}?lang={lang}")
        assert response is not None and response.status == 404
        assert page.locator("#headline").inner_text() == words
        assert "Traceback" not in page.content()
        check_elderly(page, f"not found, {lang}")
        shoot(page, f"ticket-phone-{lang}-not-found")
    headers = httpx.get(f"{web.url}/t/{'A' * 22}").headers
    assert headers["x-frame-options"] == "DENY" and headers["referrer-policy"] == "no-referrer"
    assert "default-src 'self'" in headers["content-security-policy"]
    response = page.goto(f"{web.url}/nothing-here")
    assert response is not None and response.status == 404
    assert page.locator("#headline").inner_text() == "找不到这张号"
    page.close()


def test_the_lobby_page_follows_the_calls(queue_broker, device, web, browser):
    queue_broker()
    wait_online(web)
    kiosk = device("kiosk", "kiosk-1")
    number = kiosk.request("ticket.issue", department="registrar", matter="transcript")["data"][
        "ticket"
    ]["number"]
    tv = browser.new_page(viewport=TV)
    tv.goto(web.url + "/lobby")
    tv.wait_for_function("() => document.querySelector('.newest-none') !== null")
    clerk = device("window", "w01")
    assert clerk.request("window.login", staff="s101", post="A", pin="2468")["ok"]
    assert clerk.request("call.next")["ok"]
    tv.wait_for_function(
        f"() => (document.querySelector('.newest-number') || {{}}).textContent === '{number}'"
    )
    assert tv.locator(".newest-window").all_inner_texts() == [
        "请到 1 号窗口",
        "Please go to window 1",
    ]
    shoot(tv, "lobby-tv-calling")
    fits = tv.evaluate("document.documentElement.scrollHeight <= window.innerHeight")
    assert fits, "the lobby page scrolls on a 1920 x 1080 TV"
    tv.close()
