"""One `hallcall broker` process serves every hall file of a directory, over one subscription."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hallcall.mqtt.client import DeviceClient
from hallcall.mqtt.connection import MqttSettings
from tests.support.mqtt import wait_for

EXAMPLE = Path("config/src/hallcall/config/halls/example-university.toml")


def hall_files(folder: Path, ids: list[str]) -> Path:
    folder.mkdir()
    text = EXAMPLE.read_text("utf-8")
    assert 'id = "campus-hall"' in text
    for hall_id in ids:
        (folder / f"{hall_id}.toml").write_text(
            text.replace('id = "campus-hall"', f'id = "{hall_id}"', 1), "utf-8"
        )
    return folder


def test_one_process_serves_every_hall_of_a_directory(mosquitto, tmp_path):
    halls = ["north-hall", "south-hall", "east-hall"]
    folder = hall_files(tmp_path / "halls", halls)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hallcall.cli",
            "broker",
            "--config",
            str(folder),
            "--db",
            f"sqlite:///{tmp_path / 'halls.db'}",
            "--mqtt-port",
            str(mosquitto.port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    settings = MqttSettings(port=mosquitto.port)
    clients = []
    try:
        for hall in halls:
            lobby = DeviceClient(hall, "display", "lobby", settings, ["state/#"])
            kiosk = DeviceClient(hall, "kiosk", "kiosk-1", settings)
            for c in (lobby, kiosk):
                c.start()
                assert c.wait_connected(10)
            clients += [lobby, kiosk]
            wait_for(lambda lobby=lobby: lobby.server_online, timeout=30, what=f"{hall} online")
        numbers = {}
        for hall, kiosk in zip(halls, clients[1::2], strict=True):
            first = kiosk.request("ticket.issue", department="registrar", timeout=10)
            second = kiosk.request("ticket.issue", department="registrar", timeout=10)
            numbers[hall] = [first["data"]["ticket"]["number"], second["data"]["ticket"]["number"]]
        assert numbers == {hall: ["A001", "A002"] for hall in halls}, (
            "each hall numbers its own tickets"
        )
        for hall, lobby in zip(halls, clients[::2], strict=True):
            wait_for(
                lambda lobby=lobby: lobby.states.get("state/queue/registrar", {}).get("waiting")
                == 2,
                what=f"{hall}'s lobby sees only its own queue",
            )
    finally:
        for c in clients:
            c.stop()
        proc.terminate()
        assert proc.wait(timeout=20) == 0
