"""A physical rating pad (serial "评价器" or GPIO buttons) wired to the pad's model.

The pad's light is on while the model asks (`model.prompt_active`), a key press becomes the
model's score (mapped onto the hall's scale when the key count differs) and the pad thanks the
visitor after each recorded rating. The RatingPad port's prompt rule already drops presses made
while nothing is asked, so an idle pad never produces a rating.

Key presses arrive on the driver's thread; `post(score)` must hand them to the thread that owns
the model (the Qt controller queues them through a signal). Plain Python: no Qt here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from hallcall.hardware.rating_pad import RatingPad, RatingPadConfig, open_rating_pad
from hallcall.rating_pad.model import RatingPadModel, key_to_score

log = logging.getLogger(__name__)


class PhysicalPad:
    def __init__(self, pad: RatingPad, post: Callable[[int], None]):
        self.pad = pad
        self._post = post
        self._lit = False
        self._thanked = 0
        pad.on_score = self._pressed
        pad.on_ignored = lambda key: log.debug("rating pad key %d ignored (nothing asked)", key)

    @classmethod
    def open(cls, config: RatingPadConfig, post: Callable[[int], None]) -> PhysicalPad:
        return cls(open_rating_pad(config), post)

    def _pressed(self, key: int) -> None:
        self._post(key)  # driver thread -> the model's thread

    def press(self, model: RatingPadModel, key: int, follow_up: bool) -> bool:
        """On the model's thread: a key press answers the question in hand."""
        scale = model.question.scale if model.question else model.scale
        try:
            score = key_to_score(key, self.pad.keys, scale)
        except (ValueError, KeyError):
            log.warning("rating pad key %d does not fit a %d-level scale", key, scale)
            return False
        return model.choose(score, follow_up=follow_up)

    def sync(self, model: RatingPadModel) -> None:
        """Bring the light in line with the model; thank after a newly recorded rating."""
        want = model.prompt_active
        if want != self._lit:
            self._lit = want
            self.pad.set_prompt(want)
        if model.recorded_count != self._thanked:
            self._thanked = model.recorded_count
            self.pad.thank()

    def close(self) -> None:
        try:
            self.pad.set_prompt(False)
        finally:
            self.pad.close()
