"""The serial clerk keypad: key lines written on the pty peer come out as actions, in order."""

from __future__ import annotations

import os
import time

import pytest
import serial

from hallcall.hardware.keypad import FakeKeypad, KeypadAction, SerialKeypad
from hallcall.hardware.keypad.protocol import (
    DisplayAck,
    KeyPress,
    LineError,
    encode_display,
    encode_key,
    parse_line,
)
from tests.support.pty_pair import start_pty_pair
from tests.support.recorder import Recorder

A = KeypadAction


def read_until(peer: serial.Serial, end: bytes, timeout: float = 3.0) -> bytes:
    data = b""
    deadline = time.monotonic() + timeout
    while not data.endswith(end) and time.monotonic() < deadline:
        data += peer.read(peer.in_waiting or 1)
    return data


@pytest.fixture
def peer(pty_pair):
    with serial.Serial(pty_pair.peer, 9600, timeout=0.1) as port:
        yield port


@pytest.fixture
def keypad(pty_pair, peer):
    recorder = Recorder()
    pad = SerialKeypad(pty_pair.device, address="03", on_action=recorder)
    pad.recorder = recorder
    # pyserial flushes input on open: write key lines only once the driver holds the port
    assert pad.wait_online(timeout=3)
    yield pad
    pad.close()


def test_key_lines_become_actions_in_order_despite_garbage(keypad, peer):
    writes = [
        b"K03:NEXT\r\n",
        b"\x00\xff\xfe garbage \x07\r\n",  # line noise
        b"K03:REC",  # a line split across two writes
        b"ALL\r\n",
        b"K03:NOSHOW\nK03:BOGUS\r\n",  # LF alone ends a line too; unknown key dropped
        b"K07:NEXT\r\n",  # another window's keypad
        b"K3:NEXT\r\n" + b"X" * 500 + b"\r\n",  # bad address; an overlong line
        b"k03:finish\r\n",  # lower case is accepted
        encode_key("03", A.PAUSE, with_checksum=True),
        b"K03:RESUME*00\r\n",  # wrong checksum: dropped
        b"A03\r\n",  # the keypad acknowledging its display: not an action
        b"\r\n\r\nK03:RESUME\r",
    ]
    for chunk in writes:
        peer.write(chunk)
        peer.flush()
        time.sleep(0.005)
    expected = [A.NEXT, A.RECALL, A.NO_SHOW, A.FINISH, A.PAUSE, A.RESUME]
    assert keypad.recorder.wait_for(len(expected)) == expected
    time.sleep(0.1)  # nothing else trickles in afterwards
    assert keypad.recorder.values == expected
    assert keypad.rejected == 5  # noise, BOGUS, K3, overlong, bad checksum


def test_show_number_writes_the_display_line(keypad, peer):
    keypad.show_number("A012")
    assert read_until(peer, b"\r\n") == b"D03:A012\r\n"
    keypad.show_number("暂停")
    assert read_until(peer, b"\r\n") == b"D03:??\r\n"


def test_a_failing_handler_does_not_stop_the_reader(pty_pair, peer):
    seen: list[KeypadAction] = []

    def handler(action: KeypadAction) -> None:
        seen.append(action)
        if len(seen) == 1:
            raise RuntimeError("bug in the app")

    pad = SerialKeypad(pty_pair.device, address="03", on_action=handler)
    try:
        assert pad.wait_online(timeout=3)
        peer.write(b"K03:NEXT\r\nK03:FINISH\r\n")
        deadline = time.monotonic() + 3
        while len(seen) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert seen == [A.NEXT, A.FINISH]
        assert pad.online
    finally:
        pad.close()


def test_keypad_reconnects_and_restores_its_display(tmp_path):
    first_dir, second_dir = tmp_path / "first", tmp_path / "second"
    first_dir.mkdir()
    second_dir.mkdir()
    pair = start_pty_pair(first_dir)
    device = pair.device
    peer = serial.Serial(pair.peer, 9600, timeout=0.1)
    recorder = Recorder()
    statuses: list[bool] = []
    pad = SerialKeypad(device, "03", recorder, on_status=statuses.append)
    second = None
    try:
        assert pad.wait_online(timeout=3)
        pad.show_number("A012")
        assert read_until(peer, b"\r\n") == b"D03:A012\r\n"
        peer.close()
        pair.close()
        assert pad.wait_online(False, timeout=3)

        second = start_pty_pair(second_dir)
        peer = serial.Serial(second.peer, 9600, timeout=0.1)
        os.symlink(os.readlink(second.device), device)
        assert read_until(peer, b"\r\n", timeout=5) == b"D03:A012\r\n"
        peer.write(b"K03:NEXT\r\n")
        assert recorder.wait_for(1) == [A.NEXT]
        assert statuses == [True, False, True]
    finally:
        pad.close()
        peer.close()
        pair.close()
        if second:
            second.close()


def test_parse_line():
    assert parse_line(b"K12:NOSHOW") == KeyPress("12", A.NO_SHOW)
    assert parse_line(b" K12:pause ") == KeyPress("12", A.PAUSE)
    assert parse_line(encode_key("05", A.NEXT, with_checksum=True).strip()) == KeyPress(
        "05", A.NEXT
    )
    assert parse_line(b"A05") == DisplayAck("05")
    for bad in (b"", b"K12", b"K12:", b"K123:NEXT", b"KAB:NEXT", b"K12:NEXT*ZZ", b"\xc4\xe3"):
        with pytest.raises(LineError):
            parse_line(bad)


def test_display_line_is_ascii_and_bounded():
    assert encode_display("03", "A012\r\nX") == b"D03:A012??X\r\n"
    assert len(encode_display("03", "9" * 40)) == len("D03:") + 16 + 2
    with pytest.raises(ValueError):
        encode_display("3", "A012")


def test_fake_keypad():
    seen: list[KeypadAction] = []
    pad = FakeKeypad(seen.append)
    pad.press(A.NEXT)
    pad.press("no_show")
    pad.show_number("A012")
    assert seen == [A.NEXT, A.NO_SHOW] and pad.displayed == ["A012"]


def test_keypad_config():
    from pydantic import ValidationError

    from hallcall.hardware.keypad import KeypadConfig, open_keypad

    with pytest.raises(ValidationError):
        KeypadConfig()  # serial without a port
    with pytest.raises(ValidationError):
        KeypadConfig(port="/dev/ttyUSB1", address="3")
    with pytest.raises(ValidationError):
        KeypadConfig(kind="gpio")  # no pins
    with pytest.raises(ValidationError):
        KeypadConfig(kind="gpio", pins={"coffee": 23})
    assert isinstance(open_keypad(KeypadConfig(kind="fake")), FakeKeypad)


def test_keypad_config_opens_a_serial_keypad(pty_pair, peer):
    from hallcall.hardware.keypad import KeypadConfig, open_keypad

    recorder = Recorder()
    keypad = open_keypad(KeypadConfig(port=pty_pair.device, address="09"), recorder)
    try:
        assert isinstance(keypad, SerialKeypad) and keypad.wait_online(timeout=3)
        peer.write(b"K09:RECALL\r\n")
        assert recorder.wait_for(1) == [A.RECALL]
    finally:
        keypad.close()
