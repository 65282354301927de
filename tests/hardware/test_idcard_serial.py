"""The serial ID card reader against the SAM simulator over a real socat pty pair.

A pty does not simulate baud rate (docs/measured-facts.md); each test still runs with both
ends set to 115200 and to 9600, so the setting reaches the port on both sides.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from datetime import date

import pytest
import serial

from hallcall.hardware.idcard import SerialIdCardReader, make_card
from hallcall.hardware.idcard.protocol import (
    BAD_CHECKSUM,
    FIND_CARD,
    READ_BASE,
    SELECT_CARD,
    encode_command,
    parse_reply,
)
from hallcall.hardware.idcard.simulator import DEMO_CARD, SamSimulator, main
from tests.support.pty_pair import start_pty_pair

CARD = make_card(
    "钱测试",
    "440306200002297892",
    sex="男",
    ethnicity_code="08",
    address="广东省深圳市南山区样例大道100号",
    authority="深圳市公安局南山分局",
    valid_from=date(2015, 3, 1),
    valid_to=date(2025, 3, 1),
    photo=bytes(range(256)) * 4,
)


@pytest.fixture(params=[115200, 9600], ids=["115200", "9600"])
def baudrate(request):
    return request.param


@pytest.fixture
def sim(pty_pair, baudrate):
    with serial.Serial(pty_pair.peer, baudrate, timeout=0.05) as port:
        simulator = SamSimulator(port).start()
        yield simulator
        simulator.stop()


@pytest.fixture
def reader(pty_pair, sim, baudrate):
    statuses: list[bool] = []
    reader = SerialIdCardReader(
        pty_pair.device,
        baudrate=baudrate,
        reply_timeout=0.3,
        poll_interval=0.02,
        on_status=statuses.append,
    )
    reader.statuses = statuses  # type: ignore[attr-defined]
    yield reader
    reader.close()


def test_no_card(reader, sim):
    assert reader.read_card(0.3) is None
    assert reader.online and reader.statuses == [True]
    assert sim.count(FIND_CARD) >= 2 and sim.count(SELECT_CARD) == 0


def test_a_placed_card_is_read_once_per_placement(reader, sim):
    sim.place(CARD)
    card = reader.read_card(2)
    assert card == CARD and card.photo == CARD.photo
    assert [c.code for c in sim.commands[-3:]] == [FIND_CARD, SELECT_CARD, READ_BASE]
    assert reader.read_card(0.2) is None  # still lying there: not a second visitor
    assert sim.count(READ_BASE) == 1
    sim.remove()
    assert reader.read_card(0.2) is None
    sim.place(CARD)
    assert reader.read_card(2) == CARD and sim.count(READ_BASE) == 2


def test_a_card_placed_while_waiting(reader, sim):
    threading.Timer(0.2, sim.place, [DEMO_CARD]).start()
    started = time.monotonic()
    assert reader.read_card(3) == DEMO_CARD
    assert 0.15 < time.monotonic() - started < 2.5


@pytest.mark.parametrize("taken_on", [SELECT_CARD, READ_BASE], ids=["at select", "at read"])
def test_a_card_removed_mid_read_gives_nothing_then_reads_when_back(reader, sim, taken_on):
    sim.remove_on = taken_on
    sim.place(CARD)
    assert reader.read_card(0.3) is None
    assert sim.count(taken_on) == 1 and sim.card is None
    sim.remove_on = None
    sim.place(CARD)
    assert reader.read_card(2) == CARD


def test_a_corrupt_frame_is_rejected_and_the_command_resent(reader, sim):
    assert reader.read_card(0) is None  # the port is open and the module answered
    finds = sim.count(FIND_CARD)
    sim.corrupt_next = 1  # the answer to the next find arrives damaged
    sim.place(CARD)
    assert reader.read_card(2) == CARD
    assert reader.rejected == 1 and sim.corrupt_next == 0
    assert sim.count(FIND_CARD) == finds + 2 and sim.count(READ_BASE) == 1


def test_a_corrupt_card_answer_is_retried(reader, sim):
    assert reader.read_card(0.1) is None  # opened, status and finds done
    sim.remove_on = None
    sim.place(CARD)
    # damage the read answer itself: the three answers of a round are find, select, read
    original = sim._maybe_corrupt
    seen: list[int] = []

    def corrupt_the_read(reply: bytes) -> bytes:
        seen.append(len(reply))
        if len(reply) > 1000 and seen.count(len(reply)) == 1:
            sim.corrupt_next = 1
        return original(reply)

    sim._maybe_corrupt = corrupt_the_read  # type: ignore[method-assign]
    assert reader.read_card(2) == CARD
    assert reader.rejected == 1 and sim.count(READ_BASE) == 2


def test_the_simulator_answers_a_damaged_command_with_status_10(pty_pair, sim, baudrate):
    with serial.Serial(pty_pair.device, baudrate, timeout=1) as host:
        frame = bytearray(encode_command(FIND_CARD))
        frame[-1] ^= 0xFF
        host.write(b"\x00noise" + bytes(frame))
        answer = host.read(11)
    assert parse_reply(answer).sw3 == BAD_CHECKSUM and len(sim.bad_frames) == 1


def test_a_silent_module_reads_as_offline(reader, sim):
    assert reader.read_card(0.1) is None and reader.online
    sim.silent = True
    assert reader.read_card(0.5) is None
    assert not reader.online and reader.statuses == [True, False]
    sim.silent = False
    sim.place(CARD)
    assert reader.read_card(2) == CARD and reader.online


def test_unplugged_and_back(tmp_path, baudrate):
    first_dir, second_dir = tmp_path / "first", tmp_path / "second"
    first_dir.mkdir()
    second_dir.mkdir()
    pair = start_pty_pair(first_dir)
    device = pair.device
    peer = serial.Serial(pair.peer, baudrate, timeout=0.05)
    sim = SamSimulator(peer, CARD).start()
    statuses: list[bool] = []
    reader = SerialIdCardReader(
        device, baudrate=baudrate, reply_timeout=0.3, poll_interval=0.02, on_status=statuses.append
    )
    second = None
    try:
        assert reader.read_card(2) == CARD and reader.online
        sim.stop()
        peer.close()  # the reader's cable is pulled: its side of the line goes away
        pair.close()
        assert reader.read_card(0.5) is None
        assert not reader.online and statuses == [True, False]

        second = start_pty_pair(second_dir)
        peer = serial.Serial(second.peer, baudrate, timeout=0.05)
        sim = SamSimulator(peer, CARD).start()
        os.symlink(os.readlink(second.device), device)  # plugged back in at the same path
        assert reader.read_card(5) == CARD  # a new session: the card on it is reported
        assert reader.online and statuses == [True, False, True]
    finally:
        reader.close()
        sim.stop()
        peer.close()
        pair.close()
        if second:
            second.close()


def test_closing_stops_a_waiting_read(reader, sim):
    threading.Timer(0.2, reader.close).start()
    started = time.monotonic()
    assert reader.read_card(5) is None
    assert time.monotonic() - started < 2 and not reader.online


def test_nothing_personal_reaches_the_log(reader, sim, caplog):
    with caplog.at_level(logging.DEBUG):
        sim.place(CARD)
        sim.corrupt_next = 1
        card = reader.read_card(2)
        logging.getLogger("tests").info("read %s %r", card, card)
    assert card == CARD
    assert "钱*试" in caplog.text
    for secret in (CARD.name, CARD.id_number, CARD.address, CARD.id_number[:14]):
        assert secret not in caplog.text


def test_the_simulator_runs_as_a_module(pty_pair, baudrate, monkeypatch, capsys):
    read_fd, write_fd = os.pipe()
    monkeypatch.setattr("sys.stdin", os.fdopen(read_fd, "r"))
    commands = os.fdopen(write_fd, "w", buffering=1)
    argv = ["--port", pty_pair.peer, "--baudrate", str(baudrate), "--empty"]
    runner = threading.Thread(target=main, args=(argv,), daemon=True)
    runner.start()
    reader = SerialIdCardReader(pty_pair.device, baudrate=baudrate, reply_timeout=0.3)
    try:
        assert reader.read_card(0.3) is None  # started with --empty
        commands.write("hello\nplace\n")
        assert reader.read_card(3) == DEMO_CARD
        commands.write("quit\n")
        runner.join(5)
        assert not runner.is_alive()
    finally:
        reader.close()
        commands.close()
    out = capsys.readouterr().out
    assert "SAM simulator on" in out and "commands: place" in out and "card in place" in out
