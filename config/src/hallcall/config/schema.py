"""The typed schema of a hall's configuration file.

A hall manager edits one TOML file per hall; this schema turns it into checked objects and
rejects mistakes (a window serving an unknown department, a missing English name in a hall that
speaks English, two departments with one ticket prefix) before anything runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hallcall.protocol.payloads import Identifier, Language
from hallcall.protocol.topics import ID_PATTERN


class Strict(BaseModel):
    """Unknown keys are errors: a typo in a hall file must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A visitor-facing text in each of the hall's languages."""

    zh: str | None = None
    en: str | None = None

    def get(self, lang: str) -> str:
        """The text in `lang`, falling back to any language present."""
        value = getattr(self, lang, None)
        return value if value else (self.zh or self.en or "")

    def missing(self, languages: Sequence[str]) -> list[str]:
        return [lang for lang in languages if not getattr(self, lang, None)]


class ServiceGuide(Strict):
    """The "one-time notification": everything a visitor must know before coming to the window."""

    basis: Text | None = None
    conditions: Text | None = None
    materials: list[Text] = []
    steps: list[Text] = []
    time_limit: Text | None = None
    place: Text | None = None
    fee: Text | None = None


#: A matter code (GB/T 39554.1 style): 10 to 50 capital letters and digits, as the catalogue's
#: basic and implementation codes are (the 31-character implementation code starts with the
#: implementing agency's 18-character unified social credit code).
MATTER_CODE_PATTERN = r"^[0-9A-Z]{10,50}$"


class Matter(Strict):
    id: Identifier
    name: Text
    kind: Literal["immediate", "time_limited"] = "immediate"
    #: How long serving one visitor at the window may take before it counts as over time.
    service_limit_min: float = Field(default=15, gt=0)
    #: For time-limited matters: working days promised for completion.
    promised_days: int | None = Field(default=None, ge=1)
    guide: ServiceGuide = ServiceGuide()
    #: The matter's code in the national catalogue (GB/T 39554.1 style, e.g. the implementation
    #: code "11510000MB1234567X4000112345000"): sent with each rating to the higher platform.
    code: str | None = Field(default=None, pattern=MATTER_CODE_PATTERN)

    @model_validator(mode="after")
    def _promise_for_time_limited(self) -> Matter:
        if self.kind == "time_limited" and self.promised_days is None:
            raise ValueError("a time_limited matter needs promised_days")
        return self


class Department(Strict):
    id: Identifier
    name: Text
    prefix: str = Field(pattern=r"^[A-Z]{1,2}$", description="ticket prefix letter, e.g. A")
    number_start: int = Field(default=1, ge=0)
    number_end: int = Field(default=999, ge=1, le=99999)
    daily_cap: int | None = Field(default=None, ge=1)
    #: Assumed service time before the day has any finished ticket to learn from.
    default_service_s: int = Field(default=300, gt=0)
    matters: list[Matter] = []

    @model_validator(mode="after")
    def _range(self) -> Department:
        if self.number_end < self.number_start:
            raise ValueError("number_end must not be below number_start")
        ids = [m.id for m in self.matters]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate matter id(s): {', '.join(dupes)}")
        return self

    @property
    def number_width(self) -> int:
        return len(str(self.number_end))

    def matter(self, matter_id: str) -> Matter | None:
        return next((m for m in self.matters if m.id == matter_id), None)


#: A skill of a general window: a department id (all its matters), "department.matter", or
#: "pickup" (the document pickup queue).
SkillRef = Annotated[str, Field(pattern=rf"^{ID_PATTERN}(\.{ID_PATTERN})?$")]


class Window(Strict):
    id: Identifier
    #: The number visitors see above the window and hear in calls ("3号窗口").
    number: int = Field(ge=1, le=999)
    departments: list[Identifier] = []
    #: A flex ("tidal") window the hall assigns to any department at peak times.
    flex: bool = False
    #: A general window (综合窗口, docs/general-windows.md): the matters it serves across
    #: departments, each "department.matter" or a bare department id (all its matters).
    skills: list[SkillRef] = []
    #: It calls the document pickup queue (出件, `[pickup]`) too.
    pickup: bool = False

    @model_validator(mode="after")
    def _fixed_needs_department(self) -> Window:
        if not self.flex and not self.departments and not self.skills and not self.pickup:
            raise ValueError("a fixed window must serve at least one department, skill or pickup")
        return self

    @property
    def serves_pickup(self) -> bool:
        return self.pickup or "pickup" in self.skills


class Staff(Strict):
    id: Identifier
    name: Text
    department: Identifier
    post: Literal["A", "B"] = "A"
    contact: str | None = None
    photo: str | None = None
    #: The argon2id hash of the clerk's log-in PIN (`hallcall admin staff-pin` writes it; never the PIN).
    pin_hash: str | None = Field(default=None, pattern=r"^\$argon2id\$")


class Device(Strict):
    #: `web`: the hall's web part (visitors' phone pages, the lobby page, the dashboard).
    kind: Literal["kiosk", "display", "sign", "rating", "admin", "web"]
    id: Identifier
    #: The window a sign or rating pad belongs to.
    window: Identifier | None = None

    @model_validator(mode="after")
    def _bound(self) -> Device:
        if self.kind in ("sign", "rating") and self.window is None:
            raise ValueError(f"a {self.kind} device must name the window it belongs to")
        return self


class Assessment(Strict):
    """Quarterly assessment thresholds (Haicheng business rules art. 22)."""

    bad_rating_rate: float = Field(default=0.10, ge=0, le=1)
    bad_rating_count: int = Field(default=5, ge=1)
    overtime_rate: float = Field(default=0.05, ge=0, le=1)
    overtime_count: int = Field(default=10, ge=1)
    min_time_limited: int = Field(default=30, ge=0)
    min_immediate: int = Field(default=100, ge=0)


class RateLimit(Strict):
    """A token bucket: `burst` commands at once, refilled at `per_minute`."""

    burst: int = Field(ge=1, le=100000)
    per_minute: float = Field(gt=0, le=600000)


class RateLimits(Strict):
    """What one device of each kind may send before it is answered `rate_limited`.

    A kiosk serves one visitor at a time and a clerk presses a few keys a minute, so the
    defaults are far above honest use and far below what takes a department's daily cap.
    """

    kiosk: RateLimit = RateLimit(burst=10, per_minute=30)
    window: RateLimit = RateLimit(burst=20, per_minute=120)
    rating: RateLimit = RateLimit(burst=5, per_minute=20)
    admin: RateLimit = RateLimit(burst=100, per_minute=1200)
    #: One web process asks for every visitor's phone page (ticket.status), so it may ask often.
    web: RateLimit = RateLimit(burst=1000, per_minute=30000)
    #: Displays and signs send no commands; anything they send counts here.
    other: RateLimit = RateLimit(burst=5, per_minute=20)

    def of(self, kind: str) -> RateLimit:
        if kind in ("kiosk", "window", "rating", "admin", "web"):
            return getattr(self, kind)
        return self.other


#: A hall-local time of day, "HH:MM".
HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"


class RemoteTickets(Strict):
    """Remote tickets (线上取号, issue #14): a visitor takes a ticket on the phone, through the
    web part (`ticket.remote`). Off unless the hall turns it on. The web part keeps its own
    daily cap per phone; the queue broker never sees a phone number or any contact.
    """

    enabled: bool = False
    #: "now": the ticket joins its queue at once (the visitor may be on the way);
    #: "on_checkin": the phone gets a check-in code, and the ticket joins the queue only when
    #: the code is checked in at a kiosk (`appointment.checkin`, as an appointment's is).
    join: Literal["now", "on_checkin"] = "on_checkin"
    #: The departments that take remote tickets (empty: every department).
    departments: list[Identifier] = []
    #: Hall-local hours in which remote tickets are taken, "HH:MM" (none: while the day is open).
    open_at: str | None = Field(default=None, pattern=HHMM)
    close_at: str | None = Field(default=None, pattern=HHMM)
    #: Refuse (`closed`) while no window serving the department is open: nobody would call it.
    require_open_window: bool = True
    #: Remote tickets a department takes a day, at most (walk-ins keep the rest of its numbers).
    daily_cap: int | None = Field(default=None, ge=1)
    #: on_checkin: minutes in which a code must be checked in (none: until the day closes).
    checkin_within_min: float | None = Field(default=60, gt=0, le=1440)
    #: Remote tickets the whole hall takes at once, then per minute (one web part asks for every
    #: phone, so this is the hall's, on top of the web device's `[rate_limits] web`).
    rate: RateLimit = RateLimit(burst=20, per_minute=60)
    #: Remote tickets one phone number may take a day (kept by the web part, keyed by a keyed
    #: hash of the number; the queue broker never sees it).
    per_phone_daily: int = Field(default=3, ge=1, le=50)

    @model_validator(mode="after")
    def _hours_in_order(self) -> RemoteTickets:
        if self.open_at and self.close_at and self.close_at <= self.open_at:
            raise ValueError("close_at must be later than open_at")
        return self


def check_call_template(lang: str, template: str) -> None:
    """A spoken-call sentence must name the {number} and may name the {window}, nothing else."""
    if "{number}" not in template:
        raise ValueError(f"the {lang} voice template must contain {{number}}")
    try:
        template.format(number="A 1", window="3")
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"the {lang} voice template is not valid: {exc!r}") from None


class Voice(Strict):
    """How calls are spoken in the hall (every speaking display follows it)."""

    #: Languages spoken after the chime, in order (default: the hall's languages).
    languages: list[Language] | None = None
    #: How many times the whole call (chime and sentences) is said.
    repeat: int = Field(default=2, ge=1, le=5)
    #: A call waiting longer than this to be spoken is dropped, not said late.
    max_age_s: float = Field(default=60, gt=0, le=3600)
    #: Sentences with {number} (spelled out) and {window}, e.g. "请 {number} 号到 {window} 号窗口办理".
    templates: Text | None = None

    @field_validator("templates")
    @classmethod
    def _templates_have_number(cls, templates: Text | None) -> Text | None:
        for lang in ("zh", "en"):
            template = getattr(templates, lang, None) if templates else None
            if template is not None:
                check_call_template(lang, template)
        return templates


class Hall(Strict):
    id: Identifier
    name: Text
    languages: list[Language] = Field(default=["zh", "en"], min_length=1)
    default_language: Language = "zh"
    timezone: str = "Asia/Shanghai"
    #: How many times a clerk may recall a ticket before it must be marked no-show.
    recall_limit: int = Field(default=2, ge=0, le=10)
    #: Satisfaction scale: 3 levels (satisfied / average / dissatisfied) or 5.
    rating_scale: Literal[3, 5] = 3
    #: The names of the levels: "default" (HallCall's: 5 levels with 一般 / Average in the
    #: middle) or "national", the five levels of 政务服务"好差评" (非常满意, 满意, 基本满意, 不满意,
    #: 非常不满意; needs rating_scale = 5). Scores stay 1 (lowest) .. rating_scale.
    rating_label_set: Literal["default", "national"] = "default"
    #: Seconds a rating pad waits for a rating before recording "not rated".
    rating_timeout_s: int = Field(default=30, ge=5)
    #: Whether the clerk's terminal may show the score a visitor gave.
    show_rating_to_clerk: bool = False
    #: Calls kept in the retained `state/calls` list (the contract asks for at least 10).
    calls_kept: int = Field(default=10, ge=10, le=100)
    #: A link printed as the ticket's QR code; `{token}` is replaced by the ticket's unguessable
    #: status token (what the web part's `/t/{token}` page asks `ticket.status` with). The older
    #: `{ticket_id}` (guessable: anyone could watch another's ticket) and `{number}` still work.
    status_url: str | None = None
    #: An appointment goes ahead of walk-ins from this many minutes before its booked time.
    appointment_due_early_min: float = Field(default=10, ge=0, le=240)
    #: Minutes a visitor may wait before the manager's dashboard raises an alarm (issue #14).
    wait_limit_min: float = Field(default=30, gt=0, le=600)
    #: People ahead at which a visitor's phone page alerts and their notification says "your
    #: turn is near" (issue #14).
    near_ahead: int = Field(default=3, ge=0, le=50)
    #: Hall-local time at which the day closes by itself, "HH:MM" (optional).
    close_at: str | None = Field(default=None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    notice: Text | None = None
    voice: Voice = Voice()
    #: Clerks log in with their staff id AND a PIN (`[[staff]] pin_hash`). Without it anyone may
    #: log in as any clerk and take their ratings and attendance; false only for a hall that
    #: accepts that (the queue broker says so in its log at every start).
    require_pin: bool = True
    #: Wrong PINs in a row before the staff id is locked, and for how long (the first lock; each
    #: wrong PIN after a lock locks again for twice as long, up to a day, until a right PIN).
    pin_attempts: int = Field(default=5, ge=1, le=20)
    pin_lockout_min: float = Field(default=15, gt=0, le=1440)
    #: What the kiosk's start screen offers first: "departments" (then their matters), or
    #: "matters", every matter at once ("I want to ...", for halls with general windows).
    kiosk_start: Literal["departments", "matters"] = "departments"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @model_validator(mode="after")
    def _national_labels_five_levels(self) -> Hall:
        if self.rating_label_set == "national" and self.rating_scale != 5:
            raise ValueError('rating_label_set = "national" has five levels: set rating_scale = 5')
        return self

    @model_validator(mode="after")
    def _default_language_spoken(self) -> Hall:
        if self.default_language not in self.languages:
            raise ValueError("default_language must be one of languages")
        for lang in self.voice.languages or []:
            if lang not in self.languages:
                raise ValueError(f"voice.languages: the hall does not offer {lang!r}")
        return self

    @property
    def voice_languages(self) -> list[str]:
        return list(self.voice.languages or self.languages)


class WorkingDays(Strict):
    """What deadlines count as working days (a complaint's answer in 5 working days)."""

    #: "china": Monday to Friday less China's public holidays, plus the weekend days made
    #: working days to bridge them (调休), from the `chinesecalendar` package; "weekdays":
    #: Monday to Friday only.
    calendar: Literal["china", "weekdays"] = "china"
    #: The hall's own closed days (a local holiday, a move): never working days.
    closed_days: list[date] = []
    #: The hall's own extra working days (a Saturday opening): working days even at a weekend
    #: or a public holiday. Also where to put a year's national 调休 working days before the
    #: package knows that year.
    extra_working_days: list[date] = []

    @model_validator(mode="after")
    def _not_both(self) -> WorkingDays:
        both = sorted(set(self.closed_days) & set(self.extra_working_days))
        if both:
            days = ", ".join(d.isoformat() for d in both)
            raise ValueError(f"closed_days and extra_working_days both name {days}")
        return self


class Rectification(Strict):
    """What follows a bad rating (差评整改), and the default rating (默认评价)."""

    #: Working days (`[working_days]`) to close a case opened by a bad rating: Sichuan 15,
    #: Taiyuan 10, Dezhou 5.
    deadline_working_days: int = Field(default=10, ge=1, le=60)
    #: A ticket served but not rated within this many days is recorded as `default_level`
    #: (channel "default"); unset: never (the default).
    default_rating_after_days: int | None = Field(default=None, ge=1, le=60)
    #: The score recorded by default (3 = 基本满意 on the national five levels).
    default_level: int | None = Field(default=None, ge=1, le=5)

    @model_validator(mode="after")
    def _default_needs_both(self) -> Rectification:
        if (self.default_rating_after_days is None) != (self.default_level is None):
            raise ValueError("default_rating_after_days and default_level are set together")
        return self


class Upload(Strict):
    """The upload of 好差评 records to a higher (provincial) platform (docs/ratings-and-deadlines.md)."""

    enabled: bool = False
    #: The platform's endpoint: each record is POSTed to it as JSON.
    url: str | None = Field(default=None, pattern=r"^https?://")
    #: Where the bearer token is read from: a file, or an environment variable (never here).
    token_file: str | None = None
    token_env: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    timeout_s: float = Field(default=10, gt=0, le=300)
    #: Retries wait 1 s, 2 s, 4 s ... up to this.
    max_backoff_s: float = Field(default=300, ge=1, le=3600)
    #: The code sent for a ticket without a matter, or a matter without a `code`.
    default_matter_code: str | None = Field(default=None, pattern=MATTER_CODE_PATTERN)

    @model_validator(mode="after")
    def _complete_when_enabled(self) -> Upload:
        if self.enabled and self.url is None:
            raise ValueError("[upload] enabled needs url")
        if self.enabled and (self.token_file is None) == (self.token_env is None):
            raise ValueError("[upload] enabled needs one of token_file or token_env")
        return self


class MatterGroup(Strict):
    """Matters of any departments that wait in one queue with its own ticket prefix (general
    windows, docs/general-windows.md); each ticket still records its department and matter."""

    id: Identifier
    name: Text
    prefix: str = Field(pattern=r"^[A-Z]{1,2}$")
    number_start: int = Field(default=1, ge=0)
    number_end: int = Field(default=999, ge=1, le=99999)
    daily_cap: int | None = Field(default=None, ge=1)
    default_service_s: int = Field(default=300, gt=0)
    #: "department.matter" of each matter in the group.
    matters: list[SkillRef] = Field(min_length=1)

    @model_validator(mode="after")
    def _range(self) -> MatterGroup:
        if self.number_end < self.number_start:
            raise ValueError("number_end must not be below number_start")
        return self


class Pickup(Strict):
    """Document pickup (出件): a visitor whose time-limited matter was accepted gets a pickup
    code, and later takes a pickup ticket with it, served at the pickup windows."""

    enabled: bool = False
    prefix: str = Field(default="Q", pattern=r"^[A-Z]{1,2}$")
    name: Text = Text(zh="办件取件", en="Document pickup")
    number_start: int = Field(default=1, ge=0)
    number_end: int = Field(default=999, ge=1, le=99999)
    default_service_s: int = Field(default=120, gt=0)

    @model_validator(mode="after")
    def _range(self) -> Pickup:
        if self.number_end < self.number_start:
            raise ValueError("number_end must not be below number_start")
        return self


class IdCard(Strict):
    """Resident ID cards at the kiosks (issue #15): what the hall lets a card do, the key its
    numbers are hashed with, and how long a hash is kept. The kiosks read these choices from
    the retained catalog; their device files only say which reader they have (and where the
    key file is on the kiosk). docs/hardware/idcard.md, docs/kiosk.md.
    """

    #: The secret key file (at least 16 bytes; `hallcall admin idcard-key --out FILE`). The key
    #: is never in the hall file or the catalog; the same file goes on every kiosk of the hall.
    #: Needed by `appointment.book` with an `id_number` and by `hallcall admin book --id-number`.
    hash_key_file: str | None = None
    #: Days after its day (an appointment's booked day, a ticket's service day) at which every
    #: stored id_hash is set to NULL, at a day's start; 0: at the next day's start.
    retention_days: int = Field(default=30, ge=0, le=3650)
    #: A card holder of this age or more is offered the green channel (priority); 0: never.
    green_channel_age: int = Field(default=60, ge=0, le=150)
    #: The kiosks offer "take a ticket with your ID card" (刷身份证取号).
    card_ticket: bool = True
    #: A card laid on a kiosk's reader first checks in today's appointment booked with it.
    card_checkin: bool = True


class HallConfig(Strict):
    """The whole configuration file of one hall."""

    hall: Hall
    departments: list[Department] = Field(min_length=1)
    windows: list[Window] = Field(min_length=1)
    staff: list[Staff] = []
    devices: list[Device] = []
    assessment: Assessment = Assessment()
    rate_limits: RateLimits = RateLimits()
    remote_tickets: RemoteTickets = RemoteTickets()
    working_days: WorkingDays = WorkingDays()
    rectification: Rectification = Rectification()
    upload: Upload = Upload()
    #: Queues per matter group (general windows); a matter in no group queues in its department.
    matter_groups: list[MatterGroup] = []
    pickup: Pickup = Pickup()
    idcard: IdCard = IdCard()

    @model_validator(mode="after")
    def _cross_references(self) -> HallConfig:
        problems: list[str] = []
        level = self.rectification.default_level
        if level is not None and level > self.hall.rating_scale:
            problems.append(
                f"[rectification] default_level {level} is above rating_scale "
                f"{self.hall.rating_scale}"
            )
        for label, items in (
            ("department", self.departments),
            ("window", self.windows),
            ("staff", self.staff),
        ):
            ids = [item.id for item in items]
            for dup in sorted({i for i in ids if ids.count(i) > 1}):
                problems.append(f"{label} id {dup!r} is used twice")
        device_ids = [(d.kind, d.id) for d in self.devices]
        for kind, dup in sorted({d for d in device_ids if device_ids.count(d) > 1}):
            problems.append(f"{kind} device id {dup!r} is used twice")
        prefixes = [d.prefix for d in self.departments]
        for dup in sorted({p for p in prefixes if prefixes.count(p) > 1}):
            problems.append(f"ticket prefix {dup!r} is used by two departments")
        numbers = [w.number for w in self.windows]
        for number in sorted({n for n in numbers if numbers.count(n) > 1}):
            problems.append(f"window number {number} is shown on two windows")
        departments = {d.id for d in self.departments}
        windows = {w.id for w in self.windows}
        for w in self.windows:
            for dep in w.departments:
                if dep not in departments:
                    problems.append(f"window {w.id!r} serves unknown department {dep!r}")
        for s in self.staff:
            if s.department not in departments:
                problems.append(f"staff {s.id!r} belongs to unknown department {s.department!r}")
        for d in self.devices:
            if d.window is not None and d.window not in windows:
                problems.append(f"{d.kind} device {d.id!r} belongs to unknown window {d.window!r}")
        for dep in self.remote_tickets.departments:
            if dep not in departments:
                problems.append(f"remote_tickets takes unknown department {dep!r}")
        if self.remote_tickets.enabled and not any(d.kind == "web" for d in self.devices):
            problems.append('remote_tickets is enabled but no [[devices]] has kind = "web"')
        problems += self._matters_without_code()
        problems += self._general_window_problems()
        problems += self._missing_translations()
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _matters_without_code(self) -> list[str]:
        """With upload on, every rating needs a matter code: each matter's, or the default."""
        if not self.upload.enabled or self.upload.default_matter_code is not None:
            return []
        missing = [f"{d.id}/{m.id}" for d in self.departments for m in d.matters if not m.code]
        missing += [f"{d.id} (no matters)" for d in self.departments if not d.matters]
        if not missing:
            return []
        return [
            "[upload] is enabled but these have no matter code (set code, or "
            f"[upload] default_matter_code): {', '.join(missing)}"
        ]

    def _general_window_problems(self) -> list[str]:
        """Skills and matter groups name known matters; each matter is in one group at most;
        no queue shares an id or a ticket prefix with another."""
        found: list[str] = []
        deps = {d.id: d for d in self.departments}

        def known(ref: str, where: str) -> bool:
            dep_id, _, matter = ref.partition(".")
            dep = deps.get(dep_id)
            if dep is None:
                found.append(f"{where} names unknown department {dep_id!r}")
            elif matter and dep.matter(matter) is None:
                found.append(f"{where} names unknown matter {matter!r} of department {dep_id!r}")
            else:
                return True
            return False

        for w in self.windows:
            for ref in w.skills:
                if ref != "pickup":
                    known(ref, f"window {w.id!r} skill {ref!r}")
            if w.serves_pickup and not self.pickup.enabled:
                found.append(f"window {w.id!r} serves pickup but [pickup] is not enabled")
        in_group: dict[str, str] = {}
        for g in self.matter_groups:
            for ref in g.matters:
                if "." not in ref:
                    found.append(
                        f"matter group {g.id!r} lists {ref!r}: name matters as department.matter"
                    )
                elif known(ref, f"matter group {g.id!r}"):
                    if ref in in_group and in_group[ref] != g.id:
                        found.append(
                            f"matter {ref} is in two matter groups: {in_group[ref]!r} and {g.id!r}"
                        )
                    in_group[ref] = g.id
        queue_ids = [d.id for d in self.departments] + [g.id for g in self.matter_groups]
        for dup in sorted({i for i in queue_ids if queue_ids.count(i) > 1}):
            found.append(f"matter group id {dup!r} is also a department's or another group's id")
        if "pickup" in queue_ids:
            found.append("'pickup' is the pickup queue's id: no department or group may use it")
        owners = [(d.prefix, f"department {d.id!r}") for d in self.departments]
        owners += [(g.prefix, f"matter group {g.id!r}") for g in self.matter_groups]
        if self.pickup.enabled:
            owners.append((self.pickup.prefix, "[pickup]"))
        by_prefix: dict[str, list[str]] = {}
        for prefix, owner in owners:
            by_prefix.setdefault(prefix, []).append(owner)
        for prefix, names in sorted(by_prefix.items()):
            if len(names) > 1 and any(not n.startswith("department") for n in names):
                found.append(f"ticket prefix {prefix!r} is used by {' and '.join(names)}")
        return found

    def group_of(self, department: str, matter: str | None) -> MatterGroup | None:
        """The matter group whose queue a ticket of this matter waits in, if any."""
        if matter is None:
            return None
        ref = f"{department}.{matter}"
        return next((g for g in self.matter_groups if ref in g.matters), None)

    def _missing_translations(self) -> list[str]:
        langs = list(self.hall.languages)
        found: list[str] = []

        def check(where: str, text: Text | None) -> None:
            if text is not None and (missing := text.missing(langs)):
                found.append(f"{where} has no {'/'.join(missing)} text")

        check("hall.name", self.hall.name)
        check("hall.notice", self.hall.notice)
        for d in self.departments:
            check(f"department {d.id!r} name", d.name)
            for m in d.matters:
                check(f"matter {d.id}/{m.id} name", m.name)
                g = m.guide
                for field in ("basis", "conditions", "time_limit", "place", "fee"):
                    check(f"matter {d.id}/{m.id} guide.{field}", getattr(g, field))
                for i, t in enumerate(g.materials):
                    check(f"matter {d.id}/{m.id} guide.materials[{i}]", t)
                for i, t in enumerate(g.steps):
                    check(f"matter {d.id}/{m.id} guide.steps[{i}]", t)
        for s in self.staff:
            check(f"staff {s.id!r} name", s.name)
        for group in self.matter_groups:
            check(f"matter group {group.id!r} name", group.name)
        if self.pickup.enabled:
            check("pickup.name", self.pickup.name)
        return found

    # Look-ups used everywhere; the lists are short, so a scan is fine.
    def department(self, dep_id: str) -> Department | None:
        return next((d for d in self.departments if d.id == dep_id), None)

    def window(self, window_id: str) -> Window | None:
        return next((w for w in self.windows if w.id == window_id), None)

    def staff_member(self, staff_id: str) -> Staff | None:
        return next((s for s in self.staff if s.id == staff_id), None)

    def device(self, kind: str, device_id: str) -> Device | None:
        return next((d for d in self.devices if d.kind == kind and d.id == device_id), None)
