"""Resident ID numbers in the contract: the check digit, and the keyed hash that stands in for one.

The number itself never travels on MQTT or into a log or a database (docs/hardware/idcard.md,
"Privacy"). What travels, where it must, is `id_hash(number, key)`: HMAC-SHA256 under the hall's
secret key (`[idcard] hash_key_file` in the hall file, the same file on every kiosk), so the
broker can match a swiped card to an appointment without keeping a number, and a leaked table
cannot be reversed by trying every number without the key. It is here, in the contract, because
every party that makes one (kiosk, admin tool, broker) must make it the same way.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from pathlib import Path

#: An HMAC key shorter than this is refused: ID numbers are few enough (about 10^11 valid
#: ones) that a weak key would let anyone holding the hashes enumerate them.
MIN_KEY_BYTES = 16
#: What an `id_hash` looks like on the wire: 64 lower-case hex digits.
ID_HASH_PATTERN = r"^[0-9a-f]{64}$"

_WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
_CHECK_CHARS = "10X98765432"
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")


def id_check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isdigit() or not first17.isascii():
        raise ValueError("the check digit is computed over exactly 17 ASCII digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def valid_id_number(number: str) -> bool:
    """True for an 18-character ID number whose last character is its MOD 11-2 check digit."""
    number = number.upper()
    return bool(_ID_SHAPE.fullmatch(number)) and id_check_digit(number[:17]) == number[17]


def id_hash(id_number: str, key: bytes) -> str:
    """HMAC-SHA256 of the ID number (X upper-cased) under `key`, as 64 hex digits."""
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"the hash key must have at least {MIN_KEY_BYTES} bytes")
    normalized = id_number.strip().upper().encode("ascii")
    return hmac.new(key, normalized, hashlib.sha256).hexdigest()


class HashKeyError(ValueError):
    """The hash key file cannot be used (the message names the file, never its contents)."""


def read_hash_key(path: str | Path) -> bytes:
    """The hall's hash key: the file's bytes, surrounding whitespace stripped.

    Make one with `hallcall admin idcard-key --out FILE` (or `openssl rand -hex 32 > FILE`);
    it must be the same file on the broker's box and on every kiosk of the hall.
    """
    path = Path(path)
    try:
        key = path.read_bytes().strip()
    except OSError as exc:
        raise HashKeyError(
            f"cannot read the ID card hash key file {path}: {exc.strerror}"
        ) from None
    if len(key) < MIN_KEY_BYTES:
        raise HashKeyError(
            f"the ID card hash key file {path} holds {len(key)} bytes; at least {MIN_KEY_BYTES}"
        )
    return key


def key_file_too_open(path: str | Path) -> bool:
    """True when others than the owner (and the group) may read the key file."""
    try:
        return bool(os.stat(path).st_mode & 0o004)
    except OSError:
        return False
