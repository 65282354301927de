"""Assembles a report: its tables, with headings in Chinese and English."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from hallcall.broker.reports.assessment import FLAG_LABELS, flags
from hallcall.broker.reports.attendance import load_attendance
from hallcall.broker.reports.audit import load_audit
from hallcall.broker.reports.complaints import ComplaintBook
from hallcall.broker.reports.figures import Calculator
from hallcall.broker.reports.records import VisitRecord, load_records
from hallcall.config.schema import HallConfig


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    kind: str = "int"  # int | seconds | rate | text

    def title(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass
class Table:
    name: str
    zh: str
    en: str
    columns: list[Column]
    rows: list[dict]

    def title(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass
class Report:
    hall: str
    start: date
    end: date
    lang: str
    generated_at: datetime
    timezone: str = "UTC"
    tables: list[Table] = field(default_factory=list)

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)


METRIC_COLUMNS = [
    Column("issued", "取号", "Issued"),
    Column("served", "办理", "Served"),
    Column("done", "办结", "Done"),
    Column("returned", "退回", "Returned"),
    Column("needs_documents", "补件", "Needs documents"),
    Column("no_show", "过号", "No-show"),
    Column("transferred_out", "转出", "Transferred out"),
    Column("closed_by_system", "日终关闭", "Closed at day end"),
    Column("immediate", "即办件", "Immediate"),
    Column("time_limited", "限时件", "Time-limited"),
    Column("wait_mean_s", "平均等候", "Wait mean", "seconds"),
    Column("wait_median_s", "等候中位数", "Wait median", "seconds"),
    Column("wait_p90_s", "等候P90", "Wait p90", "seconds"),
    Column("service_mean_s", "平均办理", "Service mean", "seconds"),
    Column("service_median_s", "办理中位数", "Service median", "seconds"),
    Column("service_p90_s", "办理P90", "Service p90", "seconds"),
    Column("overtime", "超时件", "Over time"),
    Column("overtime_rate", "超时率", "Over-time rate", "rate"),
    Column("rated", "已评价", "Rated"),
    Column("not_rated", "未评价", "Not rated"),
]


def _rating_columns(calc: Calculator) -> list[Column]:
    zh, en = calc.rating_labels("zh"), calc.rating_labels("en")
    cols = [Column(f"rating_{i + 1}", zh[i], en[i]) for i in range(calc.scale)]
    return cols + [
        Column("satisfaction_rate", "满意率", "Satisfaction rate", "rate"),
        Column("bad_rating_rate", "差评率", "Bad-rating rate", "rate"),
    ]


def parse_period(text: str, today: date | None = None) -> tuple[date, date]:
    """'2026-11-23' (a day), '2026-11' (a month), '2026Q4' (a quarter), '2026' (a year),
    'FROM..TO' with two days, or 'today' / 'yesterday' / 'this-month' / 'last-month' (in the
    hall's time: pass the hall's `today`)."""
    text = text.strip().lower()
    if text in ("today", "yesterday", "this-month", "last-month"):
        if today is None:
            raise ValueError(f"{text!r} needs the hall's date")
        if text == "today":
            return today, today
        if text == "yesterday":
            day = today - timedelta(days=1)
            return day, day
        first = today.replace(day=1)
        if text == "last-month":
            first = (first - timedelta(days=1)).replace(day=1)
        return parse_period(f"{first:%Y-%m}")
    if ".." in text:
        a, b = text.split("..", 1)
        start, end = date.fromisoformat(a), date.fromisoformat(b)
        if end < start:
            raise ValueError("the period ends before it starts")
        return start, end
    if m := re.fullmatch(r"(\d{4})-?q([1-4])", text):
        year, q = int(m[1]), int(m[2])
        start = date(year, 3 * q - 2, 1)
        end = date(year + (q == 4), (3 * q) % 12 + 1, 1) - timedelta(days=1)
        return start, end
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        year, month = int(m[1]), int(m[2])
        start = date(year, month, 1)
        end = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
        return start, end
    if re.fullmatch(r"\d{4}", text):
        return date(int(text), 1, 1), date(int(text), 12, 31)
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            "use a day (2026-11-23), a month (2026-11), a quarter (2026Q4), a year (2026), "
            "FROM..TO, today, yesterday, this-month or last-month"
        ) from None
    return day, day


def build_report(
    config: HallConfig,
    engine: Engine,
    start: date,
    end: date,
    lang: str | None = None,
    now: datetime | None = None,
    records: list[VisitRecord] | None = None,
) -> Report:
    lang = lang or config.hall.default_language
    now = now or datetime.now(timezone.utc)
    calc = Calculator(config)
    records = load_records(engine, config.hall.id, start, end) if records is None else records
    metric_cols = METRIC_COLUMNS + _rating_columns(calc)
    name_col = {
        "hall": Column("name", "大厅", "Hall", "text"),
        "department": Column("name", "部门", "Department", "text"),
        "window": Column("name", "窗口", "Window", "text"),
        "clerk": Column("name", "工作人员", "Clerk", "text"),
        "matter": Column("name", "事项", "Matter", "text"),
        "day": Column("key", "日期", "Date", "text"),
    }
    titles = {
        "hall": ("汇总", "Summary"),
        "department": ("按部门", "By department"),
        "window": ("按窗口", "By window"),
        "clerk": ("按工作人员", "By clerk"),
        "matter": ("按事项", "By matter"),
        "day": ("按日", "By day"),
    }
    report = Report(config.hall.id, start, end, lang, now, config.hall.timezone)
    rows_by_dim = {}
    for dim, (zh, en) in titles.items():
        rows = calc.table_rows(records, dim)
        for row in rows:
            row["name"] = calc.label(dim, row["key"], lang)
        rows_by_dim[dim] = rows
        cols = [name_col[dim]] + ([Column("key", "编号", "Id", "text")] if dim in ("clerk", "window") else [])
        report.tables.append(Table(dim, zh, en, cols + metric_cols, rows))
    report.tables.append(Table(
        "hours", "按时段", "By hour of day",
        [Column("hour", "时段", "Hour", "text"), Column("issued", "取号", "Issued"),
         Column("wait_mean_s", "平均等候", "Wait mean", "seconds")],
        calc.hours(records),
    ))
    assess = []
    for dim in ("department", "clerk"):
        for row in rows_by_dim[dim]:
            broken = flags(row, config.assessment)
            assess.append({
                "level": {"department": {"zh": "部门", "en": "department"}, "clerk": {"zh": "个人", "en": "clerk"}}[dim][lang],
                "name": row["name"],
                "key": row["key"],
                "served": row["served"],
                "immediate": row["immediate"],
                "time_limited": row["time_limited"],
                "bad_ratings": row["bad_ratings"],
                "bad_rating_rate": row["bad_rating_rate"],
                "overtime": row["overtime"],
                "overtime_rate": row["overtime_rate"],
                "flags": "; ".join(FLAG_LABELS[f][lang] for f in broken),
                "flag_keys": broken,
                "qualified": not broken,
            })
    report.tables.append(Table(
        "assessment", "考核", "Assessment",
        [Column("level", "类别", "Level", "text"), Column("name", "名称", "Name", "text"),
         Column("served", "办理", "Served"), Column("immediate", "即办件", "Immediate"),
         Column("time_limited", "限时件", "Time-limited"), Column("bad_ratings", "差评", "Bad ratings"),
         Column("bad_rating_rate", "差评率", "Bad-rating rate", "rate"),
         Column("overtime", "超时件", "Over time"), Column("overtime_rate", "超时率", "Over-time rate", "rate"),
         Column("flags", "未达标项", "Thresholds broken", "text")],
        assess,
    ))
    zone = ZoneInfo(config.hall.timezone)
    attendance = load_attendance(engine, config.hall.id, zone, start, end, now)
    for row in attendance:
        staff = config.staff_member(row["staff"])
        row["name"] = staff.name.get(lang) if staff else row["staff"]
    report.tables.append(Table(
        "attendance", "考勤", "Attendance",
        [Column("date", "日期", "Date", "text"), Column("name", "工作人员", "Clerk", "text"),
         Column("windows", "窗口", "Windows", "text"), Column("first_in", "签到", "In", "text"),
         Column("last_out", "签退", "Out", "text"), Column("on_duty_min", "在岗(分钟)", "On duty (min)"),
         Column("pause_min", "暂停(分钟)", "Paused (min)"), Column("pauses", "暂停次数", "Pauses"),
         Column("pause_reasons", "暂停原因", "Pause reasons", "text")],
        attendance,
    ))
    report.tables.append(Table(
        "audit", "操作记录", "Admin actions",
        [Column("at", "时间", "Time", "text"), Column("actor", "操作人", "Person", "text"),
         Column("device", "设备", "Device", "text"), Column("op", "操作", "Action", "text"),
         Column("arguments", "参数", "Arguments", "text"), Column("outcome", "结果", "Outcome", "text")],
        load_audit(engine, config.hall.id, zone, start, end),
    ))
    today = now.astimezone(zone).date()
    complaints = []
    for c in ComplaintBook(config, engine).list(start=start, end=end):
        staff = config.staff_member(c.staff) if c.staff else None
        complaints.append({
            "id": c.id,
            "received": c.received_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            "channel": c.channel,
            "window": c.window or "",
            "clerk": staff.name.get(lang) if staff else (c.staff or ""),
            "text": c.text,
            "due_on": c.due_on.isoformat(),
            "state": ("已答复" if lang == "zh" else "answered") if c.answered_at
            else (("已逾期" if lang == "zh" else "OVERDUE") if c.overdue(today) else ("待答复" if lang == "zh" else "open")),
        })
    report.tables.append(Table(
        "complaints", "投诉", "Complaints",
        [Column("id", "编号", "No."), Column("received", "受理时间", "Received", "text"),
         Column("channel", "渠道", "Channel", "text"), Column("window", "窗口", "Window", "text"),
         Column("clerk", "工作人员", "Clerk", "text"), Column("text", "内容", "Complaint", "text"),
         Column("due_on", "答复期限", "Answer due", "text"), Column("state", "状态", "State", "text")],
        complaints,
    ))
    return report
