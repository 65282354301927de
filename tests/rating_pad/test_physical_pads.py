"""Physical pads wired to the pad app, against a real queue broker: serial bytes and GPIO pins.

The serial "评价器" speaks docs/hardware/rating-pad-protocol.md over a real socat pty pair: the
test plays the pad, reads the host's P1/P0/T lines and writes R<score>. The GPIO buttons run on
gpiozero's mock pin factory. Neither pad has a screen here (show_ui = false).
"""

from __future__ import annotations

import pytest
import serial
from gpiozero import Device
from gpiozero.pins.mock import MockFactory

from hallcall.hardware.rating_pad import RatingPadConfig
from hallcall.rating_pad.model import Phase
from tests.rating_pad.conftest import Clerk, pump, ratings
from tests.support.mqtt import wait_for

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


class Peer:
    """The test's end of the pty: what the host wrote, line by line."""

    def __init__(self, port: serial.Serial):
        self.port = port
        self.data = b""

    def lines(self) -> list[bytes]:
        self.data += self.port.read(self.port.in_waiting)
        return self.data.splitlines()

    def wait_line(self, line: bytes, count: int = 1, what: str = "") -> None:
        wait_for(
            lambda: self.lines().count(line) >= count, what=what or f"{line!r} x{count}", pump=pump
        )


def test_serial_pad_lights_up_and_a_key_press_is_recorded(
    pty_pair, queue_broker, device, engine, start_pad, clock
):
    queue_broker()
    clerk = Clerk(device)
    with serial.Serial(pty_pair.peer, 9600, timeout=0) as port:
        peer = Peer(port)
        app = start_pad(
            show_ui=False, keys=RatingPadConfig(kind="serial", port=pty_pair.device, keys=3)
        )
        assert app.window is None
        assert app.controller.physical.pad.wait_online(timeout=3)
        peer.wait_line(b"P0", what="the light set on connect")
        port.write(b"R1\r\n")  # idle: nobody asked, nothing may be recorded
        ticket = clerk.serve()
        peer.wait_line(b"P1", what="prompt light on")
        assert app.model.phase is Phase.ASKING and ratings(engine) == []
        port.write(b"R3\r\n")
        wait_for(lambda: len(ratings(engine)) == 1, what="rating stored", pump=pump)
        [row] = ratings(engine)
        assert (row.ticket_id, row.score, row.pad, row.reasons) == (
            ticket["id"],
            3,
            "pad-w01",
            None,
        )
        peer.wait_line(b"T", what="thank-you")
        port.write(b"R1\r\n")  # a second press: the prompt is closed
        assert peer.lines().index(b"P1") < peer.lines().index(b"T")
        # The next visitor does not answer: the light goes out after the timeout, nothing stored.
        clerk.serve()
        peer.wait_line(b"P1", count=2, what="second prompt")
        wait_for(lambda: app.model.question.live, what="the live rating.requested", pump=pump)
        clock.advance(31)
        wait_for(lambda: app.model.phase is Phase.IDLE, what="timeout", pump=pump)
        wait_for(lambda: peer.lines()[-1] == b"P0", what="prompt light off", pump=pump)
        assert len(ratings(engine)) == 1


@pytest.fixture
def mock_pins():
    previous = Device.pin_factory
    Device.pin_factory = MockFactory()
    yield Device.pin_factory
    Device.pin_factory.reset()
    Device.pin_factory = previous


BUTTONS, LEDS = [17, 27, 22], [5, 6, 13]


def test_gpio_buttons_with_lights(mock_pins, queue_broker, device, engine, start_pad):
    queue_broker()
    clerk = Clerk(device)
    keys = RatingPadConfig(
        kind="gpio", keys=3, button_pins=BUTTONS, led_pins=LEDS, bounce_time=None
    )
    start_pad(show_ui=False, keys=keys)

    def lit():
        return [mock_pins.pin(p).state for p in LEDS]

    def press(pin: int) -> None:
        mock_pins.pin(pin).drive_low()
        mock_pins.pin(pin).drive_high()

    assert lit() == [False] * 3
    press(22)  # idle
    ticket = clerk.serve()
    wait_for(lambda: lit() == [True] * 3, what="lights on", pump=pump)
    press(27)  # "average"
    wait_for(lambda: len(ratings(engine)) == 1, what="rating stored", pump=pump)
    [row] = ratings(engine)
    assert (row.ticket_id, row.score) == (ticket["id"], 2)
    wait_for(
        lambda: sum(s.state for s in mock_pins.pin(5).states) >= 4,
        what="thank-you blink",
        pump=pump,
    )
