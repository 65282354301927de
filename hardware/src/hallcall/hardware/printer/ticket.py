"""What a ticket says, and the words around it in each language."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Lang = Literal["zh", "en"]


@dataclass
class TicketPrint:
    """Everything printed on one ticket; plain data, so the kiosk can build it from anything."""

    hall_name: str
    number: str  # e.g. "A012"
    department: str
    waiting_ahead: int
    estimated_wait_s: float
    issued_at: datetime  # aware; printed in its own time zone, as the hall's local time
    qr_data: str
    matter: str | None = None
    materials: list[str] = field(default_factory=list)
    lang: Lang = "zh"
    logo_path: str | None = None
    footer: str | None = None
    #: No window serves its department now: the ticket says so instead of a wait estimate.
    no_window_open: bool = False
    #: Printed big at the top: "PRIORITY" / "APPOINTMENT" (None for a walk-in ticket).
    mark: str | None = None
    #: An appointment's booked time (aware), printed under the number.
    booked_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.issued_at.tzinfo is None or self.issued_at.utcoffset() is None:
            raise ValueError("issued_at must be timezone-aware (the hall's local time zone)")
        if self.lang not in ("zh", "en"):
            raise ValueError(f"unsupported ticket language {self.lang!r}")
        if self.waiting_ahead < 0 or self.estimated_wait_s < 0:
            raise ValueError("waiting_ahead and estimated_wait_s cannot be negative")


def labels(ticket: TicketPrint) -> dict[str, str]:
    """The ticket's fixed wording, filled in, in the ticket's language."""
    n = ticket.waiting_ahead
    minutes = math.ceil(ticket.estimated_wait_s / 60)
    issued = ticket.issued_at.strftime("%Y-%m-%d %H:%M")
    if ticket.lang == "zh":
        return {
            "your_number": "您的号码",
            "matter": f"办理事项：{ticket.matter}" if ticket.matter else "",
            "ahead": f"前面还有 {n} 人",
            "wait": "暂无窗口开放，开放后按顺序叫号"
            if ticket.no_window_open
            else f"预计等待约 {minutes} 分钟"
            if minutes
            else "预计等待不到 1 分钟",
            "issued": f"取号时间 {issued}",
            "materials": "请准备以下材料：",
            "booked": f"预约时间 {ticket.booked_at:%Y-%m-%d %H:%M}" if ticket.booked_at else "",
        }
    return {
        "your_number": "Your number",
        "matter": f"Matter: {ticket.matter}" if ticket.matter else "",
        "ahead": f"{n} person ahead" if n == 1 else f"{n} people ahead",
        "wait": "No window is open for this now; you will be called in turn"
        if ticket.no_window_open
        else f"Estimated wait: about {minutes} min"
        if minutes
        else "Estimated wait: under 1 min",
        "issued": f"Issued {issued}",
        "materials": "Please bring:",
        "booked": f"Booked for {ticket.booked_at:%Y-%m-%d %H:%M}" if ticket.booked_at else "",
    }
