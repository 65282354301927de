"""What a visitor's phone page shows for one `ticket.status` reply, worded in zh or en.

Plain Python, no I/O: the server renders the first picture from it and sends the same fields
to the page's script on every change, so the wording lives in one place. `near` turns true when
`near_ahead` or fewer people are ahead: the page then alerts (sound, vibration, notification).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from hallcall.device_kit.i18n import TextTable, localized
from hallcall.protocol.payloads import CatalogView
from hallcall.protocol.ratings import RATING_LABELS

LANGS = ("zh", "en")

TEXTS = TextTable.by_key(
    {
        "title": {"zh": "我的排队", "en": "My ticket"},
        "waiting": {"zh": "前面还有 {ahead} 人", "en": "{ahead} ahead of you"},
        "waiting_none": {"zh": "下一位就是您", "en": "You are next"},
        "wait_min": {"zh": "预计等候约 {minutes} 分钟", "en": "About {minutes} min to wait"},
        "wait_unknown": {
            "zh": "暂无窗口办理此业务，请留意大厅屏幕",
            "en": "No window serves this queue now; watch the lobby screen",
        },
        "near": {"zh": "快到您了，请回到大厅", "en": "Your turn is near: please come back"},
        "called": {"zh": "请到 {window} 号窗口", "en": "Please go to window {window}"},
        "called_detail": {"zh": "正在叫您的号", "en": "Your number is being called"},
        "finished": {"zh": "办理完毕，谢谢", "en": "Served. Thank you"},
        "finished_pickup": {
            "zh": "已受理。取件码 {code}：办结后凭此码在取号机取出件号",
            "en": "Accepted. Pickup code {code}: when ready, take a pickup ticket with it at the kiosk",
        },
        "returned": {"zh": "已退回，请按窗口说明办理", "en": "Returned: see what the clerk said"},
        "needs_documents": {
            "zh": "还需补充材料：{materials}",
            "en": "Still needed: {materials}",
        },
        "no_show": {
            "zh": "叫号时您不在，号码已过",
            "en": "You were called and not there: the number has passed",
        },
        "closed_by_system": {
            "zh": "今日已结束办理，请改日再来",
            "en": "Service has ended for today; please come another day",
        },
        "other_day": {
            "zh": "这是 {date} 的号，今天已无效",
            "en": "This ticket was for {date}; it is not valid today",
        },
        "live": {"zh": "实时更新", "en": "Live"},
        "checkin": {
            "zh": "请在自助取号机点“预约取号”，输入 {code}",
            "en": "At a kiosk, choose “Appointment check-in” and enter {code}",
        },
        "checkin_by": {
            "zh": "请在 {time} 前签到，签到后开始排队",
            "en": "Check in by {time}; you queue from then",
        },
        "checkin_any": {
            "zh": "今天办理时间内签到即可，签到后开始排队",
            "en": "Check in any time today; you queue from then",
        },
        "checkin_expired": {
            "zh": "签到时间已过，这个取号码已失效",
            "en": "The time to check in has passed; this code is no longer valid",
        },
        "offline": {
            "zh": "暂时连不上叫号系统，稍后自动刷新",
            "en": "The queue system cannot be reached; this page keeps trying",
        },
        "number": {"zh": "号码", "en": "Number"},
        "department": {"zh": "业务", "en": "Service"},
        "other_lang": {"zh": "English", "en": "中文"},
        "alert_on": {"zh": "到号提醒", "en": "Alert me"},
        "rate_title": {"zh": "请为本次服务评价", "en": "How was the service?"},
        "rate_thanks": {"zh": "感谢您的评价！", "en": "Thank you for rating!"},
        "rate_already": {
            "zh": "这次服务已经评价过了。",
            "en": "This service has been rated already.",
        },
        "rate_refused": {
            "zh": "现在不能评价这次服务。",
            "en": "This service cannot be rated now.",
        },
        "not_found_title": {"zh": "找不到这张号", "en": "Ticket not found"},
        "not_found": {
            "zh": "这个链接不对应任何号码。请扫描号票上的二维码，或到服务台询问。",
            "en": "This link matches no ticket. Scan the QR code on your ticket, or ask at the desk.",
        },
        "unavailable_title": {"zh": "暂时无法查询", "en": "Not available right now"},
        "unavailable": {
            "zh": "叫号系统暂时没有回应，请稍后再试，或留意大厅屏幕。",
            "en": "The queue system does not answer right now. Try again soon, or watch the lobby screen.",
        },
    }
)


#: The contact form's words (`/t/{token}/contact`): the form, and what it answered.
CONTACT_TEXTS = TextTable.by_key(
    {
        "contact_title": {"zh": "到号前通知我", "en": "Tell me when my turn is near"},
        "contact_how": {"zh": "方式", "en": "How"},
        "contact_address": {"zh": "号码或地址", "en": "Number or address"},
        "contact_send": {"zh": "保存", "en": "Save"},
        "contact_privacy": {
            "zh": "仅用于本次提醒，办理结束后自动删除。",
            "en": "Used for this reminder only and deleted after your visit.",
        },
        "contact_saved": {
            "zh": "已保存：快到您时会通知您。",
            "en": "Saved: you will be told when your turn is near.",
        },
        "contact_bad_address": {
            "zh": "这个号码或地址不对，请再检查一下。",
            "en": "That number or address does not look right; please check it.",
        },
        "contact_bad_channel": {"zh": "请选择通知方式。", "en": "Please choose how to be told."},
        "contact_checkin_first": {
            "zh": "请先在自助机签到，再留下联系方式。",
            "en": "Check in at a kiosk first, then leave your contact.",
        },
        "contact_too_late": {
            "zh": "这张号已办理结束，不再通知。",
            "en": "This ticket has ended; there is nothing more to tell.",
        },
        "not_found": {"zh": "找不到这张号。", "en": "Ticket not found."},
        "unavailable": {
            "zh": "叫号系统暂时没有回应，请稍后再试。",
            "en": "The queue system does not answer right now; please try again soon.",
        },
    }
)
CONTACT_KEYS = frozenset(CONTACT_TEXTS.by_language["en"]) - {
    "contact_title",
    "contact_how",
    "contact_address",
    "contact_send",
    "contact_privacy",
}


@dataclass(frozen=True)
class TicketPage:
    """Every field the page shows; `state` picks the layout (waiting/called/done/gone)."""

    lang: str
    other_lang: str
    state: str  # "waiting" | "called" | "done" | "gone"
    number: str
    department: str
    matter: str
    headline: str
    detail: str
    ahead: int | None
    window_number: int | None
    near: bool
    #: It may be rated here now (the broker's `can_rate`), and the hall's levels, best last.
    can_rate: bool
    levels: list[tuple[int, str]]
    texts: dict[str, str]

    def as_dict(self) -> dict[str, Any]:
        # Not dataclasses.asdict: its deep copy was a quarter of the web part's CPU at 1,000
        # open pages (bench/web_pages.py --profile); the fields are plain values already.
        return dict(vars(self))


def choose_lang(asked: str | None, catalog: CatalogView | None) -> str:
    if asked in LANGS:
        return str(asked)
    default = catalog.hall.get("default_language") if catalog else None
    return default if default in LANGS else "zh"


def ticket_page(
    data: dict[str, Any], lang: str, catalog: CatalogView | None, near_ahead: int = 3
) -> TicketPage:
    """The page for the `data` of a good `ticket.status` reply."""
    t = data.get("ticket")
    if t is None:
        return _checkin_page(data, lang, catalog)
    dep = _department(catalog, t["department"])
    matter = _matter(dep, t.get("matter"))

    def tr(key: str, **values: object) -> str:
        return TEXTS(lang, key, **values)

    ahead = t.get("waiting_ahead")
    window = t.get("window_number")
    status = t["status"]
    near = False
    if data.get("other_day"):
        state, headline, detail = "gone", tr("other_day", date=data["service_date"]), ""
    elif status == "called":
        state, headline, detail = "called", tr("called", window=window), tr("called_detail")
    elif status == "waiting" and (data.get("day_closed") or data.get("hall_closed")):
        state, headline, detail = "gone", tr("closed_by_system"), ""
    elif status == "waiting":
        state = "waiting"
        headline = tr("waiting", ahead=ahead) if ahead else tr("waiting_none")
        near = ahead is not None and ahead <= near_ahead
        wait_s = t.get("estimated_wait_s")
        wait = (
            tr("wait_min", minutes=max(1, round(wait_s / 60)))
            if isinstance(wait_s, int)
            else tr("wait_unknown")
        )
        detail = f"{tr('near')} · {wait}" if near else wait
    elif data.get("closed_by_system"):  # the close of day ended it (as a no-show or not)
        state, headline, detail = "gone", tr("closed_by_system"), ""
    elif status == "no_show":
        state, headline, detail = "gone", tr("no_show"), ""
    else:
        state, detail = "done", ""
        outcome = t.get("outcome")
        if outcome == "needs_documents":
            materials = "、" if lang == "zh" else ", "
            names = [localized(m, lang) for m in t.get("missing_materials") or []]
            headline = tr("needs_documents", materials=materials.join(n for n in names if n))
        elif outcome == "returned":
            headline = tr("returned")
        elif isinstance(t.get("pickup_code"), str):  # general windows: collect it later (出件)
            headline = tr("finished_pickup", code=t["pickup_code"])
        else:
            headline = tr("finished")
    return TicketPage(
        lang=lang,
        other_lang="en" if lang == "zh" else "zh",
        state=state,
        number=t["number"],
        department=localized(dep.get("name"), lang) if dep else t["department"],
        matter=localized(matter.get("name"), lang) if matter else "",
        headline=headline,
        detail=detail,
        ahead=ahead if state == "waiting" else None,
        window_number=window if state == "called" else None,
        near=near,
        can_rate=bool(data.get("can_rate")),
        levels=_levels(catalog, lang),
        texts=_page_texts(lang),
    )


def _levels(catalog: CatalogView | None, lang: str) -> list[tuple[int, str]]:
    """(score, label) of the hall's rating scale in `lang`, from the catalog."""
    hall = catalog.hall if catalog else {}
    scale: int = 5 if hall.get("rating_scale") == 5 else 3
    labels = (hall.get("rating_labels") or {}).get(lang) or RATING_LABELS[scale][lang]
    return [(score, str(label)) for score, label in enumerate(labels[:scale], start=1)]


@cache
def _page_texts(lang: str) -> dict[str, str]:
    """The page's fixed words in `lang` (shared by every page: never changed)."""
    keys = (
        "title",
        "number",
        "department",
        "live",
        "offline",
        "other_lang",
        "alert_on",
        "rate_title",
    )
    return {k: TEXTS(lang, k) for k in keys}


def _checkin_page(data: dict[str, Any], lang: str, catalog: CatalogView | None) -> TicketPage:
    """A remote ticket not checked in yet: its code, and by when to check in at a kiosk."""
    c = data.get("checkin") or {}
    dep = _department(catalog, str(c.get("department")))
    matter = _matter(dep, c.get("matter"))
    by = c.get("checkin_by")
    zone = ZoneInfo(str((catalog.hall if catalog else {}).get("timezone") or "Asia/Shanghai"))
    if c.get("expired") or data.get("day_closed"):
        state, headline, detail = "gone", TEXTS(lang, "checkin_expired"), ""
    else:
        state = "checkin"
        headline = TEXTS(lang, "checkin", code=c.get("code", ""))
        detail = (
            TEXTS(
                lang,
                "checkin_by",
                time=datetime.fromisoformat(by).astimezone(zone).strftime("%H:%M"),
            )
            if isinstance(by, str)
            else TEXTS(lang, "checkin_any")
        )
    return TicketPage(
        lang=lang,
        other_lang="en" if lang == "zh" else "zh",
        state=state,
        number=str(c.get("code", "")),
        department=localized(dep.get("name"), lang) if dep else str(c.get("department", "")),
        matter=localized(matter.get("name"), lang) if matter else "",
        headline=headline,
        detail=detail,
        ahead=None,
        window_number=None,
        near=False,
        can_rate=False,
        levels=[],
        texts=_page_texts(lang),
    )


def _department(catalog: CatalogView | None, dep_id: str) -> dict[str, Any]:
    if catalog is None:
        return {}
    return next((d for d in catalog.departments if d.get("id") == dep_id), {})


def _matter(dep: dict[str, Any], matter_id: str | None) -> dict[str, Any]:
    if not matter_id:
        return {}
    return next((m for m in dep.get("matters") or [] if m.get("id") == matter_id), {})
