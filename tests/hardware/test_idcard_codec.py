"""The ID card reader's pure parts: SAM frames, the text block, the check digit, privacy, fake.

Every person here is made up; the numbers only have valid check digits.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from datetime import date

import pytest
from pydantic import ValidationError

from hallcall.hardware.idcard import (
    ETHNICITIES,
    CardDataError,
    FakeIdCardReader,
    IdCardConfig,
    SerialIdCardReader,
    age_on,
    card_hash,
    decode_text_block,
    encode_text_block,
    ethnicity_code,
    ethnicity_name,
    id_check_digit,
    id_hash,
    make_card,
    masked_name,
    open_idcard_reader,
    valid_id_number,
)
from hallcall.hardware.idcard.card import TEXT_FIELDS
from hallcall.hardware.idcard.protocol import (
    FIND_CARD,
    FIND_OK,
    OK,
    PREAMBLE,
    READ_BASE,
    SAM_STATUS,
    SELECT_CARD,
    BadChecksum,
    BadLength,
    BadPreamble,
    FrameDecoder,
    FrameError,
    Reply,
    checksum,
    encode_command,
    encode_frame,
    encode_reply,
    join_base_message,
    parse_command,
    parse_frame,
    parse_reply,
    split_base_message,
)

KEY = b"hall-secret-key-for-tests-only!!"
CARD = make_card(
    "王小测",
    "110101198808084563",
    sex="男",
    ethnicity_code="02",
    address="北京市东城区测试路8号院3号楼",
    authority="北京市公安局东城分局",
    valid_from=date(2018, 8, 8),
    valid_to=date(2038, 8, 8),
    photo=bytes(range(256)) * 4,
)


# ------------------------------------------------------------------------------ frames
def test_commands_are_the_bytes_real_readers_send():
    # the frames every open-source SAM client sends (checksum = XOR of LEN1..PARA)
    assert encode_command(FIND_CARD) == bytes.fromhex("AAAAAA9669 0003 2001 22")
    assert encode_command(SELECT_CARD) == bytes.fromhex("AAAAAA9669 0003 2002 21")
    assert encode_command(READ_BASE) == bytes.fromhex("AAAAAA9669 0003 3001 32")
    assert encode_command(SAM_STATUS) == bytes.fromhex("AAAAAA9669 0003 11FF ED")


def test_frames_round_trip():
    command = parse_command(encode_command((0x61, 0xFF), b"\x50"))
    assert (command.cmd, command.para, command.data) == (0x61, 0xFF, b"\x50")
    data = bytes(range(256)) * 5
    reply = parse_reply(encode_reply(OK, data, sw1=0x12, sw2=0x34))
    assert reply == Reply(0x12, 0x34, OK, data) and reply.ok
    assert parse_reply(encode_reply(FIND_OK, bytes(4))).status == "card found"
    assert not parse_reply(encode_reply(0x80)).ok
    assert "bytes" in repr(reply) and data.hex() not in repr(reply)


def test_length_counts_everything_after_it_including_the_checksum():
    frame = encode_reply(OK)
    assert frame == PREAMBLE + bytes([0x00, 0x04, 0x00, 0x00, 0x90, 0x94])
    assert checksum(frame[5:-1]) == frame[-1]


@pytest.mark.parametrize(
    ("frame", "error", "message"),
    [
        (b"\xaa\xaa\xab\x96\x69\x00\x03\x20\x01\x22", BadPreamble, "AA AA AA 96 69"),
        (PREAMBLE + b"\x00", BadLength, "too short"),
        (PREAMBLE + b"\x00\x02\x20\x22", BadLength, "out of range"),
        (PREAMBLE + b"\x10\x01" + bytes(4097), BadLength, "out of range"),
        (PREAMBLE + b"\x00\x04\x20\x01\x22", BadLength, "4 bytes follow, 3 do"),
        (PREAMBLE + b"\x00\x03\x20\x01\x23", BadChecksum, "checksum 23, computed 22"),
    ],
)
def test_parse_frame_says_what_is_wrong(frame, error, message):
    with pytest.raises(error, match=message):
        parse_frame(frame)
    assert issubclass(error, FrameError)


def test_a_reply_needs_its_three_status_bytes():
    with pytest.raises(BadLength):
        parse_reply(encode_frame(b"\x00\x00"))
    with pytest.raises(ValueError):
        encode_frame(bytes(4096))


def test_decoder_reassembles_skips_noise_and_resynchronises():
    good = encode_reply(OK, b"abc")
    damaged = bytearray(encode_reply(OK, b"xyz"))
    damaged[-2] ^= 1
    stream = b"\x00\xff\xaa" + good + bytes(damaged) + b"\xaa\xaa" + good + PREAMBLE[:3]
    decoder = FrameDecoder()
    items = []
    for byte in stream:  # one byte at a time, as a slow line delivers them
        items += decoder.feed(bytes([byte]))
    assert items[0] == good and items[2] == good and len(items) == 3
    assert isinstance(items[1], BadChecksum)
    assert decoder.feed(PREAMBLE[3:] + b"\x00\x04\x00\x00\x90\x94") == [encode_reply(OK)]
    assert decoder.skipped >= 5
    assert FrameDecoder().feed(good + good) == [good, good]


def test_decoder_drops_an_impossible_length_and_finds_the_next_frame():
    decoder = FrameDecoder()
    items = decoder.feed(PREAMBLE + b"\xff\xff" + encode_reply(OK))
    assert isinstance(items[0], BadLength) and items[1] == encode_reply(OK)


def test_base_message_split_and_join():
    text, photo = bytes(256), bytes(1024)
    data = join_base_message(text, photo)
    assert data[:4] == bytes.fromhex("0100 0400")
    assert split_base_message(data) == (text, photo)
    with pytest.raises(FrameError, match="too short"):
        split_base_message(b"\x01")
    with pytest.raises(FrameError, match="carries"):
        split_base_message(data[:-1])
    with pytest.raises(FrameError, match="not 256"):
        split_base_message(join_base_message(bytes(200), photo))


# ------------------------------------------------------------------------------ text block
def test_text_block_round_trip():
    text = encode_text_block(CARD)
    assert len(text) == 256 == sum(width for _, width in TEXT_FIELDS)
    assert text[:6] == "王小测".encode("utf-16-le") and text[6:8] == b" \x00"
    card = decode_text_block(text, CARD.photo)
    assert card == CARD and card.photo == CARD.photo
    assert (card.sex, card.ethnicity, card.ethnicity_code) == ("男", "蒙古", "02")
    assert card.birth_date == date(1988, 8, 8) and card.valid_to == date(2038, 8, 8)


def test_long_term_cards_and_a_lower_case_x():
    card = make_card("李长期", "11010519491231002x", sex="女", valid_to=None)
    decoded = decode_text_block(encode_text_block(card))
    assert decoded.valid_to is None and decoded.id_number == "11010519491231002X"
    assert "长期".encode("utf-16-le") in encode_text_block(card)


def _with_field(name: str, value: str) -> bytes:
    text = bytearray(encode_text_block(CARD))
    offset = 0
    for field_name, width in TEXT_FIELDS:
        if field_name == name:
            raw = value.encode("utf-16-le").ljust(width, b"\x00")
            text[offset : offset + width] = raw
            return bytes(text)
        offset += width
    raise KeyError(name)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("sex", "3", "sex code"),
        ("ethnicity", "57", "ethnicity code"),
        ("id_number", "110101198808084564", "check digit"),
        ("id_number", "11010119880808456", "check digit"),
        ("birth_date", "19881308", "calendar date"),
        ("valid_from", "2018-8-8", "YYYYMMDD"),
        ("valid_to", "永久", "YYYYMMDD"),
        ("name", "", "name is empty"),
    ],
)
def test_decode_rejects_malformed_fields_without_echoing_them(field, value, message):
    with pytest.raises(CardDataError, match=message) as info:
        decode_text_block(_with_field(field, value))
    assert CARD.id_number not in str(info.value) and CARD.name not in str(info.value)


def test_decode_rejects_a_wrong_size_and_broken_ucs2():
    with pytest.raises(CardDataError, match="not 256"):
        decode_text_block(bytes(255))
    text = bytearray(encode_text_block(CARD))
    text[0:2] = b"\x00\xd8"  # a lone surrogate
    with pytest.raises(CardDataError, match="UCS-2"):
        decode_text_block(bytes(text))


def test_encode_refuses_fields_that_do_not_fit():
    with pytest.raises(ValueError, match="name"):
        encode_text_block(replace(CARD, name="一" * 16))


def test_check_digit_is_iso_7064_mod_11_2():
    assert id_check_digit("11010519491231002") == "X"  # GB 11643's own example
    assert id_check_digit("11010119880808456") == "3"
    assert valid_id_number("110101198808084563")
    for bad in (
        "110101198808084562",
        "11010119880808456",
        "1101011988080845631",
        "A10101198808084563",
        "１１０１０１１９８８０８０８４５６３",
    ):
        assert not valid_id_number(bad)
    with pytest.raises(ValueError):
        id_check_digit("1234")
    with pytest.raises(ValueError):
        make_card("错号", "110101198808084562")


def test_the_ethnicity_table():
    assert len(ETHNICITIES) == 58
    assert [f"{n:02d}" for n in range(1, 57)] == list(ETHNICITIES)[:56]
    assert ethnicity_name("01") == "汉" and ethnicity_name("56") == "基诺"
    assert ethnicity_code("蒙古族") == ethnicity_code("蒙古") == "02"
    assert ethnicity_code("德昂") == "46"
    with pytest.raises(KeyError):
        ethnicity_name("99")
    with pytest.raises(KeyError):
        ethnicity_code("火星")


# ------------------------------------------------------------------------------ privacy
def test_masked_name():
    assert masked_name("张三丰") == "张*丰"
    assert masked_name("张三") == "张*"
    assert masked_name("欧阳娜娜") == "欧**娜"
    assert masked_name("张") == "*" and masked_name("") == ""


def test_age_on():
    assert age_on(CARD, date(2048, 8, 7)) == 59
    assert age_on(CARD, date(2048, 8, 8)) == 60
    leap = date(2000, 2, 29)
    assert age_on(leap, date(2001, 2, 28)) == 0 and age_on(leap, date(2001, 3, 1)) == 1
    with pytest.raises(ValueError):
        age_on(CARD, date(1980, 1, 1))


def test_id_hash_is_keyed_and_reveals_nothing():
    digest = card_hash(CARD, KEY)
    assert digest == id_hash("110101198808084563", KEY) == id_hash(" 110101198808084563 ", KEY)
    assert id_hash("11010519491231002x", KEY) == id_hash("11010519491231002X", KEY)
    assert len(digest) == 64 and CARD.id_number not in digest
    assert id_hash(CARD.id_number, KEY[::-1]) != digest
    with pytest.raises(ValueError, match="16 bytes"):
        id_hash(CARD.id_number, b"short")


def test_a_card_logged_by_mistake_shows_no_name_and_no_number(caplog):
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("kiosk").info("card %s / %r / %s", CARD, CARD, [CARD])
    assert "王*测" in caplog.text
    assert CARD.name not in caplog.text and CARD.id_number not in caplog.text


# ------------------------------------------------------------------------------ fake, config
def test_fake_reader_hands_out_presented_cards():
    other = make_card("赵模拟", "110101195001011239", sex="女")
    reader = FakeIdCardReader([CARD])
    assert reader.read_card(0) == CARD
    assert reader.read_card(0.05) is None
    threading.Timer(0.05, reader.present, [other]).start()
    assert reader.read_card(2) == other and reader.reads == 2
    reader.present(CARD)
    reader.online = False
    assert reader.read_card(0.05) is None and not reader.online and reader.pending == 1
    reader.online = True
    with reader:
        assert reader.online
    assert reader.closed and not reader.online and reader.read_card(0.05) is None


def test_idcard_config():
    with pytest.raises(ValidationError, match="devfile"):
        IdCardConfig()
    with pytest.raises(ValidationError):
        IdCardConfig(kind="usb", devfile="/dev/ttyUSB3")
    with pytest.raises(ValidationError):
        IdCardConfig(devfile="/dev/ttyUSB3", baudrate=0)
    with pytest.raises(ValidationError):
        IdCardConfig(devfile="/dev/ttyUSB3", speed=9600)
    assert isinstance(open_idcard_reader(IdCardConfig(kind="fake")), FakeIdCardReader)
    config = IdCardConfig(devfile="/nonexistent/ttyUSB3", baudrate=9600, timeout=0.2)
    assert config.baudrate == 9600 and IdCardConfig(devfile="x").baudrate == 115200
    with open_idcard_reader(config) as reader:
        assert isinstance(reader, SerialIdCardReader)
        assert reader.read_card(0.1) is None and not reader.online  # never raises
