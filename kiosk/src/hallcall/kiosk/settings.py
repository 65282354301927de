"""The kiosk's own small device file (TOML): which hall, which device, MQTT, printer, screen.

Everything about the hall itself (departments, matters, guides, languages) comes from the
broker's retained catalog, never from this file. Qt-free.

    hall = "campus-hall"
    device = "kiosk-1"
    [mqtt]
    host = "192.168.1.10"
    [printer]
    kind = "serial"
    devfile = "/dev/ttyUSB0"
    baudrate = 115200
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hallcall.hardware.printer import PrinterConfig
from hallcall.mqtt.settings import MqttSection as MqttConfig

Identifier = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")]


class KioskSettingsError(Exception):
    """The device file is missing or wrong; the message lists every problem with its key."""


class KioskSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hall: Identifier
    device: Identifier = "kiosk-1"
    mqtt: MqttConfig = MqttConfig()
    printer: PrinterConfig = PrinterConfig(kind="fake")
    #: Back to the start screen after this long without a touch.
    idle_return_s: float = Field(default=60, gt=0, le=3600)
    #: How long the ticket number stays on screen after printing.
    result_return_s: float = Field(default=20, gt=0, le=600)
    #: How long to wait for the queue broker's reply before telling the visitor.
    request_timeout_s: float = Field(default=8, gt=0, le=120)
    #: How often the printer is asked for its status while idle (paper out shows at once).
    printer_poll_s: float = Field(default=5, gt=0, le=600)
    #: Keep printing on a near-end roll (health still reports paper_low to the hall).
    allow_paper_low: bool = True
    #: A font with Chinese glyphs for the screen and the ticket (default: a well-known one).
    font_path: str | None = None
    #: A logo printed above the hall's name (PNG, any size; scaled to the paper).
    logo_path: str | None = None
    fullscreen: bool = True
    #: Window size when not full screen: [1080, 1920] portrait or [1920, 1080] landscape.
    window_size: tuple[int, int] = (1080, 1920)
    #: Screen language before the catalog arrives (then the hall's default language rules).
    language: Literal["zh", "en"] = "zh"

    def mqtt_settings(self):
        return self.mqtt.settings()


def load_settings(path: str | Path, **overrides) -> KioskSettings:
    """Read and check a device file; `overrides` replace top-level keys or `mqtt_<key>`."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KioskSettingsError(f"{path}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise KioskSettingsError(f"{path}: not valid TOML: {exc}") from None
    mqtt = dict(data.get("mqtt") or {})
    for key, value in overrides.items():
        if value is None:
            continue
        if key.startswith("mqtt_"):
            mqtt[key[5:]] = value
        else:
            data[key] = value
    data["mqtt"] = mqtt
    try:
        return KioskSettings.model_validate(data)
    except ValidationError as exc:
        problems = "\n".join(
            f"  {'.'.join(str(p) for p in e['loc']) or '(file)'}: {e['msg']}" for e in exc.errors()
        )
        raise KioskSettingsError(f"{path}: {exc.error_count()} problem(s)\n{problems}") from None
