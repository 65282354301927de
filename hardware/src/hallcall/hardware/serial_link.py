"""Serial ports that may vanish and come back: open, raw I/O, reopen with backoff.

Every serial device in a hall (LED signs, clerk keypads, rating pads) hangs off a USB-serial
adapter that someone will unplug, kick or power-cycle. Instead of each driver handling that on
its own, a driver describes what it does while connected as a *session* and a `SerialWorker`
runs that session in a background thread, reopening the port with exponential backoff whenever
it fails. A new session starts on every reconnect, so a driver restores the device's state
(the sign's text, the keypad's display, the pad's prompt light) simply by writing it first.

`SerialLink` does raw byte I/O only; protocols live in the device packages.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

import serial

log = logging.getLogger(__name__)


class LinkDown(Exception):
    """The port is gone or failed; the worker closes it and reopens it later."""


@dataclass(frozen=True)
class SerialSettings:
    """How to open one port. Parity is pyserial's letter: "N", "E" or "O"."""

    port: str
    baudrate: int = 9600
    bytesize: int = 8
    parity: str = "N"
    stopbits: float = 1


class Backoff:
    """Exponential delays between reopen attempts, so a missing port costs almost nothing."""

    def __init__(self, initial: float = 0.05, maximum: float = 5.0, factor: float = 2.0) -> None:
        self.initial, self.maximum, self.factor = initial, maximum, factor
        self._next = initial

    def next(self) -> float:
        delay = self._next
        self._next = min(self._next * self.factor, self.maximum)
        return delay

    def reset(self) -> None:
        self._next = self.initial


class SerialLink:
    """One serial port as raw bytes; every failure becomes `LinkDown` and closes the port."""

    def __init__(self, settings: SerialSettings, read_timeout: float = 0.05) -> None:
        self.settings = settings
        self.read_timeout = read_timeout
        self._serial: serial.Serial | None = None

    @property
    def is_open(self) -> bool:
        return self._serial is not None

    def open(self) -> None:
        s = self.settings
        try:
            self._serial = serial.Serial(
                s.port,
                baudrate=s.baudrate,
                bytesize=s.bytesize,
                parity=s.parity,
                stopbits=s.stopbits,
                timeout=self.read_timeout,
                write_timeout=2.0,
            )
        except (serial.SerialException, OSError, ValueError) as exc:
            self._serial = None
            raise LinkDown(f"cannot open {s.port}: {exc}") from exc

    def close(self) -> None:
        ser, self._serial = self._serial, None
        if ser is not None:
            # closing a dead port may fail too; it is closed either way
            with contextlib.suppress(serial.SerialException, OSError):
                ser.close()

    def _port(self) -> serial.Serial:
        if self._serial is None:
            raise LinkDown(f"{self.settings.port} is not open")
        return self._serial

    def write(self, data: bytes) -> None:
        try:
            self._port().write(data)
            self._port().flush()
        except (serial.SerialException, OSError) as exc:
            self.close()
            raise LinkDown(f"write to {self.settings.port} failed: {exc}") from exc

    def read(self) -> bytes:
        """Whatever arrives within `read_timeout` (b"" if nothing): never blocks for long."""
        try:
            ser = self._port()
            first = ser.read(1)
            if not first:
                return b""
            waiting = ser.in_waiting
            return first + (ser.read(waiting) if waiting else b"")
        except (serial.SerialException, OSError) as exc:
            self.close()
            raise LinkDown(f"read from {self.settings.port} failed: {exc}") from exc

    def check(self) -> None:
        """Raise `LinkDown` if the device node vanished or the port hung up.

        A write-only device (a sign) would otherwise not notice an unplug until its next write,
        and would then miss the moment to restore its text when the port comes back.
        """
        if not os.path.exists(self.settings.port):
            self.close()
            raise LinkDown(f"{self.settings.port} disappeared")
        try:
            _ = self._port().in_waiting
        except (serial.SerialException, OSError) as exc:
            self.close()
            raise LinkDown(f"{self.settings.port} hung up: {exc}") from exc


Session = Callable[[SerialLink, threading.Event], None]


class SerialWorker:
    """Runs a driver's session in a thread while the port works; reopens it after failures.

    The session is called once per successful open with the link and a stop event; it returns
    when the stop event is set and raises `LinkDown` when the port fails. `on_online(bool)` is
    called on every change between online and offline (first report included).
    """

    def __init__(
        self,
        link: SerialLink,
        session: Session,
        *,
        name: str,
        on_online: Callable[[bool], None] | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        self.link = link
        self._session = session
        self._on_online = on_online
        self._backoff = backoff or Backoff()
        self._stop = threading.Event()
        self._online: bool | None = None
        self._online_changed = threading.Condition()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    @property
    def online(self) -> bool:
        return bool(self._online)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        self.link.close()

    def wait_online(self, online: bool = True, timeout: float = 5.0) -> bool:
        """Block until the port is (or is not) online; True if that happened in time."""
        with self._online_changed:
            return self._online_changed.wait_for(lambda: self._online is online, timeout)

    def _set_online(self, online: bool) -> None:
        with self._online_changed:
            if self._online is online:
                return
            self._online = online
            self._online_changed.notify_all()
        log.info("%s is %s", self.link.settings.port, "online" if online else "offline")
        if self._on_online is not None:
            try:
                self._on_online(online)
            except Exception:
                log.exception("on_online callback failed")

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.link.open()
            except LinkDown as exc:
                log.debug("%s", exc)
                self._set_online(False)
                self._stop.wait(self._backoff.next())
                continue
            self._backoff.reset()
            self._set_online(True)
            try:
                self._session(self.link, self._stop)
            except LinkDown as exc:
                log.warning("%s", exc)
            except Exception:
                log.exception("serial session on %s failed", self.link.settings.port)
            finally:
                self.link.close()
            if not self._stop.is_set():
                self._set_online(False)
                self._stop.wait(self._backoff.next())


class LineSplitter:
    """Cuts a byte stream into lines at CR and/or LF; drops overlong lines instead of growing.

    Bytes arrive in arbitrary pieces (a line may be split across two reads); garbage without
    a line end must not eat memory, so a line longer than `max_length` is discarded up to the
    next line end and reported as `None`.
    """

    def __init__(self, max_length: int = 80) -> None:
        self.max_length = max_length
        self._buffer = bytearray()
        self._overflow = False

    def feed(self, data: bytes) -> list[bytes | None]:
        lines: list[bytes | None] = []
        for byte in data:
            if byte in (0x0D, 0x0A):
                if self._overflow:
                    lines.append(None)
                elif self._buffer:
                    lines.append(bytes(self._buffer))
                self._buffer.clear()
                self._overflow = False
            elif not self._overflow:
                self._buffer.append(byte)
                if len(self._buffer) > self.max_length:
                    self._buffer.clear()
                    self._overflow = True
        return lines


class OnLineChannel:
    """For a driver whose device speaks through `self._channel` (a LineChannel): its state."""

    _channel: LineChannel

    @property
    def online(self) -> bool:
        return self._channel.online

    def wait_online(self, online: bool = True, timeout: float = 5.0) -> bool:
        return self._channel.wait_online(online, timeout)

    def close(self) -> None:
        self._channel.close()


class LineChannel:
    """A line-based serial device in a background thread: the shared plumbing of keypads and pads.

    Received lines go to `on_line` (None for a line that was too long). `send()` queues bytes
    for the device while it is online; while it is offline they are dropped, because on every
    (re)connect the channel first writes `restore()`, the device's whole current state, instead.
    """

    def __init__(
        self,
        settings: SerialSettings,
        *,
        on_line: Callable[[bytes | None], None],
        restore: Callable[[], bytes] = lambda: b"",
        on_online: Callable[[bool], None] | None = None,
        max_line: int = 80,
        name: str = "serial-lines",
    ) -> None:
        self._on_line = on_line
        self._restore = restore
        self._max_line = max_line
        self._outbox: list[bytes] = []
        self._lock = threading.Lock()
        self._connected = False
        self.worker = SerialWorker(
            SerialLink(settings), self._session, name=name, on_online=on_online
        )

    @property
    def online(self) -> bool:
        return self.worker.online

    def start(self) -> None:
        self.worker.start()

    def close(self) -> None:
        self.worker.stop()

    def wait_online(self, online: bool = True, timeout: float = 5.0) -> bool:
        return self.worker.wait_online(online, timeout)

    def send(self, data: bytes) -> None:
        with self._lock:
            if self._connected:
                self._outbox.append(data)

    def _take_outbox(self) -> bytes:
        with self._lock:
            data = b"".join(self._outbox)
            self._outbox.clear()
            return data

    def _session(self, link: SerialLink, stop: threading.Event) -> None:
        splitter = LineSplitter(self._max_line)
        with self._lock:
            self._outbox.clear()
            self._connected = True
        try:
            restore = self._restore()
            if restore:
                link.write(restore)
            while not stop.is_set():
                pending = self._take_outbox()
                if pending:
                    link.write(pending)
                for line in splitter.feed(link.read()):
                    try:
                        self._on_line(line)
                    except Exception:
                        log.exception("line handler failed on %r", line)
        finally:
            with self._lock:
                self._connected = False
