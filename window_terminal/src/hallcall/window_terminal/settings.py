"""The clerk terminal's small device file (`hallcall window --device window.toml`).

hall = "campus-hall"
window = "w01"
language = "zh"          # optional; default: the hall's default language
show_ui = true           # false: run a keypad headless, instead of the app
# staff = "s101"         # headless only: the clerk logged in at start (a keypad has no login key)
# pin_file = "/etc/hallcall/s101.pin"  # headless only: that clerk's PIN, in a file only this user reads

[mqtt]
host = "192.168.1.10"
port = 1883

[keypad]                 # optional: a serial or GPIO call keypad beside (or instead of) the app
kind = "serial"
port = "/dev/ttyUSB0"
address = "01"
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hallcall.hardware.keypad import KeypadConfig
from hallcall.mqtt.settings import MqttSection
from hallcall.protocol.topics import ID_PATTERN


class TerminalSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hall: str = Field(pattern=f"^{ID_PATTERN}$")
    #: The window this terminal serves; it is also the terminal's device id.
    window: str = Field(pattern=f"^{ID_PATTERN}$")
    mqtt: MqttSection = MqttSection()
    keypad: KeypadConfig | None = None
    #: The clerk's language at start; None = the hall's default language.
    language: Literal["zh", "en"] | None = None
    #: False runs the terminal without a screen: a keypad "instead of" the app.
    show_ui: bool = True
    fullscreen: bool = False
    #: How long a command may wait for its reply before the clerk is told.
    request_timeout_s: float = Field(default=5.0, gt=0, le=60)
    #: Headless only: the clerk logged in at start when the window is closed (a keypad has no
    #: login key). With the app, clerks log in on the screen.
    staff: str | None = Field(default=None, pattern=f"^{ID_PATTERN}$")
    post: Literal["A", "B"] = "A"
    #: Headless only: a file holding that clerk's PIN (readable by the terminal's user only),
    #: for halls that require PINs; never the PIN itself in this file.
    pin_file: str | None = None
    #: The pause reason a keypad's PAUSE key sends.
    keypad_pause_reason: str = Field(default="break", min_length=1, max_length=200)
    #: A font file with Chinese glyphs, if the system has none of the usual ones.
    font: str | None = None

    @model_validator(mode="after")
    def _something_to_press(self) -> TerminalSettings:
        if not self.show_ui and self.keypad is None:
            raise ValueError("show_ui = false needs a [keypad]: otherwise nobody can call")
        return self


class SettingsError(Exception):
    pass


def load_settings(path: str | Path) -> TerminalSettings:
    """Read and check a device file; every problem is listed with its key."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsError(f"{path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML: {exc}") from None
    try:
        return TerminalSettings.model_validate(data)
    except ValidationError as exc:
        lines = [
            f"  {'.'.join(str(p) for p in e['loc']) or '(file)'}: {e['msg']}" for e in exc.errors()
        ]
        raise SettingsError(f"{path}: {len(lines)} problem(s)\n" + "\n".join(lines)) from None
