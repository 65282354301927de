"""Using an ID card without keeping it: a masked name, an age, a keyed hash of the number.

The rules (docs/hardware/idcard.md, "Privacy"): the ID number and the name never go into a
log, onto MQTT or into a database in clear. A ticket shows at most `masked_name`; matching an
appointment uses `id_hash` (HMAC-SHA256 under the hall's secret key), so the number itself
is never stored and a leaked table cannot be reversed by trying every number without the key.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

# The keyed hash is the contract's (the broker and admin tools make it too).
from hallcall.protocol.idnumber import MIN_KEY_BYTES as MIN_KEY_BYTES
from hallcall.protocol.idnumber import id_hash

if TYPE_CHECKING:
    from hallcall.hardware.idcard.card import IdCard


def masked_name(name: str) -> str:
    """Family name and, for names of three or more characters, the last character.

    "张三丰" -> "张*丰", "张三" -> "张*", "欧阳娜娜" -> "欧**娜"; one star per hidden character.
    """
    name = name.strip()
    if len(name) <= 1:
        return "*" * len(name)
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def age_on(card: IdCard | date, on: date) -> int:
    """Full years of age on `on` (a 29 February birthday counts from 1 March in other years)."""
    born = card if isinstance(card, date) else card.birth_date
    years = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if years < 0:
        raise ValueError("born after the given day")
    return years


def card_hash(card: IdCard, key: bytes) -> str:
    """`id_hash` of the card's number."""
    return id_hash(card.id_number, key)
