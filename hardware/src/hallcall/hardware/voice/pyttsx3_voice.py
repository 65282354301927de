"""Real speech through pyttsx3 + espeak-ng, in a child process.

Measured: two threads using pyttsx3 at once segfault the whole process (libespeak-ng is one
global engine with one callback), and `pyttsx3.init()` hands every thread the same cached engine.
A kiosk or display must survive its speech engine, so the engine lives in a child process
that this class starts, feeds one request at a time, and restarts if it dies or hangs.
"""

from __future__ import annotations

import json
import logging
import os
import select
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .port import Voice, VoiceError

log = logging.getLogger(__name__)


class _WorkerDied(Exception):
    pass


class Pyttsx3Voice(Voice):
    """Voice via pyttsx3/espeak-ng: zh uses `cmn-latn-pinyin`, en an English voice.

    voices maps lang to an explicit espeak voice id; rate is words per minute (engine default
    if None). timeout_s bounds one synthesis, including the child's start-up.
    """

    def __init__(
        self,
        *,
        voices: Mapping[str, str] | None = None,
        rate: int | None = None,
        timeout_s: float = 20.0,
    ) -> None:
        self.voices = dict(voices or {})
        self.rate = rate
        self.timeout_s = timeout_s
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._buffer = b""
        #: espeak voice id the engine really used, per language (reported by the worker).
        self.voice_used: dict[str, str] = {}

    def synthesize(self, text: str, lang: str, path: str | Path) -> Path:
        path = Path(path)
        request = {
            "text": text,
            "lang": lang,
            "path": os.fspath(path.absolute()),
            "voice": self.voices.get(lang),
            "rate": self.rate,
        }
        with self._lock:
            for attempt in (1, 2):
                try:
                    reply = self._request(request)
                    break
                except _WorkerDied as exc:
                    self._stop_worker()
                    if attempt == 2:
                        raise VoiceError(f"speech engine died twice: {exc}") from exc
                    log.warning("speech engine died (%s); restarting it", exc)
                except TimeoutError as exc:
                    self._stop_worker(kill=True)  # hung: it may never read its input again
                    raise VoiceError(f"speech synthesis took over {self.timeout_s} s") from exc
            else:  # not reached: each attempt breaks with a reply or raises on the second
                raise VoiceError("speech engine gave no reply")
        if not reply.get("ok"):
            raise VoiceError(reply.get("error", "speech synthesis failed"))
        self.voice_used[lang] = reply["voice"]
        return path

    def close(self) -> None:
        with self._lock:
            self._stop_worker()

    # -- child process ----------------------------------------------------------------------

    def _request(self, request: dict[str, Any]) -> dict[str, Any]:
        proc = self._worker()
        assert proc.stdin is not None  # started with stdin=PIPE
        try:
            proc.stdin.write((json.dumps(request) + "\n").encode())
            proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise _WorkerDied(f"cannot write to it: {exc}") from exc
        reply: dict[str, Any] = json.loads(self._read_line(proc, time.monotonic() + self.timeout_s))
        return reply

    def _worker(self) -> subprocess.Popen[bytes]:
        if self._proc is None or self._proc.poll() is not None:
            self._buffer = b""
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "hallcall.hardware.voice._tts_worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            threading.Thread(target=_log_stderr, args=(self._proc,), daemon=True).start()
        return self._proc

    def _read_line(self, proc: subprocess.Popen[bytes], deadline: float) -> bytes:
        assert proc.stdout is not None  # started with stdout=PIPE
        fd = proc.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 4096)
                if not chunk:
                    raise _WorkerDied(f"exit code {proc.wait()}")
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    def _stop_worker(self, kill: bool = False) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if kill and proc.poll() is None:
            proc.kill()
            proc.wait()
        assert proc.stdin is not None and proc.stdout is not None  # both started as PIPE
        if proc.poll() is None:
            proc.stdin.close()  # the worker exits at end of input
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for stream in (proc.stdin, proc.stdout):
            if not stream.closed:
                stream.close()


def _log_stderr(proc: subprocess.Popen[bytes]) -> None:
    assert proc.stderr is not None  # started with stderr=PIPE
    for line in proc.stderr:
        text = line.decode(errors="replace").rstrip()
        if text:
            log.debug("espeak worker: %s", text)
    proc.stderr.close()
