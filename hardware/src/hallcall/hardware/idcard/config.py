"""`IdCardConfig` and `open_idcard_reader`: which ID card reader a kiosk has."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hallcall.hardware.idcard.fake import FakeIdCardReader
from hallcall.hardware.idcard.port import IdCardReader
from hallcall.hardware.idcard.serial_reader import SerialIdCardReader


class IdCardConfig(BaseModel):
    """`serial`: a GA/T 467 SAM reader on `devfile`; `fake`: nothing (demos, tests).

    `timeout` is how long the module may stay silent before an answer counts as missing
    (reading a card takes the module up to about a second); `baudrate` must match the
    module's setting (115200 from the factory; 57600, 38400, 19200 or 9600 when changed).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["serial", "fake"] = "serial"
    devfile: str | None = None
    baudrate: int = Field(default=115200, gt=0)
    timeout: float = Field(default=1.0, gt=0, le=10)
    poll_interval: float = Field(default=0.1, gt=0, le=5)
    retries: int = Field(default=2, ge=0, le=10)

    @model_validator(mode="after")
    def _complete(self) -> IdCardConfig:
        if self.kind == "serial" and not self.devfile:
            raise ValueError("a serial ID card reader needs a devfile, e.g. /dev/ttyUSB3")
        return self


def open_idcard_reader(
    config: IdCardConfig, on_status: Callable[[bool], None] | None = None
) -> IdCardReader:
    if config.kind == "fake":
        return FakeIdCardReader()
    assert config.devfile is not None  # the validator requires it of kind "serial"
    return SerialIdCardReader(
        config.devfile,
        baudrate=config.baudrate,
        reply_timeout=config.timeout,
        poll_interval=config.poll_interval,
        retries=config.retries,
        on_status=on_status,
    )
