"""What the web part's browser tests share: Debian's Chromium through Playwright, the page
sizes, screenshots, and the 适老化 check (body text >= 18 px, touch targets >= 60 x 60 px,
contrast >= 4.5:1, no sideways scrolling) measured in the page itself."""

from __future__ import annotations

import time

from tests.support.screens import SCREENSHOTS

#: The password of the dashboard's test users (tests/web/conftest.py `dash`).
PASSWORD = "correct horse battery"

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
TV = {"width": 1920, "height": 1080}

ELDERLY = """() => {
  function rgb(c) { const m = c.match(/[\\d.]+/g).map(Number); return m.slice(0, 3); }
  function lum(c) {
    const [r, g, b] = rgb(c).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }
  function bg(el) {
    while (el) {
      const c = getComputedStyle(el).backgroundColor;
      if (c && !c.startsWith('rgba(0, 0, 0, 0)') && c !== 'transparent') return c;
      el = el.parentElement;
    }
    return 'rgb(255, 255, 255)';
  }
  const small = [], low = [], tiny = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.hidden || !el.offsetParent || el.tagName === 'SCRIPT') continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const s = getComputedStyle(el);
    if (own) {
      if (parseFloat(s.fontSize) < 18) small.push([el.id || el.className, s.fontSize]);
      const a = lum(s.color), b = lum(bg(el));
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      if (ratio < 4.5) low.push([el.id || el.className, ratio.toFixed(2)]);
    }
    if (el.tagName === 'A' || el.tagName === 'BUTTON') {
      const r = el.getBoundingClientRect();
      if (r.width < 60 || r.height < 60) tiny.push([el.id || el.textContent, r.width, r.height]);
    }
  }
  return {small, low, tiny, scroll: document.documentElement.scrollWidth > window.innerWidth};
}"""


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"web-{name}.png"), full_page=True)


def check_elderly(page, what: str) -> None:
    found = page.evaluate(ELDERLY)
    assert not found["small"], (what, "text under 18 px", found["small"])
    assert not found["low"], (what, "contrast under 4.5:1", found["low"])
    assert not found["tiny"], (what, "touch targets under 60 x 60 px", found["tiny"])
    assert not found["scroll"], (what, "scrolls sideways")


def wait_online(dash) -> None:
    deadline = time.monotonic() + 15
    while not (dash.hub.online and dash.dashboard.admin.connected.is_set()):
        assert time.monotonic() < deadline, "the dashboard does not hear the queue broker"
        time.sleep(0.05)


def log_in(page, base: str, user: str, password: str = PASSWORD, lang: str = "en"):
    page.goto(f"{base}/admin/login?lang={lang}")
    page.fill("#username", user)
    page.fill("#password", password)
    with page.expect_response(lambda r: r.url.endswith("/admin/login")) as answer:
        page.click("#submit")
    return answer.value
