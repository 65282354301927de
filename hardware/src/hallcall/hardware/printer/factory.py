"""Turn a PrinterConfig into a python-escpos printer object."""

from __future__ import annotations

import copy
from typing import TypedDict

from escpos.escpos import Escpos

from .config import PrinterConfig
from .status import set_query_settings


class _UsbEndpoints(TypedDict, total=False):
    in_ep: int
    out_ep: int


def open_printer(cfg: PrinterConfig) -> Escpos:
    """Build the printer for cfg.kind; the connection opens lazily on the first byte.

    The profile's media width is set from paper_width_px so python-escpos refuses an image
    wider than the paper instead of printing garbage. The usb transport (pyusb) is imported
    only when asked for.
    """
    kind = cfg.kind
    profile = cfg.profile
    if kind == "usb":
        from escpos.printer.usb import Usb

        if not Usb.is_usable():
            raise RuntimeError("a USB printer needs pyusb: pip install pyusb (and libusb-1.0)")
        kwargs: _UsbEndpoints = {}  # python-escpos's defaults where the config has none
        if cfg.in_ep is not None:
            kwargs["in_ep"] = cfg.in_ep
        if cfg.out_ep is not None:
            kwargs["out_ep"] = cfg.out_ep
        printer: Escpos = Usb(
            cfg.vendor_id,
            cfg.product_id,
            timeout=int(cfg.timeout * 1000),
            profile=profile,
            **kwargs,
        )
    elif kind == "serial":
        from .serial_port import SerialPrinter

        assert cfg.devfile is not None  # PrinterConfig requires it of kind "serial"
        printer = SerialPrinter(
            devfile=cfg.devfile,
            baudrate=cfg.baudrate,
            timeout=cfg.status_timeout_s,
            dsrdtr=cfg.dsrdtr,
            profile=profile,
        )
    elif kind == "network":
        from escpos.printer.network import Network

        assert cfg.host is not None  # PrinterConfig requires it of kind "network"
        printer = Network(cfg.host, port=cfg.port, timeout=cfg.timeout, profile=profile)
    elif kind == "file":
        from escpos.printer.file import File

        assert cfg.path is not None  # PrinterConfig requires it of kind "file"
        printer = File(cfg.path, profile=profile)
    elif kind == "fake":
        from .fake import FakePrinter

        printer = FakePrinter(profile=profile)
    else:  # pragma: no cover - the config model rejects other kinds
        raise ValueError(f"unknown printer kind {kind!r}")

    set_media_width(printer, cfg.paper_width_px)
    set_query_settings(printer, enabled=cfg.query_status, timeout_s=cfg.status_timeout_s)
    return printer


def set_media_width(printer: Escpos, width_px: int) -> None:
    # profile_data is shared by every printer of that profile class: copy before changing.
    data = copy.deepcopy(printer.profile.profile_data)
    data.setdefault("media", {}).setdefault("width", {})["pixels"] = width_px
    printer.profile.profile_data = data
