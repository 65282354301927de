"""The GA/T 467 SAM serial frames of a resident ID card reader; see docs/hardware/idcard.md.

    host -> SAM   AA AA AA 96 69  LEN1 LEN2  CMD  PARA  DATA...  CHK
    SAM -> host   AA AA AA 96 69  LEN1 LEN2  SW1  SW2   SW3  DATA...  CHK

LEN1 LEN2 is big-endian and counts every byte after it, the checksum included. CHK is the
XOR of every byte after the preamble up to the last data byte (LEN1 through DATA). Both
directions share the layout: three header bytes after the length (CMD PARA, or SW1 SW2 SW3)
are just "body" here, so one codec serves the driver and the simulator.

Pure functions, no I/O: `encode_command` / `encode_reply` build frames, `parse_frame` checks
one whole frame, and `FrameDecoder` cuts a byte stream into frames (skipping noise before a
preamble, resynchronising after a damaged frame).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce

PREAMBLE = bytes([0xAA, 0xAA, 0xAA, 0x96, 0x69])
#: A frame this long is noise: the longest real answer (text, photo and fingerprints) is
#: about 2.3 KB.
MAX_LENGTH = 4096

# Commands: (CMD, PARA)
RESET_SAM = (0x10, 0xFF)
SAM_STATUS = (0x11, 0xFF)
READ_SAM_ID = (0x12, 0xFF)
FIND_CARD = (0x20, 0x01)
SELECT_CARD = (0x20, 0x02)
READ_BASE = (0x30, 0x01)

# SW3, the module's own status (SW1 SW2 carry the card's APDU status, 00 00 when fine)
OK = 0x90
FIND_OK = 0x9F
BAD_CHECKSUM = 0x10
BAD_LENGTH = 0x11
BAD_COMMAND = 0x21
READ_FAILED = 0x41
NO_CARD = 0x80
SELECT_FAILED = 0x81

STATUS_TEXT = {
    OK: "success",
    FIND_OK: "card found",
    BAD_CHECKSUM: "the reader got a frame with a bad checksum",
    BAD_LENGTH: "the reader got a frame with a bad length",
    BAD_COMMAND: "the reader did not understand the command",
    0x24: "unrecognised error",
    0x31: "card failed to authenticate the reader",
    0x32: "reader failed to authenticate the card",
    0x33: "information check failed",
    0x40: "wrong card",
    READ_FAILED: "reading the card failed",
    0x47: "getting a random number failed",
    0x60: "reader self-test failed",
    0x66: "reader not authorised",
    NO_CARD: "no card",
    SELECT_FAILED: "selecting the card failed",
}

#: In the read-base-message answer: text and photo lengths (2 bytes each, big-endian), then
#: the blocks themselves.
TEXT_LENGTH = 256
PHOTO_LENGTH = 1024


class FrameError(ValueError):
    """A frame that is not a valid SAM frame."""


class BadPreamble(FrameError):
    pass


class BadLength(FrameError):
    pass


class BadChecksum(FrameError):
    pass


def checksum(data: bytes) -> int:
    """XOR of every byte (what CHK is over LEN1..last data byte)."""
    return reduce(lambda acc, byte: acc ^ byte, data, 0)


def encode_frame(body: bytes) -> bytes:
    """Preamble, length, `body` (CMD PARA DATA or SW1 SW2 SW3 DATA) and checksum."""
    length = len(body) + 1
    if length > MAX_LENGTH:
        raise ValueError(f"a SAM frame carries at most {MAX_LENGTH - 1} bytes, not {len(body)}")
    counted = length.to_bytes(2, "big") + body
    return PREAMBLE + counted + bytes([checksum(counted)])


def encode_command(command: tuple[int, int], data: bytes = b"") -> bytes:
    """A host-to-SAM frame, e.g. `encode_command(FIND_CARD)` == AA AA AA 96 69 00 03 20 01 22."""
    cmd, para = command
    return encode_frame(bytes([cmd, para]) + data)


def encode_reply(sw3: int, data: bytes = b"", sw1: int = 0, sw2: int = 0) -> bytes:
    """A SAM-to-host frame (what the simulator sends)."""
    return encode_frame(bytes([sw1, sw2, sw3]) + data)


def parse_frame(frame: bytes, *, header: int = 2) -> bytes:
    """The body (bytes between the length and the checksum) of exactly one whole frame.

    `header` is the number of fixed bytes a body must start with: 2 for a command (CMD
    PARA), 3 for a reply (SW1 SW2 SW3). Raises `BadPreamble`, `BadLength` or `BadChecksum`.
    """
    if not frame.startswith(PREAMBLE):
        raise BadPreamble(f"frame does not start with AA AA AA 96 69: {frame[:5].hex(' ')}")
    if len(frame) < len(PREAMBLE) + 2:
        raise BadLength(f"frame too short for its length field: {len(frame)} bytes")
    length = int.from_bytes(frame[5:7], "big")
    if not header + 1 <= length <= MAX_LENGTH:
        raise BadLength(f"length {length} out of range ({header + 1}..{MAX_LENGTH})")
    if len(frame) != 7 + length:
        raise BadLength(f"length field says {length} bytes follow, {len(frame) - 7} do")
    counted, chk = frame[5:-1], frame[-1]
    if checksum(counted) != chk:
        raise BadChecksum(f"checksum {chk:02X}, computed {checksum(counted):02X}")
    return frame[7:-1]


@dataclass(frozen=True)
class Command:
    cmd: int
    para: int
    data: bytes = b""

    @property
    def code(self) -> tuple[int, int]:
        return (self.cmd, self.para)


@dataclass(frozen=True)
class Reply:
    sw1: int
    sw2: int
    sw3: int
    data: bytes = b""

    @property
    def ok(self) -> bool:
        return self.sw3 in (OK, FIND_OK)

    @property
    def status(self) -> str:
        return STATUS_TEXT.get(self.sw3, f"status {self.sw3:02X}")

    def __repr__(self) -> str:  # never the data: a read answer carries a person's details
        return f"Reply({self.sw1:02X} {self.sw2:02X} {self.sw3:02X}, {len(self.data)} bytes)"


def parse_command(frame: bytes) -> Command:
    body = parse_frame(frame, header=2)
    return Command(body[0], body[1], body[2:])


def parse_reply(frame: bytes) -> Reply:
    body = parse_frame(frame, header=3)
    return Reply(body[0], body[1], body[2], body[3:])


def split_base_message(data: bytes) -> tuple[bytes, bytes]:
    """The text block and the photo block from a read-base-message answer's data."""
    if len(data) < 4:
        raise FrameError(f"base message too short: {len(data)} bytes")
    text_len = int.from_bytes(data[0:2], "big")
    photo_len = int.from_bytes(data[2:4], "big")
    if len(data) != 4 + text_len + photo_len:
        raise FrameError(
            f"base message announces {text_len} + {photo_len} bytes, carries {len(data) - 4}"
        )
    if text_len != TEXT_LENGTH:
        raise FrameError(f"text block is {text_len} bytes, not {TEXT_LENGTH}")
    return data[4 : 4 + text_len], data[4 + text_len :]


def join_base_message(text: bytes, photo: bytes) -> bytes:
    """The data of a read-base-message answer (the simulator's side of `split_base_message`)."""
    return len(text).to_bytes(2, "big") + len(photo).to_bytes(2, "big") + text + photo


class FrameDecoder:
    """Cuts a byte stream into whole frames; bytes that cannot start a frame are skipped.

    `feed()` returns each complete frame (bytes) or, for a frame whose length or checksum is
    wrong, the `FrameError`; after an error it looks for the next preamble, so one damaged
    frame costs only that frame. `skipped` counts noise bytes dropped before a preamble.
    """

    def __init__(self, header: int = 3) -> None:
        self.header = header
        self.skipped = 0
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes | FrameError]:
        self._buffer += data
        out: list[bytes | FrameError] = []
        while True:
            start = self._buffer.find(PREAMBLE)
            if start < 0:
                # keep a tail that may be the start of a preamble split across reads
                keep = self._partial_preamble()
                self.skipped += len(self._buffer) - keep
                del self._buffer[: len(self._buffer) - keep]
                return out
            if start:
                self.skipped += start
                del self._buffer[:start]
            if len(self._buffer) < 7:
                return out
            length = int.from_bytes(self._buffer[5:7], "big")
            if not self.header + 1 <= length <= MAX_LENGTH:
                out.append(BadLength(f"length {length} out of range"))
                del self._buffer[:1]  # resynchronise on the next preamble
                continue
            if len(self._buffer) < 7 + length:
                return out
            frame = bytes(self._buffer[: 7 + length])
            try:
                parse_frame(frame, header=self.header)
            except FrameError as exc:
                out.append(exc)
                del self._buffer[:1]
                continue
            del self._buffer[: 7 + length]
            out.append(frame)

    def _partial_preamble(self) -> int:
        for keep in range(min(len(PREAMBLE) - 1, len(self._buffer)), 0, -1):
            if self._buffer.endswith(PREAMBLE[:keep]):
                return keep
        return 0

    def reset(self) -> None:
        self._buffer.clear()
