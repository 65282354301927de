"""Printer settings as they appear in a hall's config file.

One flat model rather than one per transport, so a config file stays a short table
(`kind = "serial"`, `devfile = ...`); the validator says which fields each kind needs.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

PrinterKind = Literal["usb", "serial", "network", "file", "fake"]
#: How a ticket is sent: "raster" (one image: any printer), "native" (the printer's own Chinese
#: font and QR: about 1 KB, native.py) or "auto" (native for the profiles below, else raster).
PrintMode = Literal["auto", "raster", "native"]
#: python-escpos profiles of printers made for the Chinese market, with a GB18030/GBK font
#: behind FS &. Any other printer with one takes `mode = "native"` in its device file.
CHINESE_FONT_PROFILES = frozenset({"POS-5890", "ZJ-5870", "RP326", "NT-5890K", "NT-80-V-UL"})

#: 80 mm paper at 203 dpi prints 72 mm = 576 dots; 58 mm paper prints 48 mm = 384 dots.
PAPER_80MM_PX = 576
PAPER_58MM_PX = 384


class PrinterConfig(BaseModel):
    """Where the ticket printer is and how wide its paper is."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: PrinterKind

    # usb
    vendor_id: int | None = None
    product_id: int | None = None
    interface: int | None = None
    in_ep: int | None = None
    out_ep: int | None = None

    # serial
    devfile: str | None = None
    #: 9600 is the usual factory setting, but a raster ticket is ~85 KB: ~90 s at 9600 baud,
    #: ~7 s at 115200. Set the printer (DIP switches / utility) and this to 115200.
    baudrate: int = 9600
    #: DTR/DSR hardware handshake. Off by default: most kiosk printers are wired TX/RX/GND only,
    #: and a pty (tests) rejects modem-line ioctls with OSError 25.
    dsrdtr: bool = False

    # network
    host: str | None = None
    port: int = Field(default=9100, ge=1, le=65535)
    timeout: float = Field(default=5.0, gt=0)

    # file
    path: str | None = None

    # all kinds
    paper_width_px: int = Field(default=PAPER_80MM_PX, ge=64, le=2048)
    font_path: str | None = None
    #: python-escpos printer profile name (e.g. "TM-T20II"); None = the generic default.
    profile: str | None = None
    mode: PrintMode = "auto"
    #: Ask a bidirectional printer (usb/serial/network) for its status before each ticket.
    #: Turn off for printers wired one-way, which never answer and would read as offline.
    query_status: bool = True
    #: How long to wait for the printer's answer to one status query.
    status_timeout_s: float = Field(default=1.0, gt=0, le=10)

    def print_mode(self) -> Literal["raster", "native"]:
        """The mode tickets are printed in: `mode`, with "auto" decided by the profile."""
        if self.mode == "auto":
            return "native" if self.profile in CHINESE_FONT_PROFILES else "raster"
        return self.mode

    @field_validator("vendor_id", "product_id", "in_ep", "out_ep", mode="before")
    @classmethod
    def _hex_ok(cls, value: object) -> object:
        """USB ids are written in hex on the box ("0x0416"): accept that spelling."""
        if isinstance(value, str):
            return int(value, 0)
        return value

    @model_validator(mode="after")
    def _needs_per_kind(self) -> PrinterConfig:
        required = {
            "usb": ("vendor_id", "product_id"),
            "serial": ("devfile",),
            "network": ("host",),
            "file": ("path",),
            "fake": (),
        }[self.kind]
        missing = [name for name in required if getattr(self, name) in (None, "")]
        if missing:
            raise ValueError(f"printer kind {self.kind!r} needs {', '.join(missing)}")
        if self.interface not in (None, 0):
            # python-escpos 3.1 claims interface 0 unconditionally (Usb._check_driver).
            raise ValueError("python-escpos only drives USB interface 0")
        if self.paper_width_px % 8:
            raise ValueError("paper_width_px must be a multiple of 8 (one raster byte = 8 dots)")
        return self
