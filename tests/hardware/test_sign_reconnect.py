"""A sign that is unplugged and plugged back in shows its last text again by itself."""

from __future__ import annotations

import os
import time

import serial

from hallcall.hardware.sign import SignConfig, open_sign
from hallcall.hardware.sign.line_protocol import FrameDecoder, LineFrame
from tests.support.pty_pair import start_pty_pair


def read_frame(peer: serial.Serial, decoder: FrameDecoder, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        items = decoder.feed(peer.read(peer.in_waiting or 1))
        if items:
            return items[0]
    raise AssertionError(f"no frame within {timeout} s")


def wait_until(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def replug(tmp_path, name: str, device_path: str):
    """A new socat pair whose device end reappears at `device_path` once its peer is open.

    pyserial flushes a port's input when opening it, so the test must hold the new peer open
    before the driver can reopen the device, or the resent text would be thrown away.
    """
    directory = tmp_path / name
    directory.mkdir()
    pair = start_pty_pair(directory)
    peer = serial.Serial(pair.peer, 9600, timeout=0.1)
    os.symlink(os.readlink(pair.device), device_path)
    return pair, peer


def test_last_text_is_resent_after_the_port_comes_back(tmp_path):
    first_dir = tmp_path / "first"
    first_dir.mkdir()
    pair = start_pty_pair(first_dir)
    device = pair.device
    statuses: list[bool] = []
    peer = serial.Serial(pair.peer, 9600, timeout=0.1)
    sign = open_sign(SignConfig(port=device, address="03"), on_status=statuses.append)
    second = None
    try:
        sign.show("A012 请到3号窗口")
        assert read_frame(peer, FrameDecoder()).text == "A012 请到3号窗口"

        peer.close()
        pair.close()  # unplugged: socat exits and the device node disappears
        assert wait_until(lambda: statuses == [True, False])
        assert not sign.online and not os.path.exists(device)

        second, peer = replug(tmp_path, "second", device)
        assert read_frame(peer, FrameDecoder()) == LineFrame("03", "T", "A012 请到3号窗口")
        assert wait_until(lambda: statuses == [True, False, True])
    finally:
        sign.close()
        peer.close()
        pair.close()
        if second:
            second.close()


def test_text_changed_while_offline_is_shown_when_the_port_returns(tmp_path):
    first_dir = tmp_path / "first"
    first_dir.mkdir()
    pair = start_pty_pair(first_dir)
    device = pair.device
    peer = serial.Serial(pair.peer, 9600, timeout=0.1)
    sign = open_sign(SignConfig(port=device))
    second = None
    try:
        sign.show("A012")
        assert read_frame(peer, FrameDecoder()).text == "A012"
        peer.close()
        pair.close()
        assert wait_until(lambda: not sign.online)
        sign.show("暂停服务 Paused")  # the clerk paused while the sign was unplugged
        second, peer = replug(tmp_path, "second", device)
        assert read_frame(peer, FrameDecoder()).text == "暂停服务 Paused"
    finally:
        sign.close()
        peer.close()
        if second:
            second.close()


def test_sign_starts_offline_and_comes_up_when_the_port_appears(tmp_path):
    device = str(tmp_path / "sign")
    statuses: list[bool] = []
    sign = open_sign(SignConfig(port=device), on_status=statuses.append)
    pair = None
    try:
        sign.show("A001")
        assert wait_until(lambda: statuses == [False])
        pair, peer = replug(tmp_path, "late", device)
        assert read_frame(peer, FrameDecoder()).text == "A001"
        peer.close()
    finally:
        sign.close()
        if pair:
            pair.close()
