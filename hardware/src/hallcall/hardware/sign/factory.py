"""`open_sign`: turn a `SignConfig` into a working `Sign`."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from hallcall.hardware.serial_link import SerialSettings
from hallcall.hardware.sign import alpha_protocol, line_protocol
from hallcall.hardware.sign.config import SignConfig
from hallcall.hardware.sign.fake import FakeSign
from hallcall.hardware.sign.port import Sign
from hallcall.hardware.sign.serial_sign import SerialSign

_FRAMING = {"line": (8, "N", 1), "alpha": (7, "E", 2)}


def open_sign(config: SignConfig, on_status: Callable[[bool], None] | None = None) -> Sign:
    if config.kind == "fake":
        return FakeSign(on_status)
    assert config.port is not None  # the config model guarantees it
    bytesize, parity, stopbits = _FRAMING[config.protocol]
    settings = SerialSettings(
        config.port,
        baudrate=config.baudrate,
        bytesize=config.bytesize or bytesize,
        parity=config.parity or parity,
        stopbits=config.stopbits or stopbits,
    )
    if config.protocol == "alpha":
        encode: Callable[[str], bytes] = partial(
            alpha_protocol.encode_write_text,
            type_code=config.alpha_type_code,
            address=config.address,
            label=config.alpha_file_label,
            position=config.alpha_position,
            mode=config.alpha_mode,
            with_checksum=config.alpha_checksum,
        )
        encode("")  # reject bad Alpha fields now, not in the worker thread
    else:
        encode = partial(line_protocol.encode_show, config.address, encoding=config.encoding)
    return SerialSign(
        settings,
        encode,
        ack_address=config.address if config.ack_timeout is not None else None,
        ack_timeout=config.ack_timeout or 0.5,
        retries=config.retries,
        on_status=on_status,
        reconnect_max_delay=config.reconnect_max_delay,
    )
