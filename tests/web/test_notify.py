"""The visitor's notifications: the rules, the durable outbox, and the whole path against a
real queue broker on a real Mosquitto, through apprise to a local HTTP receiver that fails at
first: each message arrives exactly once, also across a restart of the web part; the contact
is purged after the retention; the phone number never travels on MQTT."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from hallcall.web.app import WebOptions
from hallcall.web.background import serve_in_background
from hallcall.web.hub import WebHub
from hallcall.web.notify import rules
from hallcall.web.notify.outbox import Outbox
from hallcall.web.notify.sender import AppriseSender
from hallcall.web.notify.service import Notifier
from hallcall.web.notify.settings import Channel, NotifySettings
from hallcall.web.storage.migrate import open_web_db
from tests.support.mqtt import Eavesdropper, wait_for
from tests.web.browser import PHONE as VIEWPORT
from tests.web.browser import check_elderly, shoot

PHONE = "13800138000"


def status(state="waiting", ahead=4, **flags):
    ticket = {"id": "T1", "number": "A005", "status": state, "waiting_ahead": ahead}
    ticket["window_number"] = 2 if state == "called" else None
    return {"ticket": ticket, "other_day": False, "day_closed": False, **flags}


# ------------------------------------------------------------------ rules (no I/O)
def test_near_once_then_called_once():
    assert rules.due(status(ahead=4), False, False, 3) == []
    assert rules.due(status(ahead=3), False, False, 3) == ["near"]
    assert rules.due(status(ahead=2), True, False, 3) == []
    assert rules.due(status("called"), True, False, 3) == ["called"]
    assert rules.due(status("called"), True, True, 3) == []
    assert rules.due(status("called"), False, False, 3) == ["called"]  # a call makes near moot
    assert rules.due(status(ahead=1), False, True, 3) == []  # recalled back? nothing more
    assert rules.due(status(ahead=0, day_closed=True), False, False, 3) == []
    assert rules.ended(status("finished")) and rules.ended(status("no_show"))
    assert not rules.ended(status("called"))


def test_messages_addresses_and_pauses():
    title, body = rules.message("near", "zh", status(ahead=3))
    assert (title, body) == ("叫号提醒 A005", "A005：快到您了，前面还有 3 人，请回到大厅。")
    assert rules.message("called", "en", status("called"))[1] == (
        "A005: please go to window 2 now."
    )
    sms = Channel(url="json://gw/send?:to={address}", label={"en": "SMS"}, pattern=r"^1\d{10}$")
    assert rules.check_address(sms, " 138 0013 8000 ") == PHONE
    assert rules.check_address(sms, "12345") is None
    assert rules.check_address(sms, "13800138000&x=1") is None
    mail = Channel(url="mailto://u:p@mail.hall/?to={address}", label={"en": "E-mail"})
    assert rules.target_url(mail, "a&b@x.cn") == "mailto://u:p@mail.hall/?to=a%26b@x.cn"
    now = datetime(2026, 12, 3, tzinfo=UTC)
    pauses = [(rules.next_try(now, n, 5, 60) - now).total_seconds() for n in range(1, 6)]
    assert pauses == [5, 10, 20, 40, 60]
    with pytest.raises(ValueError):
        Channel(url="json://gw/send", label={"en": "SMS"})


def test_the_outbox_queues_each_kind_once_and_purges(tmp_path):
    box = Outbox(open_web_db(f"sqlite:///{tmp_path}/web.db"))
    now = datetime(2026, 12, 3, 9, tzinfo=UTC)
    cid = box.add_contact(
        token="t" * 22,
        ticket_id="T1",
        number="A005",
        channel="sms",
        address=PHONE,
        lang="zh",
        now=now,
    )
    assert box.tell(cid, "near", "json://x", "t", "b", now)
    assert not box.tell(cid, "near", "json://x", "t", "b", now)  # twice: queued once
    (due,) = box.due(now)
    box.retry(due.id, 1, now + timedelta(seconds=5), "down")
    assert box.due(now) == [] and len(box.due(now + timedelta(seconds=5))) == 1
    box.end(cid, now + timedelta(hours=1))
    assert box.purge(now) == 0
    assert box.purge(now + timedelta(hours=1)) == 1
    assert box.contact(cid) is None and box.all_notifications() == []


# ------------------------------------------------------------------ the whole path
class Receiver:
    """An HTTP endpoint for apprise's json:// that answers 500 to the first `fail` posts."""

    def __init__(self, fail: int):
        self.fail, self.posts, self.got = fail, 0, []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.posts += 1
                ok = outer.posts > outer.fail
                if ok:
                    outer.got.append(json.loads(body))
                self.send_response(200 if ok else 500)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()


def sniff(port: int) -> Eavesdropper:
    """Every MQTT message on the server from now on (the test looks for the phone in them)."""
    return Eavesdropper(port, "phone-sniffer")


def test_a_visitor_is_told_near_and_called_exactly_once_across_a_restart(
    tmp_path, queue_broker, device, hall_config, mqtt_settings
):
    receiver = Receiver(fail=2)
    engine = open_web_db(f"sqlite:///{tmp_path}/web.db")
    settings = NotifySettings(
        channels={
            "sms": Channel(
                url=f"json://127.0.0.1:{receiver.port}/sms?:to={{address}}",
                label={"zh": "短信", "en": "SMS"},
                pattern=r"^1[3-9]\d{9}$",
            )
        },
        retention_h=0,
        first_retry_s=0.2,
        max_retry_s=0.5,
    )

    def start_web():
        hub = WebHub(hall_config.hall.id, mqtt_settings, "web")
        notifier = Notifier(hub, Outbox(engine), AppriseSender(), settings, near_ahead=3)
        return serve_in_background(hub, WebOptions(notifier=notifier))

    traffic = sniff(mqtt_settings.port)
    queue_broker()
    web = start_web()
    try:
        kiosk = device("kiosk", "kiosk-1")
        for _ in range(4):
            assert kiosk.request("ticket.issue", department="registrar", matter="transcript")["ok"]
        mine = kiosk.request("ticket.issue", department="registrar", matter="transcript")
        token = mine["data"]["ticket"]["token"]
        wait_for(lambda: web.hub.online, what="the web part online")
        bad = httpx.post(f"{web.url}/t/{token}/contact", data={"channel": "sms", "address": "123"})
        assert "contact=contact_bad_address" in bad.headers["location"]
        assert Outbox(engine).active() == []  # a bad number changes nothing
        ok = httpx.post(
            f"{web.url}/t/{token}/contact",
            data={"channel": "sms", "address": "138 0013 8000", "lang": "zh"},
        )
        assert ok.status_code == 303 and "contact=contact_saved" in ok.headers["location"]

        clerk = device("window", "w01")
        assert clerk.request("window.login", staff="s101", post="A", pin="2468")["ok"]
        assert clerk.request("call.next")["ok"]  # 3 ahead now: near
        wait_for(lambda: len(receiver.got) == 1, timeout=15, what="the near message")
        assert receiver.posts == 3  # two refused, the third taken
        near = receiver.got[0]
        assert near["to"] == PHONE and "前面还有 3 人" in near["message"]

        web.stop()  # the web part restarts; the contact and the outbox are in its database
        web = start_web()
        wait_for(lambda: web.hub.online, what="the web part online again")
        for _ in range(3):
            assert clerk.request("ticket.finish", outcome="done")["ok"]
            assert clerk.request("call.next")["ok"]
        assert clerk.request("ticket.finish", outcome="done")["ok"]
        assert clerk.request("call.next")["ok"]  # my ticket: called
        wait_for(lambda: len(receiver.got) == 2, timeout=15, what="the called message")
        assert "请到 1 号窗口" in receiver.got[1]["message"]
        assert clerk.request("ticket.finish", outcome="done")["ok"]
        wait_for(lambda: Outbox(engine).by_token(token) is None, timeout=10, what="the purge")
        time.sleep(1.5)  # nothing more arrives
        assert len(receiver.got) == 2
    finally:
        web.stop()
        receiver.stop()
    heard = traffic.heard()
    traffic.stop()
    assert all(PHONE.encode() not in topic.encode() + raw for topic, raw, _ in heard)
    assert len(heard) > 20  # the sniffer did hear the hall


def test_the_contact_form_on_the_phone_page(
    tmp_path, queue_broker, device, hall_config, mqtt_settings, browser
):
    settings = NotifySettings(
        channels={
            "sms": Channel(
                url="json://127.0.0.1:9/sms?:to={address}", label={"zh": "手机短信", "en": "SMS"}
            ),
            "mail": Channel(
                url="mailto://u:p@127.0.0.1:9/?to={address}",
                label={"zh": "电子邮件", "en": "E-mail"},
            ),
        }
    )
    hub = WebHub(hall_config.hall.id, mqtt_settings, "web")
    notifier = Notifier(
        hub, Outbox(open_web_db(f"sqlite:///{tmp_path}/w.db")), AppriseSender(), settings
    )
    web = serve_in_background(hub, WebOptions(notifier=notifier))
    try:
        queue_broker()
        wait_for(lambda: web.hub.online, what="the web part online")
        kiosk = device("kiosk", "kiosk-1")
        token = kiosk.request("ticket.issue", department="registrar", matter="transcript")["data"][
            "ticket"
        ]["token"]
        for lang, saved in (
            ("zh", "已保存：快到您时会通知您。"),
            ("en", "Saved: you will be told when your turn is near."),
        ):
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(f"{web.url}/t/{token}?lang={lang}")
            assert page.locator("#contact select option").all_inner_texts() == (
                ["手机短信", "电子邮件"] if lang == "zh" else ["SMS", "E-mail"]
            )
            check_elderly(page, f"contact form, {lang}")
            shoot(page, f"ticket-phone-{lang}-contact-form")
            page.fill("#address", "138 0013 8000")
            page.click("#contact button")
            page.wait_for_selector("#contact-said")
            assert page.locator("#contact-said").inner_text() == saved
            assert page.locator("#contact").count() == 0  # saved: the form is gone
            check_elderly(page, f"contact saved, {lang}")
            shoot(page, f"ticket-phone-{lang}-contact-saved")
            page.close()
        assert Outbox(notifier.outbox.engine).by_token(token)["address"] == "13800138000"
    finally:
        web.stop()
