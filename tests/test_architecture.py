"""Import rules (pyproject.toml [tool.importlinter]) hold: domain and drivers stay free of I/O libs."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "lint-imports.sh")],
        capture_output=True,
        text=True,
        env={**os.environ, "LINT_IMPORTS": str(lint)},
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout
