"""`hallcall kiosk --device kiosk.toml`: run the ticket kiosk on this machine's screen."""

from __future__ import annotations

import argparse
import sys

from hallcall.mqtt.settings import add_mqtt_options


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "kiosk",
        help="run the ticket kiosk (touch screen + thermal printer)",
        description="Run the ticket kiosk. Departments, matters and guides come from the queue "
        "broker's catalog; the device file says which hall and device this is, where MQTT is "
        "and how to print (see kiosk/examples/kiosk.toml).",
    )
    p.add_argument(
        "--device",
        "--config",
        dest="device_file",
        required=True,
        help="the kiosk's device file (TOML)",
    )
    add_mqtt_options(p)
    p.add_argument(
        "--windowed", action="store_true", help="a window (window_size) instead of full screen"
    )
    p.add_argument("--landscape", action="store_true", help="with --windowed: 1920x1080")
    p.add_argument("--check", action="store_true", help="only check the device file and exit")
    p.set_defaults(func=cmd_kiosk)


def cmd_kiosk(args: argparse.Namespace) -> int:
    from .settings import KioskSettingsError, load_settings

    overrides = {
        "mqtt_host": args.mqtt_host,
        "mqtt_port": args.mqtt_port,
        "mqtt_username": args.mqtt_user,
        "mqtt_password": args.mqtt_password,  # read from --mqtt-password-file
        "mqtt_tls": args.mqtt_tls,
        "mqtt_ca_file": args.mqtt_ca,
        "mqtt_cert_file": args.mqtt_cert,
        "mqtt_key_file": args.mqtt_key,
    }
    if args.windowed:
        overrides["fullscreen"] = False
    if args.landscape:
        overrides["window_size"] = (1920, 1080)
    try:
        settings = load_settings(args.device_file, **overrides)
    except KioskSettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.check:
        print(
            f"{args.device_file}: OK - kiosk {settings.device!r} of hall {settings.hall!r}, "
            f"mqtt://{settings.mqtt.host}:{settings.mqtt.port}, printer {settings.printer.kind}"
        )
        return 0
    from hallcall.device_kit.screen import explain_missing_screen

    explain_missing_screen()  # no screen: say so plainly instead of Qt's abort
    from .app import run_kiosk

    return run_kiosk(settings)
