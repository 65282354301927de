"""The dashboard's command-line side: `hallcall web`'s options for it, and
`hallcall web user add|passwd|remove|list --web-db ...` (a password from a prompt or a file,
never from the command line, which every user of the machine can read in /proc)."""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import os
import sys
from typing import Any

from hallcall.config.schema import HallConfig


def add_dashboard_options(p: argparse.ArgumentParser, web_db_default: str | None) -> None:
    g = p.add_argument_group("the hall manager's dashboard (/admin; on with --web-db)")
    g.add_argument(
        "--web-db",
        default=web_db_default,
        help="the web part's own database of users and sessions: a SQLite path or a URL "
        "(default $HALLCALL_WEB_DB; without it there is no dashboard)",
    )
    g.add_argument(
        "--db",
        default=os.environ.get("HALLCALL_DB"),
        help="the queue broker's database, read for longest waits, today's figures and "
        "reports (complaints are written to it as `hallcall complaint` does)",
    )
    g.add_argument(
        "--admin-device",
        help='the hall file\'s [[devices]] id of kind "admin" the dashboard acts as '
        '(default: one named "dashboard", else the first)',
    )
    g.add_argument(
        "--admin-mqtt-user", help="its MQTT user (default admin-{id} when --mqtt-user is set)"
    )
    g.add_argument("--admin-mqtt-password-file", help="its MQTT password file")
    g.add_argument(
        "--secure-cookies",
        choices=["auto", "always", "never"],
        default="auto",
        help="Secure cookies: auto = when the request came over HTTPS (X-Forwarded-Proto)",
    )


def dashboard_app(args: argparse.Namespace, config: HallConfig, device: str) -> tuple[Any, Any]:
    """(hub, application) for `hallcall web --web-db ...`: the pages with /admin mounted."""
    from hallcall.broker.storage.database import create_db_engine
    from hallcall.mqtt.client import DeviceClient
    from hallcall.mqtt.settings import read_password_file, settings_from_args
    from hallcall.web.app import WebOptions, create_app
    from hallcall.web.cli import notifier_for, remote_for, stream_limits
    from hallcall.web.dashboard.app import Dashboard, DashboardOptions, with_dashboard
    from hallcall.web.dashboard.devices import DASHBOARD_SUBSCRIPTIONS, WebClient
    from hallcall.web.hub import SUBSCRIPTIONS, WebHub
    from hallcall.web.storage.migrate import open_web_db
    from hallcall.web.storage.users import UserStore

    mqtt = settings_from_args(args)
    client = WebClient(config.hall.id, "web", device, mqtt, SUBSCRIPTIONS + DASHBOARD_SUBSCRIPTIONS)
    hub = WebHub(config.hall.id, mqtt, device, client=client)
    web_db = open_web_db(args.web_db)
    users = UserStore(web_db)
    if users.count() == 0:
        print(
            f"the dashboard has no users yet: hallcall web user add --web-db {args.web_db} NAME",
            file=sys.stderr,
        )
    admins = [d.id for d in config.devices if d.kind == "admin"]
    admin_id = (
        args.admin_device
        or ("dashboard" if "dashboard" in admins else None)
        or (admins[0] if admins else None)
    )
    admin = None
    if admin_id is not None:
        user = args.admin_mqtt_user or (f"admin-{admin_id}" if mqtt.username else None)
        password = (
            read_password_file(args.admin_mqtt_password_file)
            if args.admin_mqtt_password_file
            else None
        )
        admin_mqtt = dataclasses.replace(mqtt, username=user, password=password)
        admin = DeviceClient(config.hall.id, "admin", admin_id, admin_mqtt)
    secure = {"auto": None, "always": True, "never": False}[args.secure_cookies]
    dashboard = Dashboard(
        config,
        hub,
        users,
        broker_db=create_db_engine(args.db) if args.db else None,
        admin=admin,
        options=DashboardOptions(secure_cookies=secure),
    )
    notifier = notifier_for(args, hub, web_db)
    if notifier is not None:
        dashboard.on_alarm(lambda alarm: notifier.alarm(*alarm_message(alarm, config)))
    options = WebOptions(
        near_ahead=args.near_ahead,
        notifier=notifier,
        remote=remote_for(config, hub, web_db),
        streams=stream_limits(args),
    )
    app = with_dashboard(create_app(hub, options), dashboard)
    return hub, app


def alarm_message(alarm: Any, config: HallConfig) -> tuple[str, str]:
    """An alarm as the hall's alarm channel gets it: both languages, the hall's time."""
    from zoneinfo import ZoneInfo

    from hallcall.web.dashboard.view import alarm_text

    zone = ZoneInfo(config.hall.timezone)
    body = " / ".join(alarm_text(alarm, config, lang, zone) for lang in config.hall.languages)
    return f"HallCall {config.hall.id}: {alarm.kind}", body


# ---------------------------------------------------------------------- hallcall web user
def _password(args: argparse.Namespace) -> str:
    if args.password_file:
        with open(args.password_file, encoding="utf-8") as f:
            return f.readline().rstrip("\r\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise SystemExit("the two passwords differ: nothing changed")
    return first


def _store(args: argparse.Namespace):
    from hallcall.web.storage.migrate import open_web_db
    from hallcall.web.storage.users import UserStore

    if not args.web_db:
        raise SystemExit("give --web-db (or HALLCALL_WEB_DB): the web part's database")
    return UserStore(open_web_db(args.web_db))


def cmd_user(args: argparse.Namespace) -> int:
    from hallcall.web.storage.users import UserError

    store = _store(args)
    try:
        if args.user_command == "add":
            user = store.add(args.name, _password(args), args.role, args.department)
            print(
                f"user {user.username} added ({user.role}{f', {user.department}' if user.department else ''})"
            )
        elif args.user_command == "passwd":
            store.set_password(args.name, _password(args))
            print(f"password of {args.name} changed; their sessions ended")
        elif args.user_command == "remove":
            store.remove(args.name)
            print(f"user {args.name} removed")
        else:
            users = store.list()
            if not users:
                print("no users")
            for u in users:
                print(f"{u.username}\t{u.role}\t{u.department or ''}".rstrip())
    except UserError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


def register_users(web: argparse.ArgumentParser) -> None:
    sub = web.add_subparsers(dest="web_command", metavar="user")
    user = sub.add_parser("user", help="the dashboard's users (add, passwd, remove, list)")
    usub = user.add_subparsers(dest="user_command", required=True)
    env = os.environ.get("HALLCALL_WEB_DB")

    def common(q: argparse.ArgumentParser, password: bool) -> None:
        q.add_argument("--web-db", default=env, help="the web database (default $HALLCALL_WEB_DB)")
        if password:
            q.add_argument(
                "--password-file",
                help="read the password from this file's first line (default: ask twice)",
            )
        q.set_defaults(func=cmd_user)

    q = usub.add_parser("add", help="add a user")
    common(q, True)
    q.add_argument("name")
    q.add_argument("--role", choices=["manager", "department_head"], default="manager")
    q.add_argument("--department", help="a department head's department id")
    q = usub.add_parser("passwd", help="set a user's password (ends their sessions)")
    common(q, True)
    q.add_argument("name")
    q = usub.add_parser("remove", help="remove a user (ends their sessions)")
    common(q, False)
    q.add_argument("name")
    q = usub.add_parser("list", help="list the users")
    common(q, False)
