"""`IdCard`: what a resident ID card says, decoded from its 256-byte text block.

The text block is UCS-2 little-endian, each field padded with spaces to a fixed width:

    name 30 | sex 2 | ethnicity 4 | birth date 16 | address 70 | ID number 36 |
    issuing authority 30 | valid from 16 | valid to 16 | reserved 36        (bytes)

Dates are YYYYMMDD; a card valid for life says 长期 in "valid to". The photo block (1024
bytes, the card's compressed "wlt" format) is kept as bytes and never decoded here.

Privacy: an `IdCard`'s repr shows the masked name only, never the ID number, so logging a
card by accident leaks nothing (see `privacy.py` for the helpers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from hallcall.hardware.idcard.ethnicity import ETHNICITIES

# One check digit for the whole system: the contract checks ID numbers with it too.
from hallcall.protocol.idnumber import id_check_digit as id_check_digit
from hallcall.protocol.idnumber import valid_id_number as valid_id_number

#: (field, width in bytes), in the order of the text block
TEXT_FIELDS: tuple[tuple[str, int], ...] = (
    ("name", 30),
    ("sex", 2),
    ("ethnicity", 4),
    ("birth_date", 16),
    ("address", 70),
    ("id_number", 36),
    ("authority", 30),
    ("valid_from", 16),
    ("valid_to", 16),
    ("reserved", 36),
)
TEXT_BLOCK_LENGTH = sum(width for _, width in TEXT_FIELDS)  # 256

#: GB/T 2261.1 sex codes as the card stores them
SEXES = {"0": "未知", "1": "男", "2": "女", "9": "未说明"}
LONG_TERM = "长期"


class CardDataError(ValueError):
    """A text block that does not decode into a valid card (the message never holds data)."""


@dataclass(frozen=True, repr=False)
class IdCard:
    name: str
    sex: str  # 男 / 女 (未知, 未说明 for the other GB/T 2261.1 codes)
    ethnicity: str  # as printed on the card: 汉, 蒙古, ...
    birth_date: date
    address: str
    id_number: str  # 18 characters, X upper case, check digit verified
    authority: str
    valid_from: date
    valid_to: date | None  # None: valid for life (长期)
    ethnicity_code: str = "01"
    photo: bytes = field(default=b"", compare=False)  # wlt, undecoded

    def __repr__(self) -> str:
        from hallcall.hardware.idcard.privacy import masked_name

        return f"IdCard(name={masked_name(self.name)!r}, id_number=<hidden>)"

    __str__ = __repr__

    @property
    def sex_code(self) -> str:
        return next(code for code, sex in SEXES.items() if sex == self.sex)


def _field(text: bytes, offset: int, width: int) -> str:
    try:
        value = text[offset : offset + width].decode("utf-16-le")
    except UnicodeDecodeError as exc:
        raise CardDataError(f"field at byte {offset} is not UCS-2") from exc
    return value.rstrip(" \x00")


def _date(value: str, what: str) -> date:
    if len(value) != 8 or not value.isdigit() or not value.isascii():
        raise CardDataError(f"{what} is not a YYYYMMDD date")
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError as exc:
        raise CardDataError(f"{what} is not a calendar date") from exc


def decode_text_block(text: bytes, photo: bytes = b"") -> IdCard:
    """Decode the 256-byte text block; `CardDataError` if any field is malformed."""
    if len(text) != TEXT_BLOCK_LENGTH:
        raise CardDataError(f"text block is {len(text)} bytes, not {TEXT_BLOCK_LENGTH}")
    values: dict[str, str] = {}
    offset = 0
    for name, width in TEXT_FIELDS:
        values[name] = _field(text, offset, width)
        offset += width
    sex = SEXES.get(values["sex"])
    if sex is None:
        raise CardDataError("sex code is not one of GB/T 2261.1's 0 1 2 9")
    ethnicity = ETHNICITIES.get(values["ethnicity"])
    if ethnicity is None:
        raise CardDataError("ethnicity code is not a GB 3304 code")
    number = values["id_number"].upper()
    if not valid_id_number(number):
        raise CardDataError("ID number is not 18 characters with a valid check digit")
    if not values["name"]:
        raise CardDataError("name is empty")
    valid_to = values["valid_to"]
    return IdCard(
        name=values["name"],
        sex=sex,
        ethnicity=ethnicity,
        birth_date=_date(values["birth_date"], "birth date"),
        address=values["address"],
        id_number=number,
        authority=values["authority"],
        valid_from=_date(values["valid_from"], "valid from"),
        valid_to=None if valid_to == LONG_TERM else _date(valid_to, "valid to"),
        ethnicity_code=values["ethnicity"],
        photo=photo,
    )


def encode_text_block(card: IdCard) -> bytes:
    """The 256-byte text block a card with these details holds (simulators and tests)."""
    values = {
        "name": card.name,
        "sex": card.sex_code,
        "ethnicity": card.ethnicity_code,
        "birth_date": card.birth_date.strftime("%Y%m%d"),
        "address": card.address,
        "id_number": card.id_number,
        "authority": card.authority,
        "valid_from": card.valid_from.strftime("%Y%m%d"),
        "valid_to": LONG_TERM if card.valid_to is None else card.valid_to.strftime("%Y%m%d"),
        "reserved": "",
    }
    out = bytearray()
    for name, width in TEXT_FIELDS:
        raw = values[name].encode("utf-16-le")
        if len(raw) > width:
            raise ValueError(f"{name} is longer than its {width // 2} characters")
        out += raw + " ".encode("utf-16-le") * ((width - len(raw)) // 2)
    return bytes(out)


def make_card(
    name: str,
    id_number: str,
    *,
    sex: str = "男",
    ethnicity_code: str = "01",
    birth_date: date | None = None,
    address: str = "",
    authority: str = "",
    valid_from: date = date(2020, 1, 1),
    valid_to: date | None = date(2040, 1, 1),
    photo: bytes = bytes(1024),
) -> IdCard:
    """A card for tests and the simulator; the birth date defaults to the one in the number."""
    number = id_number.upper()
    if not valid_id_number(number):
        raise ValueError("ID number needs 18 characters and a valid check digit")
    if birth_date is None:
        birth_date = _date(number[6:14], "birth date in the ID number")
    return IdCard(
        name=name,
        sex=sex,
        ethnicity=ETHNICITIES[ethnicity_code],
        birth_date=birth_date,
        address=address,
        id_number=number,
        authority=authority,
        valid_from=valid_from,
        valid_to=valid_to,
        ethnicity_code=ethnicity_code,
        photo=photo,
    )
