"""Window LED signs driven by the sign app from a real queue broker, over real pseudo-terminals.

The peer end of each pty plays the sign: frames are decoded back (line protocol in GB18030,
Alpha packets in ASCII) and compared with what the window is doing.
"""

from __future__ import annotations

import os

import pytest
import serial

from hallcall.display.settings import ALPHA_TEMPLATES, SignSettings, SignTemplates
from hallcall.display.sign_app import SignApp, sign_text
from hallcall.hardware.sign.alpha_protocol import AlphaPacket, PacketDecoder
from hallcall.hardware.sign.simulator import SignSimulator
from tests.display.halls import ok
from tests.support.mqtt import RawClient, wait_for
from tests.support.pty_pair import start_pty_pair


class AlphaPeer:
    def __init__(self, path: str):
        self.port = serial.Serial(path, 9600, bytesize=7, parity="E", stopbits=2, timeout=0.05)
        self.decoder = PacketDecoder()
        self.texts: list[str] = []

    def poll(self) -> None:
        data = self.port.read(4096)
        for item in self.decoder.feed(data):
            assert isinstance(item, AlphaPacket), item
            self.texts.append(item.text)

    def close(self) -> None:
        self.port.close()


@pytest.fixture
def line_peer(pty_pair):
    port = serial.Serial(pty_pair.peer, 9600, timeout=0.05)
    sim = SignSimulator(port, address="01", answer=True).start()
    yield sim
    sim.stop()
    port.close()


@pytest.fixture
def alpha_pair(tmp_path):
    (tmp_path / "alpha").mkdir()
    pair = start_pty_pair(tmp_path / "alpha")
    peer = AlphaPeer(pair.peer)
    yield pair, peer
    peer.close()
    pair.close()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_signs_follow_their_windows(
    queue_broker, device, hall_config, mqtt_settings, pty_pair, line_peer, alpha_pair
):
    queue_broker()
    alpha, alpha_peer = alpha_pair
    settings = SignSettings.model_validate(
        {
            "hall": hall_config.hall.id,
            "device": "sign-w01",
            "mqtt": {"host": mqtt_settings.host, "port": mqtt_settings.port},
            "signs": [
                # line protocol, Chinese in GB18030, window given directly, ACKs checked
                {
                    "window": "w01",
                    "port": pty_pair.device,
                    "protocol": "line",
                    "address": "01",
                    "ack_timeout": 0.5,
                },
                # Alpha protocol (ASCII), window found through the hall file's sign device
                {"device": "sign-w03", "port": alpha.device, "protocol": "alpha"},
                # a fake sign on another window of the same process
                {"window": "w02", "kind": "fake"},
            ],
        }
    )
    app = SignApp(settings)
    app.start()
    try:

        def line_shows(text):
            return line_peer.wait_for(lambda: line_peer.text == text, timeout=10)

        def alpha_shows(text):
            wait_for(
                lambda: (alpha_peer.poll(), alpha_peer.texts and alpha_peer.texts[-1] == text)[1],
                timeout=10,
                what=f"alpha sign showing {text!r}",
            )

        assert line_shows("窗口关闭 Closed")
        alpha_shows("CLOSED")
        kiosk = device("kiosk", "kiosk-1")
        w01, w03 = device("window", "w01"), device("window", "w03")
        ok(w01.request("window.login", staff="s101", post="A", pin="2468"))
        ok(w03.request("window.login", staff="s201", post="A", pin="2468"))
        assert line_shows("1号窗口 张敏")
        alpha_shows("WINDOW 3 Liu Yang")
        ok(kiosk.request("ticket.issue", department="registrar"))
        ok(kiosk.request("ticket.issue", department="finance"))
        ok(w01.request("call.next"))
        ok(w03.request("call.next"))
        assert line_shows("A001 请到1号窗口")
        alpha_shows("B001 -> WINDOW 3")
        ok(w01.request("ticket.finish", outcome="done"))
        assert line_shows("1号窗口 张敏")
        ok(w01.request("window.pause", reason="午休"))
        assert line_shows("暂停服务 Paused")
        ok(w03.request("ticket.finish", outcome="done"))
        alpha_shows("WINDOW 3 Liu Yang")
        ok(w01.request("window.resume"))
        assert line_shows("1号窗口 张敏")
        ok(w01.request("window.logout"))
        assert line_shows("窗口关闭 Closed")

        # every frame on the wire decoded to a text the window really had, in order, in GB18030
        shown = [f.text for f in line_peer.frames]
        dedup = [t for i, t in enumerate(shown) if i == 0 or t != shown[i - 1]]
        assert dedup == [
            "窗口关闭 Closed",
            "1号窗口 张敏",
            "A001 请到1号窗口",
            "1号窗口 张敏",
            "暂停服务 Paused",
            "1号窗口 张敏",
            "窗口关闭 Closed",
        ]
        assert not line_peer.rejects
        fake = app.signs[2].sign
        assert fake.text == "窗口关闭 Closed"
        assert app.texts["sign-w03"] == "WINDOW 3 Liu Yang"
        # the process reports its signs' health on its retained device status
        raw = RawClient(mqtt_settings.port)
        try:
            raw.subscribe(f"hallcall/v1/{hall_config.hall.id}/device/sign/sign-w01/status")
            # A sign whose ACK came late on a loaded machine reports offline, then online again
            # with its next frame: wait for the status to settle, not only for the first one.
            everyone = {"window-w01": "online", "sign-w03": "online", "window-w02": "online"}
            wait_for(
                lambda: raw.messages and raw.messages[-1][1].get("signs") == everyone,
                timeout=15,
                what="the sign process's status with every sign online",
            )
            status = raw.messages[-1][1]
        finally:
            raw.stop()
        assert status["state"] == "online"
        assert status["signs"] == {
            "window-w01": "online",
            "sign-w03": "online",
            "window-w02": "online",
        }
    finally:
        app.stop()


def test_sign_texts_and_templates():
    window = {
        "number": 12,
        "status": "open",
        "departments": ["estate"],
        "staff": {"name": {"zh": "欧阳明轩", "en": "Ouyang Mingxuan"}, "post": "B"},
        "current": {"number": "E012", "status": "called"},
    }
    deps = {"estate": {"name": {"zh": "不动产登记", "en": "Real Estate"}}}
    t = SignTemplates()
    assert sign_text(window, t) == "E012 请到12号窗口"
    assert sign_text({**window, "current": None}, t) == "12号窗口 欧阳明轩"
    assert (
        sign_text(
            {**window, "status": "paused", "pause_reason": "午休"},
            SignTemplates(paused="暂停 {reason}"),
        )
        == "暂停 午休"
    )
    assert (
        sign_text({**window, "status": "closed", "staff": None, "current": None}, t)
        == "窗口关闭 Closed"
    )
    assert sign_text({**window, "status": "closed"}, SignTemplates(closed="")) == ""
    assert sign_text(window, ALPHA_TEMPLATES) == "E012 -> WINDOW 12"
    custom = SignTemplates(serving="{number} {department_en} {unknown}{post}")
    assert sign_text(window, custom, departments=deps) == "E012 Real Estate B"
    assert (
        sign_text(window, SignTemplates(serving="{number"), departments=deps) == "{number"
    )  # bad template shown as is


def replug(tmp_path, name: str, device_path: str):
    """A new socat pair whose device end reappears at `device_path` (the peer opened first:
    pyserial flushes input on open, see tests/hardware/test_sign_reconnect.py)."""
    directory = tmp_path / name
    directory.mkdir()
    pair = start_pty_pair(directory)
    port = serial.Serial(pair.peer, 9600, timeout=0.05)
    sim = SignSimulator(port, address="02", answer=False).start()
    os.symlink(os.readlink(pair.device), device_path)
    return pair, port, sim


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_unplugged_sign_shows_the_current_text_when_it_comes_back(
    queue_broker, device, hall_config, mqtt_settings, tmp_path
):
    queue_broker()
    (tmp_path / "first").mkdir()
    pair = start_pty_pair(tmp_path / "first")
    port = serial.Serial(pair.peer, 9600, timeout=0.05)
    sim = SignSimulator(port, address="02", answer=False).start()
    settings = SignSettings.model_validate(
        {
            "hall": hall_config.hall.id,
            "device": "sign-w01",
            "mqtt": {"host": mqtt_settings.host, "port": mqtt_settings.port},
            "signs": [
                {"window": "w02", "port": pair.device, "address": "02", "reconnect_max_delay": 0.2}
            ],
        }
    )
    app = SignApp(settings)
    app.start()
    second = None
    try:
        w02 = device("window", "w02")
        ok(w02.request("window.login", staff="s103", post="A", pin="2468"))
        assert sim.wait_for(lambda: sim.text == "2号窗口 王芳", timeout=10)
        sim.stop()
        port.close()
        pair.close()  # unplugged
        wait_for(lambda: app.signs[0].sign.online is False, timeout=5, what="the sign offline")
        ok(device("kiosk", "kiosk-1").request("ticket.issue", department="registrar"))
        ok(w02.request("call.next"))  # happens while the sign is away
        wait_for(
            lambda: app.texts["window-w02"] == "A001 请到2号窗口", timeout=5, what="the new text"
        )
        second, port, sim = replug(tmp_path, "second", pair.device)
        assert sim.wait_for(lambda: sim.text == "A001 请到2号窗口", timeout=10)
    finally:
        app.stop()
        sim.stop()
        port.close()
        pair.close()
        if second:
            second.close()
