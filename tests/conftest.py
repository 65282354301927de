"""Fixtures shared by every test folder."""

from __future__ import annotations

import os

import pytest

# Every Qt test runs without a screen, in CI and on a developer's machine alike.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.support.pty_pair import start_pty_pair


@pytest.fixture
def pty_pair(tmp_path):
    """A real socat pseudo-terminal pair: `.device` for the driver, `.peer` for the test."""
    pair = start_pty_pair(tmp_path)
    yield pair
    pair.close()
