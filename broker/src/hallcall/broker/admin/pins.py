"""`hallcall admin staff-pin`: set a clerk's log-in PIN in the hall file, as an argon2 hash.

The hall manager keeps the hall file, so the PIN's hash lives beside the clerk's name there
(`[[staff]] pin_hash`); the PIN itself is typed twice, hidden, and never written anywhere. The
file is edited in place, line by line, so its comments and layout stay as the manager left
them; the result is checked by loading it before it replaces the old file.
"""

from __future__ import annotations

import getpass
import os
import re
import sys
from pathlib import Path

from hallcall.broker.domain.pins import PIN_PATTERN, hash_pin, verify_pin
from hallcall.config.loader import ConfigError

_HEADER = re.compile(r"^\s*\[")
_PIN_LINE = re.compile(r"^\s*pin_hash\s*=")


class PinFileError(Exception):
    pass


def with_pin_hash(text: str, staff_id: str, pin_hash: str) -> str:
    """The hall file's text with `pin_hash` set in the `[[staff]]` block of `staff_id`."""
    lines = text.splitlines(keepends=True)
    id_line = re.compile(r'^\s*id\s*=\s*["\']' + re.escape(staff_id) + r'["\']\s*(#.*)?$')
    i = 0
    while i < len(lines):
        if lines[i].strip() == "[[staff]]":
            end = i + 1
            while end < len(lines) and not _HEADER.match(lines[end]):
                end += 1
            block = lines[i + 1 : end]
            at = next(
                (k for k, line in enumerate(block) if id_line.match(line.rstrip("\r\n"))), None
            )
            if at is not None:
                newline = "\r\n" if block[at].endswith("\r\n") else "\n"
                kept = [line for line in block if not _PIN_LINE.match(line)]
                at = next(k for k, line in enumerate(kept) if id_line.match(line.rstrip("\r\n")))
                kept.insert(at + 1, f'pin_hash = "{pin_hash}"{newline}')
                return "".join(lines[: i + 1] + kept + lines[end:])
            i = end
        else:
            i += 1
    raise PinFileError(f'the hall file has no [[staff]] with id = "{staff_id}"')


def set_pin(path: Path, staff_id: str, pin: str) -> None:
    from hallcall.config.loader import load_config

    if not PIN_PATTERN.match(pin):
        raise PinFileError("a PIN is 4 to 12 digits")
    text = path.read_text(encoding="utf-8")
    new = with_pin_hash(text, staff_id, hash_pin(pin))
    tmp = path.with_name(path.name + ".pin-tmp")
    st = path.stat()
    tmp.unlink(missing_ok=True)  # left by an edit that was killed
    # The hall file keeps the hashes: the edited one keeps the original's mode and owner.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, st.st_mode & 0o7777)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(new)
        os.chmod(tmp, st.st_mode & 0o7777)  # the umask may have narrowed it
        try:
            os.chown(tmp, st.st_uid, st.st_gid)
        except PermissionError:  # not root: the file stays the editor's, as any editor leaves it
            pass
        config = load_config(tmp)
        staff = config.staff_member(staff_id)
        if staff is None or staff.pin_hash is None or not verify_pin(staff.pin_hash, pin):
            raise PinFileError(
                "the edited hall file does not give the new PIN; nothing was changed"
            )
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _read_pin(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().strip()
    first = getpass.getpass("new PIN (4-12 digits): ")
    if getpass.getpass("the same PIN again: ") != first:
        raise PinFileError("the two PINs differ; nothing was changed")
    return first


def cmd_staff_pin(args) -> int:
    path = Path(args.config)
    try:
        set_pin(path, args.staff, _read_pin(args.stdin))
    except (PinFileError, ConfigError, OSError, ValueError) as exc:
        print(f"PIN not set: {exc}", file=sys.stderr)
        return 2
    print(
        f"PIN of {args.staff} set in {path} (as an argon2 hash); restart the queue broker "
        "(hallcall broker) for it to take effect"
    )
    return 0


def register(asub) -> None:
    q = asub.add_parser(
        "staff-pin", help="set a clerk's log-in PIN (kept as a hash in the hall file)"
    )
    q.add_argument(
        "--config", required=True, help="the hall's configuration file (edited in place)"
    )
    q.add_argument("staff", help="the clerk's staff id, e.g. s101")
    q.add_argument(
        "--stdin",
        action="store_true",
        help="read the PIN from one line of standard input (for scripts) instead of asking twice",
    )
    q.set_defaults(func=cmd_staff_pin)
