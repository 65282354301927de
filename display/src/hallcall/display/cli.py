"""`hallcall display --device display.toml` and `hallcall sign --device sign.toml`."""

from __future__ import annotations

import argparse
import logging

from hallcall.device_kit.command import run_device_command
from hallcall.device_kit.device_file import add_device_options, load_device_file
from hallcall.device_kit.doctor import register_doctor
from hallcall.device_kit.lifecycle import stop_on_signals

from .doctor import DISPLAY_DOCTOR, SIGN_DOCTOR

log = logging.getLogger(__name__)


def cmd_display(args: argparse.Namespace) -> int:
    from .settings import DisplaySettings

    def load() -> DisplaySettings:
        settings = load_device_file(
            DisplaySettings,
            args.device,
            args,
            layout=args.layout,
            fullscreen=False if args.windowed else None,
        )
        if args.no_voice:
            voice = settings.voice.model_copy(update={"enabled": False})
            settings = settings.model_copy(update={"voice": voice})
        return settings

    def run(settings: DisplaySettings) -> int:
        if args.voice_only:
            from .voice_app import VoiceApp

            VoiceApp(settings).run(stop_on_signals())
            return 0
        from .app import run as run_display

        return run_display(settings)

    return run_device_command(
        args,
        load,
        lambda s: f"display {s.device!r} of hall {s.hall!r}, {s.layout}, "
        f"voice {'on' if s.voice.enabled else 'off'}",
        run,
        needs_screen=lambda s: not args.voice_only,
        doctor=DISPLAY_DOCTOR,
    )


def cmd_sign(args: argparse.Namespace) -> int:
    from .settings import SignSettings

    def run(settings: SignSettings) -> int:
        from .sign_app import SignApp

        stop = stop_on_signals()
        app = SignApp(settings)
        log.info("driving %d sign(s) for hall %s", len(settings.signs), settings.hall)
        app.run(stop)
        return 0

    return run_device_command(
        args,
        lambda: load_device_file(SignSettings, args.device, args),
        lambda s: f"{len(s.signs)} sign(s) of hall {s.hall!r}",
        run,
        needs_screen=lambda s: False,
        doctor=SIGN_DOCTOR,
    )


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
    register_doctor(subparsers, DISPLAY_DOCTOR)
    register_doctor(subparsers, SIGN_DOCTOR)
