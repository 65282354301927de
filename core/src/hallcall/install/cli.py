"""`hallcall install ROLE --device FILE.toml` and `hallcall uninstall ROLE` (docs/install.md)."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path

from hallcall.install.plan import Options, install, make_plan, uninstall
from hallcall.install.roles import ROLES


def cmd_install(args: argparse.Namespace) -> int:
    device = Path(args.device)
    if not device.is_file():
        print(f"hallcall install: {device}: no such file", file=sys.stderr)
        return 2
    root = Path(args.root)
    if root == Path("/") and not args.dry_run and os.geteuid() != 0:
        print(
            "hallcall install: run as root (sudo), or give --root DIR to write the files there",
            file=sys.stderr,
        )
        return 2
    options = Options(
        wheels=args.wheels,
        source=args.source,
        screen=args.screen,
        extra_args=tuple(shlex.split(args.args or "")),
    )
    try:
        plan = make_plan(args.role, device, options)
    except ValueError as exc:
        print(f"hallcall install: {exc}", file=sys.stderr)
        return 2
    if args.dry_run:
        print(plan.describe())
        return 0
    made = install(plan, root)
    if root != Path("/"):
        print(
            f"hallcall install {args.role}: wrote {len(made)} files under {root} "
            "(--root: no command was run; they are listed in etc/hallcall/installed/)"
        )
    else:
        from hallcall.install.plan import systemd_running

        state = "running" if systemd_running() else "enabled, starts at boot"
        print(f"hallcall install {args.role}: {state}; logs: journalctl -u hallcall-{args.role} -f")
    return 0


def cmd_uninstall(args: argparse.Namespace) -> int:
    root = Path(args.root)
    if root == Path("/") and not args.dry_run and os.geteuid() != 0:
        print("hallcall uninstall: run as root (sudo)", file=sys.stderr)
        return 2
    try:
        removed = uninstall(args.role, root, dry_run=args.dry_run)
    except FileNotFoundError as exc:
        print(f"hallcall uninstall: {exc}", file=sys.stderr)
        return 2
    verb = "would remove" if args.dry_run else "removed"
    for path in removed:
        print(f"{verb} {path}")
    print("kept: /var/lib/hallcall (the data) and /etc/hallcall/mosquitto (the passwords)")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    roles = list(ROLES)
    p = sub.add_parser(
        "install",
        help="set this Pi up for one role: packages, venv, user, systemd unit (docs/install.md)",
    )
    p.add_argument("role", choices=roles)
    p.add_argument(
        "--device",
        required=True,
        help="the device file (for broker and web: the hall file), copied to /etc/hallcall/",
    )
    p.add_argument("--root", default="/", help="write everything under DIR; run no command")
    p.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    p.add_argument("--wheels", help="install from this folder of wheels (pip --find-links)")
    p.add_argument("--source", help="install from this checkout (default: the one running)")
    p.add_argument(
        "--screen",
        choices=["cage", "eglfs"],
        default="cage",
        help="screen roles: a Wayland kiosk session (cage) or Qt straight on the GPU (eglfs)",
    )
    p.add_argument("--args", help='more arguments for the app, e.g. "--host 0.0.0.0"')
    p.set_defaults(func=cmd_install)

    p = sub.add_parser("uninstall", help="stop and remove what `hallcall install ROLE` made")
    p.add_argument("role", choices=roles)
    p.add_argument("--root", default="/", help="the DIR given to install --root")
    p.add_argument("--dry-run", action="store_true", help="say what would go, change nothing")
    p.set_defaults(func=cmd_uninstall)
