"""Fixtures the kiosk's ID card tests share."""

from __future__ import annotations

import pytest
import serial

from hallcall.hardware.idcard.simulator import SamSimulator


@pytest.fixture
def sam(pty_pair):
    """The SAM (ID card reader) simulator on the far end of the pty pair the kiosk opens."""
    port = serial.Serial(pty_pair.peer, 115200, timeout=0.05)
    sim = SamSimulator(port).start()
    yield sim
    sim.stop()
    port.close()
