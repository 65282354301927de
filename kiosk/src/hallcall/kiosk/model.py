"""The kiosk's brain, without Qt: screens, language, what to show, what to print, and requests.

The window only renders what this model says and forwards touches to it; the app wires the
model's `Effects` (send a command, check the printer, print, publish health) to MQTT and the
printer, and feeds their answers back (`reply`, `printer_checked`, `printed`, `tick`). So every
rule below is tested without a screen, an MQTT server or a printer.

Taking a ticket:
  1. refuse at once if the queue system is unreachable or the printer is not ready (paper out,
     cover open, offline): the screen says so in plain words and no command is sent;
  2. ask the printer for its status again (a poll may be seconds old) -> `printer_checked`;
  3. send `ticket.issue` / `appointment.checkin` with a fresh request_id -> `reply`;
  4. only after a good reply print the ticket -> `printed`, then show the number.
The device kit sends the command again while it waits. If its deadline passes first (a
"timeout" reply) the visitor is told, and the request is kept as *abandoned*: "try again"
resends it with the same request_id (the broker answers a repeat with the same ticket, never a
second one), and a reply that still comes later is not lost: the ticket is printed and its
number shown, even after the screen went back to the start.
"""

from __future__ import annotations

import enum
import logging
import math
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hallcall.device_kit.device_model import DeviceModel, as_json
from hallcall.device_kit.i18n import localized
from hallcall.hardware.idcard.privacy import age_on
from hallcall.protocol.payloads import (
    CatalogView,
    Payload,
    QueueStateView,
    ServerStatus,
    timed_out,
)
from hallcall.version import PROTOCOL_VERSION

from .catalog import Catalog, Department, IdCardRules, Matter, parse_catalog
from .printout import ticket_print
from .strings import LANGS, text, wait_text

log = logging.getLogger(__name__)

#: Printer states in which a ticket is printed (paper_low still has paper; staff see the health).
PRINTABLE = frozenset({"ok", "paper_low", "unknown"})
#: How long a visitor may have typed at most into the appointment field (codes, phone numbers).
MAX_CODE_LENGTH = 20
CODE_CHARACTERS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
#: Abandoned requests remembered for their late replies (oldest forgotten first).
MAX_ABANDONED = 50


class Screen(enum.StrEnum):
    START = "start"
    MATTERS = "matters"
    GUIDE = "guide"
    APPOINTMENT = "appointment"
    WORKING = "working"
    RESULT = "result"
    ERROR = "error"
    UNAVAILABLE = "unavailable"
    CARD = "card"  # "place your ID card" / could not read it / the reader is offline
    GREEN = "green"  # the green channel offered to a visitor of green_channel_age or more
    PICKUP = "pickup"  # document pickup (出件): the visitor types their pickup code
    #: A card laid on the reader found no appointment today: take a ticket instead (issue #15).
    NO_APPOINTMENT = "no_appointment"


#: Screens a visitor browses; they are replaced by UNAVAILABLE while no ticket can be taken.
BROWSING = frozenset(
    {
        Screen.START,
        Screen.MATTERS,
        Screen.GUIDE,
        Screen.APPOINTMENT,
        Screen.PICKUP,
        Screen.CARD,
        Screen.GREEN,
        Screen.NO_APPOINTMENT,
    }
)
#: The screens with the code keypad: an appointment's code or phone, or a pickup code.
CODE_SCREENS = frozenset({Screen.APPOINTMENT, Screen.PICKUP})
#: A start tile's id for a matter offered directly ("matters" start): "department/matter".
MATTER_TILE_SEPARATOR = "/"


class CardState(enum.StrEnum):
    WAITING = "waiting"  # place the card on the reader
    FAILED = "failed"  # nothing readable came in time (taken off mid-read, a bad card)
    OFFLINE = "offline"  # the reader does not answer


@dataclass(frozen=True)
class CardSeen:
    """All the kiosk keeps of a resident ID card: the masked name and the birth date.

    The app's reader thread makes it from the IdCard and drops the card there, so the full
    name and the ID number never reach the model, a request, MQTT or a log.
    """

    masked_name: str  # "张*丰"
    birth_date: date
    #: The keyed hash of the number (`card_hash` under the hall's key, made on the reader
    #: thread), when the kiosk has the key: what `appointment.checkin` and `ticket.issue` send.
    id_hash: str | None = field(default=None, repr=False)


class Phase(enum.StrEnum):
    CHECKING_PRINTER = "checking_printer"
    REQUESTING = "requesting"
    PRINTING = "printing"


class Effects(Protocol):
    """What the model asks of the outside world; each answer comes back as a model call."""

    def send(self, request_id: str, op: str, args: dict[str, Any]) -> None:
        """Publish the command; its reply, or a "timeout" reply at the deadline, comes back
        through `KioskModel.reply` (and a reply after the deadline too)."""

    def check_printer(self, request_id: str) -> None:
        """Ask the printer its status; answer with `KioskModel.printer_checked`."""

    def print_ticket(self, request_id: str, ticket: Any) -> None:
        """Print a TicketPrint; answer with `KioskModel.printed`."""

    def publish_health(self, health: dict[str, Any]) -> None:
        """Publish the kiosk's health (printer state) on its retained status topic."""


@dataclass
class Request:
    request_id: str
    op: str  # "ticket.issue" or "appointment.checkin"
    args: dict[str, Any]
    lang: str
    phase: Phase = Phase.CHECKING_PRINTER
    ticket: dict[str, Any] | None = None
    late: bool = False  # its reply came after the kiosk had given up waiting
    #: Taken with an ID card: the masked name printed on the ticket (never sent anywhere).
    card_name: str | None = None
    #: An appointment check-in by the card laid on the reader (`id_hash`), not by a code.
    by_card: bool = False

    @property
    def checkin(self) -> bool:
        return self.op == "appointment.checkin"

    @property
    def pickup(self) -> bool:
        return self.op == "ticket.pickup"

    @property
    def error_title(self) -> str:
        if self.checkin:
            return "checkin_error_title"
        return "pickup_error_title" if self.pickup else "error_title"


@dataclass
class Result:
    ticket: dict[str, Any]
    lang: str
    printed: bool
    late: bool
    shown_at: float
    #: Checked in with an ID card: the masked name the screen greets.
    card_checkin_name: str | None = None


@dataclass
class Failure:
    title: str  # strings key
    message: str  # strings key
    values: dict[str, str] = field(default_factory=dict)
    request: Request | None = None  # set when "try again" may resend it (same request_id)


# ------------------------------------------------------------------------------- view data
@dataclass(frozen=True)
class DepartmentTile:
    id: str
    name: str
    prefix: str
    detail: str  # "12 waiting" / "No more tickets today"
    closed: bool


@dataclass(frozen=True)
class DepartmentPage:
    """The department tiles on show: the view says how many fit a page, the model which page."""

    tiles: list[DepartmentTile]
    number: int  # 1-based
    count: int
    previous_label: str
    next_label: str
    indicator: str  # "第 1/2 页" / "Page 1 of 2"

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.count


@dataclass(frozen=True)
class MatterTile:
    id: str
    name: str
    detail: str  # "Done on the spot · about 10 min at the window"


@dataclass(frozen=True)
class GuideSection:
    title: str
    lines: list[str]
    numbered: bool = False  # steps are numbered, materials are bullets
    bullets: bool = False


@dataclass(frozen=True)
class ResultView:
    number: str
    department: str
    matter: str
    ahead: str
    wait: str
    message: str
    printed: bool
    late_note: str
    badge: str  # "Priority" / "Appointment" / ""
    seconds_left: int
    #: "Estimated wait", or "Windows" when none is open (then `wait` says so: no estimate).
    wait_caption: str = ""


def page_count(items: int, per_page: int) -> int:
    return max(1, math.ceil(items / max(1, per_page)))


class KioskModel(DeviceModel):
    def __init__(
        self,
        effects: Effects,
        *,
        now: Callable[[], float] = time.monotonic,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
        idle_return_s: float = 60.0,
        result_return_s: float = 20.0,
        connect_grace_s: float = 5.0,
        logo_path: str | None = None,
        default_lang: str = "zh",
        idcard: bool = False,
        green_channel_age: int = 60,
        card_key: bool = False,
        card_wait_s: float = 20.0,
        today: Callable[[], date] | None = None,
    ):
        self.effects = effects
        self.now = now
        self.new_id = new_id
        self.idle_return_s = idle_return_s
        self.result_return_s = result_return_s
        self.connect_grace_s = connect_grace_s
        self.logo_path = logo_path
        self._fallback_lang = default_lang if default_lang in LANGS else "zh"
        #: An ID card reader is configured: the start screen offers "take a ticket with it".
        self.idcard = idcard
        #: The device file's age, used only while the hall's catalog says none (older brokers).
        self.device_green_channel_age = green_channel_age
        #: This kiosk has the hall's hash key: a card can check in an appointment.
        self.card_key = card_key
        #: Why the last card check-in found nothing (the broker's `error.detail`).
        self.no_appointment_detail: dict[str, Any] = {}
        self.card_wait_s = card_wait_s
        self._today = today
        self.card_reader_online: bool | None = None  # None: not heard yet
        self.card: CardSeen | None = None  # the visitor's card, until their ticket or the start
        self.card_state = CardState.WAITING
        self._card_since = now()

        self.catalog: Catalog | None = None
        self.queues: dict[str, dict[str, Any]] = {}
        self.mqtt_up = False
        self.server_online: bool | None = None  # None: no server status heard yet
        #: The queue broker speaks another protocol major: no tickets, and the screen says why.
        self.version_mismatch = False
        #: False: the broker is online but does not answer this kiosk's probe (the ACL).
        self.commands_ok: bool | None = None
        self.printer_status = "unknown"
        self._started_at = now()

        self.lang = self._fallback_lang
        self._screen = Screen.START
        self.department_id: str | None = None
        self.matter_id: str | None = None
        self.priority = False
        self.code = ""
        self.department_page_index = 0  # 0-based; the start screen's page of departments
        self.departments_per_page: int | None = None  # set by the view: as many as fit
        self._page_anchor = 0  # the first tile of the page the visitor turned to
        self.request: Request | None = None
        self.result: Result | None = None
        self.failure: Failure | None = None
        self.abandoned: OrderedDict[str, Request] = OrderedDict()
        self._late: dict[str, Request] = {}  # late replies being printed
        self._late_results: list[Result] = []  # waiting until the current visitor is done
        self._last_touch = now()
        self._listeners: list[Callable[[], None]] = []
        self._shown_signature: tuple = ()

    # ------------------------------------------------------------------ observers
    def on_change(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def _changed(self) -> None:
        self._shown_signature = self._signature()
        for listener in list(self._listeners):
            listener()

    def _signature(self) -> tuple:
        return (
            self.screen,
            self.unavailable_reason(),
            self.result_seconds_left(),
            self.card_state,
        )

    # ------------------------------------------------------------------ what to show
    @property
    def screen(self) -> Screen:
        if self._screen in BROWSING and self.unavailable_reason() is not None:
            return Screen.UNAVAILABLE
        return self._screen

    @property
    def default_lang(self) -> str:
        return self.catalog.hall.default_language if self.catalog else self._fallback_lang

    @property
    def languages(self) -> tuple[str, ...]:
        return self.catalog.hall.languages if self.catalog else LANGS

    def t(self, key: str, **values: object) -> str:
        return text(self.lang, key, **values)

    def broker_reachable(self) -> bool:
        return self.mqtt_up and self.server_online is True

    def unavailable_reason(self) -> str | None:
        """Why no ticket can be taken now (a strings key suffix), or None."""
        if not self.broker_reachable():
            if self.server_online is False:
                return "version_mismatch" if self.version_mismatch else "broker_offline"
            if self.now() - self._started_at < self.connect_grace_s:
                return "connecting"
            return "broker_offline"
        if self.commands_ok is False:
            return "commands_refused"
        if self.catalog is None:
            return "no_catalog"
        if self.printer_status not in PRINTABLE:
            return (
                self.printer_status
                if self.printer_status in {"paper_out", "cover_open", "offline", "error"}
                else "error"
            )
        return None

    def unavailable_message(self) -> str:
        reason = self.unavailable_reason() or "connecting"
        return self.t(f"reason_{reason}")

    def hall_name(self) -> str:
        return (
            localized(self.catalog.hall.name, self.lang) if self.catalog else self.t("kiosk_title")
        )

    def notice(self) -> str:
        return localized(self.catalog.hall.notice, self.lang) if self.catalog else ""

    def other_language(self) -> str | None:
        others = [lang for lang in self.languages if lang != self.lang]
        return others[0] if others else None

    def language_button(self) -> str:
        other = self.other_language()
        return self.t("switch_language") if other else ""

    def department(self) -> Department | None:
        return self.catalog.department(self.department_id) if self.catalog else None

    def matter(self) -> Matter | None:
        dep = self.department()
        return dep.matter(self.matter_id) if dep else None

    @property
    def matters_first(self) -> bool:
        """The hall offers matters directly on the start screen (general windows)."""
        return self.catalog is not None and self.catalog.hall.kiosk_start == "matters"

    def start_title(self) -> str:
        if self.matters_first:
            return self.t(
                "choose_matter_start_priority" if self.priority else "choose_matter_start"
            )
        return self.t("choose_department_priority" if self.priority else "choose_department")

    def department_tiles(self) -> list[DepartmentTile]:
        """The start screen's tiles: departments, or every matter when the hall says so."""
        if self.catalog is None:
            return []
        if self.matters_first:
            return self._matter_start_tiles()
        tiles = []
        for dep in self.catalog.departments:
            closed, detail = self._queue_detail(dep.id)
            if detail is None:
                n = len(dep.matters)
                detail = (
                    self.t("matters_count_one" if n == 1 else "matters_count", n=n) if n else ""
                )
            tiles.append(
                DepartmentTile(dep.id, localized(dep.name, self.lang), dep.prefix, detail, closed)
            )
        return tiles

    def _matter_start_tiles(self) -> list[DepartmentTile]:
        """Every matter of every department, each with its department's name and its queue."""
        assert self.catalog is not None  # department_tiles checked
        tiles = []
        for dep in self.catalog.departments:
            for m in dep.matters:
                closed, queue_detail = self._queue_detail(m.queue or dep.id)
                detail = " · ".join(
                    part for part in (localized(dep.name, self.lang), queue_detail) if part
                )
                tiles.append(
                    DepartmentTile(
                        f"{dep.id}{MATTER_TILE_SEPARATOR}{m.id}",
                        localized(m.name, self.lang),
                        m.queue_prefix or dep.prefix,
                        detail,
                        closed,
                    )
                )
        return tiles

    def _queue_detail(self, queue_id: str) -> tuple[bool, str | None]:
        """(closed, "12 waiting · about 30 min"), or None for the detail before any state."""
        queue = self.queues.get(queue_id) or {}
        closed = bool(queue.get("closed"))
        waiting = queue.get("waiting")
        if closed:
            return True, self.t("department_closed")
        if not isinstance(waiting, int):
            return False, None
        detail = self.t("waiting_count", n=waiting) if waiting else self.t("waiting_none")
        if queue.get("open_windows") == 0:  # nobody serves it now: no "no waiting" promise
            detail = (self.t("waiting_count", n=waiting) + " · " if waiting else "") + self.t(
                "tile_no_window"
            )
        elif waiting and queue.get("estimated_wait_s"):
            detail += " · " + wait_text(self.lang, queue["estimated_wait_s"])
        return False, detail

    def department_page(self) -> DepartmentPage:
        """This page's tiles, with the page buttons' words and "第 1/2 页"."""
        tiles = self.department_tiles()
        per = self.departments_per_page or max(1, len(tiles))
        count = page_count(len(tiles), per)
        index = min(self.department_page_index, count - 1)
        return DepartmentPage(
            tiles[index * per : (index + 1) * per],
            index + 1,
            count,
            self.t("page_previous"),
            self.t("page_next"),
            self.t("page_indicator", n=index + 1, count=count),
        )

    def set_departments_per_page(self, per_page: int) -> None:
        """The view says how many tiles fit one page (it measured them). The first tile of the
        page the visitor turned to stays on show, however often the layout changes on the way
        (turning the kiosk keeps the visitor's place). Silent: called while drawing."""
        self.departments_per_page = max(1, per_page)
        count = page_count(len(self.department_tiles()), self.departments_per_page)
        self.department_page_index = min(self._page_anchor // self.departments_per_page, count - 1)

    def next_page(self) -> None:
        self._turn_page(+1)

    def previous_page(self) -> None:
        self._turn_page(-1)

    def _turn_page(self, step: int) -> None:
        self.touch()
        page = self.department_page()
        target = page.number - 1 + step
        if self.screen is Screen.START and 0 <= target < page.count:
            self.department_page_index = target
            self._page_anchor = target * (self.departments_per_page or 1)
            self._changed()

    def matter_tiles(self) -> list[MatterTile]:
        dep = self.department()
        if dep is None:
            return []
        return [
            MatterTile(m.id, localized(m.name, self.lang), self._matter_detail(m))
            for m in dep.matters
        ]

    def _matter_detail(self, m: Matter) -> str:
        parts = []
        if m.kind == "time_limited" and m.promised_days:
            parts.append(self.t("promised_days", n=m.promised_days))
        elif m.kind == "immediate":
            parts.append(self.t("kind_immediate"))
        if m.service_limit_min:
            parts.append(self.t("service_limit", n=round(m.service_limit_min)))
        return " · ".join(parts)

    def guide_sections(self) -> list[GuideSection]:
        m = self.matter()
        if m is None:
            return []
        g, lang = m.guide, self.lang
        sections: list[GuideSection] = []
        if g.materials:
            sections.append(
                GuideSection(
                    self.t("guide_materials"),
                    [localized(x, lang) for x in g.materials],
                    bullets=True,
                )
            )
        if g.steps:
            sections.append(
                GuideSection(
                    self.t("guide_steps"), [localized(x, lang) for x in g.steps], numbered=True
                )
            )
        limit = localized(g.time_limit, lang)
        if not limit and m.promised_days:
            limit = self.t("promised_days", n=m.promised_days)
        if limit:
            sections.append(GuideSection(self.t("guide_time_limit"), [limit]))
        for key, value in (
            ("guide_conditions", g.conditions),
            ("guide_place", g.place),
            ("guide_fee", g.fee),
            ("guide_basis", g.basis),
        ):
            if localized(value, lang):
                sections.append(GuideSection(self.t(key), [localized(value, lang)]))
        return sections

    def guide_title(self) -> str:
        m = self.matter()
        dep = self.department()
        if m is not None:
            return localized(m.name, self.lang)
        return localized(dep.name, self.lang) if dep else ""

    # ------------------------------------------------------------------ the ID card
    def card_rules(self) -> IdCardRules:
        """The hall's `[idcard]` choices from the catalog: the hall decides (docs/kiosk.md).
        A catalog without them (an older broker) leaves the device file's green channel age."""
        rules = self.catalog.hall.idcard if self.catalog else None
        return rules or IdCardRules(green_channel_age=self.device_green_channel_age)

    @property
    def green_channel_age(self) -> int:
        """From this age the green channel is offered (0: never)."""
        return self.card_rules().green_channel_age

    def card_ticket_on(self) -> bool:
        return self.idcard and self.card_rules().card_ticket

    def card_checkin_on(self) -> bool:
        return self.idcard and self.card_key and self.card_rules().card_checkin

    def offers_card(self) -> bool:
        """The start screen's card button, and a card laid on the reader is taken."""
        return self.card_ticket_on() or self.card_checkin_on()

    def card_button(self) -> str:
        return self.t("card_button" if self.card_ticket_on() else "card_button_checkin")

    def hall_today(self) -> date:
        """Today in the hall's time zone (a birthday counts from the hall's midnight)."""
        if self._today is not None:
            return self._today()
        zone_name = self.catalog.hall.timezone if self.catalog else None
        now = datetime.now(UTC)
        if zone_name:
            try:
                return now.astimezone(ZoneInfo(zone_name)).date()
            except (ZoneInfoNotFoundError, ValueError):
                log.warning("unknown hall time zone %r: using UTC", zone_name)
        return now.date()

    def card_age(self) -> int | None:
        if self.card is None:
            return None
        try:
            return age_on(self.card.birth_date, self.hall_today())
        except ValueError:
            return None

    def green_channel_due(self) -> bool:
        age = self.card_age()
        return self.green_channel_age > 0 and age is not None and age >= self.green_channel_age

    def card_view(self) -> tuple[str, str, str]:
        """The card screen's (mark, title, message)."""
        name = self.card.masked_name if self.card else ""
        if self._screen is Screen.NO_APPOINTMENT:
            booked_for = self.no_appointment_detail.get("booked_for")
            if not self.card_ticket_on():
                message = self.t("noappt_home_text")
            elif self.no_appointment_detail.get("reason") == "not_today" and booked_for:
                message = self.t("noappt_later_text", date=str(booked_for))
            else:
                message = self.t("noappt_text")
            return self.t("card_mark"), self.t("noappt_title", name=name), message
        if self._screen is Screen.GREEN:
            return (
                self.t("green_mark"),
                self.t("green_title", name=self.card.masked_name if self.card else ""),
                self.t("green_text", age=self.green_channel_age),
            )
        state = self.card_state
        if self.card_reader_online is False:
            state = CardState.OFFLINE
        mark = "!" if state is not CardState.WAITING else self.t("card_mark")
        return mark, self.t(f"card_{state.value}_title"), self.t(f"card_{state.value}_text")

    def card_can_retry(self) -> bool:
        """ "Try again" after a card that could not be read (not while the reader is offline)."""
        return (
            self._screen is Screen.CARD
            and self.card_state is CardState.FAILED
            and self.card_reader_online is not False
        )

    def card_hint(self) -> str:
        green = self.green_channel_age > 0 and self.card_ticket_on()
        if self.card_checkin_on():
            if green:
                return self.t("card_hint_both", age=self.green_channel_age)
            return self.t("card_hint_checkin")
        if green:
            return self.t("card_hint", age=self.green_channel_age)
        return self.t("card_hint_plain")

    def card_banner(self) -> str:
        """The start screen's line for a visitor who placed a card ("" without one)."""
        if self.card is None:
            return ""
        key = "card_banner_priority" if self.priority else "card_banner"
        return self.t(key, name=self.card.masked_name)

    def open_card(self) -> None:
        """ "Take a ticket with your ID card": the visitor is asked to place it."""
        self.touch()
        if self.screen is Screen.START and self.offers_card():
            self._screen = Screen.CARD
            self.card_state = CardState.WAITING
            self._card_since = self.now()
            self._changed()

    def retry_card(self) -> None:
        self.touch()
        if self._screen is Screen.CARD:
            self.card_state = CardState.WAITING
            self._card_since = self.now()
            self._changed()

    def card_read(self, card: CardSeen) -> None:
        """The reader thread read a card (once per placement). Taken on the start screen or the
        card screen; anywhere else (a visitor mid-way, a ticket printing) it is ignored."""
        if self.screen is Screen.PICKUP and self.pickup_by_card():
            self._pickup_by_card(card)
            return
        if not self.offers_card() or self.screen not in (Screen.START, Screen.CARD):
            log.info("id card ignored on the %s screen", self.screen.value)
            return
        self.touch()
        self.card = card
        self.card_state = CardState.WAITING
        self.priority = False
        self.department_id = self.matter_id = None
        if self.card_checkin_on() and card.id_hash is not None:
            # First today's appointment booked with this card; none: a ticket as without one.
            args = {"id_hash": card.id_hash}
            req = Request(self.new_id(), "appointment.checkin", args, self.lang)
            req.card_name, req.by_card = card.masked_name, True
            self._begin(req)
            return
        if not self.card_ticket_on():
            self.card = None
            return
        self._after_card()

    def pickup_by_card(self) -> bool:
        """Finished documents may be collected with the ID card they were applied with: the
        reader and the hall's key are here (the broker keeps that card's hash with the code)."""
        return self.idcard and self.card_key and self.offers_pickup

    def _pickup_by_card(self, card: CardSeen) -> None:
        self.touch()
        if card.id_hash is None:
            return
        args = {"id_hash": card.id_hash, "lang": self.lang}
        req = Request(self.new_id(), "ticket.pickup", args, self.lang)
        req.card_name = card.masked_name
        self._begin(req)

    def _after_card(self) -> None:
        """The card is read and no appointment took it: the green channel offer, or the start."""
        self._screen = Screen.GREEN if self.green_channel_due() else Screen.START
        self._changed()

    def card_take_ticket(self) -> None:
        """ "Take a ticket" after a card found no appointment today."""
        self.touch()
        if self._screen is not Screen.NO_APPOINTMENT:
            return
        if self.card_ticket_on() and self.card is not None:
            self._after_card()
        else:
            self.home()

    def accept_green_channel(self) -> None:
        self.touch()
        if self._screen is Screen.GREEN:
            self.priority = True
            self._screen = Screen.START
            self._changed()

    def decline_green_channel(self) -> None:
        self.touch()
        if self._screen is Screen.GREEN:
            self.priority = False
            self._screen = Screen.START
            self._changed()

    def cancel_card(self) -> None:
        """Forget the card (and the priority it brought); the start screen stays."""
        self.touch()
        if self.card is not None or self.priority:
            self.card, self.priority = None, False
            self._changed()

    def set_card_reader_online(self, online: bool) -> None:
        if online == self.card_reader_online:
            return
        self.card_reader_online = online
        if online and self._screen is Screen.CARD and self.card_state is CardState.OFFLINE:
            self.card_state = CardState.WAITING
            self._card_since = self.now()
        self._changed()

    def take_ticket_label(self) -> str:
        return self.t("take_priority_ticket" if self.priority else "take_ticket")

    def working_message(self) -> str:
        if (
            self.request is not None
            and self.request.by_card
            and self.request.phase is not Phase.PRINTING
        ):
            return self.t("working_card_checkin")
        if self.request is None or self.request.phase is not Phase.PRINTING:
            if self.request and self.request.checkin:
                return self.t("working_checkin")
            return self.t(
                "working_pickup" if self.request and self.request.pickup else "working_request"
            )
        return self.t("working_print")

    def result_seconds_left(self) -> int:
        if self._screen is not Screen.RESULT or self.result is None:
            return 0
        left = self.result_return_s - (self.now() - self.result.shown_at)
        return max(0, int(left + 0.999))

    def result_view(self) -> ResultView | None:
        r = self.result
        if r is None:
            return None
        lang = self.lang
        t = r.ticket
        dep = self.catalog.department(t.get("department")) if self.catalog else None
        matter = dep.matter(t.get("matter")) if dep else None
        ahead = t.get("waiting_ahead")
        no_window = t.get("open_windows") == 0  # nobody serves it now: no wait is promised
        badge = ""
        if t.get("queue") == "pickup":
            badge = text(lang, "pickup_badge")
        elif t.get("priority") == "priority":
            badge = text(lang, "priority_badge")
        elif t.get("source") == "appointment":
            badge = text(lang, "appointment_badge")
        return ResultView(
            number=str(t.get("number", "?")),
            department=localized(dep.name, lang) if dep else str(t.get("department", "")),
            matter=localized(matter.name, lang) if matter else "",
            ahead=text(lang, "people_unit", n=ahead if isinstance(ahead, int) else 0),
            wait=text(lang, "no_window_open_short")
            if no_window
            else wait_text(lang, t.get("estimated_wait_s")),
            wait_caption=text(lang, "windows_caption" if no_window else "estimated_wait"),
            message=text(lang, "card_checked_in", name=r.card_checkin_name)
            if r.printed and r.card_checkin_name
            else text(lang, "take_your_ticket" if r.printed else "not_printed"),
            printed=r.printed,
            late_note=text(lang, "late_ticket") if r.late else "",
            badge=badge,
            seconds_left=self.result_seconds_left(),
        )

    def failure_view(self) -> tuple[str, str, bool]:
        """(title, message, can retry)."""
        f = self.failure
        if f is None:
            return "", "", False
        return self.t(f.title), self.t(f.message, **f.values), f.request is not None

    # ------------------------------------------------------------------ inputs: the world
    def heard(self, topic: str, view: Payload) -> None:
        """What the device kit heard, parsed with the contract's model (see DeviceModel)."""
        if isinstance(view, ServerStatus):
            self.set_server_status(as_json(view))
        elif isinstance(view, CatalogView):
            self.set_catalog(as_json(view))
        elif isinstance(view, QueueStateView):
            self.set_queue(topic.rsplit("/", 1)[1], as_json(view))

    def connection_changed(self, connected: bool) -> None:
        self.set_mqtt(connected)

    def commands_answered(self, answered: bool | None) -> None:
        self.commands_ok = answered
        self._changed()

    def late_reply(self, reply: dict[str, Any]) -> None:
        self.reply(reply)

    def set_catalog(self, payload: dict[str, Any]) -> None:
        try:
            catalog = parse_catalog(payload)
        except ValueError as exc:
            log.warning("ignored a catalog: %s", exc)
            return
        first = self.catalog is None
        self.catalog = catalog
        if first and self._idle_visitor():
            self.lang = catalog.hall.default_language
        if self.lang not in catalog.hall.languages:
            self.lang = catalog.hall.default_language
        # A department or matter the hall removed cannot be shown any more.
        if self._screen in (Screen.MATTERS, Screen.GUIDE) and self.department() is None:
            self._go_start()
        elif self._screen is Screen.GUIDE and self.matter_id is not None and self.matter() is None:
            self._screen = Screen.MATTERS
            self.matter_id = None
        self._changed()

    def set_queue(self, department: str, payload: dict[str, Any]) -> None:
        self.queues[department] = payload
        if self._screen is Screen.START:
            self._changed()

    def set_mqtt(self, up: bool) -> None:
        self.mqtt_up = up
        if not up:
            self.server_online = None if self.server_online is None else False
        self._changed()

    def set_server_status(self, payload: dict[str, Any]) -> None:
        self.server_online = payload.get("state") == "online"
        protocol = payload.get("protocol")
        self.version_mismatch = isinstance(protocol, int) and protocol != PROTOCOL_VERSION
        self._changed()

    def set_printer_status(self, status: str) -> None:
        status = status or "unknown"
        if status == self.printer_status:
            return
        self.printer_status = status
        self.effects.publish_health({"printer": status})
        self._changed()

    # ------------------------------------------------------------------ inputs: the visitor
    def touch(self) -> None:
        self._last_touch = self.now()

    def choose_language(self, lang: str) -> None:
        self.touch()
        if lang in self.languages and lang != self.lang:
            self.lang = lang
            self._changed()

    def toggle_language(self) -> None:
        other = self.other_language()
        if other:
            self.choose_language(other)

    def open_department(self, dep_id: str) -> None:
        """A start tile: a department, or a matter offered directly ("department/matter")."""
        self.touch()
        if self.screen is not Screen.START or self.catalog is None:
            return
        dep_id, _, matter_id = dep_id.partition(MATTER_TILE_SEPARATOR)
        dep = self.catalog.department(dep_id)
        if dep is None or (matter_id and dep.matter(matter_id) is None):
            return
        self.department_id, self.matter_id = dep.id, matter_id or None
        self._screen = Screen.MATTERS if dep.matters and not matter_id else Screen.GUIDE
        self._changed()

    def open_matter(self, matter_id: str) -> None:
        self.touch()
        dep = self.department()
        if self.screen is not Screen.MATTERS or dep is None or dep.matter(matter_id) is None:
            return
        self.matter_id = matter_id
        self._screen = Screen.GUIDE
        self._changed()

    def start_priority(self) -> None:
        self.touch()
        if self.screen is Screen.START:
            self.priority = True
            self._changed()

    def cancel_priority(self) -> None:
        self.touch()
        if self.priority:
            self.priority = False
            self._changed()

    def open_appointment(self) -> None:
        self.touch()
        if self.screen is Screen.START:
            self.code = ""
            self._screen = Screen.APPOINTMENT
            self._changed()

    @property
    def offers_pickup(self) -> bool:
        return self.catalog is not None and self.catalog.pickup is not None

    def pickup_name(self) -> str:
        pickup = self.catalog.pickup if self.catalog else None
        return (localized(pickup.name, self.lang) if pickup else "") or self.t("pickup_button")

    def open_pickup(self) -> None:
        """ "Collect documents": the visitor types the pickup code they were given."""
        self.touch()
        if self.screen is Screen.START and self.offers_pickup:
            self.code = ""
            self._screen = Screen.PICKUP
            self._changed()

    def code_texts(self) -> tuple[str, str, str]:
        """The keypad screen's (title, prompt, placeholder): an appointment or a pickup."""
        if self._screen is Screen.PICKUP:
            prompt = self.t("pickup_prompt_card" if self.pickup_by_card() else "pickup_prompt")
            return self.pickup_name(), prompt, self.t("pickup_placeholder")
        return (
            self.t("appointment_title"),
            self.t("appointment_prompt"),
            self.t("appointment_placeholder"),
        )

    def key(self, char: str) -> None:
        self.touch()
        char = char.upper()
        if (
            self._screen in CODE_SCREENS
            and char in CODE_CHARACTERS
            and len(self.code) < MAX_CODE_LENGTH
        ):
            self.code += char
            self._changed()

    def delete(self) -> None:
        self.touch()
        if self._screen in CODE_SCREENS and self.code:
            self.code = self.code[:-1]
            self._changed()

    def clear_code(self) -> None:
        self.touch()
        if self._screen in CODE_SCREENS and self.code:
            self.code = ""
            self._changed()

    def back(self) -> None:
        self.touch()
        screen = self.screen
        dep = self.department()
        if screen is Screen.GUIDE and dep and dep.matters and not self.matters_first:
            self._screen, self.matter_id = Screen.MATTERS, None
            self._changed()
        elif screen in (Screen.CARD, Screen.GREEN, Screen.NO_APPOINTMENT):
            self.home()
        elif screen in (Screen.GUIDE, Screen.MATTERS, Screen.APPOINTMENT, Screen.PICKUP):
            self._screen, self.department_id, self.matter_id = Screen.START, None, None
            self._changed()
        elif screen in (Screen.ERROR, Screen.RESULT):
            self.home()

    def home(self, idle: bool = False) -> None:
        """Back to the start. After a ticket, or when idle, the next visitor starts in the hall's
        language; a visitor who taps "Start" mid-way keeps the language they chose."""
        if self._screen is Screen.WORKING:
            return  # a request is under way: its answer decides what comes next
        if idle or self._screen is Screen.RESULT:
            self.lang = self.default_lang
        self._go_start()
        if self._late_results:
            self._show_result(self._late_results.pop(0))
        self._changed()

    def take_ticket(self) -> None:
        self.touch()
        if self.screen is not Screen.GUIDE or self.department() is None:
            return
        args: dict[str, Any] = {
            "department": self.department_id,
            "priority": "priority" if self.priority else "normal",
            "lang": self.lang,
        }
        if self.matter_id is not None:
            args["matter"] = self.matter_id
        if self.card is not None and self.card.id_hash is not None and self.card_ticket_on():
            args["id_hash"] = self.card.id_hash  # kept with the ticket (documents by card, later)
        card_name = self.card.masked_name if self.card else None
        self._begin(Request(self.new_id(), "ticket.issue", args, self.lang, card_name=card_name))

    def submit_code(self) -> None:
        self.touch()
        if self.screen not in CODE_SCREENS or not self.code:
            return
        if self.screen is Screen.PICKUP:
            args = {"code": self.code, "lang": self.lang}
            self._begin(Request(self.new_id(), "ticket.pickup", args, self.lang))
            return
        self._begin(Request(self.new_id(), "appointment.checkin", {"code": self.code}, self.lang))

    def retry(self) -> None:
        """Resend a timed-out request with its own request_id: at most one ticket comes of it."""
        self.touch()
        f = self.failure
        if self._screen is not Screen.ERROR or f is None or f.request is None:
            return
        req = f.request
        self.abandoned.pop(req.request_id, None)
        req.phase = Phase.CHECKING_PRINTER
        self._begin(req)

    # ------------------------------------------------------------------ inputs: answers
    def printer_checked(self, request_id: str, status: str) -> None:
        self.set_printer_status(status)
        req = self.request
        if req is None or req.request_id != request_id or req.phase is not Phase.CHECKING_PRINTER:
            return
        if status not in PRINTABLE:
            self._fail(
                "error_printer", values={"reason": self.t(f"printer_state_{status}")}, title_for=req
            )
            return
        if not self.broker_reachable():
            self._fail(
                "error_unavailable", values={"reason": self.unavailable_message()}, title_for=req
            )
            return
        req.phase = Phase.REQUESTING
        self.effects.send(req.request_id, req.op, dict(req.args))
        self._changed()

    def reply(self, payload: dict[str, Any]) -> None:
        """Every reply on the kiosk's reply topic, for whichever request it answers."""
        rid = payload.get("request_id")
        if not isinstance(rid, str):
            return
        req = self.request
        if req is not None and req.request_id == rid and req.phase is Phase.REQUESTING:
            if timed_out(payload):
                self._give_up(req)
            else:
                self._on_answer(req, payload)
        elif timed_out(payload):
            log.debug("ignored the deadline of %s (answered or given up already)", rid)
        elif rid in self.abandoned:
            self._on_late_answer(self.abandoned.pop(rid), payload)
        else:
            log.debug("ignored a reply to %s (already answered or not ours)", rid)

    def printed(self, request_id: str, ok: bool, status: str | None = None) -> None:
        if status:
            self.set_printer_status(status)
        elif ok and self.printer_status not in PRINTABLE:
            self.set_printer_status("ok")
        req = self.request
        if req is not None and req.request_id == request_id and req.phase is Phase.PRINTING:
            self.request = None
            self._show_result(
                Result(
                    req.ticket or {},
                    req.lang,
                    ok,
                    late=req.late,
                    shown_at=self.now(),
                    card_checkin_name=req.card_name if req.by_card else None,
                )
            )
            self._changed()
            return
        late = self._late.pop(request_id, None)
        if late is None:
            return
        result = Result(
            late.ticket or {},
            late.lang,
            ok,
            late=True,
            shown_at=self.now(),
            card_checkin_name=late.card_name if late.by_card else None,
        )
        if self.request is not None or self._screen is Screen.RESULT:
            self._late_results.append(result)  # shown when the visitor at the kiosk is done
        else:
            self._show_result(result)
            self._changed()

    def tick(self) -> None:
        """Called a few times a second: idle return, countdowns."""
        now = self.now()
        if self._screen is Screen.RESULT and self.result is not None:
            shown_enough = now - self.result.shown_at >= self.result_return_s
        else:
            # a visitor who walked away mid-way (or left the kiosk in another language)
            left_over = (
                self._screen is not Screen.START
                or self.priority
                or self.card is not None
                or self.lang != self.default_lang
            )
            shown_enough = (
                self._screen is not Screen.WORKING
                and left_over
                and now - self._last_touch >= self.idle_return_s
            )
        if shown_enough:
            self.home(idle=True)
            return
        if (
            self._screen is Screen.CARD
            and self.card_state is CardState.WAITING
            and self.card_reader_online is not False
            and now - self._card_since >= self.card_wait_s
        ):
            self.card_state = CardState.FAILED  # nothing came: taken off mid-read, or unreadable
        if self._signature() != self._shown_signature:
            self._changed()

    # ------------------------------------------------------------------ internals
    def _give_up(self, req: Request) -> None:
        """No answer before the deadline: say so, keep the request for "try again" and its
        late reply."""
        self.request = None
        self._remember_abandoned(req)
        self._screen = Screen.ERROR
        self.failure = Failure(req.error_title, "error_timeout", request=req)
        self._last_touch = self.now()
        self._changed()

    def _idle_visitor(self) -> bool:
        return self._screen is Screen.START and not self.priority and self.request is None

    def _go_start(self) -> None:
        self._screen = Screen.START
        self.department_page_index = self._page_anchor = 0  # the next visitor sees the first page
        self.department_id = self.matter_id = None
        self.priority = False
        self.card = None
        self.card_state = CardState.WAITING
        self.no_appointment_detail = {}
        self.code = ""
        self.failure = None
        self.result = None
        self._last_touch = self.now()

    def _begin(self, req: Request) -> None:
        reason = self.unavailable_reason()
        if reason is not None:
            self._fail(
                "error_unavailable", values={"reason": self.unavailable_message()}, title_for=req
            )
            return
        self.request = req
        self.failure = None
        self._screen = Screen.WORKING
        self._changed()
        self.effects.check_printer(req.request_id)

    def _fail(
        self,
        message: str,
        *,
        values: dict[str, str] | None = None,
        title_for: Request | None = None,
    ) -> None:
        title = title_for.error_title if title_for is not None else "error_title"
        self.request = None
        self.failure = Failure(title, message, values or {})
        self._screen = Screen.ERROR
        self._last_touch = self.now()
        self._changed()

    def _on_answer(self, req: Request, payload: dict[str, Any]) -> None:
        ticket = (payload.get("data") or {}).get("ticket") if payload.get("ok") else None
        if not isinstance(ticket, dict):
            if req.by_card and self._error_key(payload, req) == "error_not_found":
                self._no_appointment(payload)
                return
            self._fail(self._error_key(payload, req), title_for=req)
            return
        req.ticket = ticket
        req.phase = Phase.PRINTING
        self._changed()
        self.effects.print_ticket(
            req.request_id,
            ticket_print(ticket, self.catalog, req.lang, self.logo_path, card_name=req.card_name),
        )

    def _on_late_answer(self, req: Request, payload: dict[str, Any]) -> None:
        ticket = (payload.get("data") or {}).get("ticket") if payload.get("ok") else None
        failure = self.failure
        showing_its_timeout = (
            self._screen is Screen.ERROR
            and failure is not None
            and failure.request is not None
            and failure.request.request_id == req.request_id
        )
        if not isinstance(ticket, dict):
            if showing_its_timeout:  # the visitor is still there: tell them the real answer
                if req.by_card and self._error_key(payload, req) == "error_not_found":
                    self._no_appointment(payload)
                else:
                    self._fail(self._error_key(payload, req), title_for=req)
            return
        log.info("late reply to %s: ticket %s is printed now", req.request_id, ticket.get("number"))
        req.ticket, req.late = ticket, True
        if showing_its_timeout and self.request is None:
            # the visitor is still looking at "no answer": this is their ticket after all
            self.failure = None
            self.request = req
            req.phase = Phase.PRINTING
            self._screen = Screen.WORKING
            self._changed()
        else:
            self._late[req.request_id] = req
        self.effects.print_ticket(
            req.request_id,
            ticket_print(ticket, self.catalog, req.lang, self.logo_path, card_name=req.card_name),
        )

    def _no_appointment(self, payload: dict[str, Any]) -> None:
        """A card found no appointment today: say so, and offer a ticket as without one."""
        error = payload.get("error")
        detail = error.get("detail") if isinstance(error, dict) else None
        self.request = None
        self.failure = None
        self.no_appointment_detail = dict(detail) if isinstance(detail, dict) else {}
        self._screen = Screen.NO_APPOINTMENT
        self._last_touch = self.now()
        self._changed()

    def _show_result(self, result: Result) -> None:
        self.result = result
        self.lang = result.lang
        self.failure = None
        self._screen = Screen.RESULT

    def _remember_abandoned(self, req: Request) -> None:
        self.abandoned[req.request_id] = req
        while len(self.abandoned) > MAX_ABANDONED:
            self.abandoned.popitem(last=False)

    @staticmethod
    def _error_key(payload: dict[str, Any], req: Request) -> str:
        code = (
            ((payload.get("error") or {}).get("code"))
            if isinstance(payload.get("error"), dict)
            else None
        )
        if req.pickup and code == "not_found" and "id_hash" in req.args:
            return "pickup_error_not_found_card"
        if req.pickup and code in ("not_found", "conflict", "closed"):
            return f"pickup_error_{code}"  # "no such code" is not "no such appointment"
        if code in ("closed", "not_found", "conflict", "invalid", "rate_limited", "timeout"):
            return f"error_{code}"
        return "error_unknown"
