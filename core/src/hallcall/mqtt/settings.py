"""Where the hall's MQTT server is, as every device file and command line says it.

No paho here: a device's settings can be read and checked without the MQTT client library.
Precedence: a command-line option, then the device file's [mqtt] table, then the
HALLCALL_MQTT_HOST / _PORT / _USER / _PASSWORD / _PASSWORD_FILE / _CA_FILE / _CERT_FILE /
_KEY_FILE environment variables, then 127.0.0.1:1883 without TLS.
A password never goes on a command line (anyone on the machine reads it in /proc/<pid>/cmdline):
the command line names a password file instead. See docs/security.md.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, field_validator


class MqttSettingsError(ValueError):
    """A password file that cannot be read; the message names the file."""


@dataclass(frozen=True)
class MqttSettings:
    host: str = "127.0.0.1"
    port: int = 1883
    username: str | None = None
    password: str | None = None
    keepalive: int = 30
    tls: bool = False
    #: CA certificates to trust the server by (None with tls: the system's CAs).
    ca_file: str | None = None
    #: A client certificate, for a server with `require_certificate true`.
    cert_file: str | None = None
    key_file: str | None = None

    def __post_init__(self) -> None:
        # A CA or a client certificate only makes sense over TLS: giving one turns TLS on.
        if self.ca_file or self.cert_file:
            object.__setattr__(self, "tls", True)


def read_password_file(path: str) -> str:
    """The password in `path` (its first line, stripped)."""
    try:
        with open(path, encoding="utf-8") as f:
            return f.readline().strip()
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise MqttSettingsError(f"cannot read the MQTT password file {path}: {reason}") from None


def _env(name: str) -> str | None:
    return os.environ.get(f"HALLCALL_MQTT_{name}") or None


class MqttSection(BaseModel):
    """The [mqtt] table of a device file."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field(default_factory=lambda: _env("HOST") or "127.0.0.1")
    port: int = Field(default_factory=lambda: int(_env("PORT") or 1883), gt=0, lt=65536)
    username: str | None = Field(default_factory=lambda: _env("USER"))
    password: str | None = Field(default_factory=lambda: _env("PASSWORD"))
    #: Read when `password` is not given: keeps the password out of the device file.
    password_file: str | None = Field(default_factory=lambda: _env("PASSWORD_FILE"))
    keepalive: int = Field(default=30, ge=5, le=600)
    tls: bool = False
    ca_file: str | None = Field(default_factory=lambda: _env("CA_FILE"))
    cert_file: str | None = Field(default_factory=lambda: _env("CERT_FILE"))
    key_file: str | None = Field(default_factory=lambda: _env("KEY_FILE"))

    @field_validator("password_file")
    @classmethod
    def _readable(cls, path: str | None) -> str | None:
        """A device file's password file is tried at once, so `--check` reports it."""
        if path is not None:
            read_password_file(path)
        return path

    def settings(self) -> MqttSettings:
        password = self.password
        if password is None and self.password_file:
            password = read_password_file(self.password_file)
        return MqttSettings(
            host=self.host,
            port=self.port,
            username=self.username,
            password=password,
            keepalive=self.keepalive,
            tls=self.tls,
            ca_file=self.ca_file,
            cert_file=self.cert_file,
            key_file=self.key_file,
        )

    def overridden(self, args: argparse.Namespace) -> MqttSection:
        """This table with the --mqtt-* options that were given on the command line."""
        update = {
            key: value
            for key, value in (
                ("host", getattr(args, "mqtt_host", None)),
                ("port", getattr(args, "mqtt_port", None)),
                ("username", getattr(args, "mqtt_user", None)),
                (
                    "password",
                    getattr(args, "mqtt_password", None),
                ),  # read from --mqtt-password-file
                ("tls", getattr(args, "mqtt_tls", None) or None),
                ("ca_file", getattr(args, "mqtt_ca", None)),
                ("cert_file", getattr(args, "mqtt_cert", None)),
                ("key_file", getattr(args, "mqtt_key", None)),
            )
            if value is not None
        }
        return self.model_copy(update=update) if update else self


def _password_option(path: str) -> str:
    """argparse type: the option names a file, the namespace gets the password in it."""
    try:
        return read_password_file(path)
    except MqttSettingsError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_tls_and_password_options(
    parser: argparse.ArgumentParser, password_file_default: str | None = None
) -> None:
    """--mqtt-password-file (stored as `mqtt_password`), --mqtt-tls/--mqtt-ca/--mqtt-cert/--mqtt-key."""
    parser.add_argument(
        "--mqtt-password-file",
        dest="mqtt_password",
        type=_password_option,
        default=password_file_default,
        metavar="FILE",
        help="read the MQTT password from the first line of FILE "
        "(never give a password on the command line: it shows in /proc)",
    )
    parser.add_argument(
        "--mqtt-tls",
        action="store_true",
        default=None,
        help="connect with TLS, trusting the system's CAs (implied by --mqtt-ca)",
    )
    parser.add_argument(
        "--mqtt-ca", metavar="FILE", help="CA certificate(s) to trust the MQTT server by"
    )
    parser.add_argument("--mqtt-cert", metavar="FILE", help="client certificate (PEM) for TLS")
    parser.add_argument(
        "--mqtt-key", metavar="FILE", help="the client certificate's private key (PEM)"
    )


def add_mqtt_options(parser: argparse.ArgumentParser) -> None:
    """--mqtt-host/-port/-user/-password-file and the TLS options, each overriding the device file."""
    parser.add_argument("--mqtt-host", help="override the device file's [mqtt] host")
    parser.add_argument("--mqtt-port", type=int, help="override [mqtt] port")
    parser.add_argument("--mqtt-user", help="override [mqtt] username")
    add_tls_and_password_options(parser)


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:  # a host name: it may resolve anywhere
        return False


def exposure_warnings(settings: MqttSettings) -> list[str]:
    """What a queue broker should warn about when its MQTT leaves this machine unprotected."""
    if _loopback(settings.host):
        return []
    warnings = []
    where = f"MQTT server {settings.host}:{settings.port} is not on this machine"
    if settings.username is None:
        warnings.append(
            f"{where} and no MQTT user is set: anyone on the network can send commands "
            "as any device unless Mosquitto requires passwords (see docs/security.md)"
        )
    if not settings.tls:
        warnings.append(
            f"{where} and TLS is off: commands, including visitors' phone numbers, "
            "travel in clear (give --mqtt-ca or --mqtt-tls; see docs/security.md)"
        )
    return warnings


def add_server_options(p: argparse.ArgumentParser) -> None:
    """The queue broker's and admin tools' MQTT options, defaulting to HALLCALL_MQTT_*; the password only from a file or the env."""
    env = os.environ.get
    p.add_argument("--mqtt-host", default=env("HALLCALL_MQTT_HOST", "127.0.0.1"))
    p.add_argument("--mqtt-port", type=int, default=int(env("HALLCALL_MQTT_PORT", "1883")))
    p.add_argument("--mqtt-user", default=env("HALLCALL_MQTT_USER"))
    add_tls_and_password_options(p, password_file_default=env("HALLCALL_MQTT_PASSWORD_FILE"))
    p.set_defaults(
        mqtt_ca=env("HALLCALL_MQTT_CA_FILE"),
        mqtt_cert=env("HALLCALL_MQTT_CERT_FILE"),
        mqtt_key=env("HALLCALL_MQTT_KEY_FILE"),
    )


def settings_from_args(args: argparse.Namespace) -> MqttSettings:
    return MqttSettings(
        host=args.mqtt_host,
        port=args.mqtt_port,
        username=args.mqtt_user,
        password=args.mqtt_password or os.environ.get("HALLCALL_MQTT_PASSWORD"),
        tls=bool(args.mqtt_tls),
        ca_file=args.mqtt_ca,
        cert_file=args.mqtt_cert,
        key_file=args.mqtt_key,
    )
