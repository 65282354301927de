"""The web part on a thread of its own, for the demo and the tests (`hallcall web` runs it in
the foreground): uvicorn on a free loopback port unless one is given."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from dataclasses import dataclass

import uvicorn
from starlette.applications import Starlette

from hallcall.web.app import WebOptions, create_app
from hallcall.web.hub import WebHub


@dataclass
class RunningWeb:
    url: str
    hub: WebHub
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def serve_in_background(
    hub: WebHub,
    options: WebOptions | None = None,
    host: str = "127.0.0.1",
    port: int | None = None,
    timeout: float = 15,
    app: Starlette | None = None,
) -> RunningWeb:
    """Start serving `app` (default: `create_app(hub, options)`); return once it listens and
    its MQTT client is connected."""
    port = port or free_port(host)
    app = app or create_app(hub, options)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    thread = threading.Thread(
        target=lambda: asyncio.run(server.serve()), name="hallcall-web", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + timeout
    while not (server.started and hub.client.connected.is_set()):
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            raise RuntimeError(f"the web part did not start on {host}:{port}")
        time.sleep(0.05)
    return RunningWeb(f"http://{host}:{port}", hub, server, thread)
