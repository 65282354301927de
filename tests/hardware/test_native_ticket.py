"""The native-mode ticket (the printer's own Chinese font and QR): under 3 KB, every byte a
known command or GBK text, hostile text harmless, and the raster image where the font cannot
print a text. The stream is read back command by command here, and over a real pty pair."""

from __future__ import annotations

import pytest

from hallcall.hardware.printer import PrinterConfig, open_printer, print_ticket
from hallcall.hardware.printer.config import PAPER_58MM_PX, PAPER_80MM_PX
from hallcall.hardware.printer.native import columns, native_ticket, wrap
from hallcall.hardware.printer.render import render_ticket

from .test_printer import HEALTHY, STATUS_QUERIES, serial_device  # noqa: F401 - a fixture
from .test_ticket_render import en_ticket, zh_ticket

#: Fixed-length commands the native ticket may contain: prefix -> bytes of arguments.
COMMANDS = {
    b"\x1b@": 0,  # ESC @ reset
    b"\x1c&": 0,  # FS & Chinese mode on
    b"\x1c.": 0,  # FS . Chinese mode off
    b"\x1ba": 1,  # ESC a justification
    b"\x1bE": 1,  # ESC E bold
    b"\x1d!": 1,  # GS ! character size
    b"\x1bd": 1,  # ESC d feed n lines
    b"\x1dV": 1,  # GS V cut
}


def read_stream(data: bytes) -> tuple[list[str], list[bytes], list[str]]:
    """(text lines, commands, QR data) of a native ticket; fails on any unknown control byte."""
    lines, commands, qrs = [], [], []
    text = bytearray()
    i = 0
    while i < len(data):
        if data[i : i + 3] == b"\x1d(k":  # GS ( k pL pH cn fn ...: a QR function
            n = data[i + 3] | data[i + 4] << 8
            body = data[i + 5 : i + 5 + n]
            if body[:3] == b"1P0":  # store the symbol's data
                qrs.append(body[3:].decode("ascii"))
            commands.append(data[i : i + 5 + n])
            i += 5 + n
            continue
        head = next((c for c in COMMANDS if data.startswith(c, i)), None)
        if head is not None:
            end = i + len(head) + COMMANDS[head]
            commands.append(data[i:end])
            i = end
            continue
        byte = data[i]
        if byte == 0x0A:
            lines.append(text.decode("gbk"))
            text.clear()
        elif byte < 0x20 or byte == 0x7F:
            raise AssertionError(f"unknown control byte {byte:#04x} at {i}: {data[i : i + 8]!r}")
        else:
            text.append(byte)
        i += 1
    assert not text, "text after the last line feed"
    return lines, commands, qrs


@pytest.mark.parametrize("width", [PAPER_80MM_PX, PAPER_58MM_PX])
@pytest.mark.parametrize("make", [zh_ticket, en_ticket], ids=["zh", "en"])
def test_a_native_ticket_is_under_3_kb_and_says_everything(make, width):
    ticket = make()
    data = native_ticket(ticket, width)
    assert data is not None and len(data) < 3 * 1024
    raster = len(render_ticket(ticket, width).tobytes())
    assert raster > 10 * len(data)  # the image it replaces
    lines, commands, qrs = read_stream(data)
    printed = "".join(lines).replace(" ", "")
    for part in (ticket.hall_name, ticket.number, ticket.department, ticket.matter):
        assert part.replace(" ", "") in printed
    assert ticket.materials[0].replace(" ", "") in printed
    assert qrs == [ticket.qr_data]
    assert commands[0] == b"\x1b@" and commands[1] == b"\x1c&" and commands[-1][:2] == b"\x1dV"
    cols = width // 12
    sizes = {c[2] for c in commands if c[:2] == b"\x1d!"}
    assert sizes <= {0x00, 0x11, 0x22, 0x33}
    for line in lines:  # nothing wider than the paper at the size it was printed in
        assert columns(line) <= cols


def test_the_number_is_printed_as_big_as_it_fits():
    data = native_ticket(zh_ticket(number="A012"), PAPER_80MM_PX)
    assert b"\x1d!\x33\x1bE\x01A012\n" in data  # four times: 4 chars x 2 columns x 4 < 48


def test_control_bytes_in_hall_text_reach_the_paper_as_spaces():
    hostile = zh_ticket(
        hall_name="大厅\x1b@\x1dV\x00\x1c.\x10\x04\x01\u202e",
        department="科\x1b!\x7f室",
        qr_data="https://hall.example/q/A012?t=\x1bx",
    )
    lines, commands, qrs = read_stream(native_ticket(hostile, PAPER_80MM_PX))
    assert [c for c in commands if c[:2] == b"\x1dV"] == [commands[-1]]  # one cut: the end
    assert any(line.startswith("大厅") for line in lines)
    assert qrs == ["https://hall.example/q/A012?t= x"]


def test_text_outside_the_printers_font_is_printed_as_the_image():
    ticket = zh_ticket(hall_name="市民中心 😀")
    assert native_ticket(ticket, PAPER_80MM_PX) is None
    printer = open_printer(PrinterConfig(kind="fake", mode="native"))
    print_ticket(printer, ticket, PAPER_80MM_PX, mode="native")
    assert b"\x1dv0" in printer.output  # GS v 0: the raster image
    printer = open_printer(PrinterConfig(kind="fake", mode="native"))
    print_ticket(printer, zh_ticket(), PAPER_80MM_PX, mode="native")
    assert b"\x1dv0" not in printer.output and len(printer.output) < 3 * 1024


def test_a_profile_without_a_qr_command_gets_the_qr_as_a_small_image():
    data = native_ticket(zh_ticket(), PAPER_80MM_PX, native_qr=False)
    assert b"\x1d(k" not in data and b"\x1dv0" in data and len(data) < 6 * 1024


def test_the_mode_follows_the_profile_unless_the_file_says():
    assert PrinterConfig(kind="fake").print_mode() == "raster"
    assert PrinterConfig(kind="fake", profile="POS-5890").print_mode() == "native"
    assert PrinterConfig(kind="fake", profile="TM-T20II").print_mode() == "raster"
    assert PrinterConfig(kind="fake", profile="TM-T20II", mode="native").print_mode() == "native"
    assert PrinterConfig(kind="fake", profile="POS-5890", mode="raster").print_mode() == "raster"


def test_wrapping_breaks_words_in_english_and_anywhere_in_chinese():
    assert wrap("Please bring your campus card today", 16) == [
        "Please bring",
        "your campus card",
        "today",
    ]
    assert wrap("请留意叫号屏幕和语音提示，过号请重新取号。", 20) == [
        "请留意叫号屏幕和语音",
        "提示，过号请重新取",  # 。 never starts a line: 号 comes down with it
        "号。",
    ]


def test_over_a_pty_the_printer_gets_exactly_the_native_bytes(serial_device):  # noqa: F811
    make_printer, start = serial_device
    emulator = start(HEALTHY)
    printer = make_printer(mode="native")
    expected = STATUS_QUERIES + native_ticket(zh_ticket(), PAPER_80MM_PX)
    print_ticket(printer, zh_ticket(), PAPER_80MM_PX, mode="native")
    assert emulator.wait_for(len(expected)) == expected
