"""The broker's retained catalog (`state/catalog`), read into plain objects for the kiosk.

The kiosk keeps no copy of the hall file: departments, matters and service guides all come from
here, and a new catalog replaces the old one at once. Readers ignore unknown fields, and a
malformed entry is skipped rather than taking the kiosk down. Qt-free.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

LocalText = dict[str, str]


def _text(value: Any) -> LocalText:
    if isinstance(value, str):
        return {"zh": value, "en": value}
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}
    return {}


def _texts(value: Any) -> list[LocalText]:
    if not isinstance(value, list):
        return []
    return [t for t in (_text(v) for v in value) if t]


@dataclass(frozen=True)
class Guide:
    """The one-time notification of a matter: what to bring, steps, time limit, basis."""

    basis: LocalText = field(default_factory=dict)
    conditions: LocalText = field(default_factory=dict)
    materials: list[LocalText] = field(default_factory=list)
    steps: list[LocalText] = field(default_factory=list)
    time_limit: LocalText = field(default_factory=dict)
    place: LocalText = field(default_factory=dict)
    fee: LocalText = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.basis,
                self.conditions,
                self.materials,
                self.steps,
                self.time_limit,
                self.place,
                self.fee,
            )
        )

    @classmethod
    def parse(cls, raw: Any) -> Guide:
        if not isinstance(raw, dict):
            return cls()
        return cls(
            basis=_text(raw.get("basis")),
            conditions=_text(raw.get("conditions")),
            materials=_texts(raw.get("materials")),
            steps=_texts(raw.get("steps")),
            time_limit=_text(raw.get("time_limit")),
            place=_text(raw.get("place")),
            fee=_text(raw.get("fee")),
        )


@dataclass(frozen=True)
class Matter:
    id: str
    name: LocalText
    kind: str = "immediate"
    service_limit_min: float | None = None
    promised_days: int | None = None
    guide: Guide = field(default_factory=Guide)
    #: The queue its tickets wait in when it is not its department's: a matter group's id
    #: (general windows, docs/general-windows.md), with that queue's ticket prefix.
    queue: str | None = None
    queue_prefix: str = ""


@dataclass(frozen=True)
class Department:
    id: str
    name: LocalText
    prefix: str = ""
    matters: tuple[Matter, ...] = ()

    def matter(self, matter_id: str | None) -> Matter | None:
        return next((m for m in self.matters if m.id == matter_id), None)


@dataclass(frozen=True)
class Hall:
    id: str
    name: LocalText
    languages: tuple[str, ...] = ("zh", "en")
    default_language: str = "zh"
    timezone: str | None = None
    notice: LocalText = field(default_factory=dict)
    #: The link printed as each ticket's QR code, with `{token}` (the ticket's status token from
    #: the ticket.issue reply; older files: `{ticket_id}`, `{number}`): printout.qr_data fills it.
    status_url: str | None = None
    #: "departments": the start screen lists departments, then their matters; "matters": it
    #: offers every matter at once ("I want to ...") for halls with general windows.
    kiosk_start: str = "departments"
    #: What the hall lets a resident ID card do (issue #15, `hall.idcard`); None: the catalog
    #: of an older broker says nothing, so the kiosk's device file decides.
    idcard: IdCardRules | None = None


@dataclass(frozen=True)
class IdCardRules:
    """The hall file's `[idcard]` choices, as the catalog carries them."""

    card_ticket: bool = True
    card_checkin: bool = True
    green_channel_age: int = 60

    @classmethod
    def parse(cls, raw: Any) -> IdCardRules | None:
        if not isinstance(raw, dict):
            return None
        age = raw.get("green_channel_age")
        return cls(
            card_ticket=raw.get("card_ticket") is not False,
            card_checkin=raw.get("card_checkin") is not False,
            green_channel_age=age if isinstance(age, int) and not isinstance(age, bool) else 60,
        )


@dataclass(frozen=True)
class Pickup:
    """Document pickup (出件): a visitor collecting a finished matter takes a pickup ticket."""

    name: LocalText = field(default_factory=dict)


@dataclass(frozen=True)
class Catalog:
    seq: int
    hall: Hall
    departments: tuple[Department, ...]
    pickup: Pickup | None = None  # None: the hall offers no pickup queue

    def department(self, dep_id: str | None) -> Department | None:
        return next((d for d in self.departments if d.id == dep_id), None)

    def matter(self, dep_id: str | None, matter_id: str | None) -> Matter | None:
        dep = self.department(dep_id)
        return dep.matter(matter_id) if dep else None


def parse_catalog(payload: dict[str, Any]) -> Catalog:
    """Read a `state/catalog` payload; raises ValueError if it has no usable hall."""
    raw_hall = payload.get("hall")
    if not isinstance(raw_hall, dict) or not isinstance(raw_hall.get("id"), str):
        raise ValueError("catalog without a hall")  # noqa: TRY004 - callers catch ValueError
    languages = tuple(
        lang for lang in (raw_hall.get("languages") or ["zh", "en"]) if lang in ("zh", "en")
    ) or ("zh", "en")
    default = raw_hall.get("default_language")
    status_url = raw_hall.get("status_url")
    hall = Hall(
        id=raw_hall["id"],
        name=_text(raw_hall.get("name")) or {"zh": raw_hall["id"], "en": raw_hall["id"]},
        languages=languages,
        default_language=default
        if isinstance(default, str) and default in languages
        else languages[0],
        timezone=raw_hall.get("timezone") if isinstance(raw_hall.get("timezone"), str) else None,
        notice=_text(raw_hall.get("notice")),
        status_url=status_url if isinstance(status_url, str) and status_url else None,
        kiosk_start="matters" if raw_hall.get("kiosk_start") == "matters" else "departments",
        idcard=IdCardRules.parse(raw_hall.get("idcard")),
    )
    prefixes = _queue_prefixes(payload.get("queues"))
    departments = []
    for raw_dep in payload.get("departments") or []:
        try:
            matters = []
            for raw_m in raw_dep.get("matters") or []:
                try:
                    matters.append(
                        Matter(
                            id=str(raw_m["id"]),
                            name=_text(raw_m.get("name")) or {"zh": raw_m["id"], "en": raw_m["id"]},
                            kind=str(raw_m.get("kind") or "immediate"),
                            service_limit_min=raw_m.get("service_limit_min"),
                            promised_days=raw_m.get("promised_days"),
                            guide=Guide.parse(raw_m.get("guide")),
                            **_queue_of(raw_dep["id"], raw_m, prefixes),
                        )
                    )
                except (KeyError, TypeError, AttributeError):
                    log.warning("skipped a malformed matter in the catalog: %r", raw_m)
            departments.append(
                Department(
                    id=str(raw_dep["id"]),
                    name=_text(raw_dep.get("name")) or {"zh": raw_dep["id"], "en": raw_dep["id"]},
                    prefix=str(raw_dep.get("prefix") or ""),
                    matters=tuple(matters),
                )
            )
        except (KeyError, TypeError, AttributeError):
            log.warning("skipped a malformed department in the catalog: %r", raw_dep)
    seq = payload.get("seq")
    return Catalog(
        seq=seq if isinstance(seq, int) else 0,
        hall=hall,
        departments=tuple(departments),
        pickup=_pickup(payload.get("pickup", raw_hall.get("pickup"))),
    )


def _queue_prefixes(raw: Any) -> dict[str, str]:
    """Queue id -> its ticket prefix, from the catalog's `queues` (general windows)."""
    return {
        q["id"]: str(q.get("prefix") or "")
        for q in (raw if isinstance(raw, list) else [])
        if isinstance(q, dict) and isinstance(q.get("id"), str)
    }


def _queue_of(dep_id: str, raw_m: dict[str, Any], prefixes: dict[str, str]) -> dict:
    """A grouped matter names its queue (`queue`); its prefix is that queue's."""
    queue = raw_m.get("queue")
    if not isinstance(queue, str) or queue == dep_id:
        return {"queue": None, "queue_prefix": ""}
    return {"queue": queue, "queue_prefix": prefixes.get(queue, "")}


def _pickup(raw: Any) -> Pickup | None:
    if not isinstance(raw, dict) or raw.get("enabled") is not True:
        return None
    return Pickup(name=_text(raw.get("name")))
