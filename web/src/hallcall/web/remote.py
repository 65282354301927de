"""Remote tickets (线上取号) at the web part: who may take one, and taking it.

The queue broker decides everything about the ticket (`ticket.remote`: the hall's hours, its
departments, its caps, joining now or on check-in at a kiosk). What only the web part can keep
is the visitor's side: the daily cap per phone number (`[remote_tickets] per_phone_daily`),
kept as a keyed hash of the number for its day only, and a limit per client address. The
number itself goes nowhere: not to the broker, not to MQTT, not to the logs.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets as random
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from hallcall.config.schema import RemoteTickets
from hallcall.device_kit.i18n import TextTable
from hallcall.web.dashboard.ratelimit import LoginLimiter
from hallcall.web.hub import WebHub
from hallcall.web.storage.tables import remote_phones, secrets

#: A mainland mobile number (after +86 / 0086 is taken off), or another country's in E.164.
MAINLAND = re.compile(r"^1[3-9]\d{9}$")
E164 = re.compile(r"^\+[1-9]\d{7,14}$")
#: Remote tickets one client address may take an hour (a guard against a script).
PER_ADDRESS_HOURLY = 20


REMOTE_TEXTS = TextTable.by_key(
    {
        "title": {"zh": "线上取号", "en": "Take a ticket online"},
        "department": {"zh": "办理业务", "en": "Service"},
        "phone": {"zh": "手机号码", "en": "Mobile number"},
        "phone_why": {
            "zh": "仅用于限制每人每天取号次数，只保存加密后的摘要，当天删除。",
            "en": "Only to limit tickets per person a day; kept as a keyed hash, deleted the same day.",
        },
        "take": {"zh": "取号", "en": "Take a ticket"},
        "none": {"zh": "今天暂不提供线上取号。", "en": "Online tickets are not offered today."},
        "bad_phone": {
            "zh": "手机号码不对，请再检查一下。",
            "en": "That mobile number does not look right.",
        },
        "phone_cap": {
            "zh": "这个号码今天的线上取号次数已用完。",
            "en": "This number has taken all of today's online tickets.",
        },
        "address_cap": {
            "zh": "取号太频繁，请稍后再试。",
            "en": "Too many tickets from here; try later.",
        },
        "refused_closed": {
            "zh": "现在不在线上取号时间内。",
            "en": "Online tickets are not taken at this time.",
        },
        "refused_hours": {
            "zh": "现在不在线上取号时间内。",
            "en": "Online tickets are not taken at this time.",
        },
        "refused_no_window": {
            "zh": "这项业务现在没有开放的窗口，请稍后再试。",
            "en": "No window serves this now; please try later.",
        },
        "refused_remote_cap": {
            "zh": "今天的线上取号名额已满。",
            "en": "Today's online tickets are all taken.",
        },
        "refused_remote_off": {
            "zh": "这项业务不提供线上取号。",
            "en": "This service takes no online tickets.",
        },
        "refused": {
            "zh": "暂时无法取号，请到大厅自助机取号。",
            "en": "No ticket now; please take one at a kiosk.",
        },
        "unavailable": {
            "zh": "叫号系统暂时没有回应，请稍后再试。",
            "en": "The queue system does not answer right now; please try again soon.",
        },
    }
)
#: What `/remote?said=` may show.
REMOTE_ANSWERS = frozenset(
    k
    for k in REMOTE_TEXTS.by_language["en"]
    if k not in ("title", "department", "phone", "phone_why", "take", "none")
)


def clean_phone(raw: str) -> str | None:
    """One spelling per number, so the daily cap counts a phone once: "139 1234-5678",
    "+86 13912345678" and "008613912345678" are all "13912345678"; other countries' as E.164."""
    phone = re.sub(r"[\s()-]", "", raw)
    if phone.startswith("00"):
        phone = "+" + phone[2:]
    if phone.startswith("+86"):
        phone = phone[3:]
    if MAINLAND.fullmatch(phone) or E164.fullmatch(phone):
        return phone
    return None


@dataclass(frozen=True)
class Taken:
    #: "ok", or why not: "bad_phone", "phone_cap", "address_cap", "refused", "unavailable"
    outcome: str
    data: dict[str, Any] | None = None
    #: The broker's refusal (code, detail) for "refused".
    error: dict[str, Any] | None = None


class PhoneBook:
    """How many remote tickets each (hashed) phone took today, in the web database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._key = self._load_key()

    def _load_key(self) -> bytes:
        with self.engine.begin() as conn:
            row = conn.execute(
                select(secrets.c.value).where(secrets.c.name == "remote_phone_key")
            ).scalar()
            if row is None:
                row = random.token_hex(32)
                try:
                    conn.execute(insert(secrets).values(name="remote_phone_key", value=row))
                except IntegrityError:  # another process made it first
                    conn.rollback()
                    return self._load_key()
        return bytes.fromhex(row)

    def key_of(self, phone: str) -> str:
        return hmac.new(self._key, phone.encode(), hashlib.sha256).hexdigest()

    def take(self, phone: str, day: str, cap: int) -> bool:
        """Count one for `phone` today unless it reached `cap`; True if counted."""
        key = self.key_of(phone)
        with self.engine.begin() as conn:
            conn.execute(delete(remote_phones).where(remote_phones.c.day < day))  # yesterday's
            raised = conn.execute(
                update(remote_phones)
                .where(
                    and_(
                        remote_phones.c.day == day,
                        remote_phones.c.phone == key,
                        remote_phones.c.taken < cap,
                    )
                )
                .values(taken=remote_phones.c.taken + 1)
            ).rowcount
            if raised == 1:
                return True
            exists = conn.execute(
                select(remote_phones.c.taken).where(
                    and_(remote_phones.c.day == day, remote_phones.c.phone == key)
                )
            ).scalar()
            if exists is not None:
                return False
            conn.execute(insert(remote_phones).values(day=day, phone=key, taken=1))
            return True

    def give_back(self, phone: str, day: str) -> None:
        """The broker refused: the take does not count."""
        with self.engine.begin() as conn:
            conn.execute(
                update(remote_phones)
                .where(
                    and_(
                        remote_phones.c.day == day,
                        remote_phones.c.phone == self.key_of(phone),
                        remote_phones.c.taken > 0,
                    )
                )
                .values(taken=remote_phones.c.taken - 1)
            )

    def taken(self, phone: str, day: str) -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    select(remote_phones.c.taken).where(
                        and_(
                            remote_phones.c.day == day, remote_phones.c.phone == self.key_of(phone)
                        )
                    )
                ).scalar()
                or 0
            )


class RemoteDesk:
    def __init__(
        self, hub: WebHub, phones: PhoneBook, settings: RemoteTickets, timezone: str
    ) -> None:
        self.hub, self.phones, self.settings = hub, phones, settings
        self.zone = ZoneInfo(timezone)
        self.addresses = LoginLimiter(per_user=10**9, per_address=PER_ADDRESS_HOURLY, window_s=3600)

    def departments(self) -> list[dict[str, Any]]:
        """The catalog's departments that take remote tickets."""
        catalog = self.hub.catalog()
        if catalog is None:
            return []
        wanted = set(self.settings.departments)
        return [d for d in catalog.departments if not wanted or d.get("id") in wanted]

    async def take(
        self, department: str, matter: str | None, phone_raw: str, lang: str, address: str
    ) -> Taken:
        phone = clean_phone(phone_raw)
        if phone is None:
            return Taken("bad_phone")
        now = time.monotonic()
        if self.addresses.retry_after("", address, now) > 0:
            return Taken("address_cap")
        day = datetime.now(self.zone).date().isoformat()
        if not self.phones.take(phone, day, self.settings.per_phone_daily):
            return Taken("phone_cap")
        self.addresses.failed("", address, now)  # counts a take (the limiter's word)
        args: dict[str, Any] = {"department": department, "lang": lang}
        if matter:
            args["matter"] = matter
        reply = await self.hub.request("ticket.remote", **args)
        if reply.get("ok"):
            return Taken("ok", reply["data"])
        self.phones.give_back(phone, day)
        error = reply.get("error") or {}
        if error.get("code") == "timeout":
            return Taken("unavailable")
        return Taken("refused", error=error)
