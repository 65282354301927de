"""The serial rating pad over a pty, and the prompt rule every rating pad shares."""

from __future__ import annotations

import os
import time

import pytest
import serial

from hallcall.hardware.rating_pad import FakeRatingPad, SerialRatingPad
from hallcall.hardware.rating_pad.protocol import LineError, encode_score, parse_line
from tests.support.pty_pair import start_pty_pair
from tests.support.recorder import Recorder


def read_lines(peer: serial.Serial, count: int, timeout: float = 3.0) -> list[bytes]:
    data = b""
    deadline = time.monotonic() + timeout
    while data.count(b"\r\n") < count and time.monotonic() < deadline:
        data += peer.read(peer.in_waiting or 1)
    return data.splitlines(keepends=True)


@pytest.fixture
def peer(pty_pair):
    with serial.Serial(pty_pair.peer, 9600, timeout=0.1) as port:
        yield port


@pytest.fixture
def pad(pty_pair, peer):
    scores, ignored = Recorder(), Recorder()
    pad = SerialRatingPad(pty_pair.device, keys=3, on_score=scores, on_ignored=ignored)
    pad.scores, pad.ignored = scores, ignored
    assert pad.wait_online(timeout=3)  # pyserial flushes input on open: wait for it
    assert read_lines(peer, 1) == [b"P0\r\n"]  # the pad's light is set on every connect
    yield pad
    pad.close()


def test_only_a_press_during_a_prompt_becomes_a_rating(pad, peer):
    peer.write(b"R3\r\n")  # idle pad: nobody asked
    assert pad.ignored.wait_for(1) == [3]

    pad.set_prompt(True)
    assert read_lines(peer, 1) == [b"P1\r\n"]
    peer.write(b"R")  # split across two writes
    peer.flush()
    time.sleep(0.02)
    peer.write(b"2\r\nR1\r\n")  # the second press comes after the prompt closed
    assert pad.scores.wait_for(1) == [2]
    assert pad.ignored.wait_for(2) == [3, 1]
    assert read_lines(peer, 1) == [b"P0\r\n"]  # the light went off by itself
    assert not pad.prompting

    pad.thank()
    assert read_lines(peer, 1) == [b"T\r\n"]
    assert pad.scores.values == [2]


def test_garbage_and_out_of_range_scores_are_dropped(pad, peer):
    pad.set_prompt(True)
    assert read_lines(peer, 1) == [b"P1\r\n"]
    peer.write(b"\xff\xfe\r\nRX\r\nhello\r\n" + b"R" * 100 + b"\r\nR5\r\n r1 \r\n")
    assert pad.scores.wait_for(1) == [1]
    assert pad.ignored.values == [5]  # a three-key pad has no key 5
    assert pad.rejected == 4


def test_prompt_light_is_restored_after_a_reconnect(tmp_path):
    first_dir, second_dir = tmp_path / "first", tmp_path / "second"
    first_dir.mkdir()
    second_dir.mkdir()
    pair = start_pty_pair(first_dir)
    device = pair.device
    peer = serial.Serial(pair.peer, 9600, timeout=0.1)
    scores = Recorder()
    pad = SerialRatingPad(device, on_score=scores)
    second = None
    try:
        assert pad.wait_online(timeout=3)
        assert read_lines(peer, 1) == [b"P0\r\n"]
        peer.close()
        pair.close()
        assert pad.wait_online(False, timeout=3)
        pad.set_prompt(True)  # asked while the pad is unplugged

        second = start_pty_pair(second_dir)
        peer = serial.Serial(second.peer, 9600, timeout=0.1)
        os.symlink(os.readlink(second.device), device)
        assert read_lines(peer, 1, timeout=5) == [b"P1\r\n"]
        peer.write(encode_score(3))
        assert scores.wait_for(1) == [3]
    finally:
        pad.close()
        peer.close()
        pair.close()
        if second:
            second.close()


def test_parse_line():
    assert parse_line(b"R1") == 1 and parse_line(b" r5 ") == 5
    for bad in (b"", b"R", b"R0", b"R12", b"3", b"P1", b"\xb2\xe2"):
        with pytest.raises(LineError):
            parse_line(bad)


def test_fake_pad_follows_the_prompt_rule():
    scores: list[int] = []
    ignored: list[int] = []
    pad = FakeRatingPad(keys=5, on_score=scores.append, on_ignored=ignored.append)
    pad.press(5)
    pad.set_prompt(True)
    pad.press(4)
    pad.press(4)
    pad.thank()
    pad.set_prompt(True)
    pad.set_prompt(False)  # the question was withdrawn
    pad.press(1)
    assert scores == [4] and ignored == [5, 4, 1]
    assert pad.prompts == [True, False, True, False] and pad.thanks == 1


def test_pads_have_three_or_five_keys():
    with pytest.raises(ValueError):
        FakeRatingPad(keys=4)


def test_rating_pad_config():
    from pydantic import ValidationError

    from hallcall.hardware.rating_pad import RatingPadConfig, open_rating_pad

    with pytest.raises(ValidationError):
        RatingPadConfig()  # serial without a port
    with pytest.raises(ValidationError):
        RatingPadConfig(kind="gpio", keys=5, button_pins=[1, 2, 3])
    with pytest.raises(ValidationError):
        RatingPadConfig(kind="fake", keys=4)
    pad = open_rating_pad(RatingPadConfig(kind="fake", keys=5))
    assert isinstance(pad, FakeRatingPad) and pad.keys == 5
