"""Printer transports and health, over real byte pipes: a socat pty pair, a file, a socket."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import serial
from escpos.exceptions import ImageWidthError
from escpos.printer import Dummy, File, Network, Serial
from pydantic import ValidationError

from hallcall.hardware.printer import (
    FakePrinter,
    PrinterConfig,
    PrinterNotReady,
    PrinterStatus,
    PrintFailed,
    open_printer,
    print_ticket,
    query_status,
)

from .test_ticket_render import zh_ticket

STATUS_QUERIES = b"\x10\x04\x01\x10\x04\x04"  # DLE EOT 1 (printer), DLE EOT 4 (paper)

# What a printer answers to DLE EOT n=1, 2, 4 (ESC/POS real-time status bytes).
HEALTHY = {1: 0x12, 2: 0x12, 4: 0x12}
PAPER_LOW = {1: 0x12, 2: 0x12, 4: 0x1E}
PAPER_OUT = {1: 0x1A, 2: 0x32, 4: 0x72}
COVER_OPEN = {1: 0x1A, 2: 0x16, 4: 0x12}


def dummy_bytes(ticket) -> bytes:
    """What the fake (python-escpos Dummy) printer records for ticket."""
    printer = open_printer(PrinterConfig(kind="fake"))
    print_ticket(printer, ticket, 576)
    return printer.output


class DeviceEmulator:
    """Plays the printer on the far end of a byte pipe: records bytes, answers DLE EOT."""

    def __init__(self, read, write, answers: dict[int, int] | None):
        self.read, self.write, self.answers = read, write, answers
        self.received = bytearray()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        scanned = 0
        while not self.stop.is_set():
            chunk = self.read()
            if not chunk:
                continue
            self.received += chunk
            while (hit := self.received.find(b"\x10\x04", scanned)) != -1 and hit + 2 < len(
                self.received
            ):
                n = self.received[hit + 2]
                if self.answers and n in self.answers:
                    self.write(bytes([self.answers[n]]))
                scanned = hit + 3
            scanned = max(scanned, len(self.received) - 2)

    def wait_for(self, count: int, timeout: float = 10.0) -> bytes:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.1)  # anything beyond `count` would show up now
        return bytes(self.received)

    def close(self):
        self.stop.set()
        self.thread.join(timeout=2)


@pytest.fixture
def serial_device(pty_pair):
    """(make_printer, start_emulator) over the socat pty pair."""
    peer = serial.Serial(pty_pair.peer, timeout=0.05)
    emulators, printers = [], []

    def make_printer(**overrides):
        cfg = PrinterConfig(
            kind="serial",
            devfile=pty_pair.device,
            baudrate=115200,
            status_timeout_s=0.3,
            **overrides,
        )
        printer = open_printer(cfg)
        printers.append(printer)
        return printer

    def start(answers):
        emulator = DeviceEmulator(lambda: peer.read(4096), peer.write, answers)
        emulators.append(emulator)
        return emulator

    yield make_printer, start
    for emulator in emulators:
        emulator.close()
    for printer in printers:
        printer.close()
    peer.close()


# --- config and factory -------------------------------------------------------------------


def test_config_requires_the_fields_of_its_kind():
    with pytest.raises(ValidationError, match="needs devfile"):
        PrinterConfig(kind="serial")
    with pytest.raises(ValidationError, match="needs vendor_id, product_id"):
        PrinterConfig(kind="usb")
    with pytest.raises(ValidationError, match="multiple of 8"):
        PrinterConfig(kind="fake", paper_width_px=580)
    usb = PrinterConfig(kind="usb", vendor_id="0x0416", product_id="0x5011")
    assert (usb.vendor_id, usb.product_id) == (0x0416, 0x5011)
    net = PrinterConfig(kind="network", host="10.0.0.9")
    assert (net.port, net.paper_width_px) == (9100, 576)
    assert PrinterConfig(kind="serial", devfile="/dev/ttyUSB0").baudrate == 9600


def test_factory_builds_the_python_escpos_class_for_each_kind(tmp_path):
    assert isinstance(open_printer(PrinterConfig(kind="fake")), Dummy)
    assert isinstance(open_printer(PrinterConfig(kind="file", path=str(tmp_path / "x"))), File)
    assert isinstance(open_printer(PrinterConfig(kind="network", host="127.0.0.1")), Network)
    serial_printer = open_printer(PrinterConfig(kind="serial", devfile="/dev/null-printer"))
    assert isinstance(serial_printer, Serial)
    assert not (tmp_path / "x").exists()  # nothing opened until the first byte


def test_an_image_wider_than_the_configured_paper_is_refused():
    printer = open_printer(PrinterConfig(kind="fake", paper_width_px=384))
    with pytest.raises(ImageWidthError):
        print_ticket(printer, zh_ticket(), 576)
    # and the per-printer width did not leak into python-escpos's shared default profile
    assert Dummy().profile.profile_data["media"]["width"]["pixels"] == "Unknown"


# --- fake ---------------------------------------------------------------------------------


def test_fake_out_of_paper_refuses_before_sending_a_byte():
    printer = open_printer(PrinterConfig(kind="fake"))
    assert isinstance(printer, FakePrinter) and query_status(printer) is PrinterStatus.OK
    printer.set_status("paper_out")
    with pytest.raises(PrinterNotReady) as err:
        print_ticket(printer, zh_ticket(), 576)
    assert err.value.status is PrinterStatus.PAPER_OUT
    assert "paper_out" in str(err.value)
    assert printer.output == b""
    printer.set_status(PrinterStatus.OK)
    print_ticket(printer, zh_ticket(), 576)
    assert printer.output.endswith(b"\x1dV\x00")


def test_paper_low_is_refused_unless_allowed():
    printer = FakePrinter(status=PrinterStatus.PAPER_LOW)
    with pytest.raises(PrinterNotReady):
        print_ticket(printer, zh_ticket(), 576)
    assert printer.output == b""
    print_ticket(printer, zh_ticket(), 576, allow_paper_low=True)
    assert printer.output


# --- file ---------------------------------------------------------------------------------


def test_file_printer_writes_the_same_bytes_as_the_dummy(tmp_path):
    path = tmp_path / "lp0"
    printer = open_printer(PrinterConfig(kind="file", path=str(path)))
    assert query_status(printer) is PrinterStatus.OK  # one-way: cannot ask, assumed ready
    print_ticket(printer, zh_ticket(), 576)
    printer.close()
    assert path.read_bytes() == dummy_bytes(zh_ticket())


# --- serial over a real pty pair ----------------------------------------------------------


def test_serial_printer_sends_status_queries_then_the_dummy_bytes(serial_device):
    make_printer, start = serial_device
    emulator = start(HEALTHY)
    printer = make_printer()
    expected = STATUS_QUERIES + dummy_bytes(zh_ticket())
    print_ticket(printer, zh_ticket(), 576)
    assert emulator.wait_for(len(expected)) == expected


def test_serial_without_status_queries_sends_exactly_the_dummy_bytes(serial_device):
    make_printer, start = serial_device
    emulator = start(answers=None)  # a one-way cable: the printer never answers
    printer = make_printer(query_status=False)
    print_ticket(printer, zh_ticket(), 576)
    expected = dummy_bytes(zh_ticket())
    assert emulator.wait_for(len(expected)) == expected


@pytest.mark.parametrize(
    "answers, status",
    [
        (HEALTHY, PrinterStatus.OK),
        (PAPER_LOW, PrinterStatus.PAPER_LOW),
        (PAPER_OUT, PrinterStatus.PAPER_OUT),
        (COVER_OPEN, PrinterStatus.COVER_OPEN),
        (None, PrinterStatus.OFFLINE),
    ],
)
def test_serial_status_is_read_from_the_printer(serial_device, answers, status):
    make_printer, start = serial_device
    start(answers)
    started = time.monotonic()
    assert query_status(make_printer()) is status
    # answered queries return at once; a silent printer costs one status timeout (0.3 s)
    assert time.monotonic() - started < (0.6 if answers is None else 0.25)


def test_serial_printer_out_of_paper_gets_only_the_status_queries(serial_device):
    make_printer, start = serial_device
    emulator = start(PAPER_OUT)
    with pytest.raises(PrinterNotReady) as err:
        print_ticket(make_printer(), zh_ticket(), 576)
    assert err.value.status is PrinterStatus.PAPER_OUT
    assert emulator.wait_for(9, timeout=0.5) == b"\x10\x04\x01\x10\x04\x02"


def test_missing_serial_device_reports_offline(tmp_path):
    printer = open_printer(PrinterConfig(kind="serial", devfile=str(tmp_path / "ttyUSB9")))
    assert query_status(printer) is PrinterStatus.OFFLINE


# --- network ------------------------------------------------------------------------------


@pytest.fixture
def network_device():
    server = socket.create_server(("127.0.0.1", 0))
    accepted = []

    def start(answers):
        def serve():
            conn, _ = server.accept()
            conn.settimeout(0.05)
            accepted.append(conn)

            def read():
                try:
                    return conn.recv(65536)
                except (TimeoutError, OSError):
                    return b""

            emulator_box.append(DeviceEmulator(read, conn.sendall, answers))

        emulator_box: list[DeviceEmulator] = []
        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        return emulator_box, thread

    yield server.getsockname()[1], start
    server.close()
    for conn in accepted:
        conn.close()


def test_network_printer_prints_and_reports_status(network_device):
    port, start = network_device
    box, thread = start(HEALTHY)
    printer = open_printer(
        PrinterConfig(kind="network", host="127.0.0.1", port=port, status_timeout_s=0.3)
    )
    print_ticket(printer, zh_ticket(), 576)
    thread.join(timeout=2)
    expected = STATUS_QUERIES + dummy_bytes(zh_ticket())
    try:
        assert box[0].wait_for(len(expected)) == expected
    finally:
        box[0].close()
        printer.close()


def test_unreachable_network_printer_is_offline():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    printer = open_printer(PrinterConfig(kind="network", host="127.0.0.1", port=port))
    assert query_status(printer) is PrinterStatus.OFFLINE
    with pytest.raises(PrinterNotReady):
        print_ticket(printer, zh_ticket(), 576)


def test_network_printer_switched_on_later_is_found_and_a_dropped_link_fails_clearly():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))  # bound, not listening yet: connections are refused
    port = server.getsockname()[1]
    printer = open_printer(
        PrinterConfig(kind="network", host="127.0.0.1", port=port, status_timeout_s=0.3)
    )
    try:
        assert query_status(printer) is PrinterStatus.OFFLINE
        server.listen()  # the printer comes up
        conns = []

        def serve():
            conn, _ = server.accept()
            conns.append(conn)
            assert conn.recv(3) == b"\x10\x04\x01"
            conn.sendall(b"\x12")
            assert conn.recv(3) == b"\x10\x04\x04"
            conn.sendall(b"\x12")
            conn.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
            )
            conn.close()  # then dies mid-job: RST

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        with pytest.raises(PrintFailed, match="A012"):
            print_ticket(printer, zh_ticket(), 576)
        thread.join(2)
        assert printer._device is False  # reset: the next ticket reconnects
    finally:
        printer.close()
        server.close()
