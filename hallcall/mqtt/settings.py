"""Where the hall's MQTT server is, as every device file and command line says it.

No paho here: a device's settings can be read and checked without the MQTT client library.
Precedence: a command-line option, then the device file's [mqtt] table, then the
HALLCALL_MQTT_HOST / _PORT / _USER / _PASSWORD environment variables, then 127.0.0.1:1883.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field


@dataclass(frozen=True)
class MqttSettings:
    host: str = "127.0.0.1"
    port: int = 1883
    username: str | None = None
    password: str | None = None
    keepalive: int = 30
    tls: bool = False


def _env(name: str) -> str | None:
    return os.environ.get(f"HALLCALL_MQTT_{name}") or None


class MqttSection(BaseModel):
    """The [mqtt] table of a device file."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field(default_factory=lambda: _env("HOST") or "127.0.0.1")
    port: int = Field(default_factory=lambda: int(_env("PORT") or 1883), gt=0, lt=65536)
    username: str | None = Field(default_factory=lambda: _env("USER"))
    password: str | None = Field(default_factory=lambda: _env("PASSWORD"))
    keepalive: int = Field(default=30, ge=5, le=600)
    tls: bool = False

    def settings(self) -> MqttSettings:
        return MqttSettings(
            host=self.host,
            port=self.port,
            username=self.username,
            password=self.password,
            keepalive=self.keepalive,
            tls=self.tls,
        )

    def overridden(self, args: argparse.Namespace) -> MqttSection:
        """This table with the --mqtt-* options that were given on the command line."""
        update = {
            key: value
            for key, value in (
                ("host", getattr(args, "mqtt_host", None)),
                ("port", getattr(args, "mqtt_port", None)),
                ("username", getattr(args, "mqtt_user", None)),
                ("password", getattr(args, "mqtt_password", None)),
            )
            if value is not None
        }
        return self.model_copy(update=update) if update else self


def add_mqtt_options(parser: argparse.ArgumentParser) -> None:
    """--mqtt-host/--mqtt-port/--mqtt-user/--mqtt-password, each overriding the device file."""
    parser.add_argument("--mqtt-host", help="override the device file's [mqtt] host")
    parser.add_argument("--mqtt-port", type=int, help="override [mqtt] port")
    parser.add_argument("--mqtt-user", help="override [mqtt] username")
    parser.add_argument("--mqtt-password", help="override [mqtt] password")
