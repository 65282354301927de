"""`hallcall`: the one entry point; each installed part adds its own subcommands.

A part registers `register(subparsers)` under the `hallcall.cli` entry point group in its
pyproject.toml, so a kiosk Pi that installed only the kiosk has `hallcall kiosk` and not the
queue broker's commands, and a new device kind adds its command without touching this file.
"""

from __future__ import annotations

import argparse
import logging
import sys
from importlib.metadata import entry_points

from hallcall.version import __version__

#: Which distribution brings which command, to say what to install when one is missing.
PART_OF_COMMAND = {
    "broker": "hallcall-broker",
    "config": "hallcall-broker",
    "db": "hallcall-broker",
    "mqtt-acl": "hallcall-broker",
    "mqtt-setup": "hallcall-broker",
    "report": "hallcall-broker",
    "complaint": "hallcall-broker",
    "admin": "hallcall-broker",
    "backup": "hallcall-broker",
    "kiosk": "hallcall-kiosk",
    "window": "hallcall-window-terminal",
    "display": "hallcall-display",
    "sign": "hallcall-display",
    "voice": "hallcall-display",
    "rating-pad": "hallcall-rating-pad",
    "demo": "hallcall-demo",
    # Every device part brings it, with the checks of its own device kinds.
    "doctor": "the device's part: hallcall-kiosk, -window-terminal, -display or -rating-pad",
}


def cmd_docs_asyncapi(args: argparse.Namespace) -> int:
    from hallcall.protocol.asyncapi import render_yaml

    sys.stdout.write(render_yaml())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hallcall", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument("--version", action="version", version=f"hallcall {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    parser.add_argument(
        "--log-level",
        choices=("debug", "info", "warning", "error"),
        default=None,
        help="what HallCall logs (default info; -v is debug)",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("docs", help="generated documentation")
    dosub = p.add_subparsers(dest="docs_command", required=True)
    d = dosub.add_parser("asyncapi", help="print the MQTT contract as an AsyncAPI 3.0 document")
    d.set_defaults(func=cmd_docs_asyncapi)
    from hallcall.install.cli import register as register_install

    register_install(sub)  # in the core: a fresh Pi has it before its role's part
    for entry in sorted(entry_points(group="hallcall.cli"), key=lambda e: e.name):
        entry.load()(sub)
    return parser


def _missing_part(argv: list[str], parser: argparse.ArgumentParser) -> str | None:
    """`hallcall kiosk` on a machine without the kiosk part: name what to install."""
    # argparse keeps its subcommands only in a private attribute: the action add_subparsers made.
    known = next(a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    command = next((a for a in argv if not a.startswith("-")), None)
    if command and command not in known and command in PART_OF_COMMAND:
        return (
            f"hallcall {command}: the part that brings it is not installed here "
            f"(pip install {PART_OF_COMMAND[command]})"
        )
    return None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    missing = _missing_part(argv, parser)
    if missing:
        print(missing, file=sys.stderr)
        return 2
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    level = "debug" if args.verbose else (args.log_level or "info")
    logging.getLogger("hallcall").setLevel(level.upper())
    if level != "debug":
        logging.getLogger("amqtt").setLevel(logging.ERROR)
        logging.getLogger("transitions").setLevel(logging.ERROR)
    from hallcall.mqtt.settings import MqttSettingsError

    try:
        return args.func(args)
    except MqttSettingsError as exc:  # an unreadable password or TLS file: say which, no traceback
        print(exc, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
