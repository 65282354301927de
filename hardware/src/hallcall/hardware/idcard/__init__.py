"""Resident ID card readers ("身份证阅读器", GA/T 467 SAM): the port, the serial driver, a fake.

    reader = open_idcard_reader(IdCardConfig(devfile="/dev/ttyUSB3"))
    card = reader.read_card(timeout=1.0)        # IdCard or None; never raises
    if card is not None:
        masked_name(card.name)                   # "张*丰": all a ticket may show
        age_on(card, date.today()) >= 60         # the green channel is the hall's call
        card_hash(card, hall_key)                # match appointments, keep no number

`simulator.SamSimulator` plays the module on the other end of a serial line.
"""

from hallcall.hardware.idcard.card import (
    CardDataError,
    IdCard,
    decode_text_block,
    encode_text_block,
    id_check_digit,
    make_card,
    valid_id_number,
)
from hallcall.hardware.idcard.config import IdCardConfig, open_idcard_reader
from hallcall.hardware.idcard.ethnicity import ETHNICITIES, ethnicity_code, ethnicity_name
from hallcall.hardware.idcard.fake import FakeIdCardReader
from hallcall.hardware.idcard.port import IdCardReader
from hallcall.hardware.idcard.privacy import age_on, card_hash, id_hash, masked_name
from hallcall.hardware.idcard.serial_reader import SerialIdCardReader

__all__ = [
    "ETHNICITIES",
    "CardDataError",
    "FakeIdCardReader",
    "IdCard",
    "IdCardConfig",
    "IdCardReader",
    "SerialIdCardReader",
    "age_on",
    "card_hash",
    "decode_text_block",
    "encode_text_block",
    "ethnicity_code",
    "ethnicity_name",
    "id_check_digit",
    "id_hash",
    "make_card",
    "masked_name",
    "open_idcard_reader",
    "valid_id_number",
]
