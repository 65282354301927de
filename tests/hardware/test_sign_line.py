"""The HallCall line sign protocol: real bytes over a socat pty pair, decoded on the sign side."""

from __future__ import annotations

import time

import pytest
import serial
from pydantic import ValidationError

from hallcall.hardware.sign import FakeSign, SignConfig, open_sign
from hallcall.hardware.sign.line_protocol import (
    BadFrame,
    FrameDecoder,
    FrameError,
    LineFrame,
    Reply,
    ReplyDecoder,
    decode_frame,
    encode_frame,
    encode_reply,
    encode_show,
)
from hallcall.hardware.sign.simulator import SignSimulator

CALL = "A012 请到3号窗口"


def read_frames(peer: serial.Serial, decoder, count: int = 1, timeout: float = 3.0) -> list:
    """Read from the peer until `count` decoded items arrived (every read has a timeout)."""
    items: list = []
    deadline = time.monotonic() + timeout
    while len(items) < count and time.monotonic() < deadline:
        items += decoder.feed(peer.read(peer.in_waiting or 1))
    assert len(items) >= count, f"only {items} arrived within {timeout} s"
    return items


def wait_until(predicate, timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


@pytest.fixture
def peer(pty_pair):
    with serial.Serial(pty_pair.peer, 9600, timeout=0.1) as port:
        yield port


def test_chinese_call_arrives_as_one_gb18030_frame(pty_pair, peer):
    sign = open_sign(SignConfig(port=pty_pair.device, address="03"))
    try:
        sign.show(CALL)
        raw = b""
        deadline = time.monotonic() + 3
        while (
            not raw.endswith(b"\x03" + encode_show("03", CALL)[-2:]) and time.monotonic() < deadline
        ):
            raw += peer.read(peer.in_waiting or 1)
        body = b"03T" + CALL.encode("gb18030") + b"\x03"
        assert raw == b"\x02" + body + f"{sum(body) % 256:02X}".encode()
        assert decode_frame(raw) == LineFrame("03", "T", CALL)
    finally:
        sign.close()


def test_every_show_and_clear_is_decoded_in_order(pty_pair, peer):
    sign = open_sign(SignConfig(port=pty_pair.device))
    try:
        decoder = FrameDecoder()
        for text in (CALL, "暂停服务 Paused", "王芳"):
            sign.show(text)
            assert read_frames(peer, decoder) == [LineFrame("00", "T", text)]
        sign.clear()
        assert read_frames(peer, decoder) == [LineFrame("00", "C", "")]
    finally:
        sign.close()


def test_gb2312_sign_gets_gb2312_bytes_and_question_marks_for_the_rest(pty_pair, peer):
    sign = open_sign(SignConfig(port=pty_pair.device, encoding="gb2312"))
    try:
        sign.show("A012 请到3号窗口 😀")
        (frame,) = read_frames(peer, FrameDecoder("gb2312"))
        assert frame.text == "A012 请到3号窗口 ?"
    finally:
        sign.close()


def test_control_characters_cannot_break_the_framing():
    frame = encode_frame("01", "T", "A\x02B\x03C\x1bD\nE")
    assert decode_frame(frame).text == "A B C D\nE"


def test_decoder_detects_checksum_errors_and_recovers():
    good = encode_show("05", CALL)
    corrupted = bytearray(good)
    corrupted[5] ^= 0x01  # one bit flipped inside the text
    with pytest.raises(FrameError, match="checksum"):
        decode_frame(bytes(corrupted))
    wrong_sum = good[:-2] + b"00" if not good.endswith(b"00") else good[:-2] + b"01"
    with pytest.raises(FrameError, match="checksum"):
        decode_frame(wrong_sum)

    decoder = FrameDecoder()
    stream = b"noise\x02\x02garbage" + bytes(corrupted) + b"\xff" + good
    items = []
    for i in range(0, len(stream), 4):  # arrives in small pieces
        items += decoder.feed(stream[i : i + 4])
    assert [type(i) for i in items] == [BadFrame, BadFrame, BadFrame, LineFrame]
    assert "checksum" in items[2].reason
    assert items[-1] == LineFrame("05", "T", CALL)


def test_decoder_rejects_unknown_commands_and_bad_addresses():
    body = b"03X" + b"hi" + b"\x03"
    with pytest.raises(FrameError, match="command"):
        decode_frame(b"\x02" + body + f"{sum(body) % 256:02X}".encode())
    body = b"G3T" + b"hi" + b"\x03"
    with pytest.raises(FrameError):
        decode_frame(b"\x02" + body + f"{sum(body) % 256:02X}".encode())


def test_reply_decoder_finds_ack_and_nak_among_noise():
    replies = ReplyDecoder().feed(
        b"x" + encode_reply("03", True) + b"\x06Z" + encode_reply("0a", False)
    )
    assert replies == [Reply("03", True), Reply("0A", False)]


def test_nak_is_retried_until_the_sign_acknowledges(pty_pair, peer):
    sim = SignSimulator(peer, address="03")
    sim.nak_next = 1
    sim.start()
    statuses: list[bool] = []
    sign = open_sign(
        SignConfig(port=pty_pair.device, address="03", ack_timeout=0.3), on_status=statuses.append
    )
    try:
        sign.show(CALL)
        assert sign.wait_delivered(3)
        assert sim.text == CALL
        assert len(sim.frames) == 1  # the NAKed copy was not shown, the retry was
        assert sign.online and statuses == [True]
    finally:
        sign.close()
        sim.stop()


def test_silent_sign_is_reported_offline_and_retried_until_it_answers(pty_pair, peer):
    sim = SignSimulator(peer, address="03", answer=False).start()
    statuses: list[bool] = []
    sign = open_sign(
        SignConfig(port=pty_pair.device, address="03", ack_timeout=0.1, retries=1),
        on_status=statuses.append,
    )
    try:
        sign.show("A001")
        assert wait_until(lambda: statuses == [True, False])
        assert not sign.online
        assert not sign.wait_delivered(0.1)
        sim.answer = True  # the sign is switched back on
        assert sign.wait_delivered(5)
        assert sign.online
        assert statuses == [True, False, True]
    finally:
        sign.close()
        sim.stop()


def test_config_rules():
    with pytest.raises(ValidationError):
        SignConfig()  # serial without a port
    with pytest.raises(ValidationError):
        SignConfig(port="/dev/ttyUSB0", address="3")
    with pytest.raises(ValidationError):
        SignConfig(port="/dev/ttyUSB0", ack_timeout=0.5)  # broadcast never answers
    assert SignConfig(port="/dev/ttyUSB0", address="0a").address == "0A"
    assert isinstance(open_sign(SignConfig(kind="fake")), FakeSign)


def test_fake_sign_records_texts_and_status():
    statuses: list[bool] = []
    sign = FakeSign(on_status=statuses.append)
    sign.show(CALL)
    sign.clear()
    sign.set_online(False)
    assert sign.shown == [CALL, ""] and sign.text == "" and not sign.online
    assert statuses == [False]
