"""Every visitor-facing page at phone (360 x 740) and desktop (1280 x 800) sizes, in both
languages, in Chromium (and the dashboard's large cases pages, 差评整改): each passes the 适老化 check (text >= 18 px, targets >= 60 x 60 px,
contrast >= 4.5:1, no sideways scrolling) and is saved as build/screenshots/web-every-*.png.
The close of day is shown on a waiting ticket's page as the end of service, and the next
morning the same page says whose day it was: never an error."""

from __future__ import annotations

from hallcall.broker.reports.rectification import CaseBook
from tests.support.mqtt import wait_for
from tests.web.browser import DESKTOP, PHONE, check_elderly, log_in, shoot
from tests.web.test_dashboard_cases import two_cases

SIZES = {"phone": PHONE, "desktop": DESKTOP}


def sweep(browser, url: str, name: str, expect: dict[str, str], cookies=()) -> None:
    for size, viewport in SIZES.items():
        for lang, words in expect.items():
            page = browser.new_page(viewport=viewport)
            page.context.add_cookies(list(cookies))
            sep = "&" if "?" in url else "?"
            page.goto(f"{url}{sep}lang={lang}")
            page.wait_for_timeout(300)  # the stream's first picture
            assert words in page.locator("body").inner_text(), (name, size, lang)
            assert "Traceback" not in page.content()
            check_elderly(page, f"{name} {size} {lang}")
            shoot(page, f"every-{name}-{size}-{lang}")
            page.close()


def test_every_page_at_both_sizes_in_both_languages(
    queue_broker, device, remote_web, browser, clock
):
    web = remote_web
    queue_broker()
    wait_for(lambda: web.hub.online, what="the web part online")
    kiosk = device("kiosk", "kiosk-1")
    first = kiosk.request("ticket.issue", department="registrar", matter="transcript")
    waiting = kiosk.request("ticket.issue", department="registrar", matter="transcript")
    token = waiting["data"]["ticket"]["token"]
    clerk = device("window", "w01")
    assert clerk.request("window.login", staff="s101", post="A", pin="2468")["ok"]
    assert clerk.request("call.next")["data"]["ticket"]["id"] == first["data"]["ticket"]["id"]

    sweep(
        browser,
        f"{web.url}/t/{token}",
        "ticket-waiting",
        {"zh": "下一位就是您", "en": "You are next"},
    )
    sweep(
        browser, f"{web.url}/lobby", "lobby", {"zh": "请到 1 号窗口", "en": "Please go to window 1"}
    )
    sweep(browser, f"{web.url}/remote", "remote", {"zh": "线上取号", "en": "Take a ticket online"})
    sweep(
        browser,
        f"{web.url}/t/{'x' * 22}",
        "not-found",
        {"zh": "找不到这张号", "en": "Ticket not found"},
    )

    office = device("admin", "office")
    assert office.request("day.close")["ok"]
    sweep(
        browser,
        f"{web.url}/t/{token}",
        "ticket-day-closed",
        {"zh": "今日已结束办理", "en": "Service has ended for today"},
    )
    clock.advance(hours=24)  # the next morning: yesterday's ticket says so, in both languages
    sweep(
        browser,
        f"{web.url}/t/{token}",
        "ticket-yesterday",
        {"zh": "这是 2026-11-23 的号，今天已无效", "en": "This ticket was for 2026-11-23"},
    )


def test_the_cases_pages_at_both_sizes_in_both_languages(
    queue_broker, device, dash, browser, clock, hall_config, engine
):
    """The cases list (an overdue case with a rejected appeal, a closed one) and both cases'
    details, as the manager sees them three weeks after the bad ratings."""
    reg_id, fin_id = two_cases(queue_broker, device, dash, hall_config, engine)
    book = CaseBook(hall_config, engine)
    now = clock.now()
    book.appeal(reg_id, "误触：监控显示按错键", now)
    book.decide(reg_id, "rejected", "wang (web)", "监控显示等候过长，评价属实", now)
    book.callback(fin_id, "李明", "午间只开一个窗口，等候 40 分钟", now)
    book.fix(fin_id, "11:30-13:30 增开一个窗口", now)
    book.close(fin_id, "wang (web)", now)
    clock.advance(days=21)
    page = browser.new_page(viewport=DESKTOP)
    assert log_in(page, dash, "wang").status == 303
    cookies = page.context.cookies()
    page.close()
    sweep(
        browser,
        f"{dash}/admin/cases?state=all",
        "cases-list",
        {"zh": "差评整改", "en": "Rectification cases"},
        cookies,
    )
    sweep(
        browser,
        f"{dash}/admin/cases/{reg_id}",
        "case-overdue",
        {"zh": "已逾期 5 个工作日", "en": "OVERDUE by 5 working days"},
        cookies,
    )
    sweep(
        browser,
        f"{dash}/admin/cases/{fin_id}",
        "case-closed",
        {"zh": f"整改件 #{fin_id}", "en": f"Case #{fin_id}"},
        cookies,
    )
