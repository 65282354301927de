"""The rating pad's device file (TOML): which hall and pad it is, where MQTT is, what it shows.

    hall = "campus-hall"
    pad = "pad-w01"          # the hall file's [[devices]] kind = "rating" id; its window comes from the catalog
    language = "zh"          # optional: the first language shown (default: the hall's)
    show_ui = true           # false: physical keys only, no screen
    fullscreen = true
    follow_up_on = [1]       # scores that ask for reasons (default: lowest level, or lowest two of five)

    [mqtt]
    host = "192.168.1.10"
    port = 1883

    [keys]                   # optional physical pad: hallcall.hardware.rating_pad.RatingPadConfig
    kind = "serial"
    port = "/dev/ttyUSB0"
    keys = 3

See docs/rating-pad.md and rating_pad/examples/rating-pad.toml.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from hallcall.hardware.rating_pad import RatingPadConfig
from hallcall.mqtt.settings import MqttSection as MqttConfig

Identifier = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")]


class SettingsError(Exception):
    """The device file is missing or wrong; the message names every problem."""


class ReasonConfig(BaseModel):
    """A hall's own reason chip: `code` is stored with the rating (at most 40 characters)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(min_length=1, max_length=40)
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class PadSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    hall: Identifier
    pad: Identifier
    mqtt: MqttConfig = MqttConfig()
    language: Literal["zh", "en"] | None = None
    #: Physical keys (serial "评价器" or GPIO buttons), alone or beside the touch screen.
    keys: RatingPadConfig | None = None
    show_ui: bool = True
    fullscreen: bool = True
    #: Window size when not fullscreen, e.g. "800x480" (7" Pi screen) or "1024x600".
    size: str = Field(default="800x480", pattern=r"^\d{3,4}x\d{3,4}$")
    #: Scores that ask for reasons; [] turns the follow-up off; unset: the lowest level(s).
    follow_up_on: list[Annotated[int, Field(ge=1, le=5)]] | None = None
    #: Reason chips; unset: waited too long, attitude, unclear explanation, not solved, ...
    reasons: list[ReasonConfig] | None = Field(default=None, max_length=8)
    follow_up_s: float = Field(default=20.0, ge=3)
    thanks_s: float = Field(default=4.0, ge=1)
    #: Where staff photos named in the hall file are looked up (relative names).
    photo_dir: Path | None = None
    #: A font file with Chinese glyphs, if none of the usual ones is installed.
    font: str | None = None

    @field_validator("follow_up_on")
    @classmethod
    def _unique(cls, value: list[int] | None) -> list[int] | None:
        return sorted(set(value)) if value is not None else None

    @property
    def width_height(self) -> tuple[int, int]:
        w, h = self.size.split("x")
        return int(w), int(h)


def load_settings(path: str | os.PathLike[str]) -> PadSettings:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(f"{path}: no such file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"{path}: not valid TOML: {exc}") from None
    try:
        settings = PadSettings.model_validate(data)
    except ValidationError as exc:
        problems = "\n".join(
            f"  {'.'.join(str(p) for p in e['loc']) or '(file)'}: {e['msg']}" for e in exc.errors()
        )
        raise SettingsError(f"{path}: {exc.error_count()} problem(s):\n{problems}") from None
    if settings.photo_dir is not None and not settings.photo_dir.is_absolute():
        settings = settings.model_copy(
            update={"photo_dir": (path.parent / settings.photo_dir).resolve()}
        )
    return settings
