"""A SAM module simulator: plays an ID card reader on a serial port (tests, demos, bench).

    python -m hallcall.hardware.idcard.simulator --port /dev/pts/5 [--baudrate 115200]

It answers find / select / read as the module does: 9F when a card is found, 80 without a
card, 81 when select comes without a found card, 41 when read comes without a selected card,
10 for a frame with a bad checksum, 21 for a command it does not know. Type `place`,
`remove`, `corrupt` or `quit` (one per line) on its standard input; it starts with a made-up
card in place unless `--empty` is given. Every card here is synthetic.
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Callable
from datetime import date

import serial

from hallcall.hardware.idcard.card import IdCard, encode_text_block, make_card
from hallcall.hardware.idcard.protocol import (
    BAD_CHECKSUM,
    BAD_COMMAND,
    BAD_LENGTH,
    FIND_CARD,
    FIND_OK,
    NO_CARD,
    OK,
    READ_BASE,
    READ_FAILED,
    READ_SAM_ID,
    RESET_SAM,
    SAM_STATUS,
    SELECT_CARD,
    SELECT_FAILED,
    BadLength,
    Command,
    FrameDecoder,
    FrameError,
    encode_reply,
    join_base_message,
    parse_command,
)

#: A made-up person (the number has a valid check digit, nothing more).
DEMO_CARD = make_card(
    "测试样",
    "110101195001011239",
    sex="女",
    address="北京市东城区示例街道1号",
    authority="北京市公安局东城分局",
    valid_from=date(2016, 5, 1),
    valid_to=None,
)

_IDLE, _FOUND, _SELECTED = "idle", "found", "selected"


class SamSimulator:
    """Answers SAM commands on an open serial port in a background thread.

    Test hooks: `corrupt_next` damages the next N answers (one flipped byte, so the checksum
    fails); `remove_on` takes the card off when that command arrives (before answering),
    e.g. `SELECT_CARD` or `READ_BASE` for "removed mid-read"; `silent` stops all answers.
    `commands` records every command received and `bad_frames` every damaged one.
    """

    def __init__(self, port: serial.Serial, card: IdCard | None = None) -> None:
        self.port = port
        self.corrupt_next = 0
        self.remove_on: tuple[int, int] | None = None
        self.silent = False
        self.commands: list[Command] = []
        self.bad_frames: list[FrameError] = []
        self.changed = threading.Condition()
        self._card = card
        self._state = _IDLE
        self._lock = threading.Lock()
        self._decoder = FrameDecoder(header=2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sam-simulator", daemon=True)

    # -- the card ---------------------------------------------------------------------------

    @property
    def card(self) -> IdCard | None:
        return self._card

    def place(self, card: IdCard = DEMO_CARD) -> None:
        with self._lock:
            self._card, self._state = card, _IDLE

    def remove(self) -> None:
        with self._lock:
            self._card, self._state = None, _IDLE

    # -- running ----------------------------------------------------------------------------

    def start(self) -> SamSimulator:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        with self.changed:
            return self.changed.wait_for(predicate, timeout)

    def count(self, command: tuple[int, int]) -> int:
        return sum(1 for c in self.commands if c.code == command)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.port.read(self.port.in_waiting or 1)
            except (serial.SerialException, OSError, TypeError):
                return  # the port was closed under us: the reader is "unplugged"
            for item in self._decoder.feed(data):
                reply = self._handle(item)
                if reply is None or self.silent:
                    continue
                try:
                    self.port.write(self._maybe_corrupt(reply))
                except (serial.SerialException, OSError, TypeError):
                    return

    def _handle(self, item: bytes | FrameError) -> bytes | None:
        if isinstance(item, FrameError):
            with self.changed:
                self.bad_frames.append(item)
                self.changed.notify_all()
            return encode_reply(BAD_LENGTH if isinstance(item, BadLength) else BAD_CHECKSUM)
        command = parse_command(item)
        with self.changed:
            self.commands.append(command)
            self.changed.notify_all()
        with self._lock:
            if self.remove_on == command.code:
                self._card, self._state = None, _IDLE
            return self._answer(command)

    def _answer(self, command: Command) -> bytes:
        code = command.code
        if code in (RESET_SAM, SAM_STATUS):
            return encode_reply(OK)
        if code == READ_SAM_ID:
            return encode_reply(OK, bytes(16))
        if code == FIND_CARD:
            if self._card is None:
                self._state = _IDLE
                return encode_reply(NO_CARD)
            self._state = _FOUND
            return encode_reply(FIND_OK, bytes(4))  # the card's IIN; zeros here
        if code == SELECT_CARD:
            if self._card is None or self._state == _IDLE:
                self._state = _IDLE
                return encode_reply(SELECT_FAILED)
            self._state = _SELECTED
            return encode_reply(OK, bytes(8))  # the card's serial number; zeros here
        if code == READ_BASE:
            if self._card is None or self._state != _SELECTED:
                self._state = _IDLE
                return encode_reply(READ_FAILED)
            photo = self._card.photo.ljust(1024, b"\x00")[:1024]
            return encode_reply(OK, join_base_message(encode_text_block(self._card), photo))
        return encode_reply(BAD_COMMAND)

    def _maybe_corrupt(self, reply: bytes) -> bytes:
        if self.corrupt_next <= 0:
            return reply
        self.corrupt_next -= 1
        damaged = bytearray(reply)
        damaged[9] ^= 0xFF  # SW3: the checksum no longer matches
        return bytes(damaged)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", required=True, help="the serial port, e.g. /dev/pts/5")
    parser.add_argument("--baudrate", type=int, default=115200)
    parser.add_argument("--empty", action="store_true", help="start with no card in place")
    args = parser.parse_args(argv)
    with serial.Serial(args.port, args.baudrate, timeout=0.2) as port:
        sim = SamSimulator(port, None if args.empty else DEMO_CARD).start()
        print(f"SAM simulator on {args.port} at {args.baudrate} baud", flush=True)
        try:
            for line in sys.stdin:
                word = line.strip().lower()
                if word == "place":
                    sim.place()
                elif word == "remove":
                    sim.remove()
                elif word == "corrupt":
                    sim.corrupt_next += 1
                elif word in ("quit", "exit"):
                    break
                elif word:
                    print("commands: place, remove, corrupt, quit", flush=True)
                    continue
                print(f"card {'in place' if sim.card else 'removed'}", flush=True)
            else:
                threading.Event().wait()  # stdin closed (run in the background): keep serving
        except KeyboardInterrupt:
            pass
        finally:
            sim.stop()


if __name__ == "__main__":
    main()
