"""The model, the sign process and the voice-only process run without Qt (a headless Pi has none)."""

import subprocess
import sys


def test_headless_parts_do_not_import_qt():
    code = (
        "import sys\n"
        "import hallcall.display.model, hallcall.display.settings, hallcall.display.sign_app\n"
        "import hallcall.display.voice_caller, hallcall.display.voice_app, hallcall.display.cli\n"
        "bad = sorted(m for m in sys.modules if m.startswith('PySide6'))\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
