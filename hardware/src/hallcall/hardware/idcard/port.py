"""The `IdCardReader` port: a resident ID card reader at the kiosk ("身份证阅读器").

    card = reader.read_card(timeout=1.0)   # an IdCard, or None if no card came in time
    if card is not None:
        key = card_hash(card, hall_key)     # match appointments without keeping the number

`read_card` never raises: a reader that is unplugged, silent or talking garbage is reported
through `online` and gives None. A card is reported once per placement: while the same card
stays on the reader, further calls return None until it is taken off and put back.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Self

from hallcall.hardware.idcard.card import IdCard


class IdCardReader(ABC):
    @abstractmethod
    def read_card(self, timeout: float = 1.0) -> IdCard | None:
        """Wait up to `timeout` seconds for a card to be placed and read; None if none was."""

    @property
    def online(self) -> bool:
        """Whether the reader answered lately (its port is open and the module talks)."""
        return True

    def close(self) -> None:
        """Release the device; later `read_card` calls return None at once."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
