"""`SerialIdCardReader`: a GA/T 467 SAM ID card reader on a serial port (or USB serial).

Each `read_card` call polls the module in the caller's thread: find card, and when one is
there and was not read yet, select it and read its base message. The driver does raw I/O and
framing only (`protocol.py` builds and checks the frames, `card.py` decodes the text block).

- A damaged answer (bad checksum or length) or a missing one is retried `retries` times.
- The port is opened lazily and reopened with backoff after it fails, so a reader that is
  unplugged and plugged back in works again without anyone restarting the kiosk.
- Nothing is raised into the caller: failures are logged (never with a name or a number)
  and show in `online` and the `on_status(bool)` callback.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from hallcall.hardware.idcard.card import CardDataError, IdCard, decode_text_block
from hallcall.hardware.idcard.port import IdCardReader
from hallcall.hardware.idcard.privacy import masked_name
from hallcall.hardware.idcard.protocol import (
    BAD_CHECKSUM,
    BAD_LENGTH,
    FIND_CARD,
    FIND_OK,
    OK,
    READ_BASE,
    SAM_STATUS,
    SELECT_CARD,
    FrameDecoder,
    FrameError,
    Reply,
    encode_command,
    parse_reply,
    split_base_message,
)
from hallcall.hardware.serial_link import Backoff, LinkDown, SerialLink, SerialSettings

log = logging.getLogger(__name__)

_NAMES = {
    FIND_CARD: "find card",
    SELECT_CARD: "select card",
    READ_BASE: "read",
    SAM_STATUS: "status",
}


class SerialIdCardReader(IdCardReader):
    def __init__(
        self,
        devfile: str,
        *,
        baudrate: int = 115200,
        reply_timeout: float = 1.0,
        poll_interval: float = 0.1,
        retries: int = 2,
        on_status: Callable[[bool], None] | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        self.devfile = devfile
        self.reply_timeout = reply_timeout
        self.poll_interval = poll_interval
        self.retries = retries
        self.rejected = 0  # damaged frames received, for diagnostics
        self._on_status = on_status
        self._link = SerialLink(SerialSettings(devfile, baudrate=baudrate), read_timeout=0.02)
        self._backoff = backoff or Backoff(initial=0.05, maximum=2.0)
        self._next_open = 0.0
        self._online: bool | None = None
        self._card_present = False  # the card on the reader was already reported
        self._lock = threading.Lock()
        self._closed = threading.Event()

    # -- the port ---------------------------------------------------------------------------

    @property
    def online(self) -> bool:
        return bool(self._online) and not self._closed.is_set()

    def read_card(self, timeout: float = 1.0) -> IdCard | None:
        deadline = time.monotonic() + max(0.0, timeout)
        with self._lock:
            while not self._closed.is_set():
                try:
                    card = self._attempt()
                except LinkDown as exc:
                    log.warning("id card reader: %s", exc)
                    self._link.close()
                    self._set_online(False)
                    card = None
                except Exception:  # a driver bug must not take the kiosk down
                    log.exception("id card reader on %s failed", self.devfile)
                    self._link.close()
                    self._set_online(False)
                    card = None
                if card is not None:
                    return card
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                pause = self.poll_interval
                if not self._link.is_open:
                    pause = max(pause, self._next_open - time.monotonic())
                self._closed.wait(min(pause, remaining))
        return None

    def close(self) -> None:
        self._closed.set()
        with self._lock:
            self._link.close()

    # -- one polling round ------------------------------------------------------------------

    def _attempt(self) -> IdCard | None:
        if not self._link.is_open and not self._open():
            return None
        self._link.check()
        found = self._exchange(FIND_CARD)
        if found is None:
            return None
        if found.sw3 != FIND_OK:
            if self._card_present:
                log.info("id card taken off the reader")
            self._card_present = False
            return None
        if self._card_present:
            return None  # the card already read is still lying there
        selected = self._exchange(SELECT_CARD)
        if selected is None or selected.sw3 != OK:
            if selected is not None:
                log.info("id card: select failed (%s)", selected.status)
            return None
        message = self._exchange(READ_BASE)
        if message is None or message.sw3 != OK:
            if message is not None:
                log.info("id card: read failed (%s)", message.status)
            return None
        self._card_present = True  # report it once, even if its data turn out to be bad
        try:
            text, photo = split_base_message(message.data)
            card = decode_text_block(text, photo)
        except (FrameError, CardDataError) as exc:
            self.rejected += 1
            log.warning("id card: unreadable base message: %s", exc)
            return None
        log.info("id card read: %s", masked_name(card.name))
        return card

    def _open(self) -> bool:
        if time.monotonic() < self._next_open:
            return False
        try:
            self._link.open()
        except LinkDown as exc:
            log.debug("%s", exc)
            self._next_open = time.monotonic() + self._backoff.next()
            self._set_online(False)
            return False
        self._backoff.reset()
        self._card_present = False
        status = self._exchange(SAM_STATUS)  # the module's hello: online once it answers
        if status is not None and status.sw3 != OK:
            log.warning("id card reader module reports: %s", status.status)
        return True

    def _exchange(self, command: tuple[int, int]) -> Reply | None:
        """Send one command and return the module's answer; None if none came intact."""
        name = _NAMES.get(command, f"{command[0]:02X} {command[1]:02X}")
        for attempt in range(1 + self.retries):
            self._drain()
            self._link.write(encode_command(command))
            result = self._await_reply()
            if isinstance(result, Reply):
                self._set_online(True)
                if result.sw3 not in (BAD_CHECKSUM, BAD_LENGTH):
                    return result
                log.warning("id card reader: %s: %s, resending", name, result.status)
            elif result is None:
                log.info("id card reader: no answer to %s (attempt %d)", name, attempt + 1)
                if attempt == self.retries:
                    self._set_online(False)
            else:
                self.rejected += 1
                log.warning("id card reader: damaged answer to %s: %s", name, result)
        return None

    def _await_reply(self) -> Reply | FrameError | None:
        decoder = FrameDecoder(header=3)
        idle_until = time.monotonic() + self.reply_timeout
        while time.monotonic() < idle_until:
            data = self._link.read()
            if not data:
                continue
            idle_until = time.monotonic() + self.reply_timeout
            for item in decoder.feed(data):
                return item if isinstance(item, FrameError) else parse_reply(item)
        return None

    def _drain(self) -> None:
        """Drop what is left of an earlier answer, so it cannot pass for the next one."""
        limit = time.monotonic() + self.reply_timeout
        while self._link.read() and time.monotonic() < limit:
            pass

    def _set_online(self, online: bool) -> None:
        if self._online is online:
            return
        self._online = online
        log.info("id card reader %s is %s", self.devfile, "online" if online else "offline")
        if self._on_status is not None:
            try:
                self._on_status(online)
            except Exception:
                log.exception("on_status callback failed")
