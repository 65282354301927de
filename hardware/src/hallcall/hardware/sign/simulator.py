"""A sign simulator: plays a HallCall line-protocol sign on a serial port (tests, bench, demos).

    python -m hallcall.hardware.sign.simulator /dev/pts/5 --address 03

It prints every frame it gets and, for frames to its own address, answers ACK (or NAK for a
damaged frame), exactly as the protocol document asks of a real sign.
"""

from __future__ import annotations

import argparse
import threading

import serial

from hallcall.hardware.sign.line_protocol import (
    BROADCAST,
    CLEAR,
    BadFrame,
    FrameDecoder,
    LineFrame,
    encode_reply,
)


class SignSimulator:
    """Decodes frames from an open serial port in a thread; `frames` and `rejects` record them."""

    def __init__(
        self, port: serial.Serial, address: str = "01", encoding: str = "gb18030", answer=True
    ) -> None:
        self.port = port
        self.address = address.upper()
        self.answer = answer
        self.nak_next = 0  # tests: answer this many good frames with NAK anyway
        self.frames: list[LineFrame] = []
        self.rejects: list[BadFrame] = []
        self.text: str | None = None
        self.changed = threading.Condition()
        self._decoder = FrameDecoder(encoding)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sign-simulator", daemon=True)

    def start(self) -> SignSimulator:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)

    def wait_for(self, predicate, timeout: float = 5.0) -> bool:
        with self.changed:
            return self.changed.wait_for(predicate, timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.port.read(self.port.in_waiting or 1)
            except (serial.SerialException, OSError):
                return
            for item in self._decoder.feed(data):
                self._handle(item)

    def _handle(self, item: LineFrame | BadFrame) -> None:
        if isinstance(item, BadFrame):
            reply = encode_reply(self.address, ok=False)
            with self.changed:
                self.rejects.append(item)
                self.changed.notify_all()
        else:
            if item.address not in (self.address, BROADCAST):
                return
            ok = self.nak_next == 0
            self.nak_next = max(0, self.nak_next - 1)
            with self.changed:
                if ok:
                    self.text = "" if item.command == CLEAR else item.text
                    self.frames.append(item)
                self.changed.notify_all()
            if item.address == BROADCAST:
                return
            reply = encode_reply(self.address, ok)
        if self.answer:
            self.port.write(reply)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("port")
    parser.add_argument("--address", default="01")
    parser.add_argument("--baudrate", type=int, default=9600)
    parser.add_argument("--encoding", default="gb18030")
    args = parser.parse_args()
    with serial.Serial(args.port, args.baudrate, timeout=0.2) as port:
        sim = SignSimulator(port, args.address, args.encoding).start()
        shown = None
        try:
            while True:
                sim.wait_for(lambda shown=shown: sim.text != shown, timeout=1.0)
                if sim.text != shown:
                    shown = sim.text
                    print(f"[{sim.address}] {shown!r}", flush=True)
        except KeyboardInterrupt:
            sim.stop()


if __name__ == "__main__":
    main()
