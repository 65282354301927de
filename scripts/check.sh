#!/usr/bin/env bash
# The static checks `./run test` runs before the tests (and CI with it): any finding fails.
#   ruff (lint rules and formatting), mypy (strict for the queue rules, the wire contract and the
#   service; standard elsewhere), pyright (standard), import-linter (pyproject.toml's contracts).
# Every tool reads its settings from pyproject.toml. Each runs even when an earlier one fails,
# so one run lists every finding.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
# pyright-python asks PyPI for a newer pyright on each run; the pinned one is the one we use.
export PYRIGHT_PYTHON_IGNORE_WARNINGS=1
failed=()
step() {
  local name="$1"; shift
  echo "check: $name"
  "$@" || failed+=("$name")
}
step "ruff check" "$bin/ruff" check --no-cache .
step "ruff format" "$bin/ruff" format --check --no-cache .
step "mypy" "$bin/mypy" --no-incremental
step "pyright" "$bin/pyright"
step "import-linter" env LINT_IMPORTS="$bin/lint-imports" scripts/lint-imports.sh
if [ "${#failed[@]}" -gt 0 ]; then
  echo "check: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "check: all clean"
