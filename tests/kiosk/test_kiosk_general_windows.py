"""The kiosk of a hall with general windows, end to end (issue #15, section 4): the real
`hallcall broker` process on Mosquitto and SQLite with the example hall of general windows, the
real kiosk window with its ID card reader on a real pty pair (the SAM simulator at the far end).

A visitor picks a matter straight from the start screen and gets a ticket of the matter group's
queue (Z); a clerk at a general window finishes it, and the documents are collected with the
pickup code typed on the keypad, or with the ID card the application was made with. Screens:
build/screenshots/kiosk-general-{zh,en}-{portrait,landscape}-*.png.
"""

from __future__ import annotations

import signal

import pytest

from hallcall.hardware.idcard import IdCardConfig, card_hash
from hallcall.hardware.printer import FakePrinter, PrinterConfig
from hallcall.kiosk.app import KioskApp
from hallcall.kiosk.model import Screen
from hallcall.kiosk.settings import KioskSettings
from hallcall.mqtt.client import DeviceClient
from hallcall.mqtt.connection import MqttSettings
from hallcall.mqtt.settings import MqttSection
from tests.broker.test_kill import start_broker
from tests.kiosk.test_kiosk_app import PORTRAIT, Kiosk, ready
from tests.kiosk.test_kiosk_idcard_checkin import KEY, WALK_IN, take_off
from tests.support.mqtt import ask_until_answered

pytestmark = [pytest.mark.mqtt]

CONFIG = "config/src/hallcall/config/halls/example-general-windows.toml"
HALL = "qingshui-general"
PIN = "2468"


@pytest.fixture
def hall_file(tmp_path):
    key = tmp_path / "idcard.key"
    key.write_bytes(KEY + b"\n")
    key.chmod(0o600)
    with open(CONFIG, encoding="utf-8") as f:
        text = f.read().replace('close_at = "17:30"', "", 1)  # the real clock: always open
    path = tmp_path / "hall.toml"
    path.write_text(
        text
        + f'\n[idcard]\nhash_key_file = "{key}"\n'
        + "\n[rate_limits]\nkiosk = { burst = 1000, per_minute = 60000 }\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_matter_first_ticket_then_pickup_by_code_and_by_card(
    lang, qtbot, hall_file, mosquitto, tmp_path, sam, pty_pair
):
    proc = start_broker(f"sqlite:///{tmp_path / 'hall.db'}", mosquitto.port, hall_file)
    clerk = DeviceClient(HALL, "window", "w07", MqttSettings(port=mosquitto.port))
    settings = KioskSettings(
        hall=HALL,
        device="kiosk-1",
        mqtt=MqttSection(port=mosquitto.port),
        printer=PrinterConfig(kind="fake"),
        fullscreen=False,
        size=PORTRAIT,
        idcard=IdCardConfig(
            kind="serial", devfile=pty_pair.device, timeout=0.3, poll_interval=0.05
        ),
        idcard_key_file=str(hall_file.parent / "idcard.key"),
    )
    app = KioskApp(settings, printer=FakePrinter(), connect_grace_s=0.5)
    qtbot.addWidget(app.window)
    app.start(show=False)
    app.window.fit(*PORTRAIT)
    app.window.show()
    k = Kiosk(qtbot, app, PORTRAIT, f"general-{lang}")

    def ask(op: str, rid: str, **args) -> dict:
        return ask_until_answered(clerk, op, rid, within_s=30, **args)

    def english() -> None:
        if lang == "en" and k.model.lang != "en":
            k.tap(k.window.language)

    def take_matter(tile_id: str) -> dict:
        start = k.page(Screen.START)
        k.tap(start.department_tile(tile_id))
        k.wait_screen(Screen.GUIDE)
        k.tap(k.page(Screen.GUIDE).take)
        k.wait_screen(Screen.RESULT, 15)
        ticket = k.model.result.ticket
        k.tap(k.page(Screen.RESULT).done)
        k.wait_screen(Screen.START)
        english()
        return ticket

    try:
        clerk.start()
        assert clerk.wait_connected(10)
        ready(k)
        english()
        assert k.model.matters_first and k.page(Screen.START).pickup_tile is not None
        k.shot("1-matters-first")

        # 1. A visitor with an ID card: no appointment today, so a ticket, taken by matter.
        sam.place(WALK_IN)
        k.wait_screen(Screen.NO_APPOINTMENT, 15)
        k.tap(k.page(Screen.NO_APPOINTMENT).first)  # "take a ticket"
        k.wait_screen(Screen.START)
        with_card = take_matter("real-estate/property-transfer")
        take_off(sam)
        assert (with_card["number"], with_card["queue"]) == ("Z001", "integrated")
        assert app.sent[-1][2]["id_hash"] == card_hash(WALK_IN, KEY)
        # 2. One without: the same group's queue, from another department's matter.
        plain = take_matter("market/business-licence")
        assert (plain["number"], plain["department"]) == ("Z002", "market")

        # 3. The clerk at general window w07 serves both and gives their pickup codes.
        assert ask("window.login", "login", staff="s402", post="A", pin=PIN)["ok"]
        codes = []
        for i, expected in enumerate(("Z001", "Z002")):
            called = ask("call.next", f"next-{i}")["data"]["ticket"]
            assert called["number"] == expected
            done = ask("ticket.finish", f"finish-{i}", outcome="done")["data"]["ticket"]
            codes.append(done["pickup_code"])

        # 4. The second visitor types their code on the pickup keypad.
        k.tap(k.page(Screen.START).pickup_tile)
        k.wait_screen(Screen.PICKUP)
        for ch in codes[1]:
            k.tap(k.page(Screen.PICKUP).keys[ch])
        k.shot("2-pickup-code")
        k.tap(k.page(Screen.PICKUP).ok)
        k.wait_screen(Screen.RESULT, 15)
        k.shot("3-pickup-ticket")
        first = k.model.result.ticket
        assert (first["number"], first["queue"], first["department"]) == (
            "Q001",
            "pickup",
            "market",
        )
        assert k.model.result_view().badge == ("取件" if lang == "zh" else "Pickup")
        printed = app.printer.printer.output
        assert (b"\x1dv0" in printed) and k.model.result.printed  # the raster ticket went out
        k.tap(k.page(Screen.RESULT).done)
        k.wait_screen(Screen.START)
        english()

        # 5. The documents are handed over at pickup window w08; then the code is used up,
        # and refused in pickup words with nothing printed.
        desk = DeviceClient(HALL, "window", "w08", MqttSettings(port=mosquitto.port))
        desk.start()
        assert desk.wait_connected(10)
        clerk, desk = desk, clerk  # ask() speaks as the pickup window now
        assert ask("window.login", "login-w08", staff="s403", post="A", pin=PIN)["ok"]
        assert ask("call.next", "next-q")["data"]["ticket"]["number"] == "Q001"
        assert ask("ticket.finish", "finish-q", outcome="done")["ok"]
        desk.stop()
        printed = len(app.printer.printer.output)
        k.tap(k.page(Screen.START).pickup_tile)
        for ch in codes[1]:
            k.model.key(ch)
        k.model.submit_code()
        k.wait_screen(Screen.ERROR, 15)
        title, message, _ = k.model.failure_view()
        assert title == k.model.t("pickup_error_title")
        assert message == k.model.t("pickup_error_conflict")
        assert len(app.printer.printer.output) == printed
        k.tap(k.page(Screen.ERROR).home)
        k.wait_screen(Screen.START)
        english()

        # 6. The first visitor lays the ID card they applied with on the pickup screen.
        k.tap(k.page(Screen.START).pickup_tile)
        k.wait_screen(Screen.PICKUP)
        assert k.model.code_texts()[1] == k.model.t("pickup_prompt_card")
        sam.place(WALK_IN)
        k.wait_screen(Screen.RESULT, 15)
        by_card = k.model.result.ticket
        assert (by_card["number"], by_card["department"]) == ("Q002", "real-estate")
        assert app.sent[-1][1:] == (
            "ticket.pickup",
            {"id_hash": card_hash(WALK_IN, KEY), "lang": lang},
        )
        take_off(sam)
    finally:
        app.stop()
        clerk.stop()
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=20)
