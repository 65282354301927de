"""Every device app's device file (TOML): the same keys, the same loader, the same errors.

Each app's settings model subclasses `DeviceFile` (a screen app `ScreenDeviceFile`) and adds its
own keys. Every device file says

    hall = "campus-hall"     # the [hall] id of the hall file
    device = "kiosk-1"       # this device's id, a [[devices]] entry of the hall file
    [mqtt]                   # where the hall's MQTT server is (hallcall.mqtt.settings)

and a screen app also `language`, `fullscreen`, `size = [width, height]` and `font`. Older
spellings are still read so that a Pi's file keeps working after an upgrade (`window = "w01"`
for the clerk terminal's id, `pad = ...` for the rating pad's, `font_path`, `window_size`,
`size = "800x480"`, `keypad` for the clerk terminal's `keys`); giving both spellings is an error.
Unknown keys are errors: a typo must not be silently ignored. `load_device_file` lists every
problem with its key (`DeviceFileError`), which `--check` prints. Qt-free and paho-free.
"""

from __future__ import annotations

import argparse
import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from hallcall.mqtt.settings import MqttSection, add_mqtt_options
from hallcall.protocol.payloads import Identifier, Language


def _size(value: Any) -> Any:
    """`[1080, 1920]`, or the older "800x480"."""
    if isinstance(value, str):
        width, sep, height = value.lower().partition("x")
        if not (sep and width.strip().isdigit() and height.strip().isdigit()):
            raise ValueError(f"a size is [width, height] (or 'WIDTHxHEIGHT'), not {value!r}")
        return int(width), int(height)
    return value


#: Width and height in pixels of the window when not full screen.
ScreenSize = Annotated[
    tuple[Annotated[int, Field(ge=100, le=8000)], Annotated[int, Field(ge=100, le=8000)]],
    BeforeValidator(_size),
]


class DeviceFileError(ValueError):
    """The device file is missing or wrong; `problems` lists each one with its key."""

    def __init__(self, path: str | os.PathLike[str], problems: list[str]) -> None:
        self.path = Path(path)
        self.problems = problems
        if len(problems) == 1 and not problems[0].startswith("  "):
            message = f"{self.path}: {problems[0]}"
        else:
            message = f"{self.path}: {len(problems)} problem(s)\n" + "\n".join(problems)
        super().__init__(message)


class DeviceFile(BaseModel):
    """The keys every device file has."""

    model_config = ConfigDict(extra="forbid")

    #: Older key -> its name now; both are read, not both at once.
    renamed: ClassVar[dict[str, str]] = {}

    hall: Identifier
    #: This device's id: its MQTT identity and its [[devices]] entry in the hall file.
    device: Identifier
    mqtt: MqttSection = MqttSection()

    @model_validator(mode="before")
    @classmethod
    def _older_names(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not cls.renamed:
            return data
        data = dict(data)
        for old, new in cls.renamed.items():
            if old in data:
                if new in data:
                    raise ValueError(f"`{old}` is the older name of `{new}`: give only `{new}`")
                data[new] = data.pop(old)
        return data


class ScreenDeviceFile(DeviceFile):
    """The keys of a device with a screen (kiosk, clerk terminal, lobby display, rating pad)."""

    renamed: ClassVar[dict[str, str]] = {"font_path": "font", "window_size": "size"}

    #: The screen's language at start; None = the hall's default language (from the catalog).
    language: Language | None = None
    fullscreen: bool = True
    #: The window's size when not full screen (`--windowed`).
    size: ScreenSize = (1920, 1080)
    #: A font file with Chinese glyphs, if none of the usual ones is installed.
    font: str | None = None


Settings = TypeVar("Settings", bound=DeviceFile)


def load_device_file(
    model: type[Settings],
    path: str | os.PathLike[str],
    args: argparse.Namespace | None = None,
    **overrides: Any,
) -> Settings:
    """Read and check `path` as a `model`; the --mqtt-* options in `args` override its [mqtt],
    and each `overrides` key that is not None replaces that top-level key."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DeviceFileError(path, ["no such file"]) from None
    except OSError as exc:
        raise DeviceFileError(path, [f"cannot be read: {exc.strerror or exc}"]) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DeviceFileError(path, [f"not valid TOML: {exc}"]) from None
    data.update({key: value for key, value in overrides.items() if value is not None})
    try:
        settings = model.model_validate(data)
    except ValidationError as exc:
        raise DeviceFileError(path, [_problem(e) for e in exc.errors()]) from None
    if args is not None:
        settings = settings.model_copy(update={"mqtt": settings.mqtt.overridden(args)})
    return settings


def _problem(error: Any) -> str:
    where = ".".join(str(p) for p in error["loc"]) or "(file)"
    return f"  {where}: {str(error['msg']).removeprefix('Value error, ')}"


def add_device_options(parser: argparse.ArgumentParser, example: str) -> None:
    """--device FILE, --check and the --mqtt-* overrides, the same for every device app."""
    parser.add_argument(
        "--device", required=True, metavar="FILE", help=f"the device file (TOML), e.g. {example}"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="only check the device file (every problem, with its key) and exit",
    )
    parser.add_argument(
        "--connect",
        action="store_true",
        help="with --check: also connect to MQTT as the device and check its hardware, as "
        "`hallcall doctor` does (one line per check, exit status 1 when one fails)",
    )
    add_mqtt_options(parser)
