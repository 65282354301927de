"""`hallcall`: the one entry point for the queue broker, the demo and the hall's tools."""

from __future__ import annotations

import argparse
import gc
import importlib
import importlib.util
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from hallcall import __version__
from hallcall.config.loader import DEMO_PIN, EXAMPLE_HALL, ConfigError, load_config

APP_CLIS = (
    "hallcall.kiosk.cli",
    "hallcall.window_terminal.cli",
    "hallcall.display.cli",
    "hallcall.rating_pad.cli",
    "hallcall.broker.reports.cli",
    "hallcall.broker.admin.cli",
)

#: Subcommands that open a Qt window: with no screen they say so plainly (hallcall/ui/screen.py).
SCREEN_APPS = ("kiosk", "window", "display", "rating-pad")


def _exists(module_name: str) -> bool:
    try:
        return importlib.util.find_spec(module_name) is not None
    except ModuleNotFoundError:  # its parent package is not there (yet)
        return False


def _config(path: str | None):
    try:
        return load_config(path or EXAMPLE_HALL)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(2) from None


def _mqtt_args(p: argparse.ArgumentParser) -> None:
    """MQTT options, defaulting to HALLCALL_MQTT_*; the password only from a file or the env."""
    from hallcall.mqtt.settings import add_tls_and_password_options

    env = os.environ.get
    p.add_argument("--mqtt-host", default=env("HALLCALL_MQTT_HOST", "127.0.0.1"))
    p.add_argument("--mqtt-port", type=int, default=int(env("HALLCALL_MQTT_PORT", "1883")))
    p.add_argument("--mqtt-user", default=env("HALLCALL_MQTT_USER"))
    add_tls_and_password_options(p, password_file_default=env("HALLCALL_MQTT_PASSWORD_FILE"))
    p.set_defaults(mqtt_ca=env("HALLCALL_MQTT_CA_FILE"), mqtt_cert=env("HALLCALL_MQTT_CERT_FILE"),
                   mqtt_key=env("HALLCALL_MQTT_KEY_FILE"))


def _settings(args):
    from hallcall.mqtt.connection import MqttSettings

    return MqttSettings(
        host=args.mqtt_host, port=args.mqtt_port, username=args.mqtt_user,
        password=args.mqtt_password or os.environ.get("HALLCALL_MQTT_PASSWORD"),
        tls=bool(args.mqtt_tls), ca_file=args.mqtt_ca, cert_file=args.mqtt_cert, key_file=args.mqtt_key,
    )


def cmd_config_check(args) -> int:
    cfg = _config(args.file)
    print(
        f"{args.file}: OK - hall {cfg.hall.id!r} ({cfg.hall.name.get(cfg.hall.default_language)}), "
        f"{len(cfg.departments)} departments, "
        f"{sum(len(d.matters) for d in cfg.departments)} matters, {len(cfg.windows)} windows, "
        f"{len(cfg.staff)} staff, {len(cfg.devices)} devices"
    )
    no_pin = [s.id for s in cfg.staff if s.pin_hash is None]
    if cfg.hall.require_pin and no_pin:
        print(f"  warning: {len(no_pin)} clerk{'s' if len(no_pin) != 1 else ''} cannot log in until they have a PIN "
              f"(hallcall admin staff-pin --config {args.file} ID): {', '.join(no_pin)}")
    if cfg.hall.require_pin:
        from hallcall.broker.domain.pins import verify_pin

        demo = [s.id for s in cfg.staff if s.pin_hash is not None and verify_pin(s.pin_hash, DEMO_PIN)]
        if demo:
            print(f"  warning: {len(demo)} clerk{'s' if len(demo) != 1 else ''} still have the example's demo "
                  f"PIN {DEMO_PIN}: {', '.join(demo)}")
    if not cfg.hall.require_pin:
        print("  warning: require_pin = false: anyone may log in as any clerk with the staff id alone")
    return 0


def cmd_config_schema(args) -> int:
    import json

    from hallcall.config.schema import HallConfig

    schema = HallConfig.model_json_schema()
    schema["title"] = "HallCall hall configuration"
    sys.stdout.write(json.dumps(schema, ensure_ascii=False, indent=2) + "\n")
    return 0


def cmd_db_upgrade(args) -> int:
    from hallcall.broker.storage.database import create_db_engine
    from hallcall.broker.storage.migrate import upgrade

    engine = create_db_engine(args.db)
    upgrade(engine)
    print(f"database {engine.url.render_as_string(hide_password=True)} is at the newest schema")
    return 0


def _hall_files(paths: list[str]) -> list[Path]:
    """Every hall file named, a directory standing for the *.toml files in it."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        files += sorted(path.glob("*.toml")) if path.is_dir() else [path]
    if not files:
        print(f"no hall files in {', '.join(paths)}", file=sys.stderr)
        raise SystemExit(2)
    return files


def cmd_broker(args) -> int:
    from hallcall.broker.server import QueueBrokerServer
    from hallcall.broker.service.bootstrap import build_bus
    from hallcall.broker.storage.database import create_db_engine
    from hallcall.broker.storage.migrate import upgrade
    from hallcall.mqtt.settings import exposure_warnings

    from hallcall.logs import limit_lines

    limit_lines()  # a flooding device must not write a log line per message
    configs = [_config(str(f)) for f in _hall_files(args.config)]
    configs.sort(key=lambda c: c.hall.id)
    settings = _settings(args)
    if args.worker is None:  # once, not once per worker
        for warning in exposure_warnings(settings):
            logging.getLogger("hallcall").warning("%s", warning)
    if args.workers > 1 and args.worker is None:
        return _run_workers(args, len(configs))
    if args.worker is not None:
        index, count = args.worker
        configs = configs[index::count]
    engine = create_db_engine(args.db)
    upgrade(engine)
    server = QueueBrokerServer(build_bus(configs, engine), settings)
    # The halls just loaded live as long as the process: keep them out of the cyclic garbage
    # collector, whose full passes over them took ~60 ms with 50 halls (a p99 spike).
    gc.freeze()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    server.start()
    logging.getLogger("hallcall").info(
        "queue broker for %s on mqtt://%s:%s",
        ", ".join(c.hall.id for c in configs), args.mqtt_host, args.mqtt_port,
    )
    stop.wait()
    server.stop()
    return 0


def _run_workers(args, halls: int) -> int:
    """Spread the halls over `--workers` processes (hall i goes to worker i mod N)."""
    import subprocess

    count = min(args.workers, halls)
    base = [sys.executable, "-m", "hallcall.cli", "broker", "--db", args.db]
    for c in args.config:
        base += ["--config", c]
    base += ["--mqtt-host", args.mqtt_host, "--mqtt-port", str(args.mqtt_port)]
    if args.mqtt_tls:
        base.append("--mqtt-tls")
    for option, path in (("--mqtt-ca", args.mqtt_ca), ("--mqtt-cert", args.mqtt_cert), ("--mqtt-key", args.mqtt_key)):
        if path:
            base += [option, path]
    env = dict(os.environ)  # credentials go by environment, not on a command line
    if args.mqtt_user:
        env["HALLCALL_MQTT_USER"] = args.mqtt_user
    if args.mqtt_password:  # already read from --mqtt-password-file
        env["HALLCALL_MQTT_PASSWORD"] = args.mqtt_password
        env.pop("HALLCALL_MQTT_PASSWORD_FILE", None)
    procs = [subprocess.Popen([*base, "--worker", f"{k}/{count}"], env=env) for k in range(count)]

    def forward(signum, _frame):
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    codes = [proc.wait() for proc in procs]
    return max(codes, default=0)


def _worker(value: str) -> tuple[int, int]:
    try:
        index, count = (int(x) for x in value.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError("use K/N, e.g. 0/2") from None
    if not 0 <= index < count:
        raise argparse.ArgumentTypeError("K must be 0 to N-1")
    return index, count


def cmd_demo(args) -> int:
    from hallcall.demo import run_demo

    cfg = _config(args.config)
    from hallcall.demo import screen_present

    if not args.verbose:
        # The printout is the demo's output; log lines would only interleave with it.
        logging.getLogger("hallcall").setLevel(logging.WARNING)
        # amqtt 0.12.1 logs a traceback when two clients connect at once ("dictionary changed
        # size during iteration"); the client reconnects by itself. -v shows it.
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)

    screens = args.screens if args.screens is not None else screen_present()
    seconds = args.seconds if args.seconds is not None else (0 if screens else 30)
    lobby = run_demo(cfg, Path(args.data), seconds=seconds, lang=args.lang, speed=args.speed,
                     screens=screens, voice=args.voice, keep_data=args.keep_data,
                     config_path=args.config or str(EXAMPLE_HALL))
    return 0 if lobby.lines and not lobby.problems else 1


def cmd_docs_asyncapi(args) -> int:
    from hallcall.protocol.asyncapi import render_yaml

    sys.stdout.write(render_yaml())
    return 0


def cmd_mqtt_acl(args) -> int:
    from hallcall.broker.acl import SharedUser, acl_for_halls

    try:
        sys.stdout.write(acl_for_halls([_config(str(f)) for f in _hall_files(args.config)]))
    except SharedUser as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


def cmd_mqtt_setup(args) -> int:
    from hallcall.broker.acl import SharedUser
    from hallcall.broker.mosquitto_setup import Tls, write_setup

    host, _, port = args.listen.rpartition(":")
    tls = None
    if args.tls_cert or args.tls_key:
        if not (args.tls_cert and args.tls_key):
            print("--tls-cert and --tls-key go together", file=sys.stderr)
            return 2
        tls = Tls(Path(args.tls_cert).resolve(), Path(args.tls_key).resolve(),
                  Path(args.tls_client_ca).resolve() if args.tls_client_ca else None)
    out = Path(args.out).resolve()
    try:
        users = write_setup([_config(str(f)) for f in _hall_files(args.config)], out,
                            int(port), host or "0.0.0.0", tls)
    except SharedUser as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"wrote {out}/mosquitto.conf, acl, passwd and secrets/ for {len(users)} users")
    print(f"run: mosquitto -c {out}/mosquitto.conf")
    print(f"queue broker: hallcall broker ... --mqtt-user queue-broker "
          f"--mqtt-password-file {out}/secrets/queue-broker.password")
    print(f"each device: user {{kind}}-{{id}}, password in {out}/secrets/{{kind}}-{{id}}.password")
    return 0


class _Defaults(argparse.ArgumentDefaultsHelpFormatter):
    """Shows a default only where there is one to show (not "(default: None)")."""

    def _get_help_string(self, action: argparse.Action) -> str:
        if action.default in (None, False) or "default:" in (action.help or ""):
            return action.help or ""
        return super()._get_help_string(action)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hallcall", description=__doc__)
    parser.add_argument("--version", action="version", version=f"hallcall {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", help="run the whole system with simulated devices (no setup needed)",
                       formatter_class=_Defaults)
    p.add_argument("--config", help="hall file (default: the example university hall)")
    p.add_argument("--seconds", type=float,
                   help="how long to run; 0 = until Ctrl-C (default: 30, with screens until Ctrl-C)")
    p.add_argument("--lang", choices=["zh", "en"],
                   help="language of the printout and the screens (default: the hall's)")
    p.add_argument("--speed", type=float, default=1.0, help="simulation speed factor")
    p.add_argument("--data", default="hallcall-data", help="folder for the demo database")
    p.add_argument("--screens", action=argparse.BooleanOptionalAction, default=None,
                   help="open the real kiosk, lobby display, clerk terminal and rating pad "
                   "(default: when a screen is present)")
    p.add_argument("--voice", action="store_true", help="with --screens: the lobby speaks the calls")
    p.add_argument("--keep-data", action="store_true",
                   help="go on with the previous demo's database instead of a fresh one")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("broker", help="run the queue broker against an MQTT server (Mosquitto)")
    p.add_argument("--config", required=True, action="append",
                   help="a hall file, or a directory of them; repeat for more halls")
    p.add_argument("--db", default=os.environ.get("HALLCALL_DB", "sqlite:///hallcall.db"),
                   help="database URL: sqlite:///path or postgresql://user:pass@host/db")
    p.add_argument("--workers", type=int, default=1,
                   help="spread the halls over this many processes (one per core)")
    p.add_argument("--worker", type=_worker, help=argparse.SUPPRESS)
    _mqtt_args(p)
    p.set_defaults(func=cmd_broker)

    p = sub.add_parser("config", help="hall configuration tools")
    csub = p.add_subparsers(dest="config_command", required=True)
    c = csub.add_parser("check", help="validate a hall file and report every problem")
    c.add_argument("file")
    c.set_defaults(func=cmd_config_check)
    c = csub.add_parser("schema", help="print the JSON Schema of a hall file (for editors)")
    c.set_defaults(func=cmd_config_schema)

    p = sub.add_parser("db", help="database tools")
    dsub = p.add_subparsers(dest="db_command", required=True)
    d = dsub.add_parser("upgrade", help="create or migrate the database schema")
    d.add_argument("--db", default=os.environ.get("HALLCALL_DB", "sqlite:///hallcall.db"))
    d.set_defaults(func=cmd_db_upgrade)

    p = sub.add_parser("docs", help="generated documentation")
    dosub = p.add_subparsers(dest="docs_command", required=True)
    d = dosub.add_parser("asyncapi", help="print the MQTT contract as an AsyncAPI 3.0 document")
    d.set_defaults(func=cmd_docs_asyncapi)

    p = sub.add_parser("mqtt-acl", help="print Mosquitto access rules: each device publishes only as itself")
    p.add_argument("--config", required=True, action="append",
                   help="a hall file, or a directory of them; repeat for the halls of one broker")
    p.set_defaults(func=cmd_mqtt_acl)

    p = sub.add_parser("mqtt-setup", help="write the hall's Mosquitto configuration: config, ACL, "
                       "passwords (kept on a re-run), persistence, client ids tied to users")
    p.add_argument("--config", required=True, action="append",
                   help="a hall file, or a directory of them; repeat for the halls of one broker")
    p.add_argument("--out", required=True, help="the folder to write (e.g. /etc/hallcall/mosquitto)")
    p.add_argument("--listen", default="0.0.0.0:1883", help="host:port of the listener")
    p.add_argument("--tls-cert", help="the server's certificate (PEM): the listener speaks TLS")
    p.add_argument("--tls-key", help="the server certificate's key (PEM)")
    p.add_argument("--tls-client-ca", help="require client certificates signed by this CA")
    p.set_defaults(func=cmd_mqtt_setup)

    # Each device app adds its own subcommand: `register(subparsers)` in its cli module.
    for module_name in APP_CLIS:
        if _exists(module_name):
            importlib.import_module(module_name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.verbose:
        logging.getLogger("hallcall").setLevel(logging.DEBUG)
    else:
        logging.getLogger("hallcall").setLevel(logging.INFO)
        logging.getLogger("amqtt").setLevel(logging.ERROR)
        logging.getLogger("transitions").setLevel(logging.ERROR)
    from hallcall.mqtt.settings import MqttSettingsError

    if args.command in SCREEN_APPS:
        from hallcall.ui.screen import explain_missing_screen

        explain_missing_screen()
    try:
        return args.func(args)
    except MqttSettingsError as exc:  # an unreadable password or TLS file: say which, no traceback
        print(exc, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
