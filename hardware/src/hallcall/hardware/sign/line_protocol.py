"""HallCall's own sign protocol: one checksummed frame per text, simple enough for any sign maker.

Frame (see docs/hardware/sign-line-protocol.md):

    STX  addr(2 ASCII hex)  cmd(1 ASCII)  data(text in the sign's encoding)  ETX  sum(2 ASCII hex)

`sum` is the sum of every byte from the first address byte through ETX, modulo 256, in
uppercase hex. A sign answers a frame sent to its own address with ACK addr or NAK addr (three
bytes); frames to the broadcast address "00" are never answered, so signs on one RS-485 bus
cannot talk over each other.

The data needs no escaping: the encoder turns control characters of the text into spaces (LF
alone is kept as a line break), and every byte of a multi-byte GB2312/GB18030 character is
0x30 or above, so STX and ETX can never appear inside the text.
"""

from __future__ import annotations

from dataclasses import dataclass

STX, ETX, ACK, NAK, LF = 0x02, 0x03, 0x06, 0x15, 0x0A
BROADCAST = "00"
SHOW, CLEAR = "T", "C"
COMMANDS = frozenset({SHOW, CLEAR})
MAX_DATA = 1024  # a frame longer than this is garbage, not text for a window sign


class FrameError(ValueError):
    """A frame that must be rejected (bad checksum, address, command or text)."""


@dataclass(frozen=True)
class LineFrame:
    address: str  # two uppercase hex digits; "00" is every sign
    command: str  # "T" show the text, "C" clear the display
    text: str


@dataclass(frozen=True)
class BadFrame:
    raw: bytes
    reason: str


@dataclass(frozen=True)
class Reply:
    address: str
    ok: bool  # True for ACK, False for NAK


def checksum(body: bytes) -> str:
    return f"{sum(body) % 256:02X}"


def check_address(address: str) -> str:
    address = address.upper()
    if len(address) != 2 or any(c not in "0123456789ABCDEF" for c in address):
        raise ValueError(f"sign address must be two hex digits, not {address!r}")
    return address


def printable(text: str) -> str:
    """Control characters become spaces, so text can never break the framing; LF stays."""
    return "".join(c if c == "\n" or (c >= " " and c != "\x7f") else " " for c in text)


def encode_frame(address: str, command: str, text: str = "", encoding: str = "gb18030") -> bytes:
    """One frame; characters the encoding lacks become "?" (GB18030 has all of Unicode)."""
    if command not in COMMANDS:
        raise ValueError(f"unknown sign command {command!r}")
    data = printable(text).encode(encoding, errors="replace")
    body = check_address(address).encode("ascii") + command.encode("ascii") + data + bytes([ETX])
    return bytes([STX]) + body + checksum(body).encode("ascii")


def encode_show(address: str, text: str, encoding: str = "gb18030") -> bytes:
    """Show `text`, or clear the sign when it is empty."""
    return encode_frame(address, SHOW if text else CLEAR, text, encoding)


def decode_frame(raw: bytes, encoding: str = "gb18030") -> LineFrame:
    """Parse exactly one frame; raise `FrameError` if anything about it is wrong."""
    if len(raw) < 7 or raw[0] != STX or raw[-3] != ETX:
        raise FrameError("not a frame: must be STX addr cmd data ETX sum")
    body, received = raw[1:-2], raw[-2:]
    try:
        expected = checksum(body)
        if received.decode("ascii").upper() != expected:
            raise FrameError(f"checksum mismatch: got {received!r}, computed {expected}")
        address = check_address(body[:2].decode("ascii"))
        command = body[2:3].decode("ascii")
    except (UnicodeDecodeError, ValueError) as exc:
        if isinstance(exc, FrameError):
            raise
        raise FrameError(str(exc)) from exc
    if command not in COMMANDS:
        raise FrameError(f"unknown command {command!r}")
    data = body[3:-1]
    if any(b < 0x20 and b != LF for b in data):
        raise FrameError("control byte inside the text")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise FrameError(f"text is not valid {encoding}: {exc}") from exc
    if command == CLEAR and text:
        raise FrameError("clear frame carries text")
    return LineFrame(address, command, text)


def encode_reply(address: str, ok: bool) -> bytes:
    return bytes([ACK if ok else NAK]) + check_address(address).encode("ascii")


class FrameDecoder:
    """Stream decoder for the sign side (and simulators): bytes in, frames or rejects out.

    Bytes before an STX are skipped; an STX inside an unfinished frame starts a new frame, so
    one damaged frame never swallows the next one.
    """

    def __init__(self, encoding: str = "gb18030") -> None:
        self.encoding = encoding
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[LineFrame | BadFrame]:
        self._buffer += data
        out: list[LineFrame | BadFrame] = []
        while True:
            start = self._buffer.find(STX)
            if start < 0:
                self._buffer.clear()
                return out
            del self._buffer[:start]
            end = self._buffer.find(ETX)
            restart = self._buffer.find(STX, 1)
            if 0 <= restart < (end if end >= 0 else len(self._buffer)):
                out.append(BadFrame(bytes(self._buffer[:restart]), "frame cut short by STX"))
                del self._buffer[:restart]
                continue
            if end < 0:
                if len(self._buffer) > MAX_DATA + 6:
                    out.append(BadFrame(bytes(self._buffer), "frame too long"))
                    self._buffer.clear()
                return out
            if len(self._buffer) < end + 3:
                return out  # the checksum has not arrived yet
            late = self._buffer.find(STX, end + 1, end + 3)
            if late >= 0:
                out.append(BadFrame(bytes(self._buffer[:late]), "checksum cut short by STX"))
                del self._buffer[:late]
                continue
            raw = bytes(self._buffer[: end + 3])
            del self._buffer[: end + 3]
            try:
                out.append(decode_frame(raw, self.encoding))
            except FrameError as exc:
                out.append(BadFrame(raw, str(exc)))


class ReplyDecoder:
    """Stream decoder for the host side: finds ACK/NAK replies, skips anything else."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[Reply]:
        self._buffer += data
        out: list[Reply] = []
        i = 0
        while i < len(self._buffer):
            if self._buffer[i] in (ACK, NAK):
                if len(self._buffer) - i < 3:
                    break
                try:
                    address = check_address(self._buffer[i + 1 : i + 3].decode("ascii"))
                except (UnicodeDecodeError, ValueError):
                    i += 1
                    continue
                out.append(Reply(address, self._buffer[i] == ACK))
                i += 3
            else:
                i += 1
        del self._buffer[:i]
        return out
