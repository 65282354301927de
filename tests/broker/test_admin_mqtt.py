"""Administration over MQTT: flex windows from the CLI, close of day by command and by the clock."""

from __future__ import annotations

import time
from datetime import datetime

import pytest

from hallcall.broker.server import QueueBrokerServer
from hallcall.cli import main
from tests.support.hall import SHANGHAI, start_service
from tests.support.mqtt import wait_for

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def admin_args(mosquitto, *rest):
    return [
        "admin",
        *rest[:1],
        "--config",
        "config/src/hallcall/config/halls/example-university.toml",
        "--mqtt-port",
        str(mosquitto.port),
        "--as",
        "Wang Fang",
        *rest[1:],
    ]


@SQLITE
def test_flex_window_assigned_from_the_cli_shows_at_once_on_displays(
    queue_broker, device, mosquitto, capsys
):
    queue_broker()
    lobby = device("display", "lobby", ["state/#"])
    wait_for(lambda: "state/window/w07" in lobby.states, what="window state")
    assert lobby.states["state/window/w07"]["departments"] == []
    assert main(admin_args(mosquitto, "assign", "w07", "finance", "registrar")) == 0
    assert (
        capsys.readouterr().out.strip()
        == "window 7 now serves: 财务处（学费与报销）, 教务处（学籍与成绩）"
    )
    wait_for(
        lambda: lobby.states["state/window/w07"]["departments"] == ["finance", "registrar"],
        what="assigned",
    )
    assert main(admin_args(mosquitto, "release", "w07", "--json")) == 0
    assert '"departments": []' in capsys.readouterr().out
    wait_for(lambda: lobby.states["state/window/w07"]["departments"] == [], what="released")
    # A fixed window cannot be assigned: a clear refusal, exit code 2, nothing changes.
    assert main(admin_args(mosquitto, "assign", "w01", "finance")) == 2
    assert "fixed window" in capsys.readouterr().err
    assert lobby.states["state/window/w01"]["departments"] == ["registrar"]


@SQLITE
def test_close_day_and_booking_from_the_cli(queue_broker, device, mosquitto, capsys):
    queue_broker()
    kiosk = device("kiosk", "kiosk-1")
    kiosk.request("ticket.issue", department="registrar")
    assert (
        main(
            admin_args(
                mosquitto,
                "book",
                "--department",
                "finance",
                "--at",
                "2026-11-24T10:30+08:00",
                "--code",
                "123456",
            )
        )
        == 0
    )
    assert capsys.readouterr().out.strip() == (
        "appointment code 123456: 财务处（学费与报销）, 2026-11-24 10:30 (hall time)"
    )
    assert main(admin_args(mosquitto, "close-day")) == 0
    out = capsys.readouterr().out
    assert "day 2026-11-23 closed: 1 issued, 0 finished, 1 no-show" in out
    assert "still waiting, marked no-show: A001" in out
    reply = kiosk.request("ticket.issue", department="registrar")
    assert reply["error"]["code"] == "closed"


def test_admin_without_a_queue_broker_says_so(mosquitto, capsys):
    assert main(admin_args(mosquitto, "close-day", "--timeout", "1")) == 1
    assert "did not answer" in capsys.readouterr().err


def test_admin_with_a_wrong_address_says_what_to_check(capsys):
    from hallcall.demo.embedded_mqtt import free_port

    args = [
        "admin",
        "close-day",
        "--config",
        "config/src/hallcall/config/halls/example-university.toml",
        "--mqtt-port",
        str(free_port()),
        "--as",
        "Wang Fang",
    ]
    try:
        main(args)
    except SystemExit as exc:
        assert exc.code == 1
    err = capsys.readouterr().err
    assert "cannot connect to the MQTT server" in err and "admin-office" in err


@SQLITE
def test_the_day_closes_by_itself_at_the_configured_hour(
    hall_config, engine, clock, mqtt_settings, device
):
    assert hall_config.hall.close_at == "17:30"
    service = start_service(hall_config, engine, clock)
    server = QueueBrokerServer(service.bus, mqtt_settings, tick_s=0.1)
    server.start()
    try:
        assert server.ready.wait(15)
        lobby = device("display", "lobby", ["state/#", "event/#"])
        events = []
        lobby.on_event(lambda topic, payload: events.append(payload["type"]))
        kiosk = device("kiosk", "kiosk-1")
        assert kiosk.request("ticket.issue", department="registrar")["ok"]
        clock.current = datetime(2026, 11, 23, 17, 31, tzinfo=SHANGHAI)
        wait_for(lambda: "day.closed" in events, what="day closed by the clock")
        wait_for(
            lambda: lobby.states["state/queue/registrar"]["closed"] is True, what="queue closed"
        )
        assert lobby.states["state/queue/registrar"]["waiting"] == 0
    finally:
        server.stop()


@SQLITE
def test_a_busy_hall_still_closes_at_its_hour(hall_config, engine, clock, mqtt_settings, device):
    """Commands arriving faster than the tick interval must not put off the close of day."""
    import threading

    service = start_service(hall_config, engine, clock)
    server = QueueBrokerServer(service.bus, mqtt_settings, tick_s=0.5)
    server.start()
    stop = threading.Event()
    try:
        assert server.ready.wait(15)
        lobby = device("display", "lobby", ["state/#"])
        kiosk = device("kiosk", "kiosk-1")
        clock.current = datetime(2026, 11, 23, 17, 31, tzinfo=SHANGHAI)

        def busy():
            while not stop.is_set():
                kiosk.request("ticket.issue", department="finance")  # replies 'closed' once closed
                time.sleep(0.05)

        worker = threading.Thread(target=busy)
        worker.start()
        wait_for(
            lambda: lobby.states.get("state/queue/finance", {}).get("closed") is True,
            timeout=10,
            what="closed while busy",
        )
    finally:
        stop.set()
        server.stop()
