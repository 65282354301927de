"""A real Mosquitto server on a free loopback port, started and stopped by the test."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from hallcall.broker.embedded import free_port


class Mosquitto:
    def __init__(self, directory: Path, port: int | None = None, extra: str = ""):
        if shutil.which("mosquitto") is None:
            raise RuntimeError("mosquitto is not installed: apt-get install mosquitto")
        self.directory = directory
        self.port = port or free_port()
        self.conf = directory / "mosquitto.conf"
        # As root, Mosquitto switches to the `mosquitto` user, which cannot read the test's
        # private temporary folder (password and ACL files): keep the test's user.
        run_as = "user root\n" if os.geteuid() == 0 else ""
        self.conf.write_text(
            run_as
            + f"listener {self.port} 127.0.0.1\n"
            + (extra or "allow_anonymous true\n")
            + "persistence false\n"
            "set_tcp_nodelay true\n"
            "max_queued_messages 10000\n"
            f"log_dest file {directory / 'mosquitto.log'}\n"
        )
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 10) -> Mosquitto:
        self.process = subprocess.Popen(
            ["mosquitto", "-c", str(self.conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mosquitto exited with {self.process.returncode}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("mosquitto did not start listening in time")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
