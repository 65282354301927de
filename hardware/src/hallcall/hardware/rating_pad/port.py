"""The `RatingPad` port: the customer's satisfaction keys at a window ("评价器").

A rating only counts while a prompt is active: the clerk's terminal asks for a rating when a
customer's service ends, and the first valid press answers that prompt and closes it. Presses
while no prompt is active (an idle pad, a child playing with it, a second press) go to
`on_ignored` instead of `on_score`, so they can never become ratings.
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Self

log = logging.getLogger(__name__)

ScoreHandler = Callable[[int], None]

DISSATISFIED, AVERAGE, SATISFIED = 1, 2, 3  # the three-key pad; five keys score 1-5


class RatingPad(ABC):
    def __init__(
        self,
        keys: int = 3,
        on_score: ScoreHandler | None = None,
        on_ignored: ScoreHandler | None = None,
    ) -> None:
        if keys not in (3, 5):
            raise ValueError(f"rating pads have 3 or 5 keys, not {keys}")
        self.keys = keys
        self.on_score = on_score
        self.on_ignored = on_ignored
        self._prompting = False
        self._lock = threading.Lock()

    @property
    def prompting(self) -> bool:
        return self._prompting

    def set_prompt(self, active: bool) -> None:
        """Ask for a rating (the pad lights up) or withdraw the question."""
        with self._lock:
            self._prompting = active
        self._show_prompt(active)

    def thank(self) -> None:
        """Thank the customer (the pad blinks or beeps)."""
        self._show_thanks()

    @property
    def online(self) -> bool:
        return True

    def close(self) -> None:
        """Release the device."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- for drivers ------------------------------------------------------------------------

    def _pressed(self, score: int) -> None:
        """A driver calls this for every key press, from whatever thread it reads in."""
        with self._lock:
            accepted = self._prompting and 1 <= score <= self.keys
            if accepted:
                self._prompting = False
        if accepted:
            self._show_prompt(False)
            self._call(self.on_score, score)
        else:
            log.info(
                "rating pad: ignored score %d (prompt %s)",
                score,
                "active" if self._prompting else "inactive",
            )
            self._call(self.on_ignored, score)

    @staticmethod
    def _call(handler: ScoreHandler | None, score: int) -> None:
        if handler is None:
            return
        try:
            handler(score)
        except Exception:
            log.exception("rating handler failed on score %d", score)

    @abstractmethod
    def _show_prompt(self, active: bool) -> None: ...

    @abstractmethod
    def _show_thanks(self) -> None: ...
