"""`KeypadConfig` and `open_keypad`: which keypad a window has, as written in the configuration."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hallcall.hardware.keypad.actions import KeypadAction
from hallcall.hardware.keypad.fake import FakeKeypad
from hallcall.hardware.keypad.port import ActionHandler, Keypad
from hallcall.hardware.keypad.serial_keypad import SerialKeypad


class KeypadConfig(BaseModel):
    """`serial`: port + address; `gpio`: BCM pin per action; `fake`: nothing (demos, tests)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["serial", "gpio", "fake"] = "serial"
    port: str | None = None
    baudrate: int = Field(default=9600, gt=0)
    address: str = Field(default="01", pattern=r"^\d{2}$")
    pins: dict[KeypadAction, int] = Field(default_factory=dict)
    bounce_time: float | None = 0.05

    @model_validator(mode="after")
    def _complete(self) -> KeypadConfig:
        if self.kind == "serial" and not self.port:
            raise ValueError("a serial keypad needs a port, e.g. /dev/ttyUSB1")
        if self.kind == "gpio" and not self.pins:
            raise ValueError("a GPIO keypad needs pins, e.g. {next: 23, recall: 24}")
        return self


def open_keypad(
    config: KeypadConfig,
    on_action: ActionHandler | None = None,
    on_status: Callable[[bool], None] | None = None,
) -> Keypad:
    if config.kind == "fake":
        return FakeKeypad(on_action)
    if config.kind == "gpio":
        from hallcall.hardware.gpio import GpioKeypad  # gpio builds on this package

        return GpioKeypad(config.pins, on_action, bounce_time=config.bounce_time)
    assert config.port is not None
    return SerialKeypad(
        config.port, config.address, on_action, baudrate=config.baudrate, on_status=on_status
    )
