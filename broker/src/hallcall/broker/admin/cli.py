"""`hallcall admin ...` (as the hall's `admin` device over MQTT) and `hallcall backup`."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def _admin_client(args):
    from hallcall.config.loader import load_or_exit as _config
    from hallcall.mqtt.client import DeviceClient
    from hallcall.mqtt.settings import settings_from_args as _settings

    config = _config(args.config)
    admins = [d.id for d in config.devices if d.kind == "admin"]
    device_id = args.device or (admins[0] if admins else None)
    if device_id is None:
        print('the hall file has no admin device ([[devices]] kind = "admin")', file=sys.stderr)
        raise SystemExit(2)
    client = DeviceClient(config.hall.id, "admin", device_id, _settings(args))
    client.start()
    if not client.wait_connected(10):
        user = args.mqtt_user or "(none)"
        print(
            f"cannot connect to the MQTT server at {args.mqtt_host}:{args.mqtt_port} as user {user}: "
            f"check the address and, with authentication on, the user admin-{device_id} and its password",
            file=sys.stderr,
        )
        client.stop()
        raise SystemExit(1)
    return client


def _say(args, op: str, data: dict) -> str:
    """One readable line (or two) for what the queue broker answered."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from hallcall.config.loader import load_or_exit as _config

    config = _config(args.config)
    lang = config.hall.default_language

    def dep(dep_id: str) -> str:
        d = config.department(dep_id)
        return d.name.get(lang) if d else dep_id

    if op == "window.assign":
        deps = data.get("departments") or []
        if not deps:
            return f"window {data['number']} released: it serves no department now"
        return f"window {data['number']} now serves: " + ", ".join(dep(d) for d in deps)
    if op == "day.close":
        s = data["summary"]
        lines = [
            f"day {s['date']} closed: {s['issued']} issued, {s['finished']} finished, {s['no_show']} no-show"
        ]
        if s["finished_by_system"]:
            lines.append(
                "  finished at closing (still at a window): " + ", ".join(s["finished_by_system"])
            )
        if s["no_show_by_system"]:
            lines.append("  still waiting, marked no-show: " + ", ".join(s["no_show_by_system"]))
        return "\n".join(lines)
    if op == "staff.unlock":
        if data["unlocked"]:
            return f"{data['staff']} is unlocked: the clerk may log in with the right PIN"
        return f"{data['staff']} was not locked: nothing changed"
    if op == "appointment.book":
        a = data["appointment"]
        at = datetime.fromisoformat(a["booked_at"].replace("Z", "+00:00")).astimezone(
            ZoneInfo(config.hall.timezone)
        )
        card = ", or the ID card it was booked with" if a.get("id_card") else ""
        return (
            f"appointment code {a['code']}{card}: {dep(a['department'])}, "
            f"{at:%Y-%m-%d %H:%M} (hall time)"
        )
    return json.dumps(data, ensure_ascii=False, indent=2)


def _run(args, op: str, **payload) -> int:
    from hallcall.mqtt.client import RequestTimeout

    if not args.actor:
        print(
            "say who you are: --as NAME (or HALLCALL_ADMIN); the hall's audit table records it",
            file=sys.stderr,
        )
        return 2
    client = _admin_client(args)
    try:
        reply = client.request(op, timeout=args.timeout, actor=args.actor, **payload)
    except RequestTimeout:
        print("the queue broker did not answer (is it running?)", file=sys.stderr)
        return 1
    finally:
        client.stop()
    if not reply["ok"]:
        print(f"refused ({reply['error']['code']}): {reply['error']['message']}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(reply["data"], ensure_ascii=False, indent=2))
    else:
        print(_say(args, op, reply["data"]))
    return 0


def cmd_assign(args) -> int:
    return _run(args, "window.assign", window=args.window, departments=args.departments)


def cmd_release(args) -> int:
    return _run(args, "window.assign", window=args.window, departments=[])


def cmd_staff_unlock(args) -> int:
    return _run(args, "staff.unlock", staff=args.staff)


def cmd_close_day(args) -> int:
    return _run(args, "day.close")


def cmd_book(args) -> int:
    payload = {"department": args.department, "booked_at": args.at}
    for key in ("matter", "code", "phone", "lang"):
        if getattr(args, key):
            payload[key] = getattr(args, key)
    if args.id_number is not None:
        hashed = _hash_id_number(args)
        if hashed is None:
            return 2
        payload["id_hash"] = hashed
    return _run(args, "appointment.book", **payload)


def _hash_id_number(args) -> str | None:
    """The visitor's ID number, hashed here with the hall's key file: only the hash goes on
    MQTT. `--id-number` without a value (or `-`) reads it from the terminal, not echoed, or
    from stdin, so it stays out of the shell's history and the process list."""
    import getpass

    from hallcall.config.loader import load_or_exit as _config
    from hallcall.protocol.idnumber import HashKeyError, id_hash, read_hash_key, valid_id_number

    config = _config(args.config)
    if config.idcard.hash_key_file is None:
        print(
            "the hall file names no [idcard] hash_key_file: an ID number cannot be hashed",
            file=sys.stderr,
        )
        return None
    try:
        key = read_hash_key(config.idcard.hash_key_file)
    except HashKeyError as exc:
        print(exc, file=sys.stderr)
        return None
    number = args.id_number
    if number == "-":
        if sys.stdin.isatty():
            number = getpass.getpass("visitor's ID number (not shown): ")
        else:
            number = sys.stdin.readline()
    number = number.strip().upper()
    if not valid_id_number(number):
        print("that is not an ID number: 18 characters with a valid check digit", file=sys.stderr)
        return None
    return id_hash(number, key)


def cmd_idcard_key(args) -> int:
    """A new hash key file for the hall's ID cards: 32 random bytes as hex, owner-only."""
    import secrets

    out = Path(args.out)
    if out.exists():
        print(f"{out} exists: a new key would make every stored hash useless", file=sys.stderr)
        return 1
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(secrets.token_hex(32) + "\n")
    print(
        f"ID card hash key written to {out} (mode 0600): name it in the hall file's "
        "[idcard] hash_key_file and copy it to every kiosk (docs/hardware/idcard.md)"
    )
    return 0


def cmd_backup(args) -> int:
    from hallcall.broker.admin.backup import BackupError, backup

    if Path(args.out).exists() and not args.force:
        print(f"backup failed: {args.out} exists (use --force to overwrite it)", file=sys.stderr)
        return 1
    try:
        path = backup(args.db, Path(args.out))
    except BackupError as exc:
        print(f"backup failed: {exc}", file=sys.stderr)
        return 1
    print(f"backup written to {path} ({path.stat().st_size} bytes)")
    return 0


def register(sub) -> None:
    from hallcall.mqtt.settings import add_server_options as _mqtt_args

    p = sub.add_parser("admin", help="hall administration over MQTT (as the admin device)")
    asub = p.add_subparsers(dest="admin_command", required=True)

    def common(q):
        q.add_argument("--config", required=True, help="the hall's configuration file")
        q.add_argument("--device", help="admin device id (default: the first in the hall file)")
        q.add_argument("--timeout", type=float, default=10, help="seconds to wait for the answer")
        q.add_argument(
            "--json", action="store_true", help="print the queue broker's answer as JSON"
        )
        q.add_argument(
            "--as",
            dest="actor",
            default=os.environ.get("HALLCALL_ADMIN"),
            help="the person doing this, kept in the audit table (default: $HALLCALL_ADMIN)",
        )
        _mqtt_args(q)

    q = asub.add_parser("assign", help="assign a flex window to departments (effective at once)")
    common(q)
    q.add_argument("window")
    q.add_argument("departments", nargs="+")
    q.set_defaults(func=cmd_assign)
    q = asub.add_parser("release", help="release a flex window (it serves no department)")
    common(q)
    q.add_argument("window")
    q.set_defaults(func=cmd_release)
    q = asub.add_parser(
        "close-day", help="end the service day: every ticket served, transferred or no-show"
    )
    common(q)
    q.set_defaults(func=cmd_close_day)
    q = asub.add_parser("book", help="book an appointment (the visitor checks in at a kiosk)")
    common(q)
    q.add_argument("--department", required=True)
    q.add_argument(
        "--at", required=True, help="booked time, ISO 8601 with zone: 2026-11-24T10:30+08:00"
    )
    q.add_argument("--matter")
    q.add_argument(
        "--code", help="4 to 12 digits (typed on the kiosk keypad); default: 6 random digits"
    )
    q.add_argument("--phone")
    q.add_argument("--lang", choices=["zh", "en"])
    q.add_argument(
        "--id-number",
        nargs="?",
        const="-",
        metavar="NUMBER",
        help="check in with this resident ID card: hashed here with the hall's key file, only "
        "the hash is sent; without NUMBER (or -) it is asked for, not shown, or read from stdin",
    )
    q.set_defaults(func=cmd_book)
    q = asub.add_parser(
        "idcard-key", help="make the hall's ID card hash key file (once; the kiosks get a copy)"
    )
    q.add_argument("--out", required=True, help="the key file to create (never overwritten)")
    q.set_defaults(func=cmd_idcard_key)
    q = asub.add_parser(
        "staff-unlock", help="lift a clerk's wrong-PIN lock (after checking who it was)"
    )
    common(q)
    q.add_argument("staff", help="the clerk's staff id, e.g. s101")
    q.set_defaults(func=cmd_staff_unlock)
    from hallcall.broker.admin.pins import register as register_pins

    register_pins(asub)

    p = sub.add_parser("backup", help="a consistent copy of the database while the hall runs")
    p.add_argument(
        "--db",
        default=os.environ.get("HALLCALL_DB", "sqlite:///hallcall.db"),
        help="database URL (as for hallcall broker)",
    )
    p.add_argument("--out", required=True, help="target file (an existing one is not overwritten)")
    p.add_argument("--force", action="store_true", help="overwrite the target file")
    p.set_defaults(func=cmd_backup)
