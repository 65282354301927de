"""The director's HTML report in a real browser (Debian's chromium through Playwright): at
1,400 px and printed to A4 landscape no table is wider than its page, no heading wraps one
character a line, the first page carries the key figures with their trends and the flagged
departments and clerks, and attendance is only in the appendix. Screenshots and the PDF's pages
as PNG go to build/screenshots (looked at when the layout changes)."""

from __future__ import annotations

from datetime import date

import pypdfium2 as pdfium
import pytest

from hallcall.broker.reports.export import mmss, write_html
from hallcall.broker.reports.report import build_report
from tests.reports.conftest import DECEMBER_1
from tests.support.screens import SCREENSHOTS

# A4 landscape less 10 mm margins each side, in CSS pixels (96 per inch).
PRINT_WIDTH = round((297 - 20) / 25.4 * 96)

MEASURE = """() => {
  const wide = [], narrow = [];
  const body = document.body.clientWidth;
  for (const t of document.querySelectorAll('table')) {
    const box = t.parentElement;
    if (t.scrollWidth > box.clientWidth + 1 || t.getBoundingClientRect().right > body + 1)
      wide.push([box.dataset.table || box.className, t.scrollWidth, box.clientWidth]);
  }
  for (const th of document.querySelectorAll('th')) {
    const size = parseFloat(getComputedStyle(th).fontSize);
    const lines = (th.getBoundingClientRect().height - 8) / (size * 1.25);
    // One character a line: a cell narrower than two characters, or a heading of 4+ lines.
    if (th.textContent.length > 2 && (th.clientWidth < 2 * size || lines > 3.5)) narrow.push(th.textContent);
  }
  const clipped = [];
  for (const svg of document.querySelectorAll('svg.chart')) {
    const w = svg.viewBox.baseVal.width;
    for (const t of svg.querySelectorAll('text')) {
      const b = t.getBBox();
      if (b.x < -0.5 || b.x + b.width > w + 0.5) clipped.push(t.textContent);
    }
  }
  return {wide, narrow, clipped, page: document.documentElement.scrollWidth, view: window.innerWidth};
}"""


def fits_screen_and_print(browser, path, name: str) -> pdfium.PdfDocument:
    """At 1400 px and at A4-landscape print width: no table wider than the page, no heading one
    character a line, no clipped chart label; saves `name`-1400.png and `name`.pdf."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(path.as_uri())
    screen = page.evaluate(MEASURE)
    page.screenshot(path=SCREENSHOTS / f"{name}-1400.png")
    assert (
        screen["wide"] == screen["narrow"] == screen["clipped"] == []
        and screen["page"] <= screen["view"]
    ), screen
    page.emulate_media(media="print")
    page.set_viewport_size({"width": PRINT_WIDTH, "height": 740})
    printed = page.evaluate(MEASURE)
    assert printed["wide"] == [] and printed["narrow"] == [] and printed["page"] <= PRINT_WIDTH, (
        printed
    )
    pdf_path = SCREENSHOTS / f"{name}.pdf"
    page.pdf(
        path=str(pdf_path),
        format="A4",
        landscape=True,
        print_background=True,
        prefer_css_page_size=True,
    )
    page.close()
    return pdfium.PdfDocument(str(pdf_path))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_fits_the_screen_and_a4_landscape(month_data, hall_config, browser, tmp_path, lang):
    _, _, engine = month_data
    report = build_report(
        hall_config, engine, date(2026, 11, 1), date(2026, 11, 30), lang=lang, now=DECEMBER_1
    )
    path = write_html(report, tmp_path / f"report-{lang}.html", hall_config.hall.name.get(lang))
    pdf = fits_screen_and_print(browser, path, f"report-{lang}")
    # pdfium may cut a bold heading into one character a line: compare without line breaks.
    texts = [pdf[i].get_textpage().get_text_range().replace("\r\n", "") for i in range(len(pdf))]
    for i in range(min(3, len(pdf))):
        pdf[i].render(scale=1.2).to_pil().save(SCREENSHOTS / f"report-{lang}-page{i + 1}.png")
    zh = lang == "zh"
    first = texts[0]
    hall = report.table("hall").rows[0]
    # The first page: key figures with the previous period, and who is flagged.
    for label in (
        ("取号", "平均等候", "满意率", "差评率", "超时率")
        if zh
        else ("Issued", "Mean wait", "Satisfaction", "Bad-rating rate", "Over-time rate")
    ):
        assert label in first
    assert mmss(hall["wait_mean_s"]) in first and f"{hall['satisfaction_rate'] * 100:.1f}%" in first
    assert ("上期" if zh else "prev.") in first
    # 20 days in November against 5 in October: volumes per day (36.0 against 30.0), not +380 %.
    assert ("日均 36.0，上期日均 30.0" if zh else "36.0 a day, prev. 30.0") in first
    flagged = [r["name"] for r in report.table("assessment").rows if r["flag_keys"]]
    assert flagged and all(name in first for name in flagged)
    # Attendance is in the appendix, after everything else.
    appendix = next(i for i, t in enumerate(texts) if t.startswith("附录" if zh else "Appendix"))
    attendance = "签到" if zh else "Out"
    assert all(attendance not in t for t in texts[:appendix])
    assert any(attendance in t for t in texts[appendix:])
    assert appendix <= 12


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_twelve_departments_with_long_names_fit(sqlite_url, browser, tmp_path, lang):
    """The longest department and matter names a government hall uses, 24 clerks: still no
    table wider than the page, and the first page still holds the summary."""
    from tests.reports.big_hall import synthetic_month, twelve_department_hall
    from tests.support.databases import migrated_engine

    config = twelve_department_hall()
    engine = migrated_engine(sqlite_url)
    records = synthetic_month(config)
    report = build_report(
        config,
        engine,
        date(2026, 11, 1),
        date(2026, 11, 30),
        lang=lang,
        now=DECEMBER_1,
        records=records,
        previous_records=synthetic_month(config, date(2026, 10, 1), 22, seed=10),
    )
    engine.dispose()
    path = write_html(report, tmp_path / f"big-{lang}.html", config.hall.name.get(lang))
    pdf = fits_screen_and_print(browser, path, f"report-12-departments-{lang}")
    for i in range(2):
        pdf[i].render(scale=1.2).to_pil().save(
            SCREENSHOTS / f"report-12-departments-{lang}-page{i + 1}.png"
        )
    first = pdf[0].get_textpage().get_text_range().replace("\r\n", "")
    last_department = config.departments[-1].name.get(lang)
    # The summary's department table ends on the first page (its last row is there).
    assert last_department.replace(" ", "")[:8] in first.replace(" ", "")
    second = pdf[1].get_textpage().get_text_range().replace("\r\n", "")
    assert second.startswith("图表" if lang == "zh" else "Charts")
