"""`hallcall rating-pad --device pad.toml`: run a rating pad at a window."""

from __future__ import annotations

import argparse

from hallcall.device_kit.command import run_device_command
from hallcall.device_kit.device_file import add_device_options
from hallcall.device_kit.doctor import register_doctor
from hallcall.rating_pad.doctor import PAD_DOCTOR


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
    register_doctor(subparsers, PAD_DOCTOR)


def cmd_rating_pad(args: argparse.Namespace) -> int:
    from hallcall.rating_pad.settings import PadSettings, load_pad_settings

    def run(settings: PadSettings) -> int:
        from hallcall.rating_pad.app import run as run_pad

        return run_pad(settings)

    def describe(s: PadSettings) -> str:
        keys = f", keys: {s.keys.kind}" if s.keys else ""
        return f"pad {s.device!r} of hall {s.hall!r}, screen: {'yes' if s.show_ui else 'no'}{keys}"

    return run_device_command(
        args,
        lambda: load_pad_settings(args.device, args, fullscreen=False if args.windowed else None),
        describe,
        run,
        needs_screen=lambda s: s.show_ui,
        doctor=PAD_DOCTOR,
    )
