"""`hallcall admin staff-pin` (#12 item 6): the hall file gets the PIN's argon2 hash, never the PIN."""

from __future__ import annotations

import subprocess
import sys

from hallcall.broker.domain.pins import verify_pin
from hallcall.config.loader import EXAMPLE_HALL, load_config


def staff_pin(path, staff: str, pin: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "hallcall.cli",
            "admin",
            "staff-pin",
            "--config",
            str(path),
            staff,
            "--stdin",
        ],
        input=pin + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_staff_pin_writes_a_hash_in_place_and_keeps_the_rest_of_the_file(tmp_path):
    path = tmp_path / "hall.toml"
    original = EXAMPLE_HALL.read_text(encoding="utf-8")
    path.write_text(original, encoding="utf-8")
    done = staff_pin(path, "s103", "80417")
    assert done.returncode == 0, done.stderr
    text = path.read_text(encoding="utf-8")
    assert "80417" not in text and "80417" not in done.stdout
    config = load_config(path)
    assert verify_pin(config.staff_member("s103").pin_hash, "80417")
    assert verify_pin(config.staff_member("s101").pin_hash, "2468"), "other clerks keep theirs"
    assert len(text.splitlines()) == len(original.splitlines()), (
        "the old hash line is replaced, comments kept"
    )


def test_staff_pin_keeps_the_hall_files_mode(tmp_path):
    """The file holds every clerk's hash: a file only its owner reads stays so after the edit."""
    path = tmp_path / "hall.toml"
    path.write_text(EXAMPLE_HALL.read_text(encoding="utf-8"), encoding="utf-8")
    path.chmod(0o600)
    done = staff_pin(path, "s103", "80417")
    assert done.returncode == 0, done.stderr
    assert path.stat().st_mode & 0o777 == 0o600


def test_staff_pin_refuses_an_unknown_clerk_or_a_bad_pin_and_changes_nothing(tmp_path):
    path = tmp_path / "hall.toml"
    path.write_text(EXAMPLE_HALL.read_text(encoding="utf-8"), encoding="utf-8")
    before = path.read_bytes()
    for staff, pin in (("s999", "1234"), ("s101", "12"), ("s101", "abcd")):
        done = staff_pin(path, staff, pin)
        assert done.returncode == 2 and "PIN not set" in done.stderr
    assert path.read_bytes() == before
