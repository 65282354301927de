"""`RatingPadConfig` and `open_rating_pad`: which rating pad a window has."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hallcall.hardware.rating_pad.fake import FakeRatingPad
from hallcall.hardware.rating_pad.port import RatingPad, ScoreHandler
from hallcall.hardware.rating_pad.serial_pad import SerialRatingPad


class RatingPadConfig(BaseModel):
    """`serial`: port + keys; `gpio`: button and light pins; `fake`: nothing (demos, tests)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["serial", "gpio", "fake"] = "serial"
    keys: Literal[3, 5] = 3
    port: str | None = None
    baudrate: int = Field(default=9600, gt=0)
    button_pins: list[int] = Field(default_factory=list)  # BCM; button i gives score i + 1
    led_pins: list[int] = Field(default_factory=list)
    bounce_time: float | None = 0.05

    @model_validator(mode="after")
    def _complete(self) -> RatingPadConfig:
        if self.kind == "serial" and not self.port:
            raise ValueError("a serial rating pad needs a port, e.g. /dev/ttyUSB2")
        if self.kind == "gpio" and len(self.button_pins) != self.keys:
            raise ValueError(f"a GPIO pad with {self.keys} keys needs {self.keys} button_pins")
        return self


def open_rating_pad(
    config: RatingPadConfig,
    on_score: ScoreHandler | None = None,
    on_ignored: ScoreHandler | None = None,
    on_status: Callable[[bool], None] | None = None,
) -> RatingPad:
    if config.kind == "fake":
        return FakeRatingPad(config.keys, on_score, on_ignored)
    if config.kind == "gpio":
        from hallcall.hardware.gpio import GpioRatingPad  # gpio builds on this package

        return GpioRatingPad(
            config.button_pins,
            config.led_pins,
            on_score,
            on_ignored,
            bounce_time=config.bounce_time,
        )
    assert config.port is not None
    return SerialRatingPad(
        config.port,
        config.keys,
        on_score,
        on_ignored,
        baudrate=config.baudrate,
        on_status=on_status,
    )
