#!/usr/bin/env bash
# Installs what HallCall needs on Debian (12 "bookworm" or newer) and creates .venv.
#   scripts/setup.sh          what the demo and the device apps need
#   scripts/setup.sh --test   also Mosquitto, PostgreSQL, socat, zbar, sox for the tests
# Debian packages are installed only when missing (as root, or through sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
packages=(
  python3-venv
  # Qt (PySide6) on a machine with or without a screen; CJK text; voice; serial signs
  libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 fonts-wqy-microhei
  # Qt's xcb platform plugin (a desktop or Xvfb): without these every app aborts (exit -6).
  # The list is what libqxcb.so and libQt6XcbQpa.so link (objdump -p); tests/test_setup.py checks.
  libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-util1 libxcb-xfixes0
  libxcb-xkb1 libxkbcommon-x11-0
  espeak-ng alsa-utils
  mosquitto
)
if [ "${1:-}" = "--test" ]; then
  # systemd: systemd-analyze verifies the units `hallcall install` writes (tests/install).
  packages+=(mosquitto-clients postgresql socat libzbar0 sox chromium xvfb xauth systemd)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "setup: please install: ${missing[*]}" >&2; exit 1
  fi
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  echo "setup: installing Debian packages: ${missing[*]}"
  $sudo apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  # The tests start their own servers; the system-wide ones are not needed.
  if [ -x /usr/sbin/service ]; then
    $sudo service mosquitto stop >/dev/null 2>&1 || true
  fi
fi

"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "setup: Python 3.11 or newer is needed (found $("$PYTHON" --version))" >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# Every part, editable: its folder's src/ is on the path, so the checkout is what runs.
# A Pi installs only its own part (README, "Layout"); a checkout installs them all.
parts=(core config broker "hardware[printer,voice,gpio]" "device_kit[qt]" kiosk window_terminal
       display rating_pad demo web)
requirements=()
for part in "${parts[@]}"; do requirements+=(-e "./$part"); done
suffix=""
if [ "${1:-}" = "--test" ]; then
  suffix="-test"
  requirements+=(-e "./broker[postgres]" -r tests/requirements.txt)
fi
stamp=".venv/.hallcall-installed${suffix}"
newer=""
if [ -f "$stamp" ]; then
  newer=$(find . -path ./.venv -prune -o \( -name pyproject.toml -o -name requirements.txt \) \
          -newer "$stamp" -print | head -n 1)
fi
if [ ! -f "$stamp" ] || [ -n "$newer" ]; then
  echo "setup: installing Python packages into .venv"
  log=".venv/pip-install.log"
  # A checkout from before the split installed one distribution named hallcall: it goes.
  if ! { .venv/bin/python -m pip install --disable-pip-version-check --upgrade pip &&
         { .venv/bin/python -m pip uninstall -y -q hallcall 2>/dev/null || true; } &&
         .venv/bin/python -m pip install --disable-pip-version-check "${requirements[@]}"; } >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "setup: pip install failed (full log: $log)" >&2
    exit 1
  fi
  touch "$stamp"
fi
