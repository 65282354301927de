"""`hallcall doctor --device FILE.toml` (and `--check --connect`): is this Pi ready for its role?

One line per check, `OK`, `WARN` or `FAIL`, what was checked and, where it is not OK, the one
thing to do. The checks a Pi fails in a real hall: its MQTT login, whether the Mosquitto ACL lets
it send its commands and hear the replies (a `device.ping` the queue broker answers), whether the
retained catalog names it, and the hardware its device file points at (serial ports, GPIO,
audio, fonts, the screen). Each device part adds its own hardware checks (the kiosk's printer)
with `DoctorKind`; the rest is here. Exit status 1 when any check FAILs. Qt-free.

The doctor logs in with the device's own user; with Mosquitto's `use_username_as_clientid`
(the shipped configuration) that takes over the running device's connection for a few seconds,
so stop the device's app (or its systemd unit) first.
"""

from __future__ import annotations

import argparse
import glob
import grp
import importlib.util
import json
import os
import pwd
import shutil
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from hallcall.device_kit.device_file import DeviceFile, DeviceFileError
from hallcall.fonts import CJK_FONT_FILES
from hallcall.mqtt.settings import MqttSettingsError, add_mqtt_options
from hallcall.protocol.payloads import encode
from hallcall.protocol.topics import Topics

Status = Literal["OK", "WARN", "FAIL"]

#: The DRM devices Qt's eglfs draws on where no Wayland or X display runs.
DRI_CARDS = "/dev/dri/card*"
GPIO_CHIPS = "/dev/gpiochip*"
#: How long the doctor waits for MQTT: the login, the retained messages, the ping's reply.
WAIT_S = 5.0


@dataclass(frozen=True)
class Check:
    status: Status
    what: str
    fix: str = ""

    def line(self) -> str:
        return f"{self.status:<4}  {self.what}" + (f"  -> {self.fix}" if self.fix else "")


def ok(what: str) -> Check:
    return Check("OK", what)


def warn(what: str, fix: str) -> Check:
    return Check("WARN", what, fix)


def fail(what: str, fix: str) -> Check:
    return Check("FAIL", what, fix)


def report(checks: list[Check], out: Any = None) -> int:
    """Print one line per check; 1 when any failed, else 0."""
    out = out or sys.stdout
    for check in checks:
        print(check.line(), file=out)
    failed = sum(c.status == "FAIL" for c in checks)
    warned = sum(c.status == "WARN" for c in checks)
    print(
        f"doctor: {len(checks)} checks, {failed} failed, {warned} warning(s)",
        file=out,
        flush=True,
    )
    return 1 if failed else 0


# ---------------------------------------------------------------------------- MQTT


@dataclass
class _Heard:
    connected: threading.Event = field(default_factory=threading.Event)
    refused: Any = None
    subscribed: threading.Event = field(default_factory=threading.Event)
    sub_codes: list[Any] = field(default_factory=list)
    reply: threading.Event = field(default_factory=threading.Event)
    reply_payload: dict[str, Any] = field(default_factory=dict)
    server: dict[str, Any] | None = None
    server_heard: threading.Event = field(default_factory=threading.Event)
    catalog: dict[str, Any] | None = None
    catalog_heard: threading.Event = field(default_factory=threading.Event)


def mqtt_checks(settings: DeviceFile, kind: str, wait_s: float | None = None) -> list[Check]:
    """Log in as the device, ask the queue broker `device.ping`, read the retained catalog."""
    wait_s = WAIT_S if wait_s is None else wait_s
    import paho.mqtt.client as mqtt

    from hallcall.mqtt.connection import make_client

    mqtt_settings = settings.mqtt.settings()
    where = f"{mqtt_settings.host}:{mqtt_settings.port}"
    user = mqtt_settings.username
    topics = Topics(settings.hall)
    cmd_topic = topics.command(kind, settings.device)
    reply_topic = topics.reply(kind, settings.device)
    heard = _Heard()
    rid = "doctor-" + uuid.uuid4().hex[:12]
    client = make_client(f"hallcall-doctor-{kind}-{settings.device}", mqtt_settings)
    client.reconnect_delay_set(min_delay=30, max_delay=60)  # one try is the answer

    def on_connect(client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            heard.refused = reason_code
            heard.connected.set()
            return
        client.subscribe(
            [(reply_topic, 1), (topics.server_status, 1), (topics.root + "state/catalog", 1)]
        )
        heard.connected.set()

    def on_subscribe(client, userdata, mid, reason_codes, properties) -> None:
        heard.sub_codes = list(reason_codes)
        heard.subscribed.set()

    def on_message(client, userdata, msg) -> None:
        try:
            payload = json.loads(msg.payload.decode("utf-8")) if msg.payload else {}
        except (UnicodeDecodeError, json.JSONDecodeError):
            return
        if not isinstance(payload, dict):
            return
        if msg.topic == reply_topic and payload.get("request_id") == rid:
            heard.reply_payload = payload
            heard.reply.set()
        elif msg.topic == topics.server_status:
            heard.server = payload
            heard.server_heard.set()
        elif msg.topic == topics.root + "state/catalog":
            heard.catalog = payload
            heard.catalog_heard.set()

    client.on_connect = on_connect
    client.on_subscribe = on_subscribe
    client.on_message = on_message
    try:
        client.connect(mqtt_settings.host, mqtt_settings.port, keepalive=mqtt_settings.keepalive)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return [
            fail(
                f"mqtt: cannot reach Mosquitto at {where} ({reason})",
                "check [mqtt] host and port, the network, and that Mosquitto runs on the broker "
                "Pi (systemctl status mosquitto)",
            )
        ]
    client.loop_start()
    try:
        return _after_connect(
            client, heard, settings, kind, user, where, cmd_topic, reply_topic, rid, wait_s, mqtt
        )
    finally:
        client.disconnect()
        client.loop_stop()


def _after_connect(
    client: Any,
    heard: _Heard,
    settings: DeviceFile,
    kind: str,
    user: str | None,
    where: str,
    cmd_topic: str,
    reply_topic: str,
    rid: str,
    wait_s: float,
    mqtt: Any,
) -> list[Check]:
    if not heard.connected.wait(wait_s):
        return [
            fail(
                f"mqtt: Mosquitto at {where} did not answer the login",
                "check [mqtt] port and tls (a TLS port needs tls = true)",
            )
        ]
    if heard.refused is not None:
        who = f"user {user}" if user else "an anonymous login"
        return [
            fail(
                f"mqtt: Mosquitto refused {who} ({heard.refused})",
                f"Mosquitto refused {who}: check [mqtt] password / the password file on the broker"
                + ("" if user else " (set [mqtt] username, e.g. kind-id)"),
            )
        ]
    checks = [ok(f"mqtt: logged in to {where} as {user or 'anonymous'}")]
    heard.subscribed.wait(wait_s)
    if heard.sub_codes and heard.sub_codes[0].is_failure:
        checks.append(
            fail(
                f"mqtt: may not read {reply_topic}",
                f"the ACL does not let {user} read {reply_topic} (regenerate with hallcall "
                "mqtt-acl)",
            )
        )
    client.publish(cmd_topic, encode({"request_id": rid, "op": "device.ping"}), qos=1)
    heard.server_heard.wait(min(wait_s, 2.0))
    server_online = bool(heard.server and heard.server.get("state") == "online")
    if server_online:
        version = (heard.server or {}).get("version")
        checks.append(ok(f"queue broker online for hall {settings.hall} (version {version})"))
    else:
        checks.append(
            fail(
                f"queue broker offline for hall {settings.hall}"
                + ("" if heard.server else " (no server/status heard)"),
                f"start the queue broker (hallcall broker) with the hall file of {settings.hall!r};"
                " is `hall` in the device file right?",
            )
        )
    checks.append(_ping_check(heard, settings, kind, user, cmd_topic, server_online, wait_s))
    heard.catalog_heard.wait(min(wait_s, 2.0))
    checks += _catalog_checks(heard.catalog, settings, kind)
    return checks


def _ping_check(
    heard: _Heard,
    settings: DeviceFile,
    kind: str,
    user: str | None,
    cmd_topic: str,
    server_online: bool,
    wait_s: float,
) -> Check:
    if not heard.reply.wait(wait_s if server_online else 1.0):
        if not server_online:
            return warn(
                "commands not checked: the queue broker is offline",
                "start it, then run the doctor again",
            )
        return fail(
            f"commands are not answered (no reply to device.ping in {wait_s:g} s)",
            f"the ACL does not let {user or 'this user'} publish {cmd_topic} "
            "(regenerate with hallcall mqtt-acl)",
        )
    reply = heard.reply_payload
    if reply.get("ok"):
        data = reply.get("data") or {}
        return ok(
            f"commands answered: device.ping as {data.get('kind')}/{data.get('id')} "
            f"(queue broker {data.get('version')})"
        )
    error = reply.get("error") or {}
    if error.get("code") == "unknown_op":
        return warn(
            "commands answered, but the queue broker does not know device.ping",
            "update the queue broker to this version",
        )
    return fail(
        f"the queue broker refuses {kind}/{settings.device}: {error.get('message')}",
        f"add it to the hall file's [[devices]] (kind = {kind!r}, id = {settings.device!r}) "
        "and restart the queue broker, or fix `device` in the device file",
    )


def _catalog_checks(catalog: dict[str, Any] | None, settings: DeviceFile, kind: str) -> list[Check]:
    if catalog is None:
        return [
            fail(
                "no retained catalog (state/catalog)",
                "the queue broker publishes it when it starts: start it for this hall",
            )
        ]
    windows = {w.get("id") for w in catalog.get("windows", [])}
    devices = {(d.get("kind"), d.get("id")): d for d in catalog.get("devices", [])}
    checks = [ok(f"catalog read: {len(catalog.get('departments', []))} departments")]
    if kind == "window":
        if settings.device in windows:
            checks.append(ok(f"window {settings.device} is in the hall file"))
        else:
            checks.append(
                fail(
                    f"window {settings.device} is not in the hall file",
                    "fix `device` (the window's id) or add the [[windows]] entry",
                )
            )
        return checks
    entry = devices.get((kind, settings.device))
    if entry is None:
        if any(k == kind for k, _ in devices):  # the catalog lists this kind
            checks.append(
                fail(
                    f"{kind} {settings.device} is not in the hall file's [[devices]]",
                    f"add kind = {kind!r}, id = {settings.device!r} there, or fix `device`",
                )
            )
        return checks
    checks.append(ok(f"{kind} {settings.device} is in the hall file"))
    window = entry.get("window")
    if window and window not in windows:
        checks.append(
            fail(
                f"{kind} {settings.device} belongs to window {window}, which does not exist",
                "fix the device's `window` in the hall file",
            )
        )
    elif window:
        checks.append(ok(f"its window {window} exists"))
    return checks


# ---------------------------------------------------------------------------- the machine


def _user() -> str:
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return str(os.getuid())


def _group_fix(path: str) -> str:
    try:
        group = grp.getgrgid(os.stat(path).st_gid).gr_name
    except (KeyError, OSError):
        group = "dialout"
    return f"add the user to group {group}: sudo usermod -aG {group} {_user()} (log in again)"


def device_node_check(what: str, path: str) -> Check:
    """A serial port (or any device node): there, and readable and writable by this user."""
    if not os.path.exists(path):
        return fail(
            f"{what}: {path} does not exist",
            "plug it in / switch it on, or set the right port (ls -l /dev/serial/by-id/)",
        )
    if not os.access(path, os.R_OK | os.W_OK):
        return fail(f"{what}: {path} is not readable and writable by {_user()}", _group_fix(path))
    return ok(f"{what}: {path}")


def gpio_check(what: str, pins: list[int]) -> Check:
    chips = sorted(glob.glob(GPIO_CHIPS))
    if not chips:
        return fail(
            f"{what}: no GPIO ({GPIO_CHIPS} missing)",
            "run it on the Raspberry Pi the buttons are wired to, or use kind = serial",
        )
    if not os.access(chips[0], os.R_OK | os.W_OK):
        return fail(f"{what}: {chips[0]} not usable by {_user()}", _group_fix(chips[0]))
    bad = [p for p in pins if not 0 <= p <= 27]
    if bad:
        return fail(f"{what}: pins {bad} are no BCM GPIO pins", "use BCM numbers 0-27")
    if importlib.util.find_spec("gpiozero") is None:
        return fail(f"{what}: gpiozero is not installed", "pip install gpiozero lgpio")
    return ok(f"{what}: pins {pins} on {chips[0]}")


def font_checks(configured: str | None, what: str = "screen font") -> list[Check]:
    """The font with Chinese glyphs a screen uses: the configured file, else an installed one."""
    if configured:
        if not os.path.isfile(configured):
            return [
                fail(
                    f"{what}: {configured} does not exist",
                    "set `font` to a CJK font file, or remove it to use the installed one "
                    "(apt-get install fonts-wqy-microhei)",
                )
            ]
        return [ok(f"{what}: {configured}")]
    found = next((p for p in CJK_FONT_FILES if os.path.isfile(p)), None) or _fc_list_zh()
    if found is None:
        return [
            fail(
                f"{what}: no font with Chinese glyphs is installed",
                "apt-get install fonts-wqy-microhei (or set `font` to a CJK font file)",
            )
        ]
    return [ok(f"{what}: {found}")]


def _fc_list_zh() -> str | None:
    if shutil.which("fc-list") is None:
        return None
    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    files = sorted(line.strip().rstrip(":") for line in out.splitlines() if line.strip())
    return files[0] if files else None


def screen_check(required: bool = True, environ: Mapping[str, str] | None = None) -> Check:
    """A Wayland or X display, or a DRM device for Qt's eglfs (a Pi without a desktop)."""
    env = os.environ if environ is None else environ
    if env.get("WAYLAND_DISPLAY"):
        return ok(f"screen: Wayland display {env['WAYLAND_DISPLAY']}")
    if env.get("DISPLAY"):
        return ok(f"screen: X display {env['DISPLAY']}")
    cards = sorted(glob.glob(DRI_CARDS))
    platform = env.get("QT_QPA_PLATFORM", "")
    if cards and platform.startswith(("eglfs", "linuxfb")):
        return ok(f"screen: {platform} on {cards[0]}")
    if cards:
        return warn(
            f"screen: no desktop, but {cards[0]} is there",
            "run it under cage (a Wayland kiosk session) or with QT_QPA_PLATFORM=eglfs",
        )
    if platform == "offscreen":
        return warn("screen: QT_QPA_PLATFORM=offscreen, nothing is shown", "unset it on the Pi")
    what = "screen: none (no WAYLAND_DISPLAY, no DISPLAY, no /dev/dri/card*)"
    fix = "connect the display and start the app in its session (cage, or QT_QPA_PLATFORM=eglfs)"
    return fail(what, fix) if required else warn(what, fix + "; fine for a headless device")


def audio_checks(device: str | None) -> list[Check]:
    """What the voice needs: aplay, a sound card (the configured ALSA device), espeak-ng."""
    checks = []
    aplay = shutil.which("aplay")
    if aplay is None:
        return [fail("audio: aplay not found", "apt-get install alsa-utils")]
    try:
        listed = subprocess.run(
            [aplay, "-L"], capture_output=True, text=True, timeout=10
        ).stdout.split()
    except (OSError, subprocess.SubprocessError):
        listed = []
    if not glob.glob("/dev/snd/pcm*"):
        checks.append(
            fail("audio: no sound card (/dev/snd/pcm*)", "connect HDMI audio or a USB sound card")
        )
    elif device and device not in listed:
        checks.append(
            fail(
                f"audio: ALSA device {device!r} not found",
                "set [voice] audio_device to one of `aplay -L`, or remove it",
            )
        )
    elif not os.access(sorted(glob.glob("/dev/snd/pcm*"))[0], os.R_OK | os.W_OK):
        checks.append(
            fail(f"audio: the sound card is not usable by {_user()}", _group_fix("/dev/snd"))
        )
    else:
        checks.append(ok(f"audio: {device or 'the default ALSA device'}"))
    if importlib.util.find_spec("pyttsx3") is None:
        checks.append(fail("voice: pyttsx3 is not installed", "pip install pyttsx3"))
    elif shutil.which("espeak-ng") is None and shutil.which("espeak") is None:
        checks.append(fail("voice: espeak-ng not found", "apt-get install espeak-ng"))
    else:
        checks.append(ok("voice: pyttsx3 with espeak-ng"))
    return checks


# ---------------------------------------------------------------------------- device kinds


@dataclass(frozen=True)
class DoctorKind:
    """What the doctor checks of one device kind: its MQTT kind and its device file's hardware.

    `load(path, args)` reads the device file (raises DeviceFileError); `hardware(settings)`
    lists the machine checks (serial ports, printer, GPIO, audio, fonts, screen).
    """

    name: str  # as `hallcall doctor --kind` takes it: kiosk, window, display, sign, rating-pad
    mqtt_kind: str  # the contract's device kind: kiosk, window, display, sign, rating
    load: Callable[[str, argparse.Namespace | None], Any]
    hardware: Callable[[Any], list[Check]]

    def diagnose(self, settings: Any, out: Any = None) -> int:
        checks = mqtt_checks(settings, self.mqtt_kind)
        try:
            checks += self.hardware(settings)
        except Exception as exc:  # noqa: BLE001 - a check that breaks is a finding, not a crash
            checks.append(fail(f"hardware checks stopped: {exc}", "report this as a bug"))
        return report(checks, out)


#: Registered by each installed device part (its `register`), so the doctor knows its kinds.
KINDS: dict[str, DoctorKind] = {}


def register_doctor(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser], kind: DoctorKind
) -> None:
    """Add `kind` and, once, the `hallcall doctor` command."""
    KINDS[kind.name] = kind
    if "doctor" in subparsers.choices:
        return
    p = subparsers.add_parser(
        "doctor",
        help="check this device: MQTT login, ACL, catalog and its hardware, with fixes",
        description="Check this device as its device file describes it: one line per check "
        "(OK / WARN / FAIL) with the fix; exit status 1 when any check fails. Stop the "
        "device's app first: the doctor logs in with the device's own MQTT user.",
    )
    p.add_argument("--device", required=True, metavar="FILE", help="the device file (TOML)")
    p.add_argument(
        "--kind",
        help="the device kind of the file (default: the one kind whose device file it is)",
    )
    add_mqtt_options(p)
    p.set_defaults(func=cmd_doctor)


def cmd_doctor(args: argparse.Namespace) -> int:
    if args.kind is not None and args.kind not in KINDS:
        print(f"--kind: one of {', '.join(sorted(KINDS))} (installed here)", file=sys.stderr)
        return 2
    candidates = [KINDS[args.kind]] if args.kind else [KINDS[k] for k in sorted(KINDS)]
    loaded: list[tuple[DoctorKind, Any]] = []
    problems: list[str] = []
    for kind in candidates:
        try:
            loaded.append((kind, kind.load(args.device, args)))
        except DeviceFileError as exc:
            if exc.problems == ["no such file"] or len(candidates) == 1:
                print(exc, file=sys.stderr)
                return 2
            problems.append(f"as {kind.name}: {exc}")
        except MqttSettingsError as exc:
            print(exc, file=sys.stderr)
            return 2
    if not loaded:
        print(f"{args.device} is no device file of this machine's parts:", file=sys.stderr)
        print("\n".join(problems), file=sys.stderr)
        return 2
    if len(loaded) > 1:
        names = ", ".join(k.name for k, _ in loaded)
        print(f"{args.device} fits several device kinds ({names}): give --kind", file=sys.stderr)
        return 2
    kind, settings = loaded[0]
    print(f"doctor: {kind.name} {settings.device!r} of hall {settings.hall!r} ({args.device})")
    return kind.diagnose(settings)


# Checks used by several kinds, by the device files' own keys.
def serial_or_gpio(what: str, config: Any) -> list[Check]:
    """A keypad's or rating pad's `[keys]`: kind serial (port), gpio (pins) or fake."""
    if config is None or config.kind == "fake":
        return []
    if config.kind == "serial":
        return [device_node_check(what, config.port)]
    pins = list(getattr(config, "pins", {}).values()) or list(getattr(config, "button_pins", []))
    pins += list(getattr(config, "led_pins", []))
    return [gpio_check(what, pins)]


__all__ = [
    "Check",
    "DoctorKind",
    "audio_checks",
    "device_node_check",
    "font_checks",
    "gpio_check",
    "mqtt_checks",
    "register_doctor",
    "report",
    "screen_check",
    "serial_or_gpio",
]
