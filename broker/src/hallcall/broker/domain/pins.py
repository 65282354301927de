"""Clerk PINs: hashed with argon2id, never kept or compared in clear.

A clerk's log-in is attributed ratings and attendance, so it needs a secret. The hall file keeps
only the argon2 hash (`hallcall admin staff-pin` writes it); the queue broker verifies the PIN a
terminal sends and forgets it. Parameters are OWASP's argon2id minimum (19 MiB, 2 passes): a
log-in costs the broker a few tens of milliseconds, a stolen hall file costs a guesser as much.
"""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

#: What a clerk types: digits only, so a keypad or a card reader's number works too.
PIN_PATTERN = re.compile(r"^[0-9]{4,12}$")

_HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


def hash_pin(pin: str) -> str:
    if not PIN_PATTERN.match(pin):
        raise ValueError("a PIN is 4 to 12 digits")
    return _HASHER.hash(pin)


def verify_pin(pin_hash: str, pin: str) -> bool:
    """True if `pin` matches; any malformed hash or input is simply a mismatch."""
    try:
        return _HASHER.verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False
