"""Remote tickets (线上取号) on the phone, in a real browser against a real queue broker on a
real Mosquitto: take one, see its check-in code (and QR), check it in at a kiosk, watch the
page turn into the ticket; the daily cap per phone; a bad number; the number never on MQTT."""

from __future__ import annotations

import io
import time

from PIL import Image
from pyzbar.pyzbar import decode

from hallcall.web.remote import PhoneBook, clean_phone
from hallcall.web.storage.migrate import open_web_db
from tests.support.mqtt import wait_for
from tests.web.browser import PHONE, check_elderly, shoot
from tests.web.test_notify import sniff

NUMBER = "13912345678"


def test_phone_numbers_and_the_daily_cap(tmp_path):
    assert clean_phone("139 1234-5678") == NUMBER
    assert clean_phone("+85291234567") == "+85291234567"
    for same in ("+86 139 1234 5678", "008613912345678", "+8613912345678", "(139) 1234-5678"):
        assert clean_phone(same) == NUMBER, same
    assert clean_phone("+0013600000002") is None and clean_phone("+12") is None
    assert clean_phone("12345") is None and clean_phone("1391234567x") is None
    book = PhoneBook(open_web_db(f"sqlite:///{tmp_path}/w.db"))
    assert [book.take(NUMBER, "2026-12-03", 2) for _ in range(3)] == [True, True, False]
    book.give_back(NUMBER, "2026-12-03")
    assert book.take(NUMBER, "2026-12-03", 2)
    assert book.take(NUMBER, "2026-12-04", 2)  # a new day, a new count (yesterday's deleted)
    assert book.taken(NUMBER, "2026-12-03") == 0
    assert NUMBER not in book.key_of(NUMBER) and len(book.key_of(NUMBER)) == 64
    again = PhoneBook(book.engine)  # the key is kept: the same number, the same hash
    assert again.key_of(NUMBER) == book.key_of(NUMBER)


def test_take_a_ticket_online_then_check_in_at_the_kiosk(
    queue_broker, device, remote_web, browser, hall_config, mqtt_settings
):
    assert hall_config.remote_tickets.enabled and hall_config.remote_tickets.join == "on_checkin"
    traffic = sniff(mqtt_settings.port)
    queue_broker()
    web = remote_web
    wait_for(lambda: web.hub.online, what="the web part online")
    clerk = device("window", "w01")
    assert clerk.request("window.login", staff="s101", post="A", pin="2468")["ok"]

    page = browser.new_page(viewport=PHONE)
    page.goto(f"{web.url}/remote?lang=zh")
    wait_for(lambda: page.locator("#department option").count() > 0, what="departments")
    check_elderly(page, "remote form, zh")
    shoot(page, "remote-phone-zh-form")
    page.fill("#phone", "12345")
    page.click("#remote button")
    page.wait_for_selector("#said")
    assert page.locator("#said").inner_text() == "手机号码不对，请再检查一下。"

    page.select_option("#department", "registrar")
    page.fill("#phone", "139 1234 5678")
    page.click("#remote button")
    page.wait_for_url("**/t/**")
    headline = page.locator("#headline").inner_text()
    assert headline.startswith("请在自助取号机点“预约取号”，输入 ")
    code = headline.rsplit(" ", 1)[1]
    assert code.isdigit() and len(code) == 6 and page.locator("#number").inner_text() == code
    png = page.locator("#checkin-qr").screenshot()
    assert [c.data.decode() for c in decode(Image.open(io.BytesIO(png)))] == [code]
    check_elderly(page, "check-in code, zh")
    assert not page.locator("#alert").is_visible()  # nothing to alert about before check-in
    shoot(page, "remote-phone-zh-checkin")

    kiosk = device("kiosk", "kiosk-1")
    checked = kiosk.request("appointment.checkin", code=code)
    assert checked["ok"], checked
    assert checked["data"]["ticket"]["source"] == "remote"
    page.wait_for_function(
        "() => document.getElementById('headline').textContent === '下一位就是您'", timeout=5000
    )
    assert not page.locator("#checkin-qr").is_visible()  # checked in: the code is spent
    assert page.locator("#alert").is_visible()
    shoot(page, "remote-phone-zh-checked-in")

    en = browser.new_page(viewport=PHONE)
    for _ in range(2):  # per_phone_daily = 3: the second and third are taken, the fourth not
        en.goto(f"{web.url}/remote?lang=en")
        en.fill("#phone", NUMBER)
        en.click("#remote button")
        en.wait_for_url("**/t/**")
    en.goto(f"{web.url}/remote?lang=en")
    en.fill("#phone", NUMBER)
    en.click("#remote button")
    en.wait_for_selector("#said")
    assert (
        en.locator("#said").inner_text() == "This number has taken all of today's online tickets."
    )
    check_elderly(en, "remote cap, en")
    shoot(en, "remote-phone-en-cap")
    page.close()
    en.close()
    time.sleep(0.3)
    heard = traffic.heard()
    traffic.stop()
    assert len(heard) > 10
    assert not any(NUMBER.encode() in topic.encode() + raw for topic, raw, _ in heard)
