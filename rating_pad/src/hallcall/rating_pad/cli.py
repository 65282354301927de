"""`hallcall rating-pad --device pad.toml`: run a rating pad at a window."""

from __future__ import annotations

import argparse
import sys

from hallcall.device_kit.device_file import DeviceFileError, add_device_options


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "rating-pad",
        help="run a rating pad (touch screen and/or physical keys) bound to one window",
        description="Run a rating pad. The device file names the hall, the pad and the MQTT server; "
        "the pad's window, scale and labels come from the queue broker's catalog.",
    )
    add_device_options(p, "rating_pad/examples/rating-pad.toml")
    p.add_argument("--windowed", action="store_true", help="a window (`size`), not full screen")
    p.set_defaults(func=cmd_rating_pad)


def cmd_rating_pad(args: argparse.Namespace) -> int:
    from hallcall.rating_pad.settings import load_pad_settings

    try:
        settings = load_pad_settings(args.device, args, fullscreen=False if args.windowed else None)
    except DeviceFileError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.check:
        keys = f", keys: {settings.keys.kind}" if settings.keys else ""
        print(
            f"{args.device}: OK - pad {settings.device!r} of hall {settings.hall!r} on "
            f"mqtt://{settings.mqtt.host}:{settings.mqtt.port}, "
            f"screen: {'yes' if settings.show_ui else 'no'}{keys}"
        )
        return 0
    if settings.show_ui:
        from hallcall.device_kit.screen import explain_missing_screen

        explain_missing_screen()  # no screen: say so plainly instead of Qt's abort
    from hallcall.rating_pad.app import run

    return run(settings)
