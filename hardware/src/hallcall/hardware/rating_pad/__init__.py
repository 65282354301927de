"""Customer rating pads ("评价器"): the `RatingPad` port, the serial driver and a fake.

    pad = SerialRatingPad("/dev/ttyUSB2", keys=3, on_score=save_rating)
    pad.set_prompt(True)   # service finished: ask for a rating
    ...                    # on_score(3) arrives; the prompt closes by itself
    pad.thank()

The GPIO button pad lives in `hallcall.hardware.gpio`.
"""

from hallcall.hardware.rating_pad.config import RatingPadConfig, open_rating_pad
from hallcall.hardware.rating_pad.fake import FakeRatingPad
from hallcall.hardware.rating_pad.port import AVERAGE, DISSATISFIED, SATISFIED, RatingPad
from hallcall.hardware.rating_pad.serial_pad import SerialRatingPad

__all__ = [
    "AVERAGE",
    "DISSATISFIED",
    "SATISFIED",
    "FakeRatingPad",
    "RatingPad",
    "RatingPadConfig",
    "SerialRatingPad",
    "open_rating_pad",
]
