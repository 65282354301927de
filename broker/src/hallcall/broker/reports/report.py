"""Assembles a report: its tables, with headings in Chinese and English."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from hallcall.broker.reports.assessment import FLAG_LABELS, counts, flags, minima, quarter_share
from hallcall.broker.reports.attendance import load_attendance
from hallcall.broker.reports.audit import load_audit
from hallcall.broker.reports.complaints import ComplaintBook
from hallcall.broker.reports.figures import Calculator
from hallcall.broker.reports.records import VisitRecord, load_records
from hallcall.broker.reports.rectification import CaseBook, case_rows
from hallcall.config.schema import HallConfig


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    kind: str = "int"  # int | seconds | rate | text
    #: Which narrower table the HTML page puts it in: volume | matters | time | rating.
    group: str | None = None

    def title(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass
class Table:
    name: str
    zh: str
    en: str
    columns: list[Column]
    rows: list[dict]
    #: A sentence under the title that says how to read it (zh, en).
    note: tuple[str, str] | None = None

    def title(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def note_text(self, lang: str) -> str | None:
        return None if self.note is None else self.note[0 if lang == "zh" else 1]


@dataclass
class Report:
    hall: str
    start: date
    end: date
    lang: str
    generated_at: datetime
    timezone: str = "UTC"
    tables: list[Table] = field(default_factory=list)
    #: The period before (same length; the previous month or quarter for one), for trends:
    #: {"start", "end", "days", "hall": row, "department": {key: row}}; None if not computed.
    #: "days" (and `days` here) count the service days with tickets: volumes are compared per day.
    previous: dict | None = None
    days: int = 0
    #: The volume minima this period was compared with, and its length in quarters.
    minima: tuple[int, int] = (0, 0)
    quarter_share: float = 1.0
    #: The assessment rates, for the charts' threshold lines.
    rules: dict | None = None

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)


METRIC_COLUMNS = [
    Column("issued", "取号", "Issued", group="volume"),
    Column("transferred_in", "转入", "Transferred in", group="volume"),
    Column("transferred_out", "转出", "Transferred out", group="volume"),
    Column("served", "办理", "Served", group="volume"),
    Column("done", "办结", "Done", group="volume"),
    Column("returned", "退回", "Returned", group="volume"),
    Column("needs_documents", "补件", "Needs documents", group="volume"),
    Column("no_show", "过号", "No-show", group="volume"),
    Column("closed_by_system", "日终关闭", "Closed at day end", group="volume"),
    Column("open", "未结", "Still open", group="volume"),
    Column("called", "叫号", "Called", group="time"),
    Column("wait_mean_s", "平均等候", "Wait mean", "seconds", "time"),
    Column("wait_median_s", "等候中位数", "Wait median", "seconds", "time"),
    Column("wait_p90_s", "等候P90", "Wait p90", "seconds", "time"),
    Column("service_mean_s", "平均办理", "Service mean", "seconds", "time"),
    Column("service_median_s", "办理中位数", "Service median", "seconds", "time"),
    Column("service_p90_s", "办理P90", "Service p90", "seconds", "time"),
    Column("recalled", "重呼", "Recalled", group="time"),
    Column("recall_wait_mean_s", "平均重呼等候", "Recall wait mean", "seconds", "time"),
    Column("immediate", "即办件", "Immediate", group="matters"),
    Column("time_limited", "限时件", "Time-limited", group="matters"),
    Column("no_matter", "未选事项", "No matter", group="matters"),
    Column("overtime", "超时件", "Over time", group="matters"),
    Column("overtime_rate", "超时率", "Over-time rate", "rate", "matters"),
    Column("rated", "已评价", "Rated", group="rating"),
    Column("not_rated", "未评价", "Not rated", group="rating"),
]

#: Columns that mean nothing in a grouping: nobody at a window issued a ticket, a matter is
#: not transferred in or out (a transfer records no matter for the leg it ends).
NOT_IN = {
    "window": {"issued", "transferred_in"},
    "clerk": {"issued", "transferred_in"},
    "matter": {"issued", "transferred_in", "transferred_out", "no_matter"},
}

NOTES = {
    "department": (
        "取号 + 转入 = 办理 + 过号 + 日终关闭 + 转出 + 未结。等候、办理按段计入各部门：转办后在本部门的等候、转办前的办理都计入。",
        "Issued + transferred in = served + no-show + closed at day end + transferred out + still open. "
        "Waits and service times are per leg: the wait here after a transfer and the work before one both count.",
    ),
    "window": (
        "取号不按窗口统计；叫号、等候、办理按段计入叫号的窗口，办理结果计入办结的窗口。",
        "Tickets are not issued at a window; calls, waits and service count per leg at the window that called, outcomes at the window that ended the visit.",
    ),
    "clerk": (
        "取号不按个人统计；叫号、等候、办理按段计入叫号的工作人员，办理结果与评价计入办结的工作人员。",
        "Tickets are not issued by a clerk; calls, waits and service count per leg for the clerk who called, outcomes and ratings for the clerk who ended the visit.",
    ),
    "matter": (
        "按办结时的事项统计；转办记录不含转出前的事项，故只计最后一段。",
        "By the matter the visit ended with; a transfer records no matter for the leg it ends, so only the last leg counts.",
    ),
}

GROUP_TITLES = {
    "volume": ("业务量", "Volumes"),
    "time": ("等候与办理时间（按段）", "Waiting and service time (per leg)"),
    "matters": ("事项类别与超时", "Matter kinds and over-time"),
    "rating": ("评价", "Ratings"),
}


def _rating_columns(calc: Calculator) -> list[Column]:
    zh, en = calc.rating_labels("zh"), calc.rating_labels("en")
    cols = [Column(f"rating_{i + 1}", zh[i], en[i], group="rating") for i in range(calc.scale)]
    # With the national labels the satisfied share is 好评 (非常满意, 满意, 基本满意), so called.
    good = ("好评率", "Good-rating rate") if calc.label_set == "national" else None
    zh_good, en_good = good or ("满意率", "Satisfaction rate")
    return cols + [
        Column("satisfaction_rate", zh_good, en_good, "rate", "rating"),
        Column("bad_rating_rate", "差评率", "Bad-rating rate", "rate", "rating"),
    ]


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period a report is compared with: the month or quarter before a whole month or
    quarter; a day, the same weekday a week before (a Monday with the Sunday before it would
    compare with a closed hall); else the same number of days just before."""
    if start.day == 1 and (end + timedelta(days=1)).day == 1:
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        first = start
        for _ in range(months):
            first = (first - timedelta(days=1)).replace(day=1)
        return first, start - timedelta(days=1)
    if start == end:
        return start - timedelta(days=7), start - timedelta(days=7)
    days = (end - start).days + 1
    return start - timedelta(days=days), start - timedelta(days=1)


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
    previous_records: list[VisitRecord] | None = None,
) -> Report:
    lang = lang or config.hall.default_language
    now = now or datetime.now(UTC)
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
        cols = [name_col[dim]] + (
            [Column("key", "编号", "Id", "text")] if dim in ("clerk", "window") else []
        )
        cols += [c for c in metric_cols if c.key not in NOT_IN.get(dim, ())]
        report.tables.append(Table(dim, zh, en, cols, rows, NOTES.get(dim)))
    general = [w.id for w in config.windows if w.skills or w.serves_pickup]
    if general:  # general windows (综合窗口): each one's matters, across departments
        rows = [
            row | {"name": calc.label("window_matter", row["key"], lang)}
            for row in calc.table_rows(records, "window_matter")
            if row["key"].partition("|")[0] in general
        ]
        cols = [Column("name", "窗口 · 事项", "Window · matter", "text")]
        cols += [c for c in metric_cols if c.key not in NOT_IN["matter"]]
        report.tables.append(
            Table(
                "window_matter",
                "综合窗口（按窗口与事项）",
                "General windows, by window and matter",
                cols,
                rows,
                (
                    "综合窗口办理的各部门事项，按办结时的事项计；出件窗口的取件单列一行，不计入按事项表。",
                    "The matters of every department served at each general window, by the matter "
                    "the visit ended with; pickups at a pickup window are a row of their own and "
                    "not in the table by matter.",
                ),
            )
        )
    prev_start, prev_end = previous_period(start, end)
    if previous_records is None:
        previous_records = load_records(engine, config.hall.id, prev_start, prev_end)
    prev_calc = Calculator(config)
    report.previous = {
        "start": prev_start,
        "end": prev_end,
        "days": len({r.service_date for r in previous_records}),
        "hall": next(iter(prev_calc.table_rows(previous_records, "hall")), None),
        "department": {r["key"]: r for r in prev_calc.table_rows(previous_records, "department")},
    }
    report.days = len({r.service_date for r in records})
    share = quarter_share(start, end)
    report.minima, report.quarter_share = minima(config.assessment, share), float(share)
    report.rules = {
        "bad_rating_rate": config.assessment.bad_rating_rate,
        "overtime_rate": config.assessment.overtime_rate,
    }
    report.tables.append(
        Table(
            "transfers",
            "转办（按段）",
            "Transfers, leg by leg",
            [
                Column("from", "转出部门", "From", "text"),
                Column("to", "转入部门", "To", "text"),
                Column("transfers", "转办次数", "Transfers"),
                Column("work_mean_s", "转办前平均办理", "Work before, mean", "seconds"),
                Column("work_p90_s", "转办前办理P90", "Work before, p90", "seconds"),
                Column("wait_mean_s", "转入后平均等候", "Wait after, mean", "seconds"),
                Column("wait_p90_s", "转入后等候P90", "Wait after, p90", "seconds"),
                Column("served_after", "转入后办结", "Served after"),
            ],
            calc.transfer_rows(records, lang),
            (
                "转办前的办理计入转出窗口，转入后的等候计入转入部门；两者都已计入各表的等候与办理时间。",
                "The work before a transfer counts at the sending window, the wait after it in the receiving "
                "department; both are in every table's waiting and service times.",
            ),
        )
    )
    report.tables.append(
        Table(
            "hours",
            "按时段",
            "By hour of day",
            [
                Column("hour", "时段", "Hour", "text"),
                Column("issued", "取号", "Issued"),
                Column("wait_mean_s", "平均等候", "Wait mean", "seconds"),
            ],
            calc.hours(records),
        )
    )
    assess = []
    for dim in ("department", "clerk"):
        for row in rows_by_dim[dim]:
            broken = flags(row, config.assessment, dim, share)
            assess.append(
                {
                    "level": {
                        "department": {"zh": "部门", "en": "department"},
                        "clerk": {"zh": "个人", "en": "clerk"},
                    }[dim][lang],
                    "name": row["name"],
                    "key": row["key"],
                    "served": row["served"],
                    "immediate": row["immediate"],
                    "time_limited": row["time_limited"],
                    "rated": row["rated"],
                    "bad_ratings": row["bad_ratings"],
                    "bad_rating_rate": row["bad_rating_rate"],
                    "overtime": row["overtime"],
                    "overtime_rate": row["overtime_rate"],
                    "flags": "; ".join(FLAG_LABELS[f][lang] for f in broken),
                    "flag_keys": broken,
                    "qualified": not broken,
                }
            )
    report.tables.append(
        Table(
            "assessment",
            "考核",
            "Assessment",
            [
                Column("level", "类别", "Level", "text"),
                Column("name", "名称", "Name", "text"),
                Column("served", "办理", "Served"),
                Column("immediate", "即办件", "Immediate"),
                Column("time_limited", "限时件", "Time-limited"),
                Column("rated", "已评价", "Rated"),
                Column("bad_ratings", "差评", "Bad ratings"),
                Column("bad_rating_rate", "差评率", "Bad-rating rate", "rate"),
                Column("overtime", "超时件", "Over time"),
                Column("overtime_rate", "超时率", "Over-time rate", "rate"),
                Column("flags", "未达标项", "Thresholds broken", "text"),
            ],
            assess,
            _assessment_note(config, report.minima, share),
        )
    )
    zone = ZoneInfo(config.hall.timezone)
    attendance = load_attendance(engine, config.hall.id, zone, start, end, now)
    for row in attendance:
        staff = config.staff_member(row["staff"])
        row["name"] = staff.name.get(lang) if staff else row["staff"]
    report.tables.append(
        Table(
            "attendance",
            "考勤",
            "Attendance",
            [
                Column("date", "日期", "Date", "text"),
                Column("name", "工作人员", "Clerk", "text"),
                Column("windows", "窗口", "Windows", "text"),
                Column("first_in", "签到", "In", "text"),
                Column("last_out", "签退", "Out", "text"),
                Column("on_duty_min", "在岗(分钟)", "On duty (min)"),
                Column("pause_min", "暂停(分钟)", "Paused (min)"),
                Column("pauses", "暂停次数", "Pauses"),
                Column("pause_reasons", "暂停原因", "Pause reasons", "text"),
            ],
            attendance,
        )
    )
    report.tables.append(
        Table(
            "audit",
            "操作记录",
            "Admin actions",
            [
                Column("at", "时间", "Time", "text"),
                Column("actor", "操作人", "Person", "text"),
                Column("device", "设备", "Device", "text"),
                Column("op", "操作", "Action", "text"),
                Column("arguments", "参数", "Arguments", "text"),
                Column("outcome", "结果", "Outcome", "text"),
            ],
            load_audit(engine, config.hall.id, zone, start, end),
        )
    )
    today = now.astimezone(zone).date()
    complaints = []
    for c in ComplaintBook(config, engine).list(start=start, end=end):
        staff = config.staff_member(c.staff) if c.staff else None
        complaints.append(
            {
                "id": c.id,
                "received": c.received_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
                "channel": c.channel,
                "window": c.window or "",
                "clerk": staff.name.get(lang) if staff else (c.staff or ""),
                "text": c.text,
                "due_on": c.due_on.isoformat(),
                "state": ("已答复" if lang == "zh" else "answered")
                if c.answered_at
                else (
                    ("已逾期" if lang == "zh" else "OVERDUE")
                    if c.overdue(today)
                    else ("待答复" if lang == "zh" else "open")
                ),
            }
        )
    report.tables.append(
        Table(
            "complaints",
            "投诉",
            "Complaints",
            [
                Column("id", "编号", "No."),
                Column("received", "受理时间", "Received", "text"),
                Column("channel", "渠道", "Channel", "text"),
                Column("window", "窗口", "Window", "text"),
                Column("clerk", "工作人员", "Clerk", "text"),
                Column("text", "内容", "Complaint", "text"),
                Column("due_on", "答复期限", "Answer due", "text"),
                Column("state", "状态", "State", "text"),
            ],
            complaints,
        )
    )
    in_zh = lang == "zh"
    report.tables.append(
        Table(
            "cases",
            "差评整改",
            "Rectification cases",
            [
                Column("scope", "维度", "By", "text"),
                Column("key", "编号", "Id", "text"),
                Column("name", "名称", "Name", "text"),
                Column("opened", "立案", "Opened"),
                Column("closed", "办结", "Closed"),
                Column("on_time", "按期办结", "Closed on time"),
                Column("late", "逾期办结", "Closed late"),
                Column("overdue", "逾期未结", "Overdue"),
                Column("appealed", "申诉", "Appealed"),
                Column("upheld", "申诉成立", "Appeal upheld"),
            ],
            case_rows(
                CaseBook(config, engine),
                start,
                end,
                today,
                lambda dim, key: calc.label(dim, key, lang),
                "部门" if in_zh else "Department",
                "工作人员" if in_zh else "Clerk",
            ),
            (
                "本期差评（不满意、非常不满意）立案的整改件，按部门、按工作人员；逾期未结按生成报表之日计。",
                "Cases opened by this period's bad ratings, per department and per clerk; "
                "overdue counts the open ones past their due day when the report was made.",
            ),
        )
    )
    return report


def _assessment_note(config: HallConfig, mins: tuple[int, int], share) -> tuple[str, str]:
    a = config.assessment
    bad_n, over_n = counts(a, share)
    pct = lambda x: f"{x * 100:g}%"  # noqa: E731
    q = f"{float(share):.2f}".rstrip("0").rstrip(".")
    q_en = f"{q} of a quarter" if share < 1 else f"{q} quarter" + ("s" if share > 1 else "")
    zh = (
        f"考核标准按季度（海城业务规则第22条）。个人：差评率≥{pct(a.bad_rating_rate)}或差评≥{bad_n}件；"
        f"超时率≥{pct(a.overtime_rate)}或超时≥{over_n}件。部门：差评率≥{pct(a.bad_rating_rate)}且差评≥{bad_n}件；"
        f"超时率≥{pct(a.overtime_rate)}且超时≥{over_n}件。本期为{q}个季度，业务量下限按比例折算为"
        f"限时件{mins[0]}件、即办件{mins[1]}件（季度为{a.min_time_limited}件、{a.min_immediate}件）。"
    )
    en = (
        f"Thresholds are quarterly (Haicheng business rules art. 22). Clerk: bad-rating rate >= {pct(a.bad_rating_rate)} "
        f"or >= {bad_n} bad ratings; over-time rate >= {pct(a.overtime_rate)} or >= {over_n} cases. "
        f"Department: the rate AND at least that count. This period is {q_en}: the volume minima are "
        f"pro-rated to {mins[0]} time-limited and {mins[1]} immediate (quarterly {a.min_time_limited} and {a.min_immediate})."
    )
    return zh, en
