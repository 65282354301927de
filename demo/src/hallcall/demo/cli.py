"""`hallcall demo`: the whole system on one machine, with simulated or real devices."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from hallcall.config.loader import EXAMPLE_HALL, load_or_exit


def cmd_demo(args) -> int:
    from hallcall.demo.runner import run_demo

    cfg = load_or_exit(args.config)
    from hallcall.demo.runner import screen_present

    if not args.verbose:
        # The printout is the demo's output; log lines would only interleave with it.
        logging.getLogger("hallcall").setLevel(logging.WARNING)
        # amqtt 0.12.1 logs a traceback when two clients connect at once ("dictionary changed
        # size during iteration"); the client reconnects by itself. -v shows it.
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)

    screens = args.screens if args.screens is not None else screen_present()
    seconds = args.seconds if args.seconds is not None else (0 if screens else 30)
    lobby = run_demo(
        cfg,
        Path(args.data),
        seconds=seconds,
        lang=args.lang,
        speed=args.speed,
        screens=screens,
        voice=args.voice,
        keep_data=args.keep_data,
        config_path=args.config or str(EXAMPLE_HALL),
    )
    return 0 if lobby.lines and not lobby.problems else 1


class _Defaults(argparse.ArgumentDefaultsHelpFormatter):
    """Shows a default only where there is one to show (not "(default: None)")."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default in (None, False) or "default:" in (action.help or ""):
            return action.help or ""
        return super()._get_help_string(action)


def register(sub) -> None:
    p = sub.add_parser(
        "demo",
        help="run the whole system with simulated devices (no setup needed)",
        formatter_class=_Defaults,
    )
    p.add_argument("--config", help="hall file (default: the example university hall)")
    p.add_argument(
        "--seconds",
        type=float,
        help="how long to run; 0 = until Ctrl-C (default: 30, with screens until Ctrl-C)",
    )
    p.add_argument(
        "--lang",
        choices=["zh", "en"],
        help="language of the printout and the screens (default: the hall's)",
    )
    p.add_argument("--speed", type=float, default=1.0, help="simulation speed factor")
    p.add_argument("--data", default="hallcall-data", help="folder for the demo database")
    p.add_argument(
        "--screens",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="open the real kiosk, lobby display, clerk terminal and rating pad "
        "(default: when a screen is present)",
    )
    p.add_argument(
        "--voice", action="store_true", help="with --screens: the lobby speaks the calls"
    )
    p.add_argument(
        "--keep-data",
        action="store_true",
        help="go on with the previous demo's database instead of a fresh one",
    )
    p.set_defaults(func=cmd_demo)
