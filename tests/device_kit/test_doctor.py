"""`hallcall doctor` against a real Mosquitto (password file + ACL) and a real queue broker:
it finds each planted fault and prints its one-line fix; a good kiosk is all OK."""

from __future__ import annotations

import logging

import pytest

from hallcall.broker.acl import QUEUE_BROKER_USER
from hallcall.broker.server import QueueBrokerServer
from hallcall.cli import main
from hallcall.device_kit import doctor
from hallcall.mqtt import client as client_module
from hallcall.mqtt.client import DeviceClient
from tests.support.hall import start_service
from tests.support.mosquitto import SecuredHall
from tests.support.mqtt import wait_for

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

USER = "kiosk-kiosk-1"
CMD = "hallcall/v1/campus-hall/cmd/kiosk/kiosk-1"


@pytest.fixture
def hall(tmp_path, hall_config, engine, clock, monkeypatch):
    """`hall(acl_without=None)`: the secured Mosquitto (a line taken out of its ACL) and a queue
    broker; the screen looks present (DISPLAY) unless a test takes it away."""
    monkeypatch.setattr(doctor, "WAIT_S", 2.0)
    monkeypatch.setenv("DISPLAY", ":0")
    running = []

    def start(acl_without: str | None = None) -> SecuredHall:
        secured = SecuredHall(tmp_path / "mqtt", [hall_config])
        if acl_without is not None:
            acl = secured.directory / "acl"
            text = acl.read_text()
            assert acl_without + "\n" in text
            acl.write_text(text.replace(acl_without + "\n", ""))
        secured.start()
        running.append(secured)
        broker = QueueBrokerServer(
            start_service(hall_config, engine, clock).bus, secured.login(QUEUE_BROKER_USER)
        )
        broker.start()
        running.append(broker)
        assert broker.ready.wait(15)
        return secured

    yield start
    for thing in reversed(running):
        thing.stop()


def kiosk_file(tmp_path, secured, *, password: str | None = None, extra: str = "") -> str:
    secret = secured.directory / "secrets" / f"{USER}.password"
    if password is not None:
        secret = tmp_path / "wrong.password"
        secret.write_text(password + "\n")
    path = tmp_path / "kiosk.toml"
    path.write_text(
        f"""hall = "campus-hall"
device = "kiosk-1"
{extra}
[mqtt]
host = "127.0.0.1"
port = {secured.port}
username = "{USER}"
password_file = "{secret}"
"""
        + ("" if "[printer]" in extra else '\n[printer]\nkind = "fake"\n')
    )
    return str(path)


def run_doctor(capsys, path: str) -> tuple[int, list[str]]:
    status = main(["doctor", "--device", path])
    return status, capsys.readouterr().out.splitlines()


def line(lines: list[str], start: str) -> str:
    found = [ln for ln in lines if ln.startswith(start)]
    assert found, f"no line starting {start!r} in:\n" + "\n".join(lines)
    return found[0]


def test_a_good_kiosk_with_the_fake_printer_is_all_ok(tmp_path, hall, capsys):
    secured = hall()
    status, lines = run_doctor(capsys, kiosk_file(tmp_path, secured))
    checks = [ln for ln in lines if ln[:4] in ("OK  ", "WARN", "FAIL")]
    assert status == 0, "\n".join(lines)
    assert checks and all(ln.startswith("OK") for ln in checks), "\n".join(lines)
    assert "commands answered: device.ping as kiosk/kiosk-1" in line(lines, "OK    commands")
    line(lines, "OK    kiosk kiosk-1 is in the hall file")
    line(lines, "OK    printer: fake")
    line(lines, "OK    screen: X display :0")
    assert lines[-1].startswith("doctor: ") and "0 failed" in lines[-1]


def test_a_wrong_password_is_named_with_its_fix(tmp_path, hall, capsys):
    secured = hall()
    status, lines = run_doctor(capsys, kiosk_file(tmp_path, secured, password="not-it"))
    assert status == 1
    assert line(lines, "FAIL  mqtt: Mosquitto refused user kiosk-kiosk-1").endswith(
        "-> Mosquitto refused user kiosk-kiosk-1: check [mqtt] password / the password file "
        "on the broker"
    )


def test_an_acl_that_refuses_the_command_topic_is_named_with_its_fix(tmp_path, hall, capsys):
    secured = hall(acl_without=f"topic write {CMD}")
    status, lines = run_doctor(capsys, kiosk_file(tmp_path, secured))
    assert status == 1
    line(lines, "OK    mqtt: logged in")  # the login itself is right
    assert line(lines, "FAIL  commands are not answered").endswith(
        f"-> the ACL does not let {USER} publish {CMD} (regenerate with hallcall mqtt-acl)"
    )


@pytest.mark.parametrize(
    ("fault", "extra", "expected"),
    [
        (
            "no printer",
            '[printer]\nkind = "serial"\ndevfile = "/dev/ttyHALLCALL-NONE"\n',
            "FAIL  printer port: /dev/ttyHALLCALL-NONE does not exist  -> plug it in",
        ),
        (
            "no font",
            'font = "/nonexistent/fonts/wqy-microhei.ttc"\n',
            "FAIL  screen font: /nonexistent/fonts/wqy-microhei.ttc does not exist  -> set `font`",
        ),
        (
            "no screen",
            "",
            "FAIL  screen: none (no WAYLAND_DISPLAY, no DISPLAY, no /dev/dri/card*)  -> connect",
        ),
    ],
)
def test_each_missing_piece_of_hardware_is_named_with_its_fix(
    tmp_path, hall, capsys, monkeypatch, fault, extra, expected
):
    if fault == "no screen":
        for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setattr(doctor, "DRI_CARDS", str(tmp_path / "dri" / "card*"))
    secured = hall()
    status, lines = run_doctor(capsys, kiosk_file(tmp_path, secured, extra=extra))
    assert status == 1
    line(lines, expected)
    line(lines, "OK    commands answered")  # the rest of the kiosk is fine
    assert sum(ln.startswith("FAIL") for ln in lines) == 1, "\n".join(lines)


def test_check_connect_on_the_kiosk_command_runs_the_same_checks(tmp_path, hall, capsys):
    secured = hall()
    path = kiosk_file(tmp_path, secured, password="not-it")
    assert main(["kiosk", "--device", path, "--check", "--connect"]) == 1
    out = capsys.readouterr().out
    assert "FAIL  mqtt: Mosquitto refused user kiosk-kiosk-1" in out
    assert main(["kiosk", "--device", path, "--check"]) == 0  # the file alone is fine


def test_a_device_whose_commands_the_acl_refuses_says_so_in_its_log(hall, monkeypatch, caplog):
    """The kit's client probes at connect: no reply while the broker is online -> a clear line
    and `commands_answered` False (the kiosk's screen shows it), not a silent "online"."""
    monkeypatch.setattr(client_module, "PROBE_TIMEOUT_S", 1.5)
    secured = hall(acl_without=f"topic write {CMD}")
    refused = DeviceClient("campus-hall", "kiosk", "kiosk-1", secured.login(USER), probe=True)
    verdicts = []
    refused.on_commands_answered(verdicts.append)
    with caplog.at_level(logging.WARNING, logger="hallcall.mqtt.client"):
        refused.start()
        try:
            wait_for(lambda: verdicts == [False], 8, "the probe's verdict")
        finally:
            refused.stop()
    assert refused.commands_answered is False
    assert any("commands not answered (ACL?)" in r.getMessage() for r in caplog.records)


def test_a_device_whose_commands_are_answered_knows_it(hall):
    secured = hall()
    device = DeviceClient("campus-hall", "kiosk", "kiosk-1", secured.login(USER), probe=True)
    device.start()
    try:
        wait_for(lambda: device.commands_answered is True, 8, "the probe's reply")
    finally:
        device.stop()
