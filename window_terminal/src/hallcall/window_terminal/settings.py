"""The clerk terminal's small device file (`hallcall window --device window.toml`).

hall = "campus-hall"
device = "w01"           # the window this terminal serves is its device id
language = "zh"          # optional; default: the hall's default language
show_ui = true           # false: run a keypad headless, instead of the app
# staff = "s101"         # headless only: the clerk logged in at start (a keypad has no login key)
# pin_file = "/etc/hallcall/s101.pin"  # headless only: that clerk's PIN, in a file only this user reads

[mqtt]
host = "192.168.1.10"
port = 1883

[keys]                   # optional: a serial or GPIO call keypad beside (or instead of) the app
kind = "serial"
port = "/dev/ttyUSB0"
address = "01"
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, model_validator

from hallcall.device_kit.device_file import ScreenDeviceFile, ScreenSize
from hallcall.hardware.keypad import KeypadConfig
from hallcall.protocol.payloads import Identifier


class TerminalSettings(ScreenDeviceFile):
    renamed: ClassVar[dict[str, str]] = {
        **ScreenDeviceFile.renamed,
        "window": "device",
        "keypad": "keys",
    }

    #: A serial or GPIO call keypad beside (or instead of) the app.
    keys: KeypadConfig | None = None
    #: False runs the terminal without a screen: a keypad "instead of" the app.
    show_ui: bool = True
    fullscreen: bool = False
    size: ScreenSize = (1280, 800)
    #: How long a command may wait for its reply before the clerk is told.
    request_timeout_s: float = Field(default=5.0, gt=0, le=60)
    #: Headless only: the clerk logged in at start when the window is closed (a keypad has no
    #: login key). With the app, clerks log in on the screen.
    staff: Identifier | None = None
    post: Literal["A", "B"] = "A"
    #: Headless only: a file holding that clerk's PIN (readable by the terminal's user only),
    #: for halls that require PINs; never the PIN itself in this file.
    pin_file: str | None = None
    #: The pause reason a keypad's PAUSE key sends.
    keypad_pause_reason: str = Field(default="break", min_length=1, max_length=200)

    @property
    def window(self) -> str:
        """The window this terminal serves: its device id."""
        return self.device

    @model_validator(mode="after")
    def _something_to_press(self) -> TerminalSettings:
        if not self.show_ui and self.keys is None:
            raise ValueError("show_ui = false needs [keys] (a keypad): otherwise nobody can call")
        return self
