"""`hallcall kiosk --device kiosk.toml`: run the ticket kiosk on this machine's screen."""

from __future__ import annotations

import argparse

from hallcall.device_kit.command import run_device_command
from hallcall.device_kit.device_file import add_device_options, load_device_file
from hallcall.device_kit.doctor import register_doctor

from .doctor import KIOSK_DOCTOR


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "kiosk",
        help="run the ticket kiosk (touch screen + thermal printer)",
        description="Run the ticket kiosk. Departments, matters and guides come from the queue "
        "broker's catalog; the device file says which hall and device this is, where MQTT is "
        "and how to print (see kiosk/examples/kiosk.toml).",
    )
    add_device_options(p, "kiosk/examples/kiosk.toml")
    p.add_argument(
        "--windowed", action="store_true", help="a window (`size`) instead of full screen"
    )
    p.add_argument("--landscape", action="store_true", help="with --windowed: 1920x1080")
    p.set_defaults(func=cmd_kiosk)
    register_doctor(subparsers, KIOSK_DOCTOR)


def cmd_kiosk(args: argparse.Namespace) -> int:
    from .settings import KioskSettings

    def run(settings: KioskSettings) -> int:
        from .app import run_kiosk

        return run_kiosk(settings)

    return run_device_command(
        args,
        lambda: load_device_file(
            KioskSettings,
            args.device,
            args,
            fullscreen=False if args.windowed else None,
            size=(1920, 1080) if args.landscape else None,
        ),
        lambda s: f"kiosk {s.device!r} of hall {s.hall!r}, printer {s.printer.kind}",
        run,
        doctor=KIOSK_DOCTOR,
    )
