"""The Alpha Sign Communications Protocol ("M-Protocol") subset HallCall needs: write a TEXT file.

Adaptive Micro Systems / Alpha-American signs (Alpha, BetaBrite and compatibles) take packets

    NUL x5  SOH  type  addr(2)  STX  "A"  label  ESC  position  mode  text  [ETX sum(4 hex)]  EOT

The NULs let the sign lock onto the baud rate; type "Z" means every sign type and address
"00" every sign (broadcast). The optional checksum is the 16-bit sum of the bytes from STX
through ETX, in four uppercase hex digits. Signs answer a write only when configured to, so the
driver does not wait for replies.

Alpha signs show ASCII only (plus a few Latin extras HallCall does not use): characters
outside printable ASCII are shown as "?", and control characters, which the protocol uses for
colours, fonts and framing, become spaces so a text can never inject a command. Give Alpha
signs an ASCII template such as "A012 -> WINDOW 3".
"""

from __future__ import annotations

from dataclasses import dataclass

NUL, SOH, STX, ETX, EOT, ESC = 0x00, 0x01, 0x02, 0x03, 0x04, 0x1B
SYNC = bytes(5)
WRITE_TEXT = "A"
ALL_SIGNS = "Z"  # type code: every sign type
BROADCAST = "00"
PRIORITY_FILE = "0"  # the priority TEXT file exists on every sign without memory setup

# Display positions (one byte after ESC)
MIDDLE_LINE, TOP_LINE, BOTTOM_LINE, FILL = " ", '"', "&", "0"
# Mode codes; "n" (special) takes one more specifier byte
HOLD, ROTATE, FLASH = "b", "a", "c"
SPECIAL = "n"
MAX_PACKET = 4096


class PacketError(ValueError):
    """A packet that must be rejected."""


@dataclass(frozen=True)
class AlphaPacket:
    type_code: str
    address: str
    command: str
    label: str
    position: str | None  # None when the packet had no ESC section
    mode: str | None
    text: str
    checksummed: bool


@dataclass(frozen=True)
class BadPacket:
    raw: bytes
    reason: str


def alpha_text(text: str) -> str:
    """What an Alpha sign can show of `text`: printable ASCII; "?" and spaces for the rest."""
    out = []
    for c in text:
        if " " <= c <= "~":
            out.append(c)
        elif c < " " or c == "\x7f":
            out.append(" ")
        else:
            out.append("?")
    return "".join(out)


def checksum(section: bytes) -> str:
    """16-bit sum of STX through ETX inclusive."""
    return f"{sum(section) % 0x10000:04X}"


def _check_fields(type_code: str, address: str, label: str, position: str, mode: str) -> None:
    if len(type_code) != 1 or not "!" <= type_code <= "~":
        raise ValueError(f"type code must be one printable character, not {type_code!r}")
    if len(address) != 2 or any(c not in "0123456789ABCDEFabcdef?" for c in address):
        raise ValueError(f"Alpha address must be two hex digits, not {address!r}")
    if len(label) != 1 or not " " <= label <= "~":
        raise ValueError(f"file label must be one printable character, not {label!r}")
    if len(position) != 1 or not " " <= position <= "~":
        raise ValueError(f"display position must be one printable character, not {position!r}")
    if not 1 <= len(mode) <= 2 or (len(mode) == 2) != mode.startswith(SPECIAL):
        raise ValueError(f"mode must be one code, or 'n' plus a specifier, not {mode!r}")


def encode_write_text(
    text: str,
    *,
    type_code: str = ALL_SIGNS,
    address: str = BROADCAST,
    label: str = "A",
    position: str = FILL,
    mode: str = HOLD,
    with_checksum: bool = True,
) -> bytes:
    """A complete Write TEXT packet showing `text` (see `alpha_text` for what survives)."""
    _check_fields(type_code, address, label, position, mode)
    header = SYNC + bytes([SOH]) + (type_code + address.upper()).encode("ascii")
    section = (
        bytes([STX])
        + (WRITE_TEXT + label).encode("ascii")
        + bytes([ESC])
        + (position + mode + alpha_text(text)).encode("ascii")
    )
    if with_checksum:
        section += bytes([ETX])
        section += checksum(section).encode("ascii")
    return header + section + bytes([EOT])


def decode_packet(raw: bytes) -> AlphaPacket:
    """Parse one Write TEXT packet (leading NULs allowed); raise `PacketError` if it is wrong."""
    data = raw.lstrip(b"\x00")
    if len(data) < 7 or data[0] != SOH or data[-1] != EOT:
        raise PacketError("not a packet: must be SOH type addr STX ... EOT")
    try:
        head = data[1:4].decode("ascii")
    except UnicodeDecodeError as exc:
        raise PacketError("header is not ASCII") from exc
    type_code, address = head[0], head[1:]
    if data[4] != STX:
        raise PacketError("no STX after the address")
    section = data[4:-1]  # STX ... [ETX sum]
    checksummed = False
    etx = section.find(bytes([ETX]))
    if etx >= 0:
        if len(section) != etx + 5:
            raise PacketError("ETX must be followed by exactly four checksum digits")
        received = section[etx + 1 :]
        section = section[: etx + 1]
        if received.decode("ascii", "replace").upper() != checksum(section):
            raise PacketError(f"checksum mismatch: got {received!r}, computed {checksum(section)}")
        checksummed = True
        body = section[1:-1]
    else:
        body = section[1:]
    if len(body) < 2:
        raise PacketError("no command or file label")
    try:
        body_text = body.decode("ascii")
    except UnicodeDecodeError as exc:
        raise PacketError("Alpha text must be ASCII") from exc
    command, label, rest = body_text[0], body_text[1], body_text[2:]
    if command != WRITE_TEXT:
        raise PacketError(f"only Write TEXT ('A') is supported, not {command!r}")
    position = mode = None
    if rest.startswith(chr(ESC)):
        if len(rest) < 3:
            raise PacketError("ESC without display position and mode")
        position, mode = rest[1], rest[2]
        rest = rest[3:]
        if mode == SPECIAL:
            if not rest:
                raise PacketError("special mode without its specifier")
            mode, rest = mode + rest[0], rest[1:]
    return AlphaPacket(type_code, address, command, label, position, mode, rest, checksummed)


class PacketDecoder:
    """Stream decoder (for simulators and tests): bytes in, packets or rejects out."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[AlphaPacket | BadPacket]:
        self._buffer += data
        out: list[AlphaPacket | BadPacket] = []
        while True:
            start = self._buffer.find(SOH)
            if start < 0:
                self._buffer.clear()
                return out
            del self._buffer[:start]
            end = self._buffer.find(EOT)
            restart = self._buffer.find(SOH, 1)
            if 0 <= restart < (end if end >= 0 else len(self._buffer)):
                out.append(BadPacket(bytes(self._buffer[:restart]), "packet cut short by SOH"))
                del self._buffer[:restart]
                continue
            if end < 0:
                if len(self._buffer) > MAX_PACKET:
                    out.append(BadPacket(bytes(self._buffer), "packet too long"))
                    self._buffer.clear()
                return out
            raw = bytes(self._buffer[: end + 1])
            del self._buffer[: end + 1]
            try:
                out.append(decode_packet(raw))
            except PacketError as exc:
                out.append(BadPacket(raw, str(exc)))
