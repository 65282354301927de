"""The rating pad's device file (TOML): which hall and pad it is, where MQTT is, what it shows.

    hall = "campus-hall"
    device = "pad-w01"       # the hall file's [[devices]] kind = "rating" id; its window comes from the catalog
    language = "zh"          # optional: the first language shown (default: the hall's)
    show_ui = true           # false: physical keys only, no screen
    fullscreen = true
    size = [800, 480]        # with --windowed: the 7" Pi screen ([1024, 600] for the larger one)
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

import argparse
import os
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hallcall.device_kit.device_file import ScreenDeviceFile, ScreenSize, load_device_file
from hallcall.hardware.rating_pad import RatingPadConfig


class ReasonConfig(BaseModel):
    """A hall's own reason chip: `code` is stored with the rating (at most 40 characters)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(min_length=1, max_length=40)
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class PadSettings(ScreenDeviceFile):
    model_config = ConfigDict(frozen=True)
    renamed: ClassVar[dict[str, str]] = {**ScreenDeviceFile.renamed, "pad": "device"}

    #: Physical keys (serial "评价器" or GPIO buttons), alone or beside the touch screen.
    keys: RatingPadConfig | None = None
    show_ui: bool = True
    #: The 7" Pi screen; [1024, 600] for the larger one.
    size: ScreenSize = (800, 480)
    #: Scores that ask for reasons; [] turns the follow-up off; unset: the lowest level(s).
    follow_up_on: list[Annotated[int, Field(ge=1, le=5)]] | None = None
    #: Reason chips; unset: waited too long, attitude, unclear explanation, not solved, ...
    reasons: list[ReasonConfig] | None = Field(default=None, max_length=8)
    follow_up_s: float = Field(default=20.0, ge=3)
    thanks_s: float = Field(default=4.0, ge=1)
    #: Where staff photos named in the hall file are looked up (relative names: beside the file).
    photo_dir: Path | None = None

    @field_validator("follow_up_on")
    @classmethod
    def _unique(cls, value: list[int] | None) -> list[int] | None:
        return sorted(set(value)) if value is not None else None


def load_pad_settings(
    path: str | os.PathLike[str], args: argparse.Namespace | None = None, **overrides: Any
) -> PadSettings:
    """The device kit's loader, with a relative `photo_dir` taken beside the device file."""
    settings = load_device_file(PadSettings, path, args, **overrides)
    if settings.photo_dir is not None and not settings.photo_dir.is_absolute():
        settings = settings.model_copy(
            update={"photo_dir": (Path(path).parent / settings.photo_dir).resolve()}
        )
    return settings
