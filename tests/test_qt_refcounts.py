"""Guard against a PySide6 that loses references to None/True (6.12.0 on Python 3.11 does).

Such a build aborts a long-running screen with "Fatal Python error: none_dealloc" after some
thousands of Qt calls, so pyproject.toml pins PySide6 below 6.12; this test fails if a bad
build comes back.
"""

import subprocess
import sys

SCRIPT = r"""
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QWidget
app = QApplication([])
w = QWidget()
class O(QObject):
    s = Signal(bool)
o = O()
none, true = sys.getrefcount(None), sys.getrefcount(True)
for _ in range(2000):
    w.update()
    o.s.emit(True)
print(sys.getrefcount(None) - none, sys.getrefcount(True) - true)
"""


def test_qt_calls_do_not_leak_references_to_none_or_true():
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr[-1000:]
    none_delta, true_delta = (int(x) for x in result.stdout.split())
    assert abs(none_delta) < 50 and abs(true_delta) < 50, (none_delta, true_delta)
