"""A new device kind is a model, a screen and a device file, nothing else.

Here a corridor TV that shows one department's queue ("Registrar: 2 waiting") is built from
those three pieces on the device kit's DeviceApp, and run against a real queue broker on a real
Mosquitto: it follows the queue as tickets are taken, drops a state the contract refuses, and
says so when the queue broker goes away.
"""

from __future__ import annotations

import json

import paho.mqtt.publish as publish
from PySide6.QtWidgets import QApplication, QLabel

from hallcall.device_kit.app import DeviceApp, device_client
from hallcall.device_kit.device_file import ScreenDeviceFile, load_device_file
from hallcall.device_kit.device_model import DeviceModel
from hallcall.device_kit.fonts import install_cjk_font
from hallcall.protocol.payloads import Identifier, Payload, QueueStateView, ServerStatus
from hallcall.protocol.topics import Topics
from tests.support.mqtt import wait_for
from tests.support.screens import save_screenshot


# ------------------------------------------------------------------ 1. the device file
class CorridorFile(ScreenDeviceFile):
    department: Identifier


# ------------------------------------------------------------------ 2. the model (Qt-free)
class CorridorModel(DeviceModel):
    def __init__(self, department: str):
        self.department = department
        self.queue: QueueStateView | None = None
        self.online = False
        self.heard_count = 0

    def heard(self, topic: str, view: Payload) -> None:
        self.heard_count += 1
        if isinstance(view, ServerStatus):
            self.online = view.state == "online"
        elif isinstance(view, QueueStateView) and view.department == self.department:
            self.queue = view

    def connection_changed(self, connected: bool) -> None:
        if not connected:
            self.online = False

    def text(self) -> str:
        if not self.online:
            return "暂停服务 Out of service"
        waiting = self.queue.waiting if self.queue else 0
        return f"{self.department}: 等候 {waiting} 人 / {waiting} waiting"


# ------------------------------------------------------------------ 3. the screen
class CorridorScreen(QLabel):
    def __init__(self, model: CorridorModel):
        super().__init__()
        self.model = model
        self.setStyleSheet("font-size: 40px; padding: 24px;")

    def render(self) -> None:
        self.setText(self.model.text())


def test_a_corridor_tv_is_a_model_a_screen_and_a_device_file(
    tmp_path, queue_broker, device, mqtt_settings, hall_config, qtbot
):
    app_qt = QApplication.instance()
    assert isinstance(app_qt, QApplication)
    install_cjk_font(app_qt)
    server = queue_broker()
    path = tmp_path / "corridor.toml"
    path.write_text(
        f'hall = "{hall_config.hall.id}"\ndevice = "corridor-1"\ndepartment = "registrar"\n'
        f"fullscreen = false\nsize = [900, 160]\n"
        f'[mqtt]\nhost = "{mqtt_settings.host}"\nport = {mqtt_settings.port}\n',
        encoding="utf-8",
    )
    settings = load_device_file(CorridorFile, path)

    model = CorridorModel(settings.department)
    screen = CorridorScreen(model)
    qtbot.addWidget(screen)
    topics = [f"state/queue/{settings.department}"]
    app = DeviceApp(device_client(settings, "display", topics), model, screen=screen)
    app.changed.connect(screen.render)
    app.start()
    app.show(settings.fullscreen, settings.size)
    try:
        pump = QApplication.processEvents
        wait_for(lambda: screen.text().endswith("0 waiting"), what="the queue", pump=pump)

        kiosk = device("kiosk", "kiosk-1")
        for _ in range(2):
            reply = kiosk.request("ticket.issue", department="registrar", matter="transcript")
            assert reply["ok"], reply
        wait_for(lambda: screen.text().endswith("2 waiting"), what="two waiting", pump=pump)
        save_screenshot(screen, "device-kit-corridor-tv")

        # A state the contract refuses is dropped at the door: the screen keeps what it showed.
        heard = model.heard_count
        bad = {"seq": 10**9, "department": "registrar", "waiting": "many"}
        publish.single(
            Topics(hall_config.hall.id).queue_state("registrar"),
            json.dumps(bad),
            hostname=mqtt_settings.host,
            port=mqtt_settings.port,
        )
        reply = kiosk.request("ticket.issue", department="registrar", matter="transcript")
        assert reply["ok"], reply
        wait_for(lambda: screen.text().endswith("3 waiting"), what="three waiting", pump=pump)
        assert model.heard_count == heard + 1  # the good state, not the bad one
        assert model.queue is not None and model.queue.waiting == 3

        server.stop()  # the queue broker goes away: its will says offline
        wait_for(lambda: "Out of service" in screen.text(), what="offline shown", pump=pump)
    finally:
        app.stop()
