"""Clerk call keypads ("呼叫器"): the `Keypad` port, the serial driver and a fake.

    keypad = SerialKeypad("/dev/ttyUSB1", address="03", on_action=print)
    keypad.show_number("A012")

The GPIO keypad lives in `hallcall.hardware.gpio`.
"""

from hallcall.hardware.keypad.actions import KeypadAction
from hallcall.hardware.keypad.config import KeypadConfig, open_keypad
from hallcall.hardware.keypad.fake import FakeKeypad
from hallcall.hardware.keypad.port import Keypad
from hallcall.hardware.keypad.serial_keypad import SerialKeypad

__all__ = ["FakeKeypad", "Keypad", "KeypadAction", "KeypadConfig", "SerialKeypad", "open_keypad"]
