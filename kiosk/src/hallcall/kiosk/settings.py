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

The keys every device file has (hall, device, [mqtt], fullscreen, size, font) and its loader
are the device kit's (`hallcall.device_kit.device_file`).
"""

from __future__ import annotations

from pydantic import Field

from hallcall.device_kit.device_file import ScreenDeviceFile, ScreenSize
from hallcall.hardware.idcard.config import IdCardConfig
from hallcall.hardware.printer import PrinterConfig
from hallcall.protocol.payloads import Identifier, Language


class KioskSettings(ScreenDeviceFile):
    device: Identifier = "kiosk-1"
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
    #: A logo printed above the hall's name (PNG, any size; scaled to the paper).
    logo_path: str | None = None
    #: [1080, 1920] portrait or [1920, 1080] landscape.
    size: ScreenSize = (1080, 1920)
    #: Screen language before the catalog arrives (then the hall's default language rules).
    language: Language | None = "zh"
    #: A resident ID card reader (GA/T 467 SAM): the start screen offers "take a ticket with
    #: your ID card". None: no reader, no offer.
    idcard: IdCardConfig | None = None
    #: The hall's ID card hash key file on this kiosk (a copy of the file the hall file's
    #: `[idcard] hash_key_file` names): with it a card checks in an appointment booked with it.
    #: None: no card check-in at this kiosk (a card still takes a ticket where the hall lets it).
    idcard_key_file: str | None = None
    #: Only for a broker whose catalog does not say it yet: the hall file's `[idcard]
    #: green_channel_age` wins (docs/kiosk.md, "Who decides what").
    green_channel_age: int = Field(default=60, ge=0, le=150)
    #: How long the "place your card" screen waits before saying the card could not be read.
    card_wait_s: float = Field(default=20, gt=0, le=600)
