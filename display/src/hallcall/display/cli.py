"""`hallcall display --device display.toml` and `hallcall sign --device sign.toml`."""

from __future__ import annotations

import argparse
import logging
import sys

from hallcall.device_kit.device_file import DeviceFileError, add_device_options, load_device_file
from hallcall.device_kit.lifecycle import stop_on_signals

log = logging.getLogger(__name__)


def cmd_display(args: argparse.Namespace) -> int:
    from .settings import DisplaySettings

    try:
        settings = load_device_file(
            DisplaySettings,
            args.device,
            args,
            layout=args.layout,
            fullscreen=False if args.windowed else None,
        )
    except DeviceFileError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.no_voice:
        voice = settings.voice.model_copy(update={"enabled": False})
        settings = settings.model_copy(update={"voice": voice})
    if args.check:
        print(
            f"{args.device}: OK - display {settings.device!r} of hall {settings.hall!r}, "
            f"{settings.layout}, voice {'on' if settings.voice.enabled else 'off'}, "
            f"mqtt://{settings.mqtt.host}:{settings.mqtt.port}"
        )
        return 0
    if args.voice_only:
        from .voice_app import VoiceApp

        VoiceApp(settings).run(stop_on_signals())
        return 0
    from hallcall.device_kit.screen import explain_missing_screen

    explain_missing_screen()  # no screen: say so plainly instead of Qt's abort
    from .app import run

    return run(settings)


def cmd_sign(args: argparse.Namespace) -> int:
    from .settings import SignSettings
    from .sign_app import SignApp

    try:
        settings = load_device_file(SignSettings, args.device, args)
    except DeviceFileError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.check:
        print(
            f"{args.device}: OK - {len(settings.signs)} sign(s) of hall {settings.hall!r}, "
            f"mqtt://{settings.mqtt.host}:{settings.mqtt.port}"
        )
        return 0
    stop = stop_on_signals()
    app = SignApp(settings)
    log.info("driving %d sign(s) for hall %s", len(settings.signs), settings.hall)
    app.run(stop)
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("display", help="the lobby display (full screen) with voice calls")
    add_device_options(p, "display/examples/display.toml")
    p.add_argument(
        "--layout", choices=["landscape", "portrait"], help="override the device file's layout"
    )
    p.add_argument("--windowed", action="store_true", help="not full screen (for trying it out)")
    p.add_argument("--no-voice", action="store_true", help="no spoken calls")
    p.add_argument(
        "--voice-only", action="store_true", help="spoken calls only, no screen (no Qt needed)"
    )
    p.set_defaults(func=cmd_display)

    p = subparsers.add_parser(
        "sign", help="drive window LED signs (serial) from the windows' state"
    )
    add_device_options(p, "display/examples/sign.toml")
    p.set_defaults(func=cmd_sign)
