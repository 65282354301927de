"""The Alpha Sign Communications Protocol: Write TEXT packets over a pty, parsed back."""

from __future__ import annotations

import time

import pytest
import serial
from pydantic import ValidationError

from hallcall.hardware.sign import SignConfig, open_sign
from hallcall.hardware.sign.alpha_protocol import (
    AlphaPacket,
    BadPacket,
    PacketDecoder,
    PacketError,
    alpha_text,
    decode_packet,
    encode_write_text,
)


def read_packets(peer: serial.Serial, count: int = 1, timeout: float = 3.0) -> tuple[bytes, list]:
    decoder, raw, items = PacketDecoder(), b"", []
    deadline = time.monotonic() + timeout
    while len(items) < count and time.monotonic() < deadline:
        chunk = peer.read(peer.in_waiting or 1)
        raw += chunk
        items += decoder.feed(chunk)
    assert len(items) >= count, f"only {items} arrived within {timeout} s"
    return raw, items


@pytest.fixture
def peer(pty_pair):
    # Alpha framing is 7E2 on a real line; a pty ignores it, the bytes are what matter.
    with serial.Serial(pty_pair.peer, 9600, timeout=0.1) as port:
        yield port


def test_write_text_packet_over_the_pty(pty_pair, peer):
    sign = open_sign(SignConfig(port=pty_pair.device, protocol="alpha"))
    try:
        sign.show("A012 -> WINDOW 3")
        raw, (packet,) = read_packets(peer)
    finally:
        sign.close()
    assert raw.startswith(b"\x00" * 5 + b"\x01Z00\x02AA\x1b0bA012 -> WINDOW 3\x03")
    assert raw.endswith(b"\x04")
    section = raw[raw.index(b"\x02") : raw.index(b"\x03") + 1]
    assert raw[-5:-1] == f"{sum(section):04X}".encode()
    assert packet == AlphaPacket(
        type_code="Z",
        address="00",
        command="A",
        label="A",
        position="0",
        mode="b",
        text="A012 -> WINDOW 3",
        checksummed=True,
    )


def test_addressed_sign_without_checksum_and_chinese_shown_as_question_marks(pty_pair, peer):
    config = SignConfig(
        port=pty_pair.device,
        protocol="alpha",
        address="07",
        alpha_checksum=False,
        alpha_mode="a",
        alpha_file_label="0",
    )
    sign = open_sign(config)
    try:
        sign.show("A012 请到3号窗口")
        raw, (packet,) = read_packets(peer)
    finally:
        sign.close()
    assert b"\x03" not in raw
    assert (packet.address, packet.label, packet.mode, packet.checksummed) == (
        "07",
        "0",
        "a",
        False,
    )
    assert packet.text == "A012 ??3???"


def test_decoder_detects_checksum_errors_and_keeps_going():
    good = encode_write_text("NOW SERVING A012")
    damaged = bytearray(good)
    damaged[good.index(b"SERVING")] = ord("X")
    with pytest.raises(PacketError, match="checksum"):
        decode_packet(bytes(damaged))
    decoder = PacketDecoder()
    items = []
    stream = b"junk" + bytes(damaged) + b"\x01Z0" + good
    for i in range(0, len(stream), 3):
        items += decoder.feed(stream[i : i + 3])
    assert [type(i) for i in items] == [BadPacket, BadPacket, AlphaPacket]
    assert items[-1].text == "NOW SERVING A012"


def test_special_mode_and_packets_without_esc_section_decode():
    packet = decode_packet(encode_write_text("HI", mode="n8", position=" "))
    assert (packet.position, packet.mode, packet.text) == (" ", "n8", "HI")
    plain = decode_packet(b"\x00\x00\x00\x00\x00\x01Z00\x02AAHELLO\x04")
    assert (plain.position, plain.mode, plain.text) == (None, None, "HELLO")


def test_text_cannot_inject_alpha_control_codes():
    assert alpha_text("A\x1c1B\x04C\té") == "A 1B C ?"
    packet = decode_packet(encode_write_text("A\x1c1B\x04C"))
    assert packet.text == "A 1B C"


def test_alpha_config_rules():
    with pytest.raises(ValidationError):
        SignConfig(port="/dev/ttyUSB0", protocol="alpha", encoding="gb18030")
    with pytest.raises(ValidationError):
        SignConfig(port="/dev/ttyUSB0", protocol="alpha", address="03", ack_timeout=1)
    with pytest.raises(ValueError):
        open_sign(SignConfig(port="/dev/null", protocol="alpha", alpha_mode="bb"))
