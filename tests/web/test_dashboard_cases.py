"""The dashboard's rectification cases (差评整改, /admin/cases) in real Chromium against a real
queue broker, Mosquitto and database: each case is opened by a bad rating sent from a rating
pad; the manager records a callback, a fix, an appeal and its decision, and closes, through the
page's forms; a close that the CaseBook refuses says why and changes nothing; bad input gets a
clear message in both languages; overdue cases are flagged; finance's head neither sees nor acts
on a registrar case, not even by its URL. The every-page 适老化 check and the screenshots of
these pages are in tests/web/test_every_page.py."""

from __future__ import annotations

import io
import zipfile

from hallcall.broker.reports.rectification import CaseBook
from tests.support.mqtt import wait_for
from tests.web.browser import DESKTOP, log_in, wait_online


def bad_rating(device, window: str, staff: str, department: str, matter: str, reasons=()) -> dict:
    """A ticket served at `window` and rated 1 of 3 on its pad: the broker opens a case."""
    kiosk = device("kiosk", "kiosk-1")
    ticket = kiosk.request("ticket.issue", department=department, matter=matter)["data"]["ticket"]
    clerk = device("window", window)
    assert clerk.request("window.login", staff=staff, post="A", pin="2468")["ok"]
    assert clerk.request("call.next")["data"]["ticket"]["id"] == ticket["id"]
    assert clerk.request("ticket.finish", outcome="done")["ok"]
    pad = device("rating", f"pad-{window}")
    reply = pad.request("rating.submit", ticket_id=ticket["id"], score=1, reasons=list(reasons))
    assert reply["ok"], reply
    return ticket


def opened(hall_config, engine, ticket) -> int:
    book = CaseBook(hall_config, engine)
    wait_for(
        lambda: any(c.ticket_id == ticket["id"] for c in book.list()),
        what=f"the case of {ticket['number']}",
    )
    return next(c.id for c in book.list() if c.ticket_id == ticket["id"])


def two_cases(queue_broker, device, dash, hall_config, engine) -> tuple[int, int]:
    """A registrar case (window 1, Zhang Min) and a finance case (window 3, Liu Yang)."""
    queue_broker()
    wait_online(dash)
    registrar = bad_rating(device, "w01", "s101", "registrar", "transcript", reasons=["rude"])
    finance = bad_rating(device, "w03", "s201", "finance", "tuition")
    return opened(hall_config, engine, registrar), opened(hall_config, engine, finance)


def csrf_of(page) -> str:
    return page.locator("input[name=csrf]").first.get_attribute("value")


def test_the_manager_follows_cases_up_through_the_forms(
    queue_broker, device, dash, browser, hall_config, engine, clock
):
    reg_id, fin_id = two_cases(queue_broker, device, dash, hall_config, engine)
    book = CaseBook(hall_config, engine)
    page = browser.new_page(viewport=DESKTOP)
    assert log_in(page, dash, "wang").status == 303

    page.goto(f"{dash}/admin/cases?lang=en")
    ids = page.locator("#case-list article").evaluate_all("xs => xs.map(x => x.dataset.id)")
    assert ids == [str(fin_id), str(reg_id)]  # newest first
    page.click(f"#case-{reg_id}")
    page.wait_for_selector("#case")
    assert page.locator("#case-ticket").inner_text().startswith("A")
    assert page.locator("#case-window").inner_text() == "Window 1"
    assert page.locator("#case-clerk").inner_text() == "Zhang Min"
    assert page.locator("#case-level").inner_text() == "Dissatisfied (1/3)"
    assert page.locator("#case-comment").inner_text() == "rude"
    assert (
        page.locator("#case-deadline").inner_text()
        == "10 working days: due 2026-12-07 (10 working days left)"
    )

    # Closing too early: the CaseBook's reason, nothing changed.
    page.click("#close-submit")
    assert page.locator("#message").inner_text() == (
        f"Not done: case #{reg_id} needs a callback and a fix before it closes "
        "(or an upheld appeal)"
    )
    assert book.get(reg_id).is_open
    # The same in Chinese.
    page.goto(f"{dash}/admin/cases/{reg_id}?lang=zh")
    page.click("#close-submit")
    assert (
        page.locator("#message").inner_text()
        == f"未执行：整改件 #{reg_id} 尚需回访和整改才能办结（或申诉成立）"
    )

    # Bad input, past the browser's own checks: a clear message, nothing recorded.
    token = csrf_of(page)
    for form, zh, en in (
        ({"by": " ", "outcome": "ok"}, "回访须填写回访人", "a callback needs who called"),
        ({"by": "Li", "outcome": "ok", "at": "yesterday"}, "回访时间格式不对", "Not a time"),
        ({"by": "Li", "outcome": "ok", "at": "2026-11-30T10:00"}, "不能晚于现在", "future"),
        ({"by": "Li", "outcome": "ok", "at": "2026-11-22T10:00"}, "不能早于立案", "before"),
        ({"by": "Li", "outcome": "x" * 2001}, "内容过长", "Too long"),
    ):
        for lang, words in (("zh", zh), ("en", en)):
            answer = page.request.post(
                f"{dash}/admin/cases/{reg_id}/callback?lang={lang}", form={"csrf": token, **form}
            )
            assert answer.status == 409, form
            assert words in answer.text(), (form, lang)
    answer = page.request.post(
        f"{dash}/admin/cases/{reg_id}/decide?lang=en",
        form={"csrf": token, "decision": "upheld", "reason": "r"},
    )
    assert answer.status == 409 and f"case #{reg_id} has no appeal to decide" in answer.text()
    no_token = page.request.post(f"{dash}/admin/cases/{reg_id}/fix", form={"text": "forged"})
    assert no_token.status == 403
    c = book.get(reg_id)
    assert (c.callback_at, c.fixed_at, c.appealed_at, c.closed_at) == (None, None, None, None)

    # The registrar case: the clerk appeals, the manager rejects it with a reason.
    page.goto(f"{dash}/admin/cases/{reg_id}?lang=en")
    page.fill("#appeal-reason", "The visitor pressed the wrong key (CCTV)")
    page.click("#appeal-submit")
    assert page.locator("#message").inner_text() == f"Case #{reg_id}: appeal filed"
    assert page.locator("#case-state").inner_text() == "Appeal to decide"
    page.check("#decide-rejected")
    page.fill("#decide-reason", "CCTV shows a long wait; the rating stands")
    page.click("#decide-submit")
    assert page.locator("#message").inner_text() == f"Case #{reg_id}: appeal decided (Rejected)"
    assert "CCTV shows a long wait" in page.locator("#decision-done").inner_text()
    assert "wang (web)" in page.locator("#decision-done").inner_text()
    c = book.get(reg_id)
    assert (c.appeal_decision, c.appeal_decided_by, c.appeal_decision_reason) == (
        "rejected",
        "wang (web)",
        "CCTV shows a long wait; the rating stands",
    )
    again = page.request.post(
        f"{dash}/admin/cases/{reg_id}/appeal?lang=zh", form={"csrf": token, "reason": "again"}
    )
    assert again.status == 409 and "已申诉过" in again.text()

    # The finance case: callback (who, when, outcome), fix, close.
    page.goto(f"{dash}/admin/cases/{fin_id}?lang=en")
    page.fill("#callback-by", "Li Ming")
    page.fill("#callback-at", "2026-11-23T09:00")
    page.fill("#callback-outcome", "waited 40 minutes at lunch time")
    page.click("#callback-submit")
    assert page.locator("#message").inner_text() == f"Case #{fin_id}: callback recorded"
    assert page.locator("#callback-done").inner_text() == (
        "2026-11-23 09:00, by Li Ming: waited 40 minutes at lunch time"
    )
    assert "replaces the one above" in page.locator("#callback-replaces").inner_text()
    page.fill("#fix-text", "a second window opens 11:30-13:30")
    page.click("#fix-submit")
    page.click("#close-submit")
    assert page.locator("#message").inner_text() == f"Case #{fin_id} closed"
    assert page.locator("#case-state").inner_text() == "Closed"
    history = page.locator("#history li").all_inner_texts()
    assert [h.split(" ", 2)[2] for h in history] == [
        "Opened by a bad rating: Dissatisfied (1/3)",
        "Callback by Li Ming",
        "Fix recorded",
        "Closed by wang (web)",
    ]
    c = book.get(fin_id)
    assert c.callback_by == "Li Ming" and c.fix == "a second window opens 11:30-13:30"
    assert c.closed_by == "wang (web)" and not c.is_open
    closed_again = page.request.post(
        f"{dash}/admin/cases/{fin_id}/fix?lang=en", form={"csrf": token, "text": "more"}
    )
    assert closed_again.status == 409 and f"case #{fin_id} is closed" in closed_again.text()

    # Three weeks on, the registrar case is overdue: flagged on the list and in its detail.
    clock.advance(days=21)
    assert log_in(page, dash, "wang").status == 303  # the session ended with the clock
    page.goto(f"{dash}/admin/cases?lang=en&state=overdue")
    assert page.locator("#case-list article").evaluate_all("xs => xs.map(x => x.dataset.id)") == [
        str(reg_id)
    ]
    assert page.locator(f'article[data-id="{reg_id}"] .badge').inner_text() == "OVERDUE"
    page.goto(f"{dash}/admin/cases/{reg_id}?lang=en")
    assert "OVERDUE by 5 working days" in page.locator("#case-deadline").inner_text()
    for state, expected in (
        ("closed", [fin_id]),
        ("appealed", [reg_id]),
        ("open", [reg_id]),
        ("all", [fin_id, reg_id]),
    ):
        page.goto(f"{dash}/admin/cases?lang=en&state={state}")
        shown = page.locator("#case-list article").evaluate_all("xs => xs.map(x => x.dataset.id)")
        assert shown == [str(i) for i in expected], state
    page.goto(f"{dash}/admin/cases?lang=en&state=all")
    page.select_option("#filter-clerk", "s201")
    page.click("#filter-submit")
    shown = page.locator("#case-list article").evaluate_all("xs => xs.map(x => x.dataset.id)")
    assert shown == [str(fin_id)]
    page.goto(f"{dash}/admin/cases?lang=en&state=all&department=registrar")
    shown = page.locator("#case-list article").evaluate_all("xs => xs.map(x => x.dataset.id)")
    assert shown == [str(reg_id)]

    # The counts: opened / closed / on time / late / overdue / appealed / upheld.
    counts = {
        row[1]: row[2:]
        for row in page.locator("#case-counts tbody tr").evaluate_all(
            "rs => rs.map(r => [...r.cells].map(c => c.textContent))"
        )
    }
    assert counts["Registrar (Records & Transcripts)"] == ["1", "0", "0", "0", "1", "1", "0"]
    assert counts["Zhang Min"] == ["1", "0", "0", "0", "1", "1", "0"]
    assert counts["Liu Yang"] == ["1", "1", "1", "0", "0", "0", "0"]
    page.close()


def test_a_department_head_sees_and_acts_only_on_her_departments_cases(
    queue_broker, device, dash, browser, hall_config, engine
):
    reg_id, fin_id = two_cases(queue_broker, device, dash, hall_config, engine)
    book = CaseBook(hall_config, engine)
    before = book.get(reg_id)
    head = browser.new_page(viewport=DESKTOP)
    assert log_in(head, dash, "li").status == 303

    head.goto(f"{dash}/admin/cases?lang=en&state=all")
    ids = head.locator("#case-list article").evaluate_all("xs => xs.map(x => x.dataset.id)")
    assert ids == [str(fin_id)]
    text = head.locator("main").inner_text()
    assert "Zhang Min" not in text and "Registrar" not in text
    head.goto(f"{dash}/admin/cases?lang=en&state=all&department=registrar&clerk=s101")
    assert head.locator("#case-list article").count() == 0
    assert "Zhang Min" not in head.locator("main").inner_text()

    # By URL: the registrar case is not there for her, read or written.
    answer = head.goto(f"{dash}/admin/cases/{reg_id}?lang=en")
    assert answer.status == 404 and "Zhang Min" not in head.content()
    for nonsense in ("999", "0", "-1", "99999999999999999999", "1e3", "%EF%BC%91"):
        assert head.request.get(f"{dash}/admin/cases/{nonsense}").status == 404, nonsense
    head.goto(f"{dash}/admin/cases/{fin_id}?lang=en")
    token = csrf_of(head)
    for what, form in (
        ("callback", {"by": "Li", "outcome": "ok"}),
        ("fix", {"text": "done"}),
        ("appeal", {"reason": "mistaken"}),
        ("decide", {"decision": "upheld", "reason": "r"}),
        ("close", {}),
    ):
        answer = head.request.post(
            f"{dash}/admin/cases/{reg_id}/{what}", form={"csrf": token, **form}
        )
        assert answer.status == 404, what
        assert "Zhang Min" not in answer.text()
    assert book.get(reg_id) == before

    # Her own case: she records and appeals; the decision is the manager's.
    answer = head.request.post(
        f"{dash}/admin/cases/{fin_id}/appeal?lang=en", form={"csrf": token, "reason": "mistaken"}
    )
    assert answer.status == 200 and book.get(fin_id).appealed
    head.goto(f"{dash}/admin/cases/{fin_id}?lang=en")
    assert head.locator("#decide-submit").count() == 0
    assert head.locator("#decide-manager-only").inner_text() == "The hall manager decides appeals"
    answer = head.request.post(
        f"{dash}/admin/cases/{fin_id}/decide?lang=en",
        form={"csrf": token, "decision": "upheld", "reason": "r"},
    )
    assert answer.status == 403 and book.get(fin_id).appeal_decision is None

    # The report's cases table: her department and her clerks only.
    download = head.request.get(f"{dash}/admin/reports/download?period=today&format=csv")
    tables = zipfile.ZipFile(io.BytesIO(download.body()))
    cases = next(
        tables.read(n).decode("utf-8-sig") for n in tables.namelist() if "cases" in n.lower()
    )
    assert "finance" in cases and "s201" in cases
    assert "registrar" not in cases and "s101" not in cases
    head.close()
