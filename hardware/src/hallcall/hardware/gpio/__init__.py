"""Raspberry Pi GPIO devices (gpiozero): big rating buttons and a button clerk keypad.

Both implement the same ports as their serial cousins (`RatingPad`, `Keypad`), so the apps do
not care which one a window has.
"""

from hallcall.hardware.gpio.keypad_buttons import GpioKeypad
from hallcall.hardware.gpio.rating_buttons import GpioRatingPad

__all__ = ["GpioKeypad", "GpioRatingPad"]
