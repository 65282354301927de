"""`FakeRatingPad`: a pad a test presses by hand; records prompts and thanks."""

from __future__ import annotations

from hallcall.hardware.rating_pad.port import RatingPad, ScoreHandler


class FakeRatingPad(RatingPad):
    def __init__(
        self,
        keys: int = 3,
        on_score: ScoreHandler | None = None,
        on_ignored: ScoreHandler | None = None,
    ) -> None:
        super().__init__(keys, on_score, on_ignored)
        self.prompts: list[bool] = []  # every prompt light change, in order
        self.thanks = 0
        self.closed = False

    def press(self, score: int) -> None:
        """A customer presses a key; it counts only while a prompt is active."""
        self._pressed(score)

    def _show_prompt(self, active: bool) -> None:
        self.prompts.append(active)

    def _show_thanks(self) -> None:
        self.thanks += 1

    def close(self) -> None:
        self.closed = True
