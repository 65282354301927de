"""The hall manager's dashboard (/admin) in real Chromium against a real queue broker and
Mosquitto: log-in (a wrong password refused, the rate limit, a POST without its CSRF token
refused, a department head sees only their department), a kiosk's paper-out on screen within
2 s, alarms, an admin action, a report downloaded as XLSX and read back. Screenshots of every
dashboard page, phone and desktop, both languages: build/screenshots/web-admin-*.png.
"""

from __future__ import annotations

import time

from openpyxl import load_workbook

from tests.web.browser import DESKTOP, ELDERLY, PHONE, log_in, wait_online
from tests.web.browser import shoot as screenshot


def shoot(page, name: str) -> None:
    screenshot(page, f"admin-{name}")


def check_contrast(page, what: str) -> None:
    found = page.evaluate(ELDERLY)
    assert not found["low"], (what, "contrast under 4.5:1", found["low"])


def test_login_is_guarded_and_a_department_head_sees_only_theirs(queue_broker, dash, browser):
    queue_broker()
    wait_online(dash)
    page = browser.new_page(viewport=DESKTOP)
    assert log_in(page, dash, "wang", "wrong password!").status == 401
    assert page.locator("#error").inner_text() == "Wrong user name or password"
    check_contrast(page, "login refused")
    shoot(page, "login-desktop-en-refused")

    for _ in range(5):  # the sixth try of one name is held, even with the right password
        assert log_in(page, dash, "li", "not her password").status == 401
    assert log_in(page, dash, "li").status == 429
    assert "Too many tries" in page.locator("#error").inner_text()

    assert log_in(page, dash, "wang").status == 303
    page.wait_for_selector("#queues")
    refused = page.request.post(f"{dash}/admin/actions/close-day", form={"confirm": "yes"})
    assert refused.status == 403  # no CSRF token
    refused = page.request.post(
        f"{dash}/admin/actions/close-day", form={"confirm": "yes", "csrf": "forged"}
    )
    assert refused.status == 403
    assert not dash.hub.catalog() or not any(
        v.closed for k, v in dash.hub.client.views.items() if k.startswith("state/queue/")
    )
    page.click("#logout")
    page.wait_for_selector("#username")
    assert page.request.get(f"{dash}/admin/live.json").status == 401

    head = browser.new_page(viewport=DESKTOP)
    dash.dashboard.limiter.succeeded("li")
    assert log_in(head, dash, "li").status == 303
    head.wait_for_selector("#queues")
    assert head.locator("#queues tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.department)"
    ) == ["finance"]
    windows = head.locator("#windows tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.window)"
    )
    assert windows and set(windows) <= {"w03", "w04", "w07", "w08"}, windows
    assert "w01" not in windows
    assert head.request.post(f"{dash}/admin/actions/close-day", form={"confirm": "yes"}).status in (
        403,
    )
    page.close()
    head.close()


def test_the_dashboard_shows_devices_alarms_actions_and_reports(
    queue_broker, device, dash, browser, clock, tmp_path
):
    queue_broker()
    wait_online(dash)
    kiosk = device("kiosk", "kiosk-1")
    for _ in range(3):
        assert kiosk.request("ticket.issue", department="registrar", matter="transcript")["ok"]
    assert kiosk.request("ticket.issue", department="finance")["ok"]
    clerk = device("window", "w01")
    assert clerk.request("window.login", staff="s101", post="A", pin="2468")["ok"]
    assert clerk.request("call.next")["ok"]
    assert clerk.request("ticket.finish", outcome="done")["ok"]
    assert clerk.request("call.next")["ok"]

    page = browser.new_page(viewport=DESKTOP)
    assert log_in(page, dash, "wang").status == 303
    page.wait_for_selector('tr[data-device="kiosk/kiosk-1"]')

    started = time.monotonic()
    kiosk.set_health(printer="paper_out")
    page.wait_for_selector('tr[data-device="kiosk/kiosk-1"] .dnote', timeout=2000)
    took = time.monotonic() - started
    assert took < 2, took
    assert "paper out" in page.locator('tr[data-device="kiosk/kiosk-1"]').inner_text()
    page.wait_for_selector('.alarm-paper_out[data-key="paper_out:kiosk/kiosk-1"]', timeout=2000)

    heard: list = []
    dash.dashboard.on_alarm(heard.append)
    clock.advance(minutes=31)  # the registrar's visitor has now waited over the hall's 30 min
    page.wait_for_selector('.alarm-long_wait[data-key="long_wait:registrar"]', timeout=5000)
    page.wait_for_selector('.alarm-over_service[data-key^="over_service:w01:"]', timeout=5000)
    kinds = {a.kind for a in heard}
    assert {"long_wait", "over_service"} <= kinds, kinds
    assert (
        "waited 31 min (limit 30 min)"
        in page.locator('[data-key="long_wait:registrar"]').inner_text()
    )
    check_contrast(page, "live, en")
    page.wait_for_function(  # today's figures, from the reports' own code: 4 issued
        "() => (document.querySelector('#figures .fig-value') || {}).textContent === '4'",
        timeout=15000,
    )

    for lang in ("en", "zh"):
        for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            p = browser.new_page(viewport=viewport)
            p.context.add_cookies(page.context.cookies())
            for name, path in (
                ("live", "/admin/"),
                ("actions", "/admin/actions"),
                ("complaints", "/admin/complaints"),
                ("reports", "/admin/reports?period=2026-11-23"),
            ):
                p.goto(f"{dash}{path}{'&' if '?' in path else '?'}lang={lang}")
                p.wait_for_selector("main")
                check_contrast(p, f"{name}, {lang}, {size}")
                shoot(p, f"{name}-{size}-{lang}")
            p.close()
    login = browser.new_page(viewport=PHONE)
    for lang in ("en", "zh"):
        login.goto(f"{dash}/admin/login?lang={lang}")
        shoot(login, f"login-phone-{lang}")
    login.close()

    # An admin action: the flex window w07 serves finance, on the dashboard at once.
    page.goto(f"{dash}/admin/actions?lang=en")
    form = page.locator('form.assign[data-window="w07"]')
    form.locator('input[value="finance"]').check()
    form.locator("button").click()
    page.wait_for_selector("#message")
    assert (
        page.locator("#message").inner_text()
        == "Window 7 now serves: Finance Office (Fees & Reimbursement)"
    )
    page.goto(f"{dash}/admin/?lang=en")
    page.wait_for_function(
        "() => (document.querySelector('tr[data-window=\"w07\"] .deps') || {}).textContent"
        " === 'Finance Office (Fees & Reimbursement)'"
    )
    # A complaint, recorded by the reports' own ComplaintBook.
    page.goto(f"{dash}/admin/complaints?lang=en")
    page.fill("#complaint-text", "waited too long")
    page.select_option("#complaint-window", "w01")
    page.click("#complaint-submit")
    assert "recorded" in page.locator("#message").inner_text()
    assert page.locator(".complaint .ctext").first.inner_text() == "waited too long"

    # The report of the day, viewed and downloaded as XLSX.
    page.goto(f"{dash}/admin/reports?period=2026-11-23&lang=en")
    page.wait_for_selector("#table-hall")
    with page.expect_download() as download:
        page.click("#xlsx")
    assert download.value.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    book = load_workbook(saved, read_only=True)
    sheet = book["Summary"]
    rows = list(sheet.iter_rows(values_only=True))
    head, row = rows[0], rows[1]
    assert row[head.index("Issued")] == 4
    assert row[head.index("Served")] == 1
    with page.expect_download() as download:
        page.click("#csv")
    assert download.value.suggested_filename.endswith("_csv.zip")
    page.close()


def test_a_department_head_neither_reads_nor_files_against_another_department(
    queue_broker, device, dash, browser
):
    """A registrar ticket transferred to finance touches both: finance's head sees the visit in
    her report, but not the registrar's windows, clerks or assessment; she may not file a
    complaint against a registrar clerk."""
    import io
    import zipfile

    queue_broker()
    wait_online(dash)
    kiosk = device("kiosk", "kiosk-1")
    assert kiosk.request("ticket.issue", department="registrar", matter="transcript")["ok"]
    clerk = device("window", "w01")
    assert clerk.request("window.login", staff="s101", post="A", pin="2468")["ok"]
    assert clerk.request("call.next")["ok"]
    assert clerk.request("ticket.transfer", department="finance")["ok"]

    head = browser.new_page(viewport=DESKTOP)
    assert log_in(head, dash, "li").status == 303
    head.goto(f"{dash}/admin/complaints?lang=en")
    csrf = head.locator("input[name=csrf]").first.get_attribute("value")
    other = {"csrf": csrf, "text": "rude clerk", "channel": "in_person"}
    assert (
        head.request.post(
            f"{dash}/admin/complaints", form={**other, "window": "w03", "staff": "s101"}
        ).status
        == 403
    )
    assert head.request.post(f"{dash}/admin/complaints", form=other).status == 403
    download = head.request.get(f"{dash}/admin/reports/download?period=today&format=csv")
    assert download.status == 200
    tables = zipfile.ZipFile(io.BytesIO(download.body()))
    text = {name: tables.read(name).decode("utf-8-sig") for name in tables.namelist()}
    everything = "\n".join(text.values())
    assert "s101" not in everything and "Zhang Min" not in everything and "张敏" not in everything
    assert "Registrar" not in next(v for k, v in text.items() if "assessment" in k)
    head.close()
