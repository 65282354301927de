"""`FakeIdCardReader`: a reader a test or the demo hands cards to."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable

from hallcall.hardware.idcard.card import IdCard
from hallcall.hardware.idcard.port import IdCardReader


class FakeIdCardReader(IdCardReader):
    """`present(card)` puts a card on the reader; each `read_card` takes the next one.

    Cards may be presented from another thread while a `read_card` waits. Setting `online`
    to False plays an unplugged reader: `read_card` then returns None.
    """

    def __init__(self, cards: Iterable[IdCard] = ()) -> None:
        self._cards: deque[IdCard] = deque(cards)
        self._changed = threading.Condition()
        self._online = True
        self.closed = False
        self.reads = 0  # cards handed out

    def present(self, card: IdCard) -> None:
        with self._changed:
            self._cards.append(card)
            self._changed.notify_all()

    @property
    def pending(self) -> int:
        return len(self._cards)

    @property
    def online(self) -> bool:
        return self._online and not self.closed

    @online.setter
    def online(self, value: bool) -> None:
        with self._changed:
            self._online = value
            self._changed.notify_all()

    def read_card(self, timeout: float = 1.0) -> IdCard | None:
        with self._changed:
            self._changed.wait_for(
                lambda: self.closed or (self._online and bool(self._cards)), max(0.0, timeout)
            )
            if self.closed or not self._online or not self._cards:
                return None
            self.reads += 1
            return self._cards.popleft()

    def close(self) -> None:
        with self._changed:
            self.closed = True
            self._changed.notify_all()
