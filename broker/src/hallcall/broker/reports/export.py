"""Writes a report as CSV files, an XLSX workbook (one sheet per table) and an HTML page.

Durations are minutes with two decimals in CSV and XLSX (0.01 min = 0.6 s: a spreadsheet can
add them up) and minutes:seconds on the HTML page; rates are percent with one decimal in all.
The HTML page is for a director: a first page read in a minute (key figures with the change
against the previous period, flagged departments and clerks), charts, then the tables cut into
groups of columns that fit A4 landscape, and the long lists in an appendix. Its charts are
inline SVG: it needs no script or network, opens in any browser and prints well.
"""

from __future__ import annotations

import csv
import html
import math
from pathlib import Path
from zoneinfo import ZoneInfo

from hallcall.broker.reports.assessment import FLAG_LABELS
from hallcall.broker.reports.report import GROUP_TITLES, Column, Report, Table

UNIT = {"seconds": {"zh": "（分钟）", "en": " (min)"}, "rate": {"zh": "（%）", "en": " (%)"}}
HTML_UNIT = {"seconds": {"zh": "（分:秒）", "en": " (m:ss)"}, "rate": {"zh": "（%）", "en": " (%)"}}


def heading(col: Column, lang: str) -> str:
    return col.title(lang) + UNIT.get(col.kind, {}).get(lang, "")


def cell(col: Column, value):
    if value is None:
        return None
    if col.kind == "seconds":
        return round(value / 60, 2)
    if col.kind == "rate":
        return round(value * 100, 1)
    return value


def mmss(seconds: float | None) -> str:
    """A duration as minutes:seconds, rounded to the second (7:05, 72:30)."""
    if seconds is None:
        return "–"
    total = round(seconds)
    return f"{total // 60}:{total % 60:02d}"


def html_cell(col: Column, value) -> str:
    if value is None:
        return ""
    if col.kind == "seconds":
        return mmss(value)
    if col.kind == "rate":
        return f"{value * 100:.1f}"
    return str(value)


def write_csv(report: Report, folder: Path) -> list[Path]:
    """One CSV per table, UTF-8 with a BOM so spreadsheet programs read Chinese correctly."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for t in report.tables:
        path = folder / f"{report.hall}_{report.start}_{report.end}_{t.name}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow([heading(c, report.lang) for c in t.columns])
            for row in t.rows:
                w.writerow(["" if (v := cell(c, row.get(c.key))) is None else v for c in t.columns])
        paths.append(path)
    return paths


def write_xlsx(report: Report, path: Path) -> Path:
    # openpyxl ships no type information and the checkout installs no types-openpyxl for mypy.
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]

    wb = Workbook()
    first = wb.active
    assert first is not None  # a new workbook starts with one empty sheet
    wb.remove(first)
    for t in report.tables:
        ws = wb.create_sheet(t.title(report.lang)[:31])
        ws.append([heading(c, report.lang) for c in t.columns])
        for c in ws[1]:
            c.font = Font(bold=True, color="FFFFFF")
            c.fill = PatternFill("solid", fgColor="1F4E79")
            c.alignment = Alignment(wrap_text=True, vertical="center")
        for row in t.rows:
            ws.append([cell(c, row.get(c.key)) for c in t.columns])
        for i, col in enumerate(t.columns, start=1):
            longest = max(
                [len(str(heading(col, report.lang)))]
                + [len(str(row.get(col.key) or "")) for row in t.rows[:200]]
            )
            ws.column_dimensions[get_column_letter(i)].width = min(
                60, max(8, longest * (2 if report.lang == "zh" else 1.1))
            )
        ws.freeze_panes = "B2"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


# ------------------------------------------------------------------ HTML
def _e(text) -> str:
    return html.escape(str(text))


def _ems(text: str) -> float:
    """Roughly how wide a text is, in ems: a Chinese character is one, a Latin letter about half."""
    return sum(1.0 if ord(ch) >= 0x2E80 else 0.56 for ch in text)


def _short(label: str, ems: float) -> str:
    """A label that fits `ems`: whole if it fits, else the name before its bracket, else cut
    with '…'."""
    if _ems(label) <= ems:
        return label
    for bracket in (" (", "（", "("):
        head = label.split(bracket, 1)[0].strip()
        if head and head != label and _ems(head) <= ems:
            return head
    while label and _ems(label) > ems - 1:
        label = label[:-1]
    return label.rstrip() + "…"


def _hbar_chart(
    title: str,
    labels: list[str],
    values: list[float | None],
    fmt,
    color: str,
    mark: float | None = None,
    mark_label: str = "",
) -> str:
    """Horizontal bars, one per label, value written at the bar's end; `mark`: a target line."""
    width, bar_h, gap, left, right = 520, 20, 8, 190, 60
    height = 44 + len(labels) * (bar_h + gap) + (14 if mark is not None else 0)
    top = max([v for v in values if v is not None] + [mark or 0] or [1]) or 1
    span = width - left - right
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{_e(title)}">',
        f'<text x="0" y="16" class="chart-title">{_e(title)}</text>',
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 30 + i * (bar_h + gap)
        w = 0 if value is None else span * value / top
        parts.append(
            f'<text x="{left - 8}" y="{y + 14}" text-anchor="end"><title>{_e(label)}</title>{_e(_short(label, (left - 12) / 12))}</text>'
        )
        parts.append(
            f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{color}" rx="2"/>'
        )
        parts.append(
            f'<text x="{left + w + 5:.1f}" y="{y + 14}" class="value">{_e(fmt(value))}</text>'
        )
    if mark is not None:
        x = left + span * mark / top
        bottom = 30 + len(labels) * (bar_h + gap)
        parts.append(
            f'<line x1="{x:.1f}" y1="26" x2="{x:.1f}" y2="{bottom}" stroke="#c62828" stroke-dasharray="4 3"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{bottom + 12}" text-anchor="middle" class="small mark">{_e(mark_label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _vbar_chart(
    title: str,
    labels: list[str],
    values: list[float | None],
    fmt,
    color: str,
    average_label: str = "",
) -> str:
    """Vertical bars over time (days, hours), the largest value and the mean written out."""
    width, height, left, bottom, top_pad = 520, 240, 40, 34, 40
    present = [v for v in values if v is not None]
    top = max(present or [1]) or 1
    n = max(1, len(values))
    slot = (width - left - 10) / n
    plot_h = height - bottom - top_pad
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{_e(title)}">',
        f'<text x="0" y="16" class="chart-title">{_e(title)}</text>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#888"/>',
        f'<line x1="{left}" y1="{top_pad}" x2="{width - 10}" y2="{top_pad}" stroke="#ddd"/>',
        f'<text x="{left - 4}" y="{top_pad + 4}" text-anchor="end" class="small">{_e(fmt(top))}</text>',
        f'<text x="{left - 4}" y="{height - bottom + 4}" text-anchor="end" class="small">0</text>',
    ]
    step = max(1, math.ceil(n / 12))
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + i * slot + slot * 0.15
        h = 0 if value is None else plot_h * value / top
        y = height - bottom - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" fill="{color}"><title>{_e(label)}: {_e(fmt(value))}</title></rect>'
        )
        if n <= 12 and value is not None:
            parts.append(
                f'<text x="{x + slot * 0.35:.1f}" y="{y - 3:.1f}" text-anchor="middle" class="small">{_e(fmt(value))}</text>'
            )
        if i % step == 0:
            parts.append(
                f'<text x="{x + slot * 0.35:.1f}" y="{height - bottom + 14}" text-anchor="middle" class="small">{_e(label)}</text>'
            )
    if present:
        avg = math.fsum(present) / len(present)
        y = height - bottom - plot_h * avg / top
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#333" stroke-dasharray="4 3"/>'
        )
        # The mean is named in the title row, clear of the bars' own numbers.
        parts.append(
            f'<line x1="{width - 150}" y1="12" x2="{width - 124}" y2="12" stroke="#333" stroke-dasharray="4 3"/>'
        )
        parts.append(
            f'<text x="{width - 118}" y="16" class="small">{_e(average_label)} {_e(fmt(avg))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _split_columns(t: Table) -> list[tuple[str | None, list[Column]]]:
    """The table's columns cut into its groups, each led by the name columns, so each part fits
    a page; a table without groups stays whole."""
    lead = [c for c in t.columns if c.group is None]
    groups: dict[str, list[Column]] = {}
    for c in t.columns:
        if c.group is not None:
            groups.setdefault(c.group, []).append(c)
    if not groups:
        return [(None, t.columns)]
    return [(g, lead + cols) for g, cols in groups.items()]


def _table_html(
    t: Table, lang: str, columns: list[Column], title: str, css: str = "", note: bool = True
) -> str:
    head = "".join(
        f'<th class="{"txt" if c.kind == "text" else "num"}">{_e(c.title(lang) + HTML_UNIT.get(c.kind, {}).get(lang, ""))}</th>'
        for c in columns
    )
    body = []
    for row in t.rows:
        cls = ' class="flagged"' if row.get("flag_keys") else ""
        cells = "".join(
            f'<td class="{"txt" if c.kind == "text" else "num"}">{_e(html_cell(c, row.get(c.key)))}</td>'
            for c in columns
        )
        body.append(f"<tr{cls}>{cells}</tr>")
    if not t.rows:
        body.append(
            f'<tr><td colspan="{len(columns)}" class="empty">{"无" if lang == "zh" else "none"}</td></tr>'
        )
    note_html = f'<p class="note">{_e(t.note_text(lang))}</p>' if t.note and note else ""
    return (
        f'<section class="table {css}" data-table="{t.name}"><h3>{_e(title)}</h3>{note_html}<table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></section>"
    )


def _tables_html(t: Table, lang: str, css: str = "") -> str:
    parts = []
    for i, (group, cols) in enumerate(_split_columns(t)):
        title = (
            t.title(lang)
            if group is None
            else f"{t.title(lang)} · {GROUP_TITLES[group][0 if lang == 'zh' else 1]}"
        )
        parts.append(_table_html(t, lang, cols, title, css, note=i == 0))
    return "".join(parts)


# Which way is better for each key figure: +1 higher, -1 lower, 0 neither.
KPIS = [
    ("issued", "取号", "Issued", "int", 0),
    ("served", "办理", "Served", "int", 0),
    ("wait_mean_s", "平均等候", "Mean wait", "seconds", -1),
    ("wait_p90_s", "等候P90", "Wait p90", "seconds", -1),
    ("service_mean_s", "平均办理", "Mean service", "seconds", 0),
    ("satisfaction_rate", "满意率", "Satisfaction", "rate", 1),
    ("bad_rating_rate", "差评率", "Bad-rating rate", "rate", -1),
    ("overtime_rate", "超时率", "Over-time rate", "rate", -1),
]


def _fmt(kind: str, v) -> str:
    if v is None:
        return "–"
    if kind == "seconds":
        return mmss(v)
    if kind == "rate":
        return f"{v * 100:.1f}%"
    return f"{v:,}"


def _trend(
    kind: str, better: int, now, before, zh: bool, days: tuple[int, int] | None = None
) -> str:
    """'▲ 12%' (counts, per day with tickets when `days` is given), '▼ 0:35' (durations),
    '▲ 1.2 pt' (rates), coloured good/bad, with the previous value beside it."""
    if now is None or before is None or (days is not None and not all(days)):
        return f'<span class="trend none">{"上期无数据" if zh else "no previous data"}</span>'
    if days is not None:  # periods with different numbers of working days: compare per day
        now, before = now / days[0], before / days[1]
    delta = now - before
    if kind == "rate":
        text = f"{abs(delta) * 100:.1f} {'个百分点' if zh else 'pt'}"
    elif kind == "seconds":
        text = mmss(abs(delta))
    else:
        text = f"{abs(delta) / before * 100:.0f}%" if before else f"{abs(delta):g}"
    if abs(delta) < 1e-9:
        return f'<span class="trend same">{"与上期持平" if zh else "same as previous"}</span>'
    arrow = "▲" if delta > 0 else "▼"
    mood = "neutral" if better == 0 else ("good" if delta * better > 0 else "bad")
    if days is not None:
        prev = (
            f"日均 {now:.1f}，上期日均 {before:.1f}"
            if zh
            else f"{now:.1f} a day, prev. {before:.1f}"
        )
    else:
        prev = f"{'上期' if zh else 'prev.'} {_fmt(kind, before)}"
    return f'<span class="trend {mood}">{arrow} {text}</span> <span class="prev">{_e(prev)}</span>'


def _some(names: list[str], sep: str, zh: bool, most: int = 10) -> str:
    """At most `most` names, then how many more (the assessment table has them all)."""
    if len(names) <= most:
        return sep.join(names)
    more = len(names) - most
    return sep.join(names[:most]) + (
        f" 等{more}人（见考核表）" if zh else f" and {more} more (see Assessment)"
    )


def _summary_html(report: Report, zh: bool) -> str:
    hall = report.table("hall").rows[0] if report.table("hall").rows else {}
    prev = (report.previous or {}).get("hall") or {}
    per_day = (report.days, (report.previous or {}).get("days", 0))
    cards = []
    for key, zh_t, en_t, kind, better in KPIS:
        cards.append(
            f'<div class="kpi"><div class="label">{_e(zh_t if zh else en_t)}</div>'
            f'<div class="value">{_e(_fmt(kind, hall.get(key)))}</div>'
            f"<div>{_trend(kind, better, hall.get(key), prev.get(key), zh, per_day if kind == 'int' else None)}</div></div>"
        )
    assess = report.table("assessment").rows
    flagged = []
    sep = "、" if zh else ", "
    for level_zh, level_en in (("部门", "department"), ("个人", "clerk")):
        items = [r for r in assess if r["flag_keys"] and r["level"] in (level_zh, level_en)]
        label = (
            ("未达标部门（见下表）" if level_zh == "部门" else "未达标个人")
            if zh
            else (
                "Departments flagged (see the table)"
                if level_en == "department"
                else "Clerks flagged"
            )
        )
        # One line per threshold, naming who breaks it: short however many are flagged. The
        # departments are named in the table below, with their flags: here only how many.
        lis = (
            "".join(
                f"<li><b>{_e(FLAG_LABELS[key]['zh' if zh else 'en'])}</b> ({len(names)})"
                + ("" if level_zh == "部门" else f": {_e(_some(names, sep, zh))}")
                + "</li>"
                for key in FLAG_LABELS
                if (names := [r["name"] for r in items if key in r["flag_keys"]])
            )
            or f'<li class="ok">{"无" if zh else "none"}</li>'
        )
        flagged.append(
            f'<div class="flags"><h3>{_e(label)} ({len(items)})</h3><ul>{lis}</ul></div>'
        )
    deps = report.table("department").rows
    prev_deps = (report.previous or {}).get("department") or {}
    flags_by_key = {r["key"]: r["flags"] for r in assess if r["level"] in ("部门", "department")}
    head = (
        ["部门", "取号", "转入", "办理", "平均等候", "满意率", "较上期", "未达标项"]
        if zh
        else [
            "Department",
            "Issued",
            "Transf. in",
            "Served",
            "Mean wait",
            "Satisfaction",
            "vs. previous",
            "Flags",
        ]
    )
    trs = []
    for r in deps:
        before = prev_deps.get(r["key"], {}).get("satisfaction_rate")
        trs.append(
            f'<tr class="{"flagged" if flags_by_key.get(r["key"]) else ""}"><td class="txt">{_e(_short(r["name"], 24))}</td>'
            f'<td class="num">{r["issued"]}</td><td class="num">{r["transferred_in"]}</td><td class="num">{r["served"]}</td>'
            f'<td class="num">{mmss(r["wait_mean_s"])}</td><td class="num">{_fmt("rate", r["satisfaction_rate"])}</td>'
            f'<td class="num">{_trend("rate", 1, r["satisfaction_rate"], before, zh)}</td>'
            f'<td class="txt">{_e(flags_by_key.get(r["key"], ""))}</td></tr>'
        )
    dep_table = (
        f'<section class="table" data-table="summary-departments"><h3>{"各部门" if zh else "Departments"}</h3><table><thead><tr>'
        + "".join(
            f'<th class="{"txt" if i in (0, len(head) - 1) else "num"}">{_e(h)}</th>'
            for i, h in enumerate(head)
        )
        + f"</tr></thead><tbody>{''.join(trs)}</tbody></table></section>"
    )
    p = report.previous or {}
    compared = (
        f"{'对比上期' if zh else 'Compared with'} {p.get('start')} – {p.get('end')}" if p else ""
    )
    return (
        f'<section class="page summary"><h2>{"概览" if zh else "At a glance"}</h2>'
        f'<p class="meta">{_e(compared)}</p><div class="kpis">{"".join(cards)}</div>'
        f'<div class="flag-row">{"".join(flagged)}</div>{dep_table}</section>'
    )


def _charts_html(report: Report, zh: bool) -> str:
    hours = report.table("hours").rows
    deps = report.table("department").rows
    days = report.table("day").rows
    minutes = lambda v: "–" if v is None else f"{v:.0f}"  # noqa: E731
    clock = lambda v: mmss(None if v is None else v * 60)  # noqa: E731
    pct = lambda v: "–" if v is None else f"{v:.1f}%"  # noqa: E731
    count = lambda v: "–" if v is None else f"{v:.0f}"  # noqa: E731
    names = [r["name"] for r in deps]
    charts = [
        _vbar_chart(
            "每日取号量" if zh else "Tickets issued per day",
            [r["key"][-5:] for r in days],
            [r["issued"] for r in days],
            count,
            "#1f4e79",
            "日均" if zh else "mean",
        ),
        _vbar_chart(
            "各时段平均等候（分钟，按进入队列时间）"
            if zh
            else "Mean wait by hour joined the queue (min)",
            [r["hour"][:2] for r in hours],
            [None if r["wait_mean_s"] is None else r["wait_mean_s"] / 60 for r in hours],
            minutes,
            "#2e7d32",
            "平均" if zh else "mean",
        ),
        _hbar_chart(
            "各部门满意率（%）" if zh else "Satisfaction by department (%)",
            names,
            [
                None if r["satisfaction_rate"] is None else r["satisfaction_rate"] * 100
                for r in deps
            ],
            pct,
            "#1565c0",
        ),
        _hbar_chart(
            "各部门差评率（%）" if zh else "Bad-rating rate by department (%)",
            names,
            [None if r["bad_rating_rate"] is None else r["bad_rating_rate"] * 100 for r in deps],
            pct,
            "#ef6c00",
            mark=report_rule(report, "bad_rating_rate"),
            mark_label="考核线" if zh else "threshold",
        ),
        _hbar_chart(
            "各部门平均等候（分:秒）" if zh else "Mean wait by department (m:ss)",
            names,
            [None if r["wait_mean_s"] is None else r["wait_mean_s"] / 60 for r in deps],
            clock,
            "#2e7d32",
        ),
        _hbar_chart(
            "各部门超时率（%）" if zh else "Over-time rate by department (%)",
            names,
            [None if r["overtime_rate"] is None else r["overtime_rate"] * 100 for r in deps],
            pct,
            "#6a1b9a",
            mark=report_rule(report, "overtime_rate"),
            mark_label="考核线" if zh else "threshold",
        ),
    ]
    return f'<section class="page chart-page"><h2>{"图表" if zh else "Charts"}</h2><div class="charts">{"".join(charts)}</div></section>'


def report_rule(report: Report, name: str) -> float | None:
    """A threshold rate in percent for a chart's target line."""
    rate = (report.rules or {}).get(name)
    return None if rate is None else rate * 100


CSS = """
@page{size:A4 landscape;margin:10mm}
*{box-sizing:border-box}
body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei",sans-serif;margin:0 auto;padding:20px;max-width:1360px;color:#1b2430;font-size:13px}
h1{font-size:24px;margin:0 0 4px} .meta{color:#555;margin:0 0 12px}
h2{font-size:18px;border-bottom:2px solid #1f4e79;padding-bottom:4px;margin:24px 0 10px}
h3{font-size:14px;margin:14px 0 6px}
.note{color:#444;font-size:12px;margin:0 0 6px;max-width:70em}
table{border-collapse:collapse;font-size:12px;width:100%}
th{background:#1f4e79;color:#fff;padding:4px 6px;font-weight:600;word-break:keep-all;vertical-align:bottom;text-align:right}
th.txt{text-align:left}
td{border-bottom:1px solid #ddd;padding:3px 6px;vertical-align:top} td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.txt{min-width:6em;max-width:24em;overflow-wrap:anywhere}
tr.flagged td{background:#fde8e8} td.empty{color:#888;text-align:center}
.kpis{display:grid;grid-template-columns:repeat(4,1fr);gap:10px}
.kpi{border:1px solid #d5dde8;border-radius:6px;padding:8px 12px;background:#f7f9fc}
.kpi .label{color:#555;font-size:12px} .kpi .value{font-size:26px;font-weight:700;margin:2px 0}
.trend{font-weight:600;font-size:12px} .trend.good{color:#2e7d32} .trend.bad{color:#c62828}
.trend.neutral,.trend.same{color:#455a64} .trend.none{color:#888;font-weight:400} .prev{color:#777;font-size:11px}
.flag-row{display:grid;grid-template-columns:1fr 2fr;gap:16px;margin-top:6px}
.flags ul{margin:0;padding-left:18px} .flags li{margin:1px 0} .flags .ok{color:#2e7d32;list-style:none;margin-left:-18px}
.charts{display:grid;grid-template-columns:1fr 1fr;gap:12px}
.chart{width:100%;height:auto;background:#f7f9fc;border:1px solid #e1e6ee;border-radius:6px;padding:6px}
.chart text{font-size:12px;fill:#1b2430} .chart-title{font-size:14px;font-weight:600} .small{font-size:10px}
.chart .value{font-size:11px} .chart .mark{fill:#c62828}
.appx td,.appx th{font-size:11px}
@media print{body{padding:0;max-width:none;font-size:11px} .page,.details,.appendix{break-before:page}
 .summary{break-before:auto} h2{margin-top:0} section.table{break-inside:auto} tr{break-inside:avoid}
 thead{display:table-header-group} table{font-size:10px} .kpi .value{font-size:22px}
 .summary td{padding:2px 6px} .summary h3{margin:8px 0 4px}
 .chart{break-inside:avoid}}
"""

MAIN_TABLES = (
    "hall",
    "department",
    "transfers",
    "window",
    "clerk",
    "matter",
    "window_matter",
    "day",
    "hours",
    "assessment",
    "complaints",
    "cases",
)
APPENDIX_TABLES = ("attendance", "audit")


def render_html(report: Report, hall_name: str) -> str:
    zh = report.lang == "zh"
    title = f"{hall_name} · {'服务统计报表' if zh else 'Service report'}"
    period = f"{report.start} – {report.end}"
    generated = report.generated_at.astimezone(ZoneInfo(report.timezone)).strftime("%Y-%m-%d %H:%M")
    by_name = {t.name: t for t in report.tables}
    details = "".join(_tables_html(by_name[n], report.lang) for n in MAIN_TABLES if n in by_name)
    appendix = "".join(
        _tables_html(by_name[n], report.lang, "appx") for n in APPENDIX_TABLES if n in by_name
    )
    rest = "".join(
        _tables_html(t, report.lang)
        for t in report.tables
        if t.name not in MAIN_TABLES and t.name not in APPENDIX_TABLES
    )
    definitions = (
        "口径说明见 docs/reports.md：等候与办理时间按段计算（转办后在新部门的等候和转办前的办理都计入），"
        "办理时间从最后一次叫号或重呼开始。"
        if zh
        else "Definitions: docs/reports.md. Waits and service times are per leg (the wait in the next "
        "queue after a transfer and the work before it both count); service starts at the last call or recall."
    )
    return (
        f'<!doctype html><html lang="{"zh-CN" if zh else "en"}"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{CSS}</style></head><body>"
        f'<h1>{_e(title)}</h1><div class="meta">{"统计期间" if zh else "Period"}: {period} · '
        f"{'生成时间' if zh else 'Generated'}: {generated}</div>"
        f"{_summary_html(report, zh)}{_charts_html(report, zh)}"
        f'<div class="details"><h2>{"明细" if zh else "Details"}</h2><p class="note">{_e(definitions)}</p>{details}{rest}</div>'
        f'<div class="appendix"><h2>{"附录" if zh else "Appendix"}</h2>{appendix}</div>'
        "</body></html>"
    )


def write_html(report: Report, path: Path, hall_name: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report, hall_name), encoding="utf-8")
    return path
