"""Call keypads drive the same commands as the app: a serial keypad on a real pty, GPIO buttons.

The serial test runs the terminal headless from a device file ("instead of" the app): the test
writes real key lines (docs/hardware/keypad-protocol.md) on the pty's peer end, the queue broker
calls and finishes tickets, and the keypad's display line comes back on the peer.
"""

from __future__ import annotations

import threading
import time

import pytest
import serial
from PySide6.QtCore import Qt

from hallcall.device_kit.device_file import load_device_file
from hallcall.hardware.keypad import KeypadAction
from hallcall.hardware.keypad.protocol import encode_key
from hallcall.window_terminal.cli import run_headless
from hallcall.window_terminal.settings import TerminalSettings
from tests.support.mqtt import wait_for
from tests.window_terminal.conftest import idle, shot, until

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


class Peer:
    """The keypad's end of the pty: writes key lines, collects display lines."""

    def __init__(self, path: str):
        self.port = serial.Serial(path, 9600, timeout=0.05)
        self.buffer = b""

    def press(self, line: bytes) -> None:
        self.port.write(line)
        self.port.flush()

    def wait_display(self, text: str, timeout: float = 10.0) -> list[bytes]:
        want = f"D01:{text}\r\n".encode("ascii")
        deadline = time.monotonic() + timeout
        while want not in self.buffer and time.monotonic() < deadline:
            self.buffer += self.port.read(self.port.in_waiting or 1)
        assert want in self.buffer, f"keypad display never showed {text!r}: {self.buffer!r}"
        seen, self.buffer = self.buffer.split(want, 1)
        return seen.split(b"\r\n") + [want.strip()]

    def close(self) -> None:
        self.port.close()


def test_serial_keypad_instead_of_the_app(
    tmp_path, pty_pair, mosquitto, broker, kiosk, events, device
):
    window_state = device("display", "w01-watch", ["state/window/w01"])
    peer = Peer(pty_pair.peer)
    device_file = tmp_path / "window.toml"
    pin_file = tmp_path / "s101.pin"
    pin_file.write_text("2468\n", encoding="utf-8")  # the clerk's PIN, in a file of its own
    device_file.write_text(  # a Pi's file from before the keys were unified: still read
        f'hall = "campus-hall"\nwindow = "w01"\nshow_ui = false\nstaff = "s101"\npin_file = "{pin_file}"\n'
        f"[mqtt]\nport = {mosquitto.port}\n"
        f'[keypad]\nkind = "serial"\nport = "{pty_pair.device}"\naddress = "01"\n',
        encoding="utf-8",
    )
    settings = load_device_file(TerminalSettings, device_file)
    stop = threading.Event()
    running = []
    runner = threading.Thread(
        target=run_headless, args=(settings, stop, running.append), daemon=True
    )
    runner.start()
    wait_for(lambda: running, what="headless terminal started")
    model = running[0].model

    def press(line: bytes) -> None:
        # A clerk presses one key at a time: the next once the last command has its reply
        # (a press while one is in flight is swallowed, as the double-press rule wants).
        wait_for(lambda: model.in_flight is None, what="previous command answered")
        peer.press(line)

    try:

        def state():
            return window_state.states.get("state/window/w01", {})

        wait_for(lambda: state().get("status") == "open", what="headless auto login")
        assert state()["staff"]["id"] == "s101"
        peer.wait_display("WAIT 0")

        kiosk(matter="transcript")
        kiosk(matter="transcript")
        peer.wait_display("WAIT 2")
        press(b"K01:NEXT\r\n")
        peer.wait_display("A001")
        wait_for(lambda: len(events.of("ticket.called")) == 1, what="ticket.called")
        assert events.of("ticket.called")[0]["ticket"]["number"] == "A001"

        press(b"K07:FINISH\r\n\x00garbage\r\n")  # another window's keypad; line noise
        press(b"K01:RECALL\r\n")
        wait_for(lambda: len(events.of("ticket.recalled")) == 1, what="ticket.recalled")
        assert not events.of("ticket.finished")

        press(encode_key("01", KeypadAction.FINISH, with_checksum=True))
        wait_for(lambda: len(events.of("ticket.finished")) == 1, what="ticket.finished")
        assert events.of("ticket.finished")[0]["ticket"]["outcome"] == "done"
        peer.wait_display("WAIT 1")

        press(b"k01:pause\r\n")
        peer.wait_display("PAUSE")
        assert state()["status"] == "paused" and state()["pause_reason"] == "break"
        press(b"K01:NEXT\r\n")  # refused while paused: nothing is sent
        wait_for(
            lambda: model.message is not None and model.message.key == "err_paused", what="refused"
        )
        press(b"K01:RESUME\r\n")
        peer.wait_display("WAIT 1")
        press(b"K01:NEXT\r")
        peer.wait_display("A002")
        press(b"K01:NOSHOW\n")
        wait_for(lambda: len(events.of("ticket.no_show")) == 1, what="ticket.no_show")
        peer.wait_display("WAIT 0")
        assert [e["ticket"]["number"] for e in events.of("ticket.called")] == ["A001", "A002"]
    finally:
        stop.set()
        runner.join(10)
        peer.close()
    assert not runner.is_alive()


@pytest.fixture
def mock_pins():
    from gpiozero import Device
    from gpiozero.pins.mock import MockFactory

    previous = Device.pin_factory
    Device.pin_factory = MockFactory()
    yield Device.pin_factory
    Device.pin_factory.reset()
    Device.pin_factory = previous


def test_gpio_buttons_beside_the_app(mock_pins, make_terminal, kiosk, events, qtbot):
    from hallcall.hardware.gpio import GpioKeypad

    pins = {
        KeypadAction.NEXT: 23,
        KeypadAction.RECALL: 24,
        KeypadAction.FINISH: 25,
        KeypadAction.PAUSE: 8,
    }
    buttons = GpioKeypad(pins, bounce_time=None)
    try:
        win = make_terminal(keypads=[buttons])
        win.staff_edit.setText("s101")
        win.pin_edit.setText("2468")
        qtbot.keyClick(win.staff_edit, Qt.Key.Key_Return)
        idle(win)
        kiosk()

        def press(pin):
            mock_pins.pin(pin).drive_low()
            mock_pins.pin(pin).drive_high()

        press(23)
        until(
            lambda: win.model.current is not None and win.model.in_flight is None,
            "called by the button",
        )
        assert win.number.text() == "A001" and buttons.number == "A001"
        press(24)
        until(lambda: len(events.of("ticket.recalled")) == 1, "recalled by the button")
        until(lambda: win.model.recalls_left == 1, "recall shown")
        shot(win, "26-called-by-gpio-button")
        until(lambda: win.model.in_flight is None, "recall answered")
        press(25)
        until(
            lambda: len(events.of("ticket.finished")) == 1 and win.model.current is None, "finished"
        )
        until(lambda: win.model.in_flight is None, "finish answered")
        press(8)
        until(lambda: win.model.status == "paused", "paused by the button")
        assert buttons.number == "PAUSE"
        until(lambda: win.model.in_flight is None, "pause answered")
        press(8)
        until(
            lambda: win.model.status == "open" and win.model.in_flight is None,
            "resumed by the button",
        )
    finally:
        buttons.close()
