"""A local stand-in for the provincial 好差评 platform: an HTTP server on 127.0.0.1 whose
behaviour a test switches (accept, 503, hang past the client's timeout, drop the connection,
refuse with a 4xx), or be gone (`stop`, then `start` on the same port). It dedupes by `Idempotency-Key` as a platform must, and keeps every
attempt, so a test can check that each record was accepted once and in order."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Attempt:
    key: str | None
    mode: str
    authorization: str | None
    body: dict[str, Any]


@dataclass
class Receiver:
    #: "ok", "503", "hang" (keeps the record, answers after `hang_s`), "drop" (closes the
    #: connection unanswered), "refuse" (422 for the keys in `refuse_keys`, ok for the others).
    mode: str = "ok"
    hang_s: float = 3.0
    refuse_keys: set[str] = field(default_factory=set)
    accepted: list[str] = field(default_factory=list)  # each key once, in acceptance order
    bodies: dict[str, dict[str, Any]] = field(default_factory=dict)
    attempts: list[Attempt] = field(default_factory=list)
    repeats: int = 0  # attempts of a key already accepted (answered 200, not kept again)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/records"

    def count(self, mode: str) -> int:
        with self.lock:
            return sum(a.mode == mode for a in self.attempts)

    def _accept(self, key: str, body: dict[str, Any]) -> None:
        with self.lock:
            if key in self.bodies:
                self.repeats += 1
            else:
                self.accepted.append(key)
                self.bodies[key] = body

    def start(self, port: int = 0) -> Receiver:
        """Listen on 127.0.0.1 (a free port, or `port` again after `stop`)."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                key = self.headers.get("Idempotency-Key")
                mode = receiver.mode
                with receiver.lock:
                    receiver.attempts.append(
                        Attempt(key, mode, self.headers.get("Authorization"), json.loads(raw))
                    )
                if mode == "drop":
                    self.close_connection = True
                    self.connection.close()
                    return
                if mode == "503":
                    return self._answer(503, {"error": "maintenance"})
                if key is None:
                    return self._answer(400, {"error": "no Idempotency-Key"})
                if mode == "refuse" and key in receiver.refuse_keys:
                    return self._answer(422, {"error": "unknown matter code"})
                receiver._accept(key, json.loads(raw))
                if mode == "hang":
                    time.sleep(receiver.hang_s)
                self._answer(200, {"ok": True})

            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client gave up (a timeout)
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> int:
        """Stop listening (a client's connection is refused); the port, to start again on."""
        port = 0
        if self.server is not None:
            port = self.server.server_address[1]
            self.server.shutdown()
            self.server.server_close()
            self.server = None
        return port
