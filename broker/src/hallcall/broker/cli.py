"""`hallcall broker`, `hallcall config`, `hallcall db`, `hallcall mqtt-acl`, `hallcall mqtt-setup`,
`hallcall upload`, `hallcall devices`.

The queue broker's own commands; the core's `hallcall` entry point finds them through the
`hallcall.cli` entry point of this part (pyproject.toml), so a device has none of them.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import signal
import sys
import threading
from pathlib import Path

from hallcall import sdnotify
from hallcall.config.loader import DEMO_PIN, hall_files, load_or_exit
from hallcall.mqtt.settings import add_server_options, settings_from_args


def cmd_config_check(args) -> int:
    cfg = load_or_exit(args.file)
    print(
        f"{args.file}: OK - hall {cfg.hall.id!r} ({cfg.hall.name.get(cfg.hall.default_language)}), "
        f"{len(cfg.departments)} departments, "
        f"{sum(len(d.matters) for d in cfg.departments)} matters, {len(cfg.windows)} windows, "
        f"{len(cfg.staff)} staff, {len(cfg.devices)} devices"
    )
    no_pin = [s.id for s in cfg.staff if s.pin_hash is None]
    if cfg.hall.require_pin and no_pin:
        print(
            f"  warning: {len(no_pin)} clerk{'s' if len(no_pin) != 1 else ''} cannot log in until they have a PIN "
            f"(hallcall admin staff-pin --config {args.file} ID): {', '.join(no_pin)}"
        )
    if cfg.hall.require_pin:
        from hallcall.broker.domain.pins import verify_pin

        demo = [
            s.id for s in cfg.staff if s.pin_hash is not None and verify_pin(s.pin_hash, DEMO_PIN)
        ]
        if demo:
            print(
                f"  warning: {len(demo)} clerk{'s' if len(demo) != 1 else ''} still have the example's demo "
                f"PIN {DEMO_PIN}: {', '.join(demo)}"
            )
    if not cfg.hall.require_pin:
        print(
            "  warning: require_pin = false: anyone may log in as any clerk with the staff id alone"
        )
    if cfg.upload.enabled:
        from hallcall.broker.upload_sender import TokenMissing, read_token

        print(f"  upload: on, to {cfg.upload.url}")
        try:
            read_token(cfg)
        except TokenMissing as exc:
            print(f"  warning: {exc}: records wait in the outbox until it is there")
    _check_idcard_key(cfg)
    return 0


def _check_idcard_key(cfg) -> None:
    """The ID card hash key file (issue #15): readable, long enough, not readable by anyone."""
    from hallcall.protocol.idnumber import HashKeyError, key_file_too_open, read_hash_key

    path = cfg.idcard.hash_key_file
    if path is None:
        return
    try:
        read_hash_key(path)
    except HashKeyError as exc:
        print(f"  warning: {exc}: no booking by ID number until it is fixed")
        return
    if key_file_too_open(path):
        print(f"  warning: anyone may read the ID card hash key file {path} (chmod 600)")


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


def cmd_broker(args) -> int:
    from hallcall.broker.server import QueueBrokerServer
    from hallcall.broker.service.bootstrap import build_bus
    from hallcall.broker.storage.database import create_db_engine
    from hallcall.broker.storage.migrate import upgrade
    from hallcall.broker.upload_sender import start_senders
    from hallcall.logs import limit_lines
    from hallcall.mqtt.settings import exposure_warnings

    limit_lines()  # a flooding device must not write a log line per message
    configs = [load_or_exit(str(f)) for f in hall_files(args.config)]
    configs.sort(key=lambda c: c.hall.id)
    settings = settings_from_args(args)
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
    senders = start_senders(configs, engine)  # the outbox's HTTP, off the commands' path
    logging.getLogger("hallcall").info(
        "queue broker for %s on mqtt://%s:%s",
        ", ".join(c.hall.id for c in configs),
        args.mqtt_host,
        args.mqtt_port,
    )
    stop.wait()
    sdnotify.stopping()
    for sender in senders:
        sender.stop()
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
    for option, path in (
        ("--mqtt-ca", args.mqtt_ca),
        ("--mqtt-cert", args.mqtt_cert),
        ("--mqtt-key", args.mqtt_key),
    ):
        if path:
            base += [option, path]
    env = dict(os.environ)  # credentials go by environment, not on a command line
    if args.mqtt_user:
        env["HALLCALL_MQTT_USER"] = args.mqtt_user
    if args.mqtt_password:  # already read from --mqtt-password-file
        env["HALLCALL_MQTT_PASSWORD"] = args.mqtt_password
        env.pop("HALLCALL_MQTT_PASSWORD_FILE", None)
    # The workers are not systemd's main process: this one answers its readiness and watchdog.
    env.pop("NOTIFY_SOCKET", None)
    procs = [subprocess.Popen([*base, "--worker", f"{k}/{count}"], env=env) for k in range(count)]
    sdnotify.ready(f"{count} queue broker workers")
    sdnotify.keep_alive(threading.Event(), healthy=lambda: all(p.poll() is None for p in procs))

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


def cmd_mqtt_acl(args) -> int:
    from hallcall.broker.acl import SharedUser, acl_for_halls

    try:
        sys.stdout.write(acl_for_halls([load_or_exit(str(f)) for f in hall_files(args.config)]))
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
        tls = Tls(
            Path(args.tls_cert).resolve(),
            Path(args.tls_key).resolve(),
            Path(args.tls_client_ca).resolve() if args.tls_client_ca else None,
        )
    out = Path(args.out).resolve()
    try:
        users = write_setup(
            [load_or_exit(str(f)) for f in hall_files(args.config)],
            out,
            int(port),
            host or "0.0.0.0",
            tls,
        )
    except SharedUser as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"wrote {out}/mosquitto.conf, acl, passwd and secrets/ for {len(users)} users")
    print(f"run: mosquitto -c {out}/mosquitto.conf")
    print(
        f"queue broker: hallcall broker ... --mqtt-user queue-broker "
        f"--mqtt-password-file {out}/secrets/queue-broker.password"
    )
    print(f"each device: user {{kind}}-{{id}}, password in {out}/secrets/{{kind}}-{{id}}.password")
    return 0


def cmd_devices(args) -> int:
    from hallcall.broker.acl import SharedUser
    from hallcall.broker.provisioning import ProvisioningError, write_devices

    config = load_or_exit(args.config)
    out = Path(args.out).resolve()
    try:
        written = write_devices(
            config,
            out,
            host=args.mqtt_host,
            port=args.mqtt_port,
            ca=args.mqtt_ca,
            force=args.force,
            keep_passwords=args.keep_passwords,
            rotate=tuple(args.rotate or ()),
            hall_file=args.config,
        )
    except (ProvisioningError, SharedUser) as exc:
        print(exc, file=sys.stderr)
        return 2
    kept = len(written.entries) + 1 - len(written.fresh)
    print(
        f"wrote {out}/: {len(written.entries)} device files, mosquitto/passwd and acl, "
        f"README.txt ({len(written.fresh)} new passwords, {kept} kept)"
    )
    if written.fresh and args.keep_passwords:
        print("  new passwords: " + ", ".join(written.fresh))
    print(f"  which file goes on which Pi: {out}/README.txt")
    return 0


def _register_devices(sub) -> None:
    p = sub.add_parser(
        "devices",
        help="write every device file of a hall (one per Pi) with fresh passwords, "
        "Mosquitto's password file and ACL",
    )
    p.add_argument("--config", required=True, help="the hall file")
    p.add_argument("--out", required=True, help="the folder to write (kept secret: passwords)")
    p.add_argument(
        "--mqtt-host", required=True, help="the hall server's address as the Pis reach it"
    )
    p.add_argument("--mqtt-port", type=int, default=1883)
    p.add_argument("--mqtt-ca", metavar="FILE", help="the hall CA's path on each Pi (TLS on)")
    p.add_argument(
        "--force", action="store_true", help="overwrite an existing folder: every password new"
    )
    p.add_argument(
        "--keep-passwords",
        action="store_true",
        help="rewrite an existing folder keeping each device's password",
    )
    p.add_argument(
        "--rotate",
        action="append",
        metavar="ID",
        help="with --keep-passwords: a new password for this device (id or user; repeat)",
    )
    p.set_defaults(func=cmd_devices)


def _upload_outbox(args):
    from hallcall.broker.storage.database import create_db_engine
    from hallcall.broker.storage.migrate import upgrade
    from hallcall.broker.storage.outbox import Outbox

    config = load_or_exit(args.config)
    engine = create_db_engine(args.db)
    upgrade(engine)
    return config, Outbox(engine, config.hall.id)


def cmd_upload_status(args) -> int:
    config, outbox = _upload_outbox(args)
    st = outbox.status()
    state = (
        f"on, to {config.upload.url}" if config.upload.enabled else "off ([upload] enabled = false)"
    )
    print(f"hall {config.hall.id}: upload {state}")
    print(f"  pending {st.pending}, sent {st.sent}, failed {st.failed}")
    if st.oldest_pending is not None:
        o = st.oldest_pending
        tried = f", tried {o.attempts} times, last: {o.last_error}" if o.attempts else ""
        print(f"  oldest pending: #{o.id} {o.record_id} since {o.created_at.isoformat()}{tried}")
    for record, record_id, reason in st.failures:
        print(f"  FAILED #{record} {record_id}: {reason}")
    return 0


def cmd_upload_retry(args) -> int:
    config, outbox = _upload_outbox(args)
    n = outbox.retry(args.id)
    if args.id is not None and n == 0:
        print(f"record #{args.id} is not a failed record of hall {config.hall.id}", file=sys.stderr)
        return 2
    print(f"{n} failed record{'s' if n != 1 else ''} put back in line; the broker sends them next")
    return 0


def _register_upload(sub) -> None:
    p = sub.add_parser("upload", help="the 好差评 records for the higher platform (the outbox)")
    usub = p.add_subparsers(dest="upload_command", required=True)
    for name, func, text in (
        ("status", cmd_upload_status, "pending / sent / failed counts and the oldest pending"),
        ("retry", cmd_upload_retry, "send the failed (refused) records again"),
    ):
        u = usub.add_parser(name, help=text)
        u.add_argument("--config", required=True, help="the hall's configuration file")
        u.add_argument("--db", default=os.environ.get("HALLCALL_DB", "sqlite:///hallcall.db"))
        if name == "retry":
            u.add_argument("--id", type=int, help="only this record (default: every failed one)")
        u.set_defaults(func=func)


def register(sub) -> None:
    p = sub.add_parser("broker", help="run the queue broker against an MQTT server (Mosquitto)")
    p.add_argument(
        "--config",
        required=True,
        action="append",
        help="a hall file, or a directory of them; repeat for more halls",
    )
    p.add_argument(
        "--db",
        default=os.environ.get("HALLCALL_DB", "sqlite:///hallcall.db"),
        help="database URL: sqlite:///path or postgresql://user:pass@host/db",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        help="spread the halls over this many processes (one per core)",
    )
    p.add_argument("--worker", type=_worker, help=argparse.SUPPRESS)
    add_server_options(p)
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

    p = sub.add_parser(
        "mqtt-acl", help="print Mosquitto access rules: each device publishes only as itself"
    )
    p.add_argument(
        "--config",
        required=True,
        action="append",
        help="a hall file, or a directory of them; repeat for the halls of one broker",
    )
    p.set_defaults(func=cmd_mqtt_acl)

    p = sub.add_parser(
        "mqtt-setup",
        help="write the hall's Mosquitto configuration: config, ACL, "
        "passwords (kept on a re-run), persistence, client ids tied to users",
    )
    p.add_argument(
        "--config",
        required=True,
        action="append",
        help="a hall file, or a directory of them; repeat for the halls of one broker",
    )
    p.add_argument(
        "--out", required=True, help="the folder to write (e.g. /etc/hallcall/mosquitto)"
    )
    p.add_argument("--listen", default="0.0.0.0:1883", help="host:port of the listener")
    p.add_argument("--tls-cert", help="the server's certificate (PEM): the listener speaks TLS")
    p.add_argument("--tls-key", help="the server certificate's key (PEM)")
    p.add_argument("--tls-client-ca", help="require client certificates signed by this CA")
    p.set_defaults(func=cmd_mqtt_setup)

    _register_devices(sub)
    _register_upload(sub)
