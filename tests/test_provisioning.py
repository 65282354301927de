"""`hallcall devices`: a whole hall's device files from its hall file, proven on a real Mosquitto.

The generated passwd and ACL go into a real Mosquitto, a real `hallcall broker` process logs in
with the generated broker password, and a kiosk and a clerk terminal connect with nothing but
their generated device files: they take and call a ticket. A device started with another
device's file speaks under that device's user, and the ACL drops its commands.
"""

from __future__ import annotations

import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from hallcall.broker.provisioning import password_file
from hallcall.cli import main
from hallcall.config.loader import load_config
from hallcall.demo.embedded_mqtt import free_port
from hallcall.device_kit.client import device_client
from hallcall.device_kit.device_file import load_device_file
from hallcall.display.settings import DisplaySettings, SignSettings
from hallcall.kiosk.settings import KioskSettings
from hallcall.mqtt.client import RequestTimeout
from hallcall.rating_pad.settings import PadSettings
from hallcall.window_terminal.settings import TerminalSettings
from tests.support.hall import unthrottled_hall_file
from tests.support.mosquitto import Mosquitto
from tests.support.mqtt import wait_for

MODELS = {
    "kiosk": KioskSettings,
    "window": TerminalSettings,
    "rating": PadSettings,
    "display": DisplaySettings,
    "sign": SignSettings,
}


def generate(hall: Path, out: Path, *extra: str, port: int = 1883) -> int:
    args = ["devices", "--config", str(hall), "--out", str(out), "--mqtt-host", "127.0.0.1"]
    return main([*args, "--mqtt-port", str(port), *extra])


def passwords(out: Path) -> dict[str, str]:
    found = {}
    for path in (out / "devices").glob("*.toml"):
        mqtt_ = tomllib.loads(path.read_text())["mqtt"]
        found[mqtt_["username"]] = mqtt_["password"]
    return found


def test_one_file_per_device_each_loadable_secret_and_listed(tmp_path, capsys):
    hall = unthrottled_hall_file(tmp_path)
    config = load_config(hall)
    out = tmp_path / "out"
    assert generate(hall, out) == 0
    files = sorted(p.name for p in (out / "devices").iterdir())
    expected = sorted(
        [f"window-{w.id}.toml" for w in config.windows]
        + [
            f"{d.kind}-{d.id}.{'env' if d.kind in ('web', 'admin') else 'toml'}"
            for d in config.devices
        ]
    )
    assert files == expected
    readme = (out / "README.txt").read_text()
    for name in files:
        assert f"devices/{name}" in readme
        path = out / "devices" / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        if name.endswith(".env"):
            assert "HALLCALL_MQTT_PASSWORD=" in path.read_text()
            continue
        kind = name.split("-", 1)[0]
        settings = load_device_file(MODELS[kind], path)  # every app reads its file as written
        assert settings.hall == config.hall.id
        assert settings.mqtt.username == name.removesuffix(".toml")
        assert settings.mqtt.password and len(settings.mqtt.password) >= 20
        assert settings.mqtt.host == "127.0.0.1"
    kiosk = (out / "devices" / "kiosk-kiosk-1.toml").read_text()
    assert "# [printer]" in kiosk and 'devfile = "/dev/ttyUSB0"' in kiosk  # a commented template
    # Only its hall, its id and its MQTT login are set: the rest is the catalog's.
    assert set(tomllib.loads(kiosk)) == {"hall", "device", "mqtt"}
    for secret in ("mosquitto/passwd", "broker/queue-broker.password"):
        assert stat.S_IMODE((out / secret).stat().st_mode) == 0o600
    pws = passwords(out)
    assert len(set(pws.values())) == len(pws)  # every device its own password
    passwd = (out / "mosquitto" / "passwd").read_text()
    assert "kiosk-kiosk-1:$7$" in passwd and pws["kiosk-kiosk-1"] not in passwd
    assert "user window-w01" in (out / "mosquitto" / "acl").read_text()

    # An existing folder is not overwritten by accident ...
    assert generate(hall, out) == 2
    assert "--keep-passwords" in capsys.readouterr().err
    assert passwords(out) == pws
    # ... is rewritten keeping every password, or rotating one ...
    assert generate(hall, out, "--keep-passwords") == 0
    assert passwords(out) == pws
    assert generate(hall, out, "--keep-passwords", "--rotate", "kiosk-2") == 0
    after = passwords(out)
    assert after["kiosk-kiosk-2"] != pws["kiosk-kiosk-2"]
    assert {k: v for k, v in after.items() if k != "kiosk-kiosk-2"} == {
        k: v for k, v in pws.items() if k != "kiosk-kiosk-2"
    }
    assert generate(hall, out, "--keep-passwords", "--rotate", "nosuch") == 2
    # ... or made all new with --force.
    assert generate(hall, out, "--force") == 0
    assert not set(passwords(out).values()) & set(after.values())


@pytest.fixture
def provisioned(tmp_path):
    """The example hall's generated files, a Mosquitto run from them and a `hallcall broker`."""
    hall = unthrottled_hall_file(tmp_path)
    out = tmp_path / "out"
    port = free_port()
    assert generate(hall, out, port=port) == 0
    server = Mosquitto(out / "mosquitto", port, secured=True).start()
    log = (tmp_path / "broker.log").open("w")
    cmd = [sys.executable, "-m", "hallcall.cli", "broker", "--config", str(hall)]
    cmd += ["--db", f"sqlite:///{tmp_path / 'hall.db'}", "--mqtt-port", str(port)]
    cmd += ["--mqtt-user", "queue-broker"]
    cmd += ["--mqtt-password-file", str(out / "broker" / "queue-broker.password")]
    broker = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
    clients = []
    try:
        yield out, clients
    finally:
        for c in clients:
            c.stop()
        broker.terminate()
        broker.wait(timeout=10)
        server.stop()
        log.close()


def test_a_kiosk_and_a_terminal_work_from_their_generated_files_and_a_borrowed_file_is_refused(
    provisioned,
):
    out, clients = provisioned
    files = out / "devices"
    kiosk = device_client(
        load_device_file(KioskSettings, files / "kiosk-kiosk-1.toml"), "kiosk", ["state/#"]
    )
    clerk = device_client(
        load_device_file(TerminalSettings, files / "window-w01.toml"), "window", ["state/#"]
    )
    clients += [kiosk, clerk]
    for c in (kiosk, clerk):
        c.start()
    wait_for(lambda: kiosk.server_online and clerk.server_online, timeout=30, what="broker up")
    assert kiosk.incompatible is None
    ticket = kiosk.request("ticket.issue", department="registrar", timeout=10)["data"]["ticket"]
    assert clerk.request("window.login", staff="s101", post="A", pin="2468", timeout=10)["ok"]
    called = clerk.request("call.next", timeout=10)["data"]["ticket"]
    assert called["number"] == ticket["number"]

    # Two Pis with one user evict each other (one client id per user): the real ones leave.
    kiosk.stop()
    clerk.stop()
    # kiosk-2 set up with kiosk-1's file by mistake: it logs in as kiosk-kiosk-1 but speaks
    # on cmd/kiosk/kiosk-2, which that user may not publish: no reply ever comes.
    borrowed = load_device_file(KioskSettings, files / "kiosk-kiosk-1.toml", device="kiosk-2")
    wrong = device_client(borrowed, "kiosk", ["state/#"])
    clients.append(wrong)
    wrong.start()
    wait_for(lambda: wrong.server_online, timeout=10, what="the borrowed file connects")
    with pytest.raises(RequestTimeout):
        wrong.request("ticket.issue", department="registrar", timeout=3)
    wrong.stop()
    # A clerk terminal's file in a kiosk: window-w01 may not publish kiosk commands either.
    misused = device_client(
        load_device_file(TerminalSettings, files / "window-w01.toml"), "kiosk", ["state/#"]
    )
    clients.append(misused)
    misused.start()
    wait_for(lambda: misused.server_online, timeout=10, what="the misused file connects")
    with pytest.raises(RequestTimeout):
        misused.request("ticket.issue", department="registrar", timeout=3)
    misused.stop()
    # Nothing of theirs was taken: the kiosk's next ticket is the second.
    again = device_client(
        load_device_file(KioskSettings, files / "kiosk-kiosk-1.toml"), "kiosk", ["state/#"]
    )
    clients.append(again)
    again.start()
    wait_for(lambda: again.server_online, timeout=10, what="kiosk back")
    second = again.request("ticket.issue", department="registrar", timeout=10)["data"]["ticket"]
    assert second["number"] == "A002"


def accepted(port: int, user: str, password: str) -> bool:
    """Whether Mosquitto accepts this login (its CONNACK)."""
    result: list[bool] = []
    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"probe-{password}")
    c.username_pw_set(user, password)
    c.on_connect = lambda *a: result.append(not a[3].is_failure)
    c.connect("127.0.0.1", port)
    c.loop_start()
    try:
        wait_for(lambda: result, timeout=10, what="CONNACK")
    finally:
        c.loop_stop()
        c.disconnect()
    return result[0]


def test_the_fallback_hash_is_one_mosquitto_accepts(tmp_path):
    """Without mosquitto_passwd the hashes are made here, in Mosquitto's own $7$ format."""
    directory = tmp_path / "m"
    directory.mkdir()
    password_file([("kiosk-kiosk-1", "s3cret-pw")], directory / "passwd", use_tool=False)
    (directory / "acl").write_text("user kiosk-kiosk-1\ntopic read x/#\n")
    server = Mosquitto(directory, secured=True).start()
    try:
        assert accepted(server.port, "kiosk-kiosk-1", "s3cret-pw")
        assert not accepted(server.port, "kiosk-kiosk-1", "wrong")
    finally:
        server.stop()
