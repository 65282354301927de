"""GPIO rating buttons and clerk keypad, driven through gpiozero's mock pin factory."""

from __future__ import annotations

import time

import pytest
from gpiozero import Device
from gpiozero.pins.mock import MockFactory

from hallcall.hardware.gpio import GpioKeypad, GpioRatingPad
from hallcall.hardware.keypad import KeypadAction


@pytest.fixture
def factory():
    previous = Device.pin_factory
    Device.pin_factory = MockFactory()
    yield Device.pin_factory
    Device.pin_factory.reset()
    Device.pin_factory = previous


def press(factory, pin: int) -> None:
    """A button wired to ground: pressing pulls the pin low, releasing lets it go high."""
    factory.pin(pin).drive_low()
    factory.pin(pin).drive_high()


BUTTONS, LEDS = (17, 27, 22), (5, 6, 13)


def test_buttons_score_only_while_the_lights_ask_for_it(factory):
    scores: list[int] = []
    ignored: list[int] = []
    pad = GpioRatingPad(BUTTONS, LEDS, scores.append, ignored.append, bounce_time=None)
    try:

        def lit():
            return [factory.pin(p).state for p in LEDS]

        assert lit() == [False] * 3
        press(factory, 22)  # idle pad
        pad.set_prompt(True)
        assert lit() == [True] * 3
        press(factory, 27)  # "average"
        press(factory, 17)  # second press: the prompt already closed
        assert scores == [2] and ignored == [3, 1]
        assert lit() == [False] * 3
    finally:
        pad.close()


def test_thank_blinks_the_lights(factory):
    pad = GpioRatingPad(BUTTONS, (5,), bounce_time=None, blink_time=0.01)
    try:
        pad.thank()
        time.sleep(0.2)
        states = [s.state for s in factory.pin(5).states]
        assert states.count(True) == 3 and states[-1] is False
    finally:
        pad.close()


def test_five_button_pad_without_lights(factory):
    scores: list[int] = []
    pad = GpioRatingPad((2, 3, 4, 14, 15), on_score=scores.append, bounce_time=None)
    try:
        assert pad.keys == 5
        pad.set_prompt(True)
        press(factory, 15)
        assert scores == [5]
    finally:
        pad.close()


def test_gpio_keypad_reports_actions(factory):
    seen: list[KeypadAction] = []
    pins = {KeypadAction.NEXT: 23, "recall": 24, KeypadAction.NO_SHOW: 25, KeypadAction.PAUSE: 8}
    keypad = GpioKeypad(pins, seen.append, bounce_time=None)
    try:
        for pin in (23, 24, 25, 23, 8):
            press(factory, pin)
        factory.pin(23).drive_low()  # held down: still one press
        time.sleep(0.05)
        factory.pin(23).drive_high()
        assert seen == [
            KeypadAction.NEXT,
            KeypadAction.RECALL,
            KeypadAction.NO_SHOW,
            KeypadAction.NEXT,
            KeypadAction.PAUSE,
            KeypadAction.NEXT,
        ]
        keypad.show_number("A012")
        assert keypad.number == "A012"
    finally:
        keypad.close()


def test_gpio_keypad_rejects_unknown_actions(factory):
    with pytest.raises(ValueError):
        GpioKeypad({"coffee": 23})


def test_configs_open_gpio_devices(factory):
    from hallcall.hardware.keypad import KeypadConfig, open_keypad
    from hallcall.hardware.rating_pad import RatingPadConfig, open_rating_pad

    seen: list[KeypadAction] = []
    keypad = open_keypad(KeypadConfig(kind="gpio", pins={"next": 23, "finish": 24}), seen.append)
    scores: list[int] = []
    pad = open_rating_pad(
        RatingPadConfig(kind="gpio", button_pins=[17, 27, 22], led_pins=[5]), scores.append
    )
    try:
        assert isinstance(keypad, GpioKeypad) and isinstance(pad, GpioRatingPad)
        press(factory, 24)
        pad.set_prompt(True)
        assert factory.pin(5).state
        press(factory, 17)
        assert seen == [KeypadAction.FINISH] and scores == [1]
    finally:
        keypad.close()
        pad.close()
