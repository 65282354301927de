"""How every device process runs until it is told to stop (Ctrl-C, or SIGTERM from systemd).

Qt-free at import: the headless processes (keypad terminal, voice, signs) use `stop_on_signals`
without Qt; `exec_until_signalled` imports Qt only when a screen app calls it.
"""

from __future__ import annotations

import os
import signal
import threading
from typing import TYPE_CHECKING

from hallcall import sdnotify

if TYPE_CHECKING:
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QWidget

#: How often Qt's event loop lets Python run its signal handlers (Qt's loop blocks in C++).
SIGNAL_POLL_MS = 250


def stop_on_signals() -> threading.Event:
    """An event set by SIGINT or SIGTERM: a headless process waits on it, then cleans up.
    Under systemd it also says READY=1 and pings the watchdog until the event is set."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    sdnotify.ready()
    sdnotify.keep_alive(stop)
    return stop


def exec_until_signalled(app: QCoreApplication) -> int:
    """Run Qt's event loop until the app quits or the process gets SIGINT/SIGTERM."""
    from PySide6.QtCore import QTimer

    signal.signal(signal.SIGINT, lambda *_: app.quit())
    signal.signal(signal.SIGTERM, lambda *_: app.quit())
    poll = QTimer()
    # Wakes the loop so Python's handlers run; each tick proves to systemd's watchdog that the
    # Qt loop itself still turns (a hung loop stops the pings and systemd restarts the app).
    poll.timeout.connect(sdnotify.ping)
    poll.start(SIGNAL_POLL_MS)
    QTimer.singleShot(0, sdnotify.ready)  # READY=1 once the loop runs (the screen is up)
    try:
        return app.exec()
    finally:
        sdnotify.stopping()
        poll.stop()


def show_screen(widget: QWidget, fullscreen: bool, size: tuple[int, int] | None = None) -> None:
    """Full screen on the device, or a window of `size` (`--windowed`). HALLCALL_HIDE_CURSOR=1
    (the units `hallcall install` writes) hides the pointer on a touch screen."""
    if os.environ.get("HALLCALL_HIDE_CURSOR") == "1":
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QCursor, QGuiApplication

        QGuiApplication.setOverrideCursor(QCursor(Qt.CursorShape.BlankCursor))
    if fullscreen:
        widget.showFullScreen()
        return
    if size is not None:
        widget.resize(*size)
    widget.show()
