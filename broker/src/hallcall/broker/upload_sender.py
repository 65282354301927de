"""The sender of the upload outbox: one background thread per hall with `[upload] enabled`.

It runs inside the queue broker (`hallcall broker` starts it), beside the MQTT worker and never
on its path: a command only writes the record in its own transaction (storage/outbox.py); the
HTTP happens here. Records go one by one, strictly in outbox order: the next is sent only when
the one before was accepted (2xx) or refused for good (another 4xx, marked failed with the
reason and logged as an error; it does not hold up the later records). Connection errors,
timeouts, 5xx, 408 and 429 are tried again after 1 s, 2 s, 4 s ... up to `max_backoff_s` (or
the platform's Retry-After, if longer, within that limit), the same record first. Each attempt carries `Idempotency-Key: <record_id>`, the same on every retry
and after a restart, so a record the platform accepted just before a kill -9 is known to it
when it comes again. A restarted broker simply goes on with the oldest pending record.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from hallcall.broker.domain.upload import next_backoff, verdict
from hallcall.broker.storage.outbox import Outbox, Pending
from hallcall.config.schema import HallConfig
from hallcall.version import __version__

log = logging.getLogger(__name__)


class TokenMissing(Exception):
    """The bearer token's file or environment variable is not there (or empty)."""


def read_token(config: HallConfig) -> str:
    """The bearer token from `[upload] token_file` or `token_env`, read at each attempt (a
    renewed token file is taken without a restart)."""
    up = config.upload
    if up.token_file is not None:
        try:
            token = Path(up.token_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise TokenMissing(f"cannot read [upload] token_file {up.token_file}: {exc}") from None
        where = f"token_file {up.token_file}"
    else:
        assert up.token_env is not None  # the schema asks for one of them
        token = os.environ.get(up.token_env, "").strip()
        where = f"environment variable {up.token_env}"
    if not token:
        raise TokenMissing(f"the [upload] {where} is empty or not set")
    return token


def retry_after(response: httpx.Response) -> float:
    """The seconds a 429 or 503 asks to wait (`Retry-After: 120`), else 0."""
    try:
        return max(0.0, float(response.headers.get("Retry-After", "0")))
    except ValueError:  # an HTTP date: the back-off is enough
        return 0.0


def body_of(record: Pending) -> bytes:
    """The JSON sent: the payload frozen when the record was made, the same bytes every time."""
    return json.dumps(record.payload, ensure_ascii=False, sort_keys=True).encode()


class UploadSender:
    """Delivers one hall's outbox to `[upload] url`."""

    def __init__(
        self,
        config: HallConfig,
        engine: Engine,
        poll_s: float = 1.0,
        transport: httpx.BaseTransport | None = None,
    ):
        self.config = config
        self.up = config.upload
        assert self.up.url is not None, "only a hall with [upload] enabled has a sender"
        self.url = self.up.url
        self.outbox = Outbox(engine, config.hall.id)
        self.poll_s = poll_s
        self._backoff: float | None = None
        self._stop = threading.Event()
        self._client = httpx.Client(
            timeout=httpx.Timeout(self.up.timeout_s), follow_redirects=False, transport=transport
        )
        self._thread = threading.Thread(
            target=self._run, name=f"upload-{config.hall.id}", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.up.timeout_s + 5)
        self._client.close()

    def _run(self) -> None:
        log.info("hall %s: uploading 好差评 records to %s", self.config.hall.id, self.url)
        while not self._stop.is_set():
            try:
                wait = self.step()
            except Exception:  # a bug must not end the uploads for good
                log.exception("hall %s: upload sender error", self.config.hall.id)
                wait = self._retry_later()
            if wait > 0:
                self._stop.wait(wait)

    def _retry_later(self) -> float:
        self._backoff = next_backoff(self._backoff, self.up.max_backoff_s)
        return self._backoff

    def step(self) -> float:
        """Try the oldest pending record once; how long to wait before the next step."""
        hall = self.config.hall.id
        try:
            record = self.outbox.next_pending()
        except SQLAlchemyError as exc:
            log.error("hall %s: upload outbox not readable: %s", hall, exc)
            return self._retry_later()
        if record is None:
            return self.poll_s
        try:
            token = read_token(self.config)
        except TokenMissing as exc:
            log.error("hall %s: uploads wait: %s", hall, exc)
            return self._retry_later()
        now = datetime.now(UTC)
        try:
            response = self._client.post(
                self.url,
                content=body_of(record),
                headers={
                    "Content-Type": "application/json; charset=utf-8",
                    "Idempotency-Key": record.record_id,
                    "Authorization": f"Bearer {token}",
                    "User-Agent": f"HallCall/{__version__}",
                },
            )
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
            return self._again(record, error, now)
        outcome = verdict(response.status_code)
        if outcome == "accepted":
            self.outbox.mark_sent(record.id, now)
            if self._backoff is not None:
                log.info("hall %s: the upload platform accepts records again", hall)
            self._backoff = None
            return 0.0
        reason = f"HTTP {response.status_code}: {response.text[:300]}"
        if outcome == "retry":
            return self._again(record, reason, now, retry_after(response))
        self.outbox.mark_failed(record.id, reason, now)
        log.error(
            "hall %s: UPLOAD REFUSED: the platform refused record %s (#%d) for good (%s); "
            "the later records go on; `hallcall upload retry` sends it again",
            hall,
            record.record_id,
            record.id,
            reason,
        )
        self._backoff = None
        return 0.0

    def _again(self, record: Pending, error: str, now: datetime, floor: float = 0) -> float:
        """Try `record` again later: the back-off, or the platform's Retry-After if longer
        (never past `max_backoff_s`)."""
        wait = max(self._retry_later(), min(floor, self.up.max_backoff_s))
        log.warning(
            "hall %s: upload of record %s failed (%s); trying again in %.0f s",
            self.config.hall.id,
            record.record_id,
            error,
            wait,
        )
        try:
            self.outbox.note_failure(record.id, error, now)
        except SQLAlchemyError as exc:
            log.error("hall %s: upload outbox not writable: %s", self.config.hall.id, exc)
        return wait


def start_senders(configs: list[HallConfig], engine: Engine) -> list[UploadSender]:
    """A started sender for each hall whose file says `[upload] enabled = true`."""
    senders = [UploadSender(c, engine) for c in configs if c.upload.enabled]
    for s in senders:
        s.start()
    return senders
