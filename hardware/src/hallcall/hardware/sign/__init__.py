"""Window LED signs: the `Sign` port, serial drivers for two protocols, and a fake.

    sign = open_sign(SignConfig(port="/dev/ttyUSB0", protocol="line", address="03"))
    sign.show("A012 请到3号窗口")

The protocols are documented in docs/hardware/sign-line-protocol.md and sign-alpha-protocol.md.
"""

from hallcall.hardware.sign.config import SignConfig
from hallcall.hardware.sign.factory import open_sign
from hallcall.hardware.sign.fake import FakeSign
from hallcall.hardware.sign.port import Sign
from hallcall.hardware.sign.serial_sign import SerialSign

__all__ = ["FakeSign", "SerialSign", "Sign", "SignConfig", "open_sign"]
