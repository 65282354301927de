#!/usr/bin/env bash
# Checks the import rules of pyproject.toml ([tool.importlinter]) with import-linter, on the
# installed parts as they are (each part's src/ is on the path: no copy step).
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${LINT_IMPORTS:-.venv/bin/lint-imports}" pyproject.toml --no-cache
