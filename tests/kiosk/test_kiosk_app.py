"""The real kiosk window, driven by taps, against a real queue broker on a real Mosquitto.

Every screen is saved under build/screenshots/kiosk-*.png (portrait 1080x1920 and landscape
1920x1080), and each one is checked for text squeezed below the room it needs. Printed bytes
are decoded: the raster image is read back and its QR code scanned.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QScrollArea
from pyzbar.pyzbar import decode

from hallcall.broker.service.projections import catalog as catalog_payload
from hallcall.hardware.printer import FakePrinter, PrinterConfig
from hallcall.hardware.printer.raster import raster_images, stack
from hallcall.kiosk.app import KioskApp
from hallcall.kiosk.model import Screen
from hallcall.kiosk.settings import KioskSettings
from hallcall.mqtt.settings import MqttSection as MqttConfig
from tests.support.mqtt import RawClient, wait_for
from tests.support.screens import SCREENSHOTS, save_screenshot

pytestmark = [pytest.mark.mqtt, pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

HALL = "campus-hall"
PORTRAIT, LANDSCAPE = (1080, 1920), (1920, 1080)
STATUS_URL = "https://hall.example.edu.cn/t/"
pump = QApplication.processEvents


class Kiosk:
    """A running KioskApp and the taps a visitor makes."""

    def __init__(self, qtbot, app: KioskApp, size: tuple[int, int], lang_tag: str):
        self.qtbot, self.app, self.size, self.tag = qtbot, app, size, lang_tag
        self.model, self.window = app.model, app.window

    @property
    def screen(self) -> Screen:
        return self.model.screen

    def wait_screen(self, screen: Screen, timeout: float = 10) -> None:
        wait_for(
            lambda: self.screen is screen, timeout, f"screen {screen} (now {self.screen})", pump
        )

    def tap(self, widget) -> None:
        pump()
        assert widget.isVisible(), widget
        self.qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
        pump()

    def page(self, screen: Screen):
        return self.window.screens[screen]

    def shot(self, name: str) -> None:
        """Save this screen in portrait and in landscape; fail if any text lacks room."""
        for size in (PORTRAIT, LANDSCAPE):
            self.window.fit(*size)
            for _ in range(4):
                pump()
            assert self.window.size().toTuple() == size
            assert self.window.overflow() == [], (name, size, self.window.overflow())
            if self.screen is not Screen.GUIDE:  # only a long guide may need scrolling
                for area in self.window.stack.currentWidget().findChildren(QScrollArea):
                    assert area.verticalScrollBar().maximum() == 0, (name, size, "scrolls")
            orient = "portrait" if size == PORTRAIT else "landscape"
            save_screenshot(self.window, f"kiosk-{self.tag}-{orient}-{name}")
        self.window.fit(*self.size)
        pump()

    def printed_qr(self, save_as: str | None = None) -> list[str]:
        """The QR codes on the printed ticket, read from the raster bytes the printer got."""
        data = self.app.printer.printer.output
        image = stack(raster_images(data)).convert("L")
        if save_as:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            image.save(SCREENSHOTS / f"kiosk-{self.tag}-{save_as}.png")
        return [c.data.decode() for c in decode(image)]


@pytest.fixture
def kiosk(qtbot, mosquitto):
    started: list[KioskApp] = []

    def make(size=PORTRAIT, tag="zh", printer=None, printer_cfg=None, **overrides) -> Kiosk:
        settings = KioskSettings(
            hall=HALL,
            device="kiosk-1",
            mqtt=MqttConfig(port=mosquitto.port),
            printer=printer_cfg or PrinterConfig(kind="fake"),
            fullscreen=False,
            size=size,
            **overrides,
        )
        if printer is None and printer_cfg is None:
            printer = FakePrinter()
        app = KioskApp(settings, printer=printer, connect_grace_s=0.5)
        qtbot.addWidget(app.window)
        app.start(show=False)
        app.window.fit(*size)
        app.window.show()
        started.append(app)
        return Kiosk(qtbot, app, size, tag)

    yield make
    for app in started:
        app.stop()


def ready(k: Kiosk) -> None:
    wait_for(lambda: k.model.unavailable_reason() is None, 15, "kiosk ready", pump)
    k.wait_screen(Screen.START)


def take_walk_in(k: Kiosk, dep: str, matter: str, shots: bool = True) -> None:
    k.tap(k.page(Screen.START).department_tile(dep))
    k.wait_screen(Screen.MATTERS)
    if shots:
        k.shot("2-matters")
    k.tap(k.page(Screen.MATTERS).matter_tile(matter))
    k.wait_screen(Screen.GUIDE)
    if shots:
        k.shot("3-guide")
    k.tap(k.page(Screen.GUIDE).take)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_walk_in_ticket(kiosk, queue_broker, lang):
    queue_broker()
    k = kiosk(PORTRAIT, lang)
    ready(k)
    assert k.model.lang == "zh" and k.window.language.text() == "English"
    if lang == "en":
        k.tap(k.window.language)
        assert k.window.language.text() == "中文"
        assert k.page(Screen.START).title.text() == "Choose a department"
    k.shot("1-start")
    take_walk_in(k, "registrar", "status-change")
    k.wait_screen(Screen.RESULT)
    k.shot("5-result")
    v = k.model.result_view()
    assert v.number == "A001" and v.printed and k.page(Screen.RESULT).number.text() == "A001"
    assert k.printed_qr(save_as="ticket") == [STATUS_URL + k.model.result.ticket["token"]]
    k.tap(k.page(Screen.RESULT).done)
    k.wait_screen(Screen.START)


def test_english_priority_ticket_in_landscape(kiosk, queue_broker, device):
    queue_broker()
    k = kiosk(LANDSCAPE, "en")
    ready(k)
    k.tap(k.window.language)
    assert k.model.lang == "en" and k.window.language.text() == "中文"
    k.shot("1-start")
    k.tap(k.page(Screen.START).priority_tile)
    assert k.model.priority
    k.shot("1-start-priority")
    take_walk_in(k, "finance", "tuition")
    k.wait_screen(Screen.RESULT)
    k.shot("5-result-priority")
    v = k.model.result_view()
    assert v.number == "B001" and v.badge == "Priority"
    assert k.printed_qr() == [STATUS_URL + k.model.result.ticket["token"]]
    # The broker really queued it as a priority ticket.
    assert k.model.result.ticket["priority"] == "priority"


def test_appointment_check_in_with_the_keypad(kiosk, queue_broker, device):
    queue_broker()
    office = device("admin", "office")
    booked = office.request(
        "appointment.book",
        department="student-affairs",
        matter="enrolment-certificate",
        booked_at="2026-11-23T10:30:00+08:00",
        code="246810",
        lang="en",
    )
    assert booked["ok"], booked
    for size, tag in ((PORTRAIT, "zh"), (LANDSCAPE, "en")):
        k = kiosk(size, tag)
        ready(k)
        if tag == "en":
            k.tap(k.window.language)
        k.tap(k.page(Screen.START).appointment_tile)
        k.wait_screen(Screen.APPOINTMENT)
        pad = k.page(Screen.APPOINTMENT)
        k.shot("6-appointment-empty")
        for ch in "1357":
            k.tap(pad.keys[ch])
        k.tap(pad.ok)
        k.wait_screen(Screen.ERROR)
        k.shot("8-appointment-not-found")
        k.tap(k.window.screens[Screen.ERROR].home)
        k.tap(k.page(Screen.START).appointment_tile)
        for ch in "2468100":
            k.tap(pad.keys[ch])
        k.tap(pad.delete)
        assert k.model.code == "246810"
        k.shot("6-appointment-code")
        k.tap(pad.ok)
        k.wait_screen(Screen.RESULT)
        k.shot("7-appointment-result")
        v = k.model.result_view()
        assert v.number == "C001" and v.badge  # the same booked ticket both times
        assert k.printed_qr() == [STATUS_URL + k.model.result.ticket["token"]]
        k.app.stop()


def test_broker_down_the_kiosk_says_so_and_takes_no_ticket(kiosk, queue_broker, mosquitto):
    k = kiosk(PORTRAIT, "zh")  # the queue broker has not started: nobody answers
    wait_for(lambda: k.model.unavailable_reason() == "broker_offline", 10, "offline", pump)
    assert k.screen is Screen.UNAVAILABLE
    k.shot("9-broker-offline")
    k.model.take_ticket()
    assert k.app.sent == []
    server = queue_broker()  # it comes up: the kiosk serves again, no restart
    ready(k)
    k.tap(k.window.language)
    server.stop()  # and goes away again (its last words: server/status offline)
    k.tag = "en"
    wait_for(lambda: k.screen is Screen.UNAVAILABLE, 10, "offline again", pump)
    k.shot("9-broker-offline")
    assert "cannot reach" in k.page(Screen.UNAVAILABLE).text.text()
    assert k.app.sent == []


def test_paper_out_no_ticket_and_the_hall_sees_it(kiosk, queue_broker, mosquitto):
    queue_broker()
    watcher = RawClient(mosquitto.port)
    watcher.subscribe(f"hallcall/v1/{HALL}/device/kiosk/kiosk-1/status")
    printer = FakePrinter()
    for size, tag in ((PORTRAIT, "zh"), (LANDSCAPE, "en")):
        printer.set_status("ok")
        k = kiosk(size, tag, printer=printer)
        ready(k)
        if tag == "en":
            k.tap(k.window.language)
        printer.set_status("paper_out")
        k.app.poll_printer()
        k.wait_screen(Screen.UNAVAILABLE)
        k.shot("9-paper-out")
        wait_for(
            lambda: any(m.get("printer") == "paper_out" for _, m in watcher.messages),
            5,
            "printer health published",
        )
        # Paper out between the last poll and the tap: the check before the ticket catches it.
        printer.set_status("ok")
        k.app.poll_printer()
        k.wait_screen(Screen.START)
        k.tap(k.page(Screen.START).department_tile("registrar"))
        k.tap(k.page(Screen.MATTERS).matter_tile("transcript"))
        printer.set_status("cover_open")
        k.tap(k.page(Screen.GUIDE).take)
        k.wait_screen(Screen.ERROR)
        k.shot("8-printer-error")
        assert k.app.sent == [] and printer.output == b""
        k.app.stop()
    watcher.stop()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_late_reply_is_still_printed(kiosk, queue_broker, monkeypatch, lang):
    server = queue_broker()
    run = server.bus.run
    gate = threading.Event()

    def slow(messages):
        if any(b"ticket.issue" in m.raw for m in messages):
            gate.wait(10)  # the broker is stuck until the kiosk has given up
        return run(messages)

    monkeypatch.setattr(server.bus, "run", slow)
    k = kiosk(PORTRAIT, lang, request_timeout_s=0.6)
    ready(k)
    if lang == "en":
        k.tap(k.window.language)
    take_walk_in(k, "international", "visa", shots=False)
    k.wait_screen(Screen.WORKING)
    k.shot("4-working")
    k.wait_screen(Screen.ERROR)
    k.shot("8-timeout")
    assert k.app.printer.printer.output == b""
    gate.set()
    k.wait_screen(Screen.RESULT)
    k.shot("5-result-late")
    v = k.model.result_view()
    assert v.number == "D001" and v.late_note
    assert k.printed_qr() == [STATUS_URL + k.model.result.ticket["token"]]


def test_catalog_changes_show_without_a_restart(kiosk, queue_broker, mosquitto, hall_config):
    queue_broker()
    k = kiosk(PORTRAIT, "zh")
    ready(k)
    catalog = catalog_payload(hall_config, 10**9)
    catalog["departments"].append(
        {
            "id": "library",
            "name": {"zh": "图书馆（借阅证办理）", "en": "Library (cards)"},
            "prefix": "L",
            "matters": [],
        }
    )
    raw = RawClient(mosquitto.port)
    raw.publish(f"hallcall/v1/{HALL}/state/catalog", json.dumps(catalog).encode(), retain=True)
    wait_for(
        lambda: any(t.id == "library" for t in k.model.department_tiles()),
        5,
        "new department",
        pump,
    )
    k.shot("1-start-new-department")
    assert k.page(Screen.START).department_tile("library").isVisible()
    raw.publish(f"hallcall/v1/{HALL}/state/catalog", b"", retain=True)
    raw.stop()


def test_idle_return_to_the_start(kiosk, queue_broker):
    queue_broker()
    k = kiosk(PORTRAIT, "zh", idle_return_s=0.4)
    ready(k)
    k.tap(k.window.language)
    k.tap(k.page(Screen.START).department_tile("finance"))
    k.wait_screen(Screen.MATTERS)
    k.wait_screen(Screen.START, timeout=5)
    assert k.model.lang == "zh"


def test_serial_printer_over_a_real_pty(kiosk, queue_broker, pty_pair):
    import serial

    peer = serial.Serial(pty_pair.peer, timeout=0.05)
    received = bytearray()
    stop = threading.Event()

    def printer_side():  # a healthy printer: answers every status query with "all fine"
        while not stop.is_set():
            chunk = peer.read(4096)
            if chunk:
                received.extend(chunk)
                peer.write(b"\x12" * chunk.count(b"\x10\x04"))

    t = threading.Thread(target=printer_side, daemon=True)
    t.start()
    try:
        queue_broker()
        cfg = PrinterConfig(
            kind="serial", devfile=pty_pair.device, baudrate=115200, status_timeout_s=0.5
        )
        k = kiosk(PORTRAIT, "zh", printer_cfg=cfg)
        ready(k)
        wait_for(lambda: k.model.printer_status == "ok", 5, "the printer's answer", pump)
        take_walk_in(k, "registrar", "transcript", shots=False)
        k.wait_screen(Screen.RESULT)
        wait_for(lambda: received.endswith(b"\x1dV\x00"), 10, "the cut", pump)
        image = stack(raster_images(bytes(received))).convert("L")
        assert [c.data.decode() for c in decode(image)] == [
            STATUS_URL + k.model.result.ticket["token"]
        ]
        assert received.startswith(b"\x10\x04\x01")  # the status query came first
    finally:
        stop.set()
        t.join(timeout=2)
        peer.close()


def test_hallcall_kiosk_command_starts_for_real(tmp_path, queue_broker, mosquitto):
    queue_broker()
    out = tmp_path / "tickets.bin"
    device = tmp_path / "kiosk.toml"
    device.write_text(
        f'hall = "{HALL}"\ndevice = "kiosk-2"\n[mqtt]\nport = {mosquitto.port}\n'
        f'[printer]\nkind = "file"\npath = "{out}"\n'
    )
    hallcall = [sys.executable, "-m", "hallcall.cli"]
    check = subprocess.run(
        hallcall + ["kiosk", "--device", "kiosk/examples/kiosk.toml", "--check"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert check.returncode == 0 and "kiosk-1" in check.stdout, check.stderr
    watcher = RawClient(mosquitto.port)
    watcher.subscribe(f"hallcall/v1/{HALL}/device/kiosk/kiosk-2/status")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen(
        hallcall + ["kiosk", "--device", str(device), "--windowed"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(
            lambda: any(
                m.get("state") == "online" and m.get("printer") == "ok" for _, m in watcher.messages
            ),
            20,
            "the kiosk online with its printer",
        )
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err[-2000:]
    wait_for(lambda: watcher.messages[-1][1].get("state") == "offline", 5, "offline on exit")
    watcher.stop()
