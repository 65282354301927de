"""`hallcall web --config hall.toml`: the visitor's ticket pages and the lobby page.

Serves plain HTTP on loopback by default; in a hall it sits behind a reverse proxy with TLS
(docs/web.md). It is one more MQTT client of the hall (device kind `web`), so it runs beside
any number of queue broker processes.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys

from hallcall.mqtt.settings import add_server_options, settings_from_args


def cmd_web(args: argparse.Namespace) -> int:
    from hallcall.config.loader import ConfigError, load_config
    from hallcall.web.app import WebOptions, create_app
    from hallcall.web.hub import WebHub

    if not args.config:
        print("hallcall web: --config is required", file=sys.stderr)
        return 2
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.near_ahead is None:
        args.near_ahead = config.hall.near_ahead
    webs = [d.id for d in config.devices if d.kind == "web"]
    device = args.device or (webs[0] if webs else None)
    if device is None or device not in webs:
        print(
            f'{args.config}: no [[devices]] entry of kind "web"{f" with id {device!r}" if device else ""}: '
            'add one (kind = "web", id = "web") so the queue broker answers this web part',
            file=sys.stderr,
        )
        return 2
    if args.notify and not args.web_db:
        print(
            "hallcall web: --notify keeps contacts in the web database: give --web-db",
            file=sys.stderr,
        )
        return 2
    if args.web_db:
        from hallcall.web.dashboard.cli import dashboard_app

        hub, app = dashboard_app(args, config, device)
    else:
        if config.remote_tickets.enabled:
            print(
                "hallcall web: the hall takes remote tickets, but the daily cap per phone is kept "
                "in the web database: give --web-db to offer /remote",
                file=sys.stderr,
            )
        hub = WebHub(config.hall.id, settings_from_args(args), device)
        app = create_app(hub, WebOptions(near_ahead=args.near_ahead, streams=stream_limits(args)))
    print(f"HallCall web for {config.hall.id}: http://{args.host}:{args.port}/lobby", flush=True)
    serve(app, args.host, args.port)
    return 0


def serve(app, host: str, port: int) -> None:
    """uvicorn, telling systemd (Type=notify) once it listens and, from its own loop's tick,
    that the loop still turns (WatchdogSec=): a hung server is restarted."""
    import uvicorn

    from hallcall import sdnotify

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started:
                sdnotify.ready(f"serving http://{host}:{port}")

        async def on_tick(self, counter: int) -> bool:
            sdnotify.ping()
            return await super().on_tick(counter)

    Server(uvicorn.Config(app, host=host, port=port, log_level="warning", proxy_headers=True)).run()


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser("web", help="the visitors' ticket pages and the lobby page")
    p.add_argument("--config", help="the hall file (TOML)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default loopback)")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument(
        "--device", help="the hall file's [[devices]] id of kind web (default: the first)"
    )
    p.add_argument(
        "--notify",
        metavar="FILE",
        help="the visitors' notification channels (TOML, docs/web.md); needs --web-db",
    )
    p.add_argument(
        "--pages-per-client",
        type=int,
        default=300,
        help="open live pages one client address may hold (default 300; 5 per ticket)",
    )
    p.add_argument(
        "--near-ahead",
        type=int,
        help="people ahead at which a visitor's page alerts (default: the hall file's "
        "[hall] near_ahead, 3 if it says none)",
    )
    add_server_options(p)
    from hallcall.web.dashboard.cli import add_dashboard_options, register_users

    add_dashboard_options(p, os.environ.get("HALLCALL_WEB_DB"))
    p.set_defaults(func=cmd_web)
    register_users(p)


def notifier_for(args: argparse.Namespace, hub, engine):
    """The visitors' notification service of `--notify FILE`, or None without one."""
    if not getattr(args, "notify", None):
        return None
    from hallcall.web.notify.outbox import Outbox
    from hallcall.web.notify.sender import AppriseSender
    from hallcall.web.notify.service import Notifier
    from hallcall.web.notify.settings import load_notify

    return Notifier(
        hub, Outbox(engine), AppriseSender(), load_notify(args.notify), near_ahead=args.near_ahead
    )


def remote_for(config, hub, engine):
    """The remote-ticket desk (`/remote`) where the hall takes remote tickets, or None."""
    if not config.remote_tickets.enabled:
        return None
    from hallcall.web.remote import PhoneBook, RemoteDesk

    return RemoteDesk(hub, PhoneBook(engine), config.remote_tickets, config.hall.timezone)


def stream_limits(args: argparse.Namespace):
    from hallcall.web.streams import StreamLimits

    return StreamLimits(per_client=args.pages_per_client)
