#!/usr/bin/env bash
# `hallcall install broker` on a clean Debian 12 root, then what its unit runs, as its user,
# with a notify socket (docs/install.md, "Checked on a clean Debian 12"). Run as root:
#   scripts/install-check/debian12-chroot.sh [DIR]      (default /tmp/deb12; kept for a re-run)
# Needs debootstrap (apt-get install debootstrap), deb.debian.org and PyPI. A chroot has no
# systemd as PID 1: install enables the units on the files and skips starting them, and
# run-unit.py plays systemd's part (User=, ExecStart=, NOTIFY_SOCKET, WATCHDOG_USEC).
set -euo pipefail
cd "$(dirname "$0")/../.."
root="${1:-/tmp/deb12}"
if [ ! -x "$root/usr/bin/python3" ]; then
  debootstrap --variant=minbase \
    --include=python3,python3-venv,python3-pip,systemd,systemd-sysv,dbus,ca-certificates,passwd \
    bookworm "$root" http://deb.debian.org/debian
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"
# A machine behind a TLS-inspecting proxy: its CAs, so pip in the root trusts PyPI there too.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  chroot "$root" update-ca-certificates >/dev/null
fi
mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
rm -rf "$root/src" && mkdir "$root/src"
git ls-files -z | xargs -0 tar c | tar x -C "$root/src"
cp scripts/install-check/run-unit.py "$root/root/run-unit.py"
chroot "$root" /bin/bash -euxc '
  cd /src
  python3 -m venv /tmp/hc
  /tmp/hc/bin/pip install -q --force-reinstall --no-deps ./core
  /tmp/hc/bin/pip install -q ./core
  /tmp/hc/bin/hallcall install broker --source /src \
    --device config/src/hallcall/config/halls/example-university.toml
  systemd-analyze verify --man=no /etc/systemd/system/hallcall-broker.service
  test -L /etc/systemd/system/multi-user.target.wants/hallcall-broker.service
  ! /opt/hallcall/venv/bin/pip list 2>/dev/null | grep -i -E "pyside6|gpiozero|pyttsx3"
  python3 /root/run-unit.py
'
