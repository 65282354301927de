"""`SerialSign`: a sign on a serial port that survives unplugging and shows its text again.

The driver keeps one piece of state, the text the sign should show. `show()` only records it;
a background session writes it, and on every reconnect the session starts by writing it again.
Several quick `show()` calls collapse into the latest, which is what a display needs.

With `ack_address` set (HallCall line protocol, not broadcast) each frame must be answered with
ACK: a NAK or silence is retried `retries` times, then the sign counts as offline and the text
is resent with backoff until the sign acknowledges it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from hallcall.hardware.serial_link import Backoff, SerialLink, SerialSettings, SerialWorker
from hallcall.hardware.sign.line_protocol import ReplyDecoder
from hallcall.hardware.sign.port import Sign

log = logging.getLogger(__name__)


class SerialSign(Sign):
    def __init__(
        self,
        settings: SerialSettings,
        encode: Callable[[str], bytes],
        *,
        ack_address: str | None = None,
        ack_timeout: float = 0.5,
        retries: int = 2,
        on_status: Callable[[bool], None] | None = None,
        poll_interval: float = 0.1,
        reconnect_max_delay: float = 5.0,
    ) -> None:
        self._encode = encode
        self._ack_address = ack_address
        self._ack_timeout = ack_timeout
        self._retries = retries
        self._on_status = on_status
        self._poll_interval = poll_interval
        self._cond = threading.Condition()
        self._text: str | None = None
        self._version = 0  # bumped by every show()
        self._delivered = 0  # the version the sign last confirmed (written, or ACKed)
        self._port_online = False
        self._responding = True
        self._reported: bool | None = None
        self._worker = SerialWorker(
            SerialLink(settings),
            self._session,
            name=f"sign {settings.port}",
            on_online=self._port_changed,
            backoff=Backoff(maximum=reconnect_max_delay),
        )
        self._worker.start()

    @property
    def text(self) -> str | None:
        """The text the sign should be showing (None before the first show)."""
        return self._text

    def show(self, text: str) -> None:
        with self._cond:
            self._text = text
            self._version += 1
            self._cond.notify_all()

    @property
    def online(self) -> bool:
        return self._port_online and self._responding

    def wait_delivered(self, timeout: float = 5.0) -> bool:
        """Block until the latest text reached the sign (was ACKed, with ACKs on)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._delivered == self._version, timeout)

    def wait_online(self, online: bool = True, timeout: float = 5.0) -> bool:
        deadline = time.monotonic() + timeout
        while self.online is not online:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def close(self) -> None:
        self._worker.stop()

    # -- status ---------------------------------------------------------------------------

    def _port_changed(self, online: bool) -> None:
        self._port_online = online
        self._report()

    def _set_responding(self, responding: bool) -> None:
        if responding != self._responding:
            self._responding = responding
            self._report()

    def _report(self) -> None:
        online = self.online
        if online is self._reported:
            return
        self._reported = online
        if self._on_status is not None:
            try:
                self._on_status(online)
            except Exception:
                log.exception("sign status callback failed")

    # -- the session, run by the worker thread while the port is open -----------------------

    def _due(self, sent: int, resend_at: float) -> bool:
        """Is there a text this connection has not written yet, or an unACKed one to retry?"""
        if self._text is None:
            return False
        if self._version != sent:
            return True
        return self._delivered != self._version and time.monotonic() >= resend_at

    def _session(self, link: SerialLink, stop: threading.Event) -> None:
        replies = ReplyDecoder()
        sent = -1  # nothing written on this connection yet: the current text goes out first
        resend = Backoff(initial=0.5, maximum=10.0)
        resend_at = 0.0
        while not stop.is_set():
            with self._cond:
                if not self._due(sent, resend_at):
                    self._cond.wait(self._poll_interval)
                due = self._due(sent, resend_at)
                version, text = self._version, self._text
            if not due or text is None:
                link.check()  # notice an unplug now, not at the next show()
                replies.feed(link.read())  # stray bytes from the sign are dropped
                continue
            sent = version
            if self._deliver(link, self._encode(text), replies):
                resend.reset()
                with self._cond:
                    self._delivered = version
                    self._cond.notify_all()
            else:
                resend_at = time.monotonic() + resend.next()

    def _deliver(self, link: SerialLink, frame: bytes, replies: ReplyDecoder) -> bool:
        if self._ack_address is None:
            link.write(frame)
            return True
        for attempt in range(1 + self._retries):
            link.write(frame)
            deadline = time.monotonic() + self._ack_timeout
            answer = None
            while answer is None and time.monotonic() < deadline:
                for reply in replies.feed(link.read()):
                    if reply.address == self._ack_address:
                        answer = reply.ok
            if answer:
                self._set_responding(True)
                return True
            log.info(
                "sign %s: %s (attempt %d)",
                self._ack_address,
                "NAK" if answer is False else "no answer",
                attempt + 1,
            )
        self._set_responding(False)
        return False
