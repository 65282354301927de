"""systemd's readiness and watchdog protocol (sd_notify), with the standard library alone.

A unit of `Type=notify` (what `hallcall install` writes) waits for READY=1 before it counts the
service as started, and with `WatchdogSec=` restarts a process that stops sending WATCHDOG=1:
a hung Qt loop or a wedged queue broker is restarted instead of showing "online" forever.
Outside systemd (no $NOTIFY_SOCKET) every call does nothing, so the apps run the same by hand.
One module for the device kit's loop and the queue broker server (docs/install.md).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

_lock = threading.Lock()
_last_ping = 0.0


def notify(*states: str) -> bool:
    """Send `states` (e.g. "READY=1") to $NOTIFY_SOCKET; False when there is none or it fails."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address or not states:
        return False
    if address.startswith("@"):  # an abstract socket: a leading NUL byte on the wire
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall("\n".join(states).encode())
    except OSError as exc:
        log.debug("sd_notify to %s failed: %s", address, exc)
        return False
    return True


def ready(status: str | None = None) -> bool:
    """The service is up (the broker is connected, a device's loop runs)."""
    return notify("READY=1", *([f"STATUS={status}"] if status else []))


def status(text: str) -> bool:
    """A one-line state for `systemctl status` (e.g. "MQTT offline")."""
    return notify(f"STATUS={text}")


def stopping() -> bool:
    return notify("STOPPING=1")


def watchdog_interval() -> float | None:
    """Seconds systemd allows between pings ($WATCHDOG_USEC), None when no watchdog is on.
    The watchdog is ours when $WATCHDOG_PID is this process or its parent: under `cage` the
    service's main process is cage, which starts the app (NotifyAccess=all in that unit)."""
    usec = os.environ.get("WATCHDOG_USEC")
    pid = os.environ.get("WATCHDOG_PID")
    if not usec or (pid and pid not in (str(os.getpid()), str(os.getppid()))):
        return None
    try:
        value = int(usec)
    except ValueError:
        return None
    return value / 1_000_000 if value > 0 else None


def ping() -> bool:
    """WATCHDOG=1, at most twice per watchdog interval: cheap to call from every loop tick."""
    global _last_ping
    interval = watchdog_interval()
    if interval is None:
        return False
    now = time.monotonic()
    with _lock:
        if now - _last_ping < interval / 8:
            return False
        _last_ping = now
    return notify("WATCHDOG=1")


def keep_alive(
    stop: threading.Event, healthy: Callable[[], bool] = lambda: True
) -> threading.Thread | None:
    """A thread that pings while `healthy()` holds, until `stop` is set; None without a
    watchdog. For loops that block in `stop.wait()`: `healthy` says whether the work runs."""
    interval = watchdog_interval()
    if interval is None:
        return None

    def run() -> None:
        while not stop.wait(interval / 4):
            if healthy():
                ping()
            else:
                log.error("the main work stopped: no watchdog ping, systemd restarts the service")

    thread = threading.Thread(target=run, name="sd-watchdog", daemon=True)
    thread.start()
    return thread
