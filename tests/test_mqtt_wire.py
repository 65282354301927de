"""The wire (issue #11 item 5): TLS, passwords kept off the command line, exposure warnings.

Real processes: a Mosquitto with a TLS listener (certificates from trustme) and `hallcall broker`
as a subprocess. Mosquitto is configured as HallCall ships it (tests/support/mosquitto.py, from
`broker/src/hallcall/broker/mosquitto_setup.py`); the password-file test uses the folder `write_setup` (what
`hallcall mqtt-setup` runs) writes: its ACL, passwd and secrets/queue-broker.password.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import trustme

from hallcall.broker.mosquitto_setup import Tls
from hallcall.config.loader import load_config
from hallcall.mqtt.client import DeviceClient, RequestTimeout
from hallcall.mqtt.settings import MqttSection, MqttSettings, exposure_warnings
from tests.support.mosquitto import Mosquitto, SecuredHall

pytestmark = pytest.mark.skipif(
    shutil.which("mosquitto") is None, reason="mosquitto is not installed"
)

ROOT = Path(__file__).resolve().parents[1]
HALL = ROOT / "config" / "src" / "hallcall" / "config" / "halls" / "example-university.toml"
BROKER_USER = "queue-broker"  # the queue broker logs in as queue-broker.{hall}
KIOSK_USER = "kiosk-kiosk-1"


def server_tls(directory: Path, ca: trustme.CA, *, client_certificates: bool = False) -> Tls:
    """Write the hall CA and a server certificate for 127.0.0.1 into `directory`, before any
    Mosquitto configuration names them; with `client_certificates`, clients must present one."""
    ca.cert_pem.write_to_path(directory / "ca.pem")
    server = ca.issue_cert("127.0.0.1")
    server.cert_chain_pems[0].write_to_path(directory / "server.pem")
    server.private_key_pem.write_to_path(directory / "server.key")
    return Tls(
        directory / "server.pem",
        directory / "server.key",
        directory / "ca.pem" if client_certificates else None,
    )


@pytest.fixture
def ca():
    return trustme.CA()


def kiosk(settings: MqttSettings) -> DeviceClient:
    return DeviceClient("campus-hall", "kiosk", "kiosk-1", settings, ["state/#"])


def connects(settings: MqttSettings, seconds: float) -> bool:
    client = kiosk(settings)
    client.start()
    try:
        return client.wait_connected(seconds)
    finally:
        client.stop()


# ---------------------------------------------------------------- (a) TLS with a CA, a client cert


def test_a_device_connects_over_tls_with_the_hall_ca_and_not_without_it(tmp_path, ca):
    server = Mosquitto(tmp_path, tls=server_tls(tmp_path, ca)).start()
    ca_file = tmp_path / "ca.pem"
    try:
        assert connects(MqttSettings(port=server.port, ca_file=str(ca_file)), 10)
        # TLS on but trusting only the system's CAs: the hall's own CA is unknown, no connection.
        assert not connects(MqttSettings(port=server.port, tls=True), 2)
        # No TLS at all against a TLS listener.
        assert not connects(MqttSettings(port=server.port), 2)
    finally:
        server.stop()


def test_a_server_requiring_client_certificates_admits_only_a_device_with_one(tmp_path, ca):
    server = Mosquitto(tmp_path, tls=server_tls(tmp_path, ca, client_certificates=True)).start()
    ca_file = tmp_path / "ca.pem"
    client_cert = ca.issue_cert(KIOSK_USER)
    client_cert.cert_chain_pems[0].write_to_path(tmp_path / "kiosk.pem")
    client_cert.private_key_pem.write_to_path(tmp_path / "kiosk.key")
    try:
        # From a device file's [mqtt] table, as a kiosk would read it.
        section = MqttSection(
            port=server.port,
            ca_file=str(ca_file),
            cert_file=str(tmp_path / "kiosk.pem"),
            key_file=str(tmp_path / "kiosk.key"),
        )
        assert section.settings().tls
        assert connects(section.settings(), 10)
        assert not connects(MqttSettings(port=server.port, ca_file=str(ca_file)), 2)
    finally:
        server.stop()


# ---------------------------------------------------------------- (b) hallcall broker, password file


def start_broker(tmp_path: Path, *options: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hallcall.cli",
            "broker",
            "--config",
            str(HALL),
            "--db",
            f"sqlite:///{tmp_path / 'x.db'}",
            *options,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )


def stop_process(proc: subprocess.Popen) -> str:
    """Stop it and return what it wrote on stderr."""
    if proc.poll() is None:
        proc.terminate()
    try:
        _, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return err


def command_line(proc: subprocess.Popen) -> list[bytes]:
    """The process's arguments as the system shows them to other users of the machine.

    Popen returns once exec has begun; the kernel sets the new argv a moment later, and until
    then /proc/{pid}/cmdline reads empty.
    """
    deadline = time.monotonic() + 5
    while True:
        raw = Path(f"/proc/{proc.pid}/cmdline").read_bytes()
        if raw or proc.poll() is not None or time.monotonic() > deadline:
            return raw.split(b"\0")
        time.sleep(0.01)


def test_the_queue_broker_reads_its_password_from_a_file_and_serves_a_kiosk_over_tls(tmp_path, ca):
    hall = SecuredHall(tmp_path, [load_config(HALL)], tls=server_tls(tmp_path, ca)).start()
    ca_file = tmp_path / "ca.pem"
    # The queue broker's password as `hallcall mqtt-setup` made it: one file for all its halls.
    password_file = tmp_path / "secrets" / f"{BROKER_USER}.password"
    broker_password, kiosk_password = hall.password(BROKER_USER), hall.password(KIOSK_USER)
    proc = start_broker(
        tmp_path,
        "--mqtt-port",
        str(hall.port),
        "--mqtt-user",
        BROKER_USER,
        "--mqtt-password-file",
        str(password_file),
        "--mqtt-ca",
        str(ca_file),
    )
    client = kiosk(
        MqttSettings(
            port=hall.port, username=KIOSK_USER, password=kiosk_password, ca_file=str(ca_file)
        )
    )
    try:
        cmdline = command_line(proc)
        assert str(password_file).encode() in cmdline
        assert not any(broker_password.encode() in arg for arg in cmdline)
        client.start()
        assert client.wait_connected(10)
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, proc.stderr.read()
            try:
                reply = client.request("ticket.issue", timeout=2, department="registrar")
                break
            except RequestTimeout:
                assert time.monotonic() < deadline, "the queue broker never answered"
        assert reply["ok"], reply
    finally:
        client.stop()
        err = stop_process(proc)
        hall.stop()
    assert broker_password not in err
    assert "not on this machine" not in err  # loopback: no exposure warning


# ---------------------------------------------------------------- (c) exposure warnings


def test_exposure_warnings_only_for_a_non_loopback_mqtt_without_user_or_tls():
    for host in ("127.0.0.1", "127.3.0.9", "::1", "localhost"):
        assert exposure_warnings(MqttSettings(host=host)) == []
    bare = exposure_warnings(MqttSettings(host="192.0.2.1"))
    assert len(bare) == 2
    assert "anyone on the network can send commands" in bare[0]
    assert "phone numbers" in bare[1] and "in clear" in bare[1]
    assert (
        exposure_warnings(MqttSettings(host="mqtt.example", username="u", ca_file="/ca.pem")) == []
    )
    only_tls = exposure_warnings(MqttSettings(host="10.0.0.5", username="u"))
    assert len(only_tls) == 1 and "in clear" in only_tls[0]


def test_hallcall_broker_warns_at_start_when_its_mqtt_is_off_this_machine_and_open(tmp_path):
    proc = start_broker(tmp_path, "--mqtt-host", "192.0.2.1", "--mqtt-port", "1883")
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while sum("192.0.2.1:1883 is not on this machine" in line for line in seen) < 2:
            assert time.monotonic() < deadline, "".join(seen)
            line = proc.stderr.readline()
            assert line, "the broker exited: " + "".join(seen)
            seen.append(line)
    finally:
        stop_process(proc)
    text = "".join(seen)
    assert "WARNING" in text
    assert "anyone on the network can send commands" in text
    assert "visitors' phone numbers, travel in clear" in text


# ---------------------------------------------------------------- (d) an unreadable password file


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "hallcall.cli", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )


def test_a_missing_password_file_is_a_clear_error_not_a_traceback(tmp_path):
    missing = tmp_path / "no-such.password"
    for result in (
        run_cli(
            "broker",
            "--config",
            str(HALL),
            "--db",
            f"sqlite:///{tmp_path / 'x.db'}",
            "--mqtt-password-file",
            str(missing),
        ),
        run_cli(
            "broker",
            "--config",
            str(HALL),
            "--db",
            f"sqlite:///{tmp_path / 'x.db'}",
            env={"HALLCALL_MQTT_PASSWORD_FILE": str(missing)},
        ),
        run_cli(
            "kiosk",
            "--device",
            str(ROOT / "kiosk" / "examples" / "kiosk.toml"),
            "--check",
            "--mqtt-password-file",
            str(missing),
        ),
    ):
        assert result.returncode == 2, result.stderr
        assert f"cannot read the MQTT password file {missing}" in result.stderr
        assert "Traceback" not in result.stderr


def test_a_device_file_naming_a_missing_password_file_fails_its_check(tmp_path):
    device = tmp_path / "kiosk.toml"
    missing = tmp_path / "kiosk.password"
    device.write_text(
        f'hall = "campus-hall"\n[mqtt]\nusername = "{KIOSK_USER}"\n'
        f'password_file = "{missing}"\n[printer]\nkind = "fake"\n'
    )
    result = run_cli("kiosk", "--device", str(device), "--check")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "mqtt.password_file" in result.stderr and str(missing) in result.stderr
    missing.write_text("  s3cret  \nignored\n")
    assert run_cli("kiosk", "--device", str(device), "--check").returncode == 0
    assert MqttSection(password_file=str(missing)).settings().password == "s3cret"
