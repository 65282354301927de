#!/usr/bin/env bash
# Checks the import rules of pyproject.toml ([tool.importlinter]) with import-linter.
# import-linter cannot follow setuptools' package-dir mapping (broker/ installed as
# hallcall.broker), so the sources are first copied into the installed layout under build/.
set -euo pipefail
cd "$(dirname "$0")/.."
tree=build/import-tree
rm -rf "$tree" && mkdir -p "$tree/hallcall"
cp -r hallcall/. "$tree/hallcall/"
for part in broker kiosk display window_terminal rating_pad hardware config; do
  cp -r "$part" "$tree/hallcall/$part"
done
find "$tree" -name __pycache__ -prune -exec rm -rf {} +
cd "$tree"
exec "${LINT_IMPORTS:-lint-imports}" --config ../../pyproject.toml --no-cache
