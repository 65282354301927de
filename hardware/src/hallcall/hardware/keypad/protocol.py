r"""The serial keypad ("呼叫器") line protocol; see docs/hardware/keypad-protocol.md.

    keypad -> host   K<addr>:<KEY>[*<hh>]\r\n    one line per key press
    host -> keypad   D<addr>:<text>\r\n          what the keypad's small display shows
    keypad -> host   A<addr>\r\n                 optional acknowledgement of a D line

addr is two decimal digits (the window number, 01-99); KEY is one of NEXT RECALL NOSHOW
FINISH PAUSE RESUME. The optional `*hh` is the XOR of every byte before the `*`, in hex: a
keypad on a noisy line should send it; a line with a wrong one is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hallcall.hardware.keypad.actions import KeypadAction

KEYS: dict[str, KeypadAction] = {
    "NEXT": KeypadAction.NEXT,
    "RECALL": KeypadAction.RECALL,
    "NOSHOW": KeypadAction.NO_SHOW,
    "FINISH": KeypadAction.FINISH,
    "PAUSE": KeypadAction.PAUSE,
    "RESUME": KeypadAction.RESUME,
}
KEY_NAMES = {action: name for name, action in KEYS.items()}
MAX_LINE = 64
DISPLAY_WIDTH = 16

_KEY_LINE = re.compile(r"K(\d{2}):([A-Z]+)(?:\*([0-9A-F]{2}))?")
_ACK_LINE = re.compile(r"A(\d{2})")


class LineError(ValueError):
    """A line the host drops (and logs)."""


@dataclass(frozen=True)
class KeyPress:
    address: str
    action: KeypadAction


@dataclass(frozen=True)
class DisplayAck:
    address: str


def xor_checksum(data: bytes) -> str:
    value = 0
    for byte in data:
        value ^= byte
    return f"{value:02X}"


def encode_key(address: str, action: KeypadAction, with_checksum: bool = False) -> bytes:
    """What a keypad sends (used by simulators and tests)."""
    line = f"K{check_address(address)}:{KEY_NAMES[action]}".encode("ascii")
    if with_checksum:
        line += b"*" + xor_checksum(line).encode("ascii")
    return line + b"\r\n"


def encode_display(address: str, text: str) -> bytes:
    """The display line: printable ASCII, at most DISPLAY_WIDTH characters, "?" for the rest."""
    shown = "".join(c if " " <= c <= "~" else "?" for c in text)[:DISPLAY_WIDTH]
    return f"D{check_address(address)}:{shown}\r\n".encode("ascii")


def check_address(address: str) -> str:
    if len(address) != 2 or not address.isdigit() or not address.isascii():
        raise ValueError(f"keypad address must be two digits, not {address!r}")
    return address


def parse_line(line: bytes) -> KeyPress | DisplayAck:
    """One line without its line end; raise `LineError` for anything that is not valid."""
    try:
        text = line.decode("ascii").strip().upper()
    except UnicodeDecodeError as exc:
        raise LineError("not ASCII") from exc
    if match := _KEY_LINE.fullmatch(text):
        address, key, received = match.groups()
        if received is not None:
            expected = xor_checksum(text.split("*", 1)[0].encode("ascii"))
            if received != expected:
                raise LineError(f"checksum {received} should be {expected}")
        if key not in KEYS:
            raise LineError(f"unknown key {key!r}")
        return KeyPress(address, KEYS[key])
    if match := _ACK_LINE.fullmatch(text):
        return DisplayAck(match.group(1))
    raise LineError("not a keypad line")
