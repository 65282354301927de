"""Device files of the lobby display and of the window-sign process (TOML, checked by pydantic).

    hallcall display --device display.toml
    hallcall sign --device sign.toml

Unknown keys are errors, as in the hall file: a typo must not be silently ignored.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hallcall.config.schema import check_call_template
from hallcall.device_kit.device_file import DeviceFile
from hallcall.hardware.sign import SignConfig
from hallcall.protocol.payloads import Identifier, Language


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VoiceSettings(Strict):
    """Spoken calls: chime, then the sentence in each language, `repeat` times."""

    enabled: bool = True
    # The next four follow the hall file's [hall.voice] (from the catalog) unless set here.
    languages: list[Language] | None = Field(default=None, min_length=1)
    repeat: int | None = Field(default=None, ge=1, le=5)
    #: A call older than this when its turn comes is dropped, not spoken late.
    max_age_s: float | None = Field(default=None, gt=0)
    #: Per language, with {number} (spelled out) and {window}; unset = the hall's, or the driver's.
    templates: dict[Language, str] = {}
    #: espeak-ng voice per language (default: cmn-latn-pinyin for zh, en-us for en).
    voices: dict[Language, str] = {}
    rate: int | None = Field(default=None, ge=60, le=400)
    #: ALSA device for aplay (e.g. "hdmi:CARD=vc4hdmi0"); unset = the default device.
    audio_device: str | None = None

    @field_validator("templates")
    @classmethod
    def _templates_have_number(cls, templates: dict[str, str]) -> dict[str, str]:
        for lang, template in templates.items():
            check_call_template(lang, template)
        return templates


class DisplaySettings(DeviceFile):
    """The lobby display's device file: its size follows `layout`, its languages are a list."""

    model_config = ConfigDict(frozen=True)

    device: Identifier = "lobby"
    layout: Literal["landscape", "portrait"] = "landscape"
    #: Languages shown, the first one large; the others below it, smaller.
    languages: list[Language] = Field(default=["zh", "en"], min_length=1, max_length=2)
    fullscreen: bool = True
    #: How many earlier calls the "latest calls" list shows.
    recent_calls: int = Field(default=8, ge=1, le=20)
    #: How long a new call flashes, in seconds.
    flash_s: float = Field(default=6.0, ge=0, le=60)
    #: Notice line speed in pixels per second (at 1080p).
    marquee_speed: float = Field(default=120.0, gt=0, le=1000)
    #: A CJK font file to use instead of the installed ones.
    font: str | None = None
    voice: VoiceSettings = VoiceSettings()


# ------------------------------------------------------------------ signs
class SignTemplates(Strict):
    """What a window sign shows. Placeholders: {number} {window} {clerk} {clerk_zh} {clerk_en}
    {post} {department} {department_zh} {department_en} {reason}. Unknown ones become empty."""

    serving: str = "{number} 请到{window}号窗口"
    paused: str = "暂停服务 Paused"
    idle: str = "{window}号窗口 {clerk}"
    closed: str = "窗口关闭 Closed"


#: Alpha signs show ASCII only: these defaults are used for them unless templates are given.
ALPHA_TEMPLATES = SignTemplates(
    serving="{number} -> WINDOW {window}",
    paused="PAUSED",
    idle="WINDOW {window} {clerk_en}",
    closed="CLOSED",
)

_SIGN_FIELDS = set(SignConfig.model_fields)


class SignEntry(Strict):
    """One sign: which window (directly, or through the hall's sign device) and how it is wired.

    The SignConfig keys (kind, port, protocol, address, encoding, ...) may be written flat in
    the entry or under `sign = {...}`.
    """

    #: The hall's `sign` device this is (the catalog says which window it belongs to) ...
    device: Identifier | None = None
    #: ... or the window directly.
    window: Identifier | None = None
    templates: SignTemplates | None = None
    #: Language of {clerk} and {department}.
    language: Language = "zh"
    sign: SignConfig

    @model_validator(mode="before")
    @classmethod
    def _flat_sign_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            flat = {k: v for k, v in data.items() if k in _SIGN_FIELDS}
            if flat:
                data = {k: v for k, v in data.items() if k not in _SIGN_FIELDS}
                data["sign"] = {**flat, **(data.get("sign") or {})}
        return data

    @model_validator(mode="after")
    def _bound(self) -> SignEntry:
        if self.device is None and self.window is None:
            raise ValueError("a sign needs `window` or `device` (a sign device of the hall file)")
        return self

    @property
    def name(self) -> str:
        return self.device or f"window-{self.window}"

    def effective_templates(self) -> SignTemplates:
        if self.templates is not None:
            return self.templates
        return ALPHA_TEMPLATES if self.sign.protocol == "alpha" else SignTemplates()


class SignSettings(DeviceFile):
    """The device file of a process driving one or more window signs; `device` is the MQTT
    identity of this process (a `sign` device of the hall file)."""

    model_config = ConfigDict(frozen=True)

    templates: SignTemplates | None = None
    signs: list[SignEntry] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> SignSettings:
        names = [s.name for s in self.signs]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"sign(s) listed twice: {', '.join(dupes)}")
        return self

    def templates_for(self, entry: SignEntry) -> SignTemplates:
        if entry.templates is not None:
            return entry.templates
        if self.templates is not None and entry.sign.protocol != "alpha":
            return self.templates
        return entry.effective_templates()
