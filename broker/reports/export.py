"""Writes a report as CSV files, an XLSX workbook (one sheet per table) and an HTML page.

Durations are shown in minutes and rates in percent in every format, so the three agree.
The HTML page draws its charts as inline SVG: it needs no script or network, opens in any
browser and prints well.
"""

from __future__ import annotations

import csv
import html
from pathlib import Path
from zoneinfo import ZoneInfo

from hallcall.broker.reports.report import Column, Report, Table

UNIT = {"seconds": {"zh": "（分钟）", "en": " (min)"}, "rate": {"zh": "（%）", "en": " (%)"}}


def heading(col: Column, lang: str) -> str:
    return col.title(lang) + UNIT.get(col.kind, {}).get(lang, "")


def cell(col: Column, value):
    if value is None:
        return None
    if col.kind == "seconds":
        return round(value / 60, 1)
    if col.kind == "rate":
        return round(value * 100, 1)
    return value


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
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
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
            longest = max([len(str(heading(col, report.lang)))] + [len(str(row.get(col.key) or "")) for row in t.rows[:200]])
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, longest * (2 if report.lang == "zh" else 1.1)))
        ws.freeze_panes = "B2"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


# ------------------------------------------------------------------ HTML
def _bar_chart(title: str, labels: list[str], values: list[float], unit: str, color: str) -> str:
    width, bar_h, gap, left = 720, 22, 6, 200
    height = 40 + len(labels) * (bar_h + gap)
    top = max([v for v in values if v is not None] or [1]) or 1
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(title)}">',
             f'<text x="0" y="18" class="chart-title">{html.escape(title)}</text>']
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 32 + i * (bar_h + gap)
        w = 0 if value is None else (width - left - 80) * value / top
        parts.append(f'<text x="{left - 8}" y="{y + 16}" text-anchor="end">{html.escape(label[:18])}</text>')
        parts.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{color}" rx="3"/>')
        shown = "–" if value is None else f"{value:.1f}{unit}"
        parts.append(f'<text x="{left + w + 6:.1f}" y="{y + 16}">{shown}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _line_chart(title: str, labels: list[str], values: list[float], color: str) -> str:
    width, height, left, bottom = 720, 260, 50, 40
    top = max(values or [1]) or 1
    n = max(1, len(values) - 1)
    pts = [
        (left + (width - left - 20) * i / n, height - bottom - (height - bottom - 40) * v / top)
        for i, v in enumerate(values)
    ]
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(title)}">',
             f'<text x="0" y="18" class="chart-title">{html.escape(title)}</text>',
             f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#999"/>']
    if pts:
        parts.append('<polyline fill="none" stroke="{}" stroke-width="2.5" points="{}"/>'.format(
            color, " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)))
    step = max(1, len(labels) // 10)
    for i, (x, y) in enumerate(pts):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}"/>')
        if i % step == 0:
            parts.append(f'<text x="{x:.1f}" y="{height - bottom + 18}" text-anchor="middle" class="small">{html.escape(labels[i][-5:])}</text>')
    parts.append(f'<text x="{left - 6}" y="48" text-anchor="end" class="small">{top:.0f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _table_html(t: Table, lang: str) -> str:
    head = "".join(f"<th>{html.escape(heading(c, lang))}</th>" for c in t.columns)
    body = []
    for row in t.rows:
        cls = ' class="flagged"' if row.get("flag_keys") else ""
        cells = []
        for c in t.columns:
            v = cell(c, row.get(c.key))
            cells.append(f'<td class="{"num" if c.kind != "text" else "txt"}">{"" if v is None else html.escape(str(v))}</td>')
        body.append(f"<tr{cls}>{''.join(cells)}</tr>")
    if not t.rows:
        body.append(f'<tr><td colspan="{len(t.columns)}" class="empty">{"无" if lang == "zh" else "none"}</td></tr>')
    return (f'<section><h2>{html.escape(t.title(lang))}</h2><div class="scroll"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div></section>")


CSS = """
body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei",sans-serif;margin:24px;color:#1b2430}
h1{font-size:24px;margin:0 0 4px} .meta{color:#555;margin-bottom:16px}
h2{font-size:18px;border-bottom:2px solid #1f4e79;padding-bottom:4px;margin-top:28px}
table{border-collapse:collapse;font-size:12px} th{background:#1f4e79;color:#fff;padding:4px 6px;font-weight:600;min-width:3.4em}
td{border-bottom:1px solid #ddd;padding:3px 6px} td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.flagged td{background:#fde8e8} td.empty{color:#888;text-align:center}
.scroll{overflow-x:auto} .charts{display:flex;flex-wrap:wrap;gap:16px}
.chart{width:720px;max-width:100%;background:#f7f9fc;border:1px solid #e1e6ee;border-radius:6px;padding:8px}
.chart text{font-size:12px;fill:#1b2430} .chart-title{font-size:14px;font-weight:600} .small{font-size:10px}
@media print{body{margin:8mm} section{break-inside:avoid} .scroll{overflow:visible} table{font-size:9px}
 .chart{width:100%;break-inside:avoid}}
"""


def render_html(report: Report, hall_name: str) -> str:
    zh = report.lang == "zh"
    hours = report.table("hours").rows
    deps = report.table("department").rows
    days = report.table("day").rows
    charts = [
        _bar_chart("各时段平均等候（分钟）" if zh else "Mean wait by hour of day (min)",
                   [r["hour"] for r in hours], [None if r["wait_mean_s"] is None else r["wait_mean_s"] / 60 for r in hours],
                   "", "#2e7d32"),
        _bar_chart("各部门满意率（%）" if zh else "Satisfaction by department (%)",
                   [r["name"] for r in deps], [None if r["satisfaction_rate"] is None else r["satisfaction_rate"] * 100 for r in deps],
                   "%", "#1565c0"),
        _line_chart("每日取号量" if zh else "Tickets issued per day", [r["key"] for r in days],
                    [r["issued"] for r in days], "#c62828"),
    ]
    title = f"{hall_name} · {'服务统计报表' if zh else 'Service report'}"
    period = f"{report.start} – {report.end}"
    generated = report.generated_at.astimezone(ZoneInfo(report.timezone)).strftime("%Y-%m-%d %H:%M")
    tables = "".join(_table_html(t, report.lang) for t in report.tables)
    return (
        f'<!doctype html><html lang="{"zh-CN" if zh else "en"}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><div class=\"meta\">{'统计期间' if zh else 'Period'}: {period} · "
        f"{'生成时间' if zh else 'Generated'}: {generated}</div>"
        f'<section><h2>{"图表" if zh else "Charts"}</h2><div class="charts">{"".join(charts)}</div></section>'
        f"{tables}</body></html>"
    )


def write_html(report: Report, path: Path, hall_name: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report, hall_name), encoding="utf-8")
    return path
