"""`hallcall rating-pad --device pad.toml`: run a rating pad at a window."""

from __future__ import annotations

import argparse
import sys

from hallcall.mqtt.settings import add_mqtt_options


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "rating-pad",
        help="run a rating pad (touch screen and/or physical keys) bound to one window",
        description="Run a rating pad. The device file names the hall, the pad and the MQTT server; "
        "the pad's window, scale and labels come from the queue broker's catalog.",
    )
    p.add_argument(
        "--device", required=True, help="the pad's device file (TOML), see docs/rating-pad.md"
    )
    add_mqtt_options(p)
    p.add_argument(
        "--windowed", action="store_true", help="a window of the configured size, not full screen"
    )
    p.add_argument("--check", action="store_true", help="only check the device file and exit")
    p.set_defaults(func=cmd_rating_pad)


def cmd_rating_pad(args: argparse.Namespace) -> int:
    from hallcall.rating_pad.settings import SettingsError, load_settings

    try:
        settings = load_settings(args.device)
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    mqtt = settings.mqtt.overridden(args)
    if args.check:
        keys = f", keys: {settings.keys.kind}" if settings.keys else ""
        print(
            f"{args.device}: OK - pad {settings.pad!r} of hall {settings.hall!r} on "
            f"mqtt://{mqtt.host}:{mqtt.port}, screen: {'yes' if settings.show_ui else 'no'}{keys}"
        )
        return 0
    if settings.show_ui:
        from hallcall.device_kit.screen import explain_missing_screen

        explain_missing_screen()  # no screen: say so plainly instead of Qt's abort
    from hallcall.rating_pad.app import run

    return run(settings, mqtt=mqtt.settings(), windowed=args.windowed)
