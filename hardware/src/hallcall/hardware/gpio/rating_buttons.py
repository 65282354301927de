"""`GpioRatingPad`: three or five big buttons with lights on a Raspberry Pi's GPIO header."""

from __future__ import annotations

from collections.abc import Sequence

from gpiozero import LED, Button

from hallcall.hardware.rating_pad.port import RatingPad, ScoreHandler


class GpioRatingPad(RatingPad):
    """Button `i` (0-based) in `button_pins` gives score `i + 1`; pins are BCM numbers.

    `led_pins` are the lights: one per button or a single "please rate" lamp; all of them are
    on while a prompt is active and blink three times to thank. Buttons are wired to ground
    (the Pi's internal pull-up holds them high); `bounce_time` filters contact bounce.
    """

    def __init__(
        self,
        button_pins: Sequence[int],
        led_pins: Sequence[int] = (),
        on_score: ScoreHandler | None = None,
        on_ignored: ScoreHandler | None = None,
        *,
        bounce_time: float | None = 0.05,
        blink_time: float = 0.2,
        pin_factory=None,
    ) -> None:
        super().__init__(len(button_pins), on_score, on_ignored)
        self._blink_time = blink_time
        self._leds = [LED(pin, pin_factory=pin_factory) for pin in led_pins]
        self._buttons = []
        for score, pin in enumerate(button_pins, start=1):
            button = Button(pin, pull_up=True, bounce_time=bounce_time, pin_factory=pin_factory)
            button.when_pressed = self._press_handler(score)
            self._buttons.append(button)

    def _press_handler(self, score: int):
        # gpiozero inspects the callback's signature, so it must be a real function
        def pressed() -> None:
            self._pressed(score)

        return pressed

    def _show_prompt(self, active: bool) -> None:
        for led in self._leds:
            led.value = active

    def _show_thanks(self) -> None:
        t = self._blink_time
        for led in self._leds:
            # gpiozero has no annotations; pyright infers `int` from the defaults (1), but its
            # documentation says seconds as a float.
            led.blink(on_time=t, off_time=t, n=3, background=True)  # pyright: ignore[reportArgumentType]

    def close(self) -> None:
        for device in [*self._buttons, *self._leds]:
            device.close()
