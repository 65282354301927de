"""`SignConfig`: how one window's sign is attached, as written in the hall's configuration."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class SignConfig(BaseModel):
    """One sign. `kind="fake"` needs nothing else and records texts (demos, tests).

    `address` is two hex digits; "00" is the broadcast address in both protocols (every sign
    on the line shows the text and none answers). Give each sign on a shared RS-485 line its
    own address. `ack_timeout` turns on ACK/NAK checking (line protocol, non-broadcast only).
    `encoding` applies to the line protocol; Alpha signs are always ASCII.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["serial", "fake"] = "serial"
    protocol: Literal["line", "alpha"] = "line"
    port: str | None = None
    baudrate: int = Field(default=9600, gt=0)
    encoding: Literal["gb18030", "gb2312", "ascii"] = "gb18030"
    address: str = "00"
    # Serial framing; None means the protocol's default (line 8N1, Alpha 7E2).
    bytesize: Literal[7, 8] | None = None
    parity: Literal["N", "E", "O"] | None = None
    stopbits: Literal[1, 2] | None = None
    # HallCall line protocol only
    ack_timeout: float | None = Field(default=None, gt=0)
    retries: int = Field(default=2, ge=0)
    # Alpha protocol only
    alpha_type_code: str = Field(default="Z", min_length=1, max_length=1)
    alpha_file_label: str = Field(default="A", min_length=1, max_length=1)
    alpha_mode: str = Field(default="b", min_length=1, max_length=2)  # b = hold
    alpha_position: str = Field(default="0", min_length=1, max_length=1)  # 0 = fill
    alpha_checksum: bool = True
    reconnect_max_delay: float = Field(default=5.0, gt=0)

    @field_validator("address")
    @classmethod
    def _two_hex_digits(cls, value: str) -> str:
        value = value.upper()
        if len(value) != 2 or any(c not in "0123456789ABCDEF" for c in value):
            raise ValueError("address must be two hex digits, e.g. '00' (all signs) or '03'")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> SignConfig:
        if self.kind == "serial" and not self.port:
            raise ValueError("a serial sign needs a port, e.g. /dev/ttyUSB0")
        explicit_encoding = "encoding" in self.model_fields_set
        if self.protocol == "alpha" and explicit_encoding and self.encoding != "ascii":
            raise ValueError("Alpha signs show ASCII only: leave encoding unset or 'ascii'")
        if self.ack_timeout is not None:
            if self.protocol != "line":
                raise ValueError("ack_timeout applies to the line protocol only")
            if self.address == "00":
                raise ValueError("signs never answer the broadcast address 00: set an address")
        return self
