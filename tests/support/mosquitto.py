"""A real Mosquitto on a free loopback port, configured as HallCall ships it.

The configuration comes from `broker/src/hallcall/broker/mosquitto_setup.py` (what `hallcall mqtt-setup` writes),
so the tests run against the settings the product's guarantees rest on. `secured` needs the
folder's `passwd` and `acl` (see `write_setup`); otherwise anonymous clients are let in.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from hallcall.broker.mosquitto_setup import Tls, mosquitto_conf
from hallcall.demo.embedded_mqtt import free_port


class Mosquitto:
    def __init__(
        self,
        directory: Path,
        port: int | None = None,
        *,
        secured: bool = False,
        persistence: bool = False,
        tls: Tls | None = None,
    ):
        if shutil.which("mosquitto") is None:
            raise RuntimeError("mosquitto is not installed: apt-get install mosquitto")
        self.directory = directory
        self.port = port or free_port()
        self.conf = directory / "mosquitto.conf"
        self.log = directory / "mosquitto.log"
        text = mosquitto_conf(
            directory,
            self.port,
            secured=secured,
            persistence=persistence,
            tls=tls,
            log_file=self.log,
        )
        if persistence:
            (directory / "data").mkdir(exist_ok=True)
        # As root, Mosquitto switches to the `mosquitto` user, which cannot read the test's
        # private temporary folder (password and ACL files): keep the test's user.
        self.conf.write_text(text + ("user root\n" if os.geteuid() == 0 else ""))
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 10) -> Mosquitto:
        self.process = subprocess.Popen(
            ["mosquitto", "-c", str(self.conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"mosquitto exited with {self.process.returncode}: {self.log_text()[-500:]}"
                )
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("mosquitto did not start listening in time")

    def kill(self) -> None:
        """kill -9: no clean shutdown, no final save of its database."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=5)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()


class SecuredHall:
    """A Mosquitto set up by `hallcall mqtt-setup`'s own code for some halls: ACL, passwords."""

    def __init__(self, directory: Path, configs, **options):
        from hallcall.broker.mosquitto_setup import write_setup

        self.directory = directory
        self.port = free_port()
        self.users = write_setup(configs, directory, self.port, host="127.0.0.1")
        self.options = options
        self.server = Mosquitto(directory, self.port, secured=True, **options)

    def password(self, user: str) -> str:
        from hallcall.broker.acl import QUEUE_BROKER_USER

        name = QUEUE_BROKER_USER if user.startswith(QUEUE_BROKER_USER) else user
        return (self.directory / "secrets" / f"{name}.password").read_text().strip()

    def login(self, user: str):
        """Settings for `user` (the queue broker: `queue-broker`, which it suffixes per hall)."""
        from hallcall.mqtt.settings import MqttSettings

        return MqttSettings(port=self.port, username=user, password=self.password(user))

    def start(self) -> SecuredHall:
        self.server.start()
        return self

    def kill_and_restart(self, down_s: float) -> None:
        """kill -9 Mosquitto, leave it down `down_s` seconds, start it again on the same port."""
        self.server.kill()
        time.sleep(down_s)
        self.server = Mosquitto(self.directory, self.port, secured=True, **self.options).start()

    def stop(self) -> None:
        self.server.stop()
