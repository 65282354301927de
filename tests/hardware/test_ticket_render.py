"""Ticket rendering: what lands on paper, read back the way a person or a scanner would."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from PIL import Image, ImageFont
from pyzbar.pyzbar import decode

from hallcall.hardware.printer import (
    CjkFontNotFound,
    TicketPrint,
    find_cjk_font,
    open_printer,
    print_ticket,
    render_ticket,
)
from hallcall.hardware.printer import fonts as fonts_module
from hallcall.hardware.printer.config import PrinterConfig
from hallcall.hardware.printer.raster import raster_images, stack
from hallcall.hardware.printer.wrapping import truncate_lines, wrap_text

SHOTS = Path("build/screenshots")
DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BEIJING = timezone(timedelta(hours=8))

MATERIALS_ZH = [
    "申请人身份证原件及复印件",
    "不动产权证书原件",
    "购房合同（网签备案版）一式三份",
    "完税证明",
    "婚姻状况证明（结婚证或离婚证及离婚协议）",
    "委托书及受托人身份证（如委托办理）",
]
MATERIALS_EN = [
    "Original ID card of every applicant plus one photocopy",
    "Property ownership certificate",
    "Purchase contract (three signed copies)",
    "Tax payment receipt",
    "Marriage certificate, or divorce certificate and agreement",
    "Power of attorney and the agent's ID card if someone applies for you",
]


def zh_ticket(**overrides) -> TicketPrint:
    fields = {
        "hall_name": "市民服务中心（政务服务大厅）",
        "number": "A012",
        "department": "不动产登记与交易综合服务窗口（抵押权登记专区）",
        "matter": "二手房买卖转移登记及抵押权首次登记一并办理",
        "waiting_ahead": 7,
        "estimated_wait_s": 845,
        "issued_at": datetime(2026, 11, 23, 9, 5, tzinfo=BEIJING),
        "materials": list(MATERIALS_ZH),
        "qr_data": "https://hall.example/q/A012?t=8f3a",
        "lang": "zh",
        "footer": "请留意叫号屏幕和语音提示，过号请重新取号。",
    }
    fields.update(overrides)
    return TicketPrint(**fields)


def en_ticket(**overrides) -> TicketPrint:
    fields = {
        "hall_name": "Riverside Citizen Service Centre",
        "number": "B107",
        "department": "Real Estate Registration and Mortgage Services (Counter Group B)",
        "matter": "Transfer of ownership with simultaneous first mortgage registration",
        "waiting_ahead": 12,
        "estimated_wait_s": 1500,
        "issued_at": datetime(2026, 11, 23, 14, 40, tzinfo=BEIJING),
        "materials": list(MATERIALS_EN),
        "qr_data": "https://hall.example/q/B107?t=77c1",
        "lang": "en",
        "footer": "Watch the screen and listen for your number.",
    }
    fields.update(overrides)
    return TicketPrint(**fields)


def save(img: Image.Image, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    img.save(SHOTS / name)


def margins_blank(img: Image.Image, margin: int) -> bool:
    grey = img.convert("L")
    left = grey.crop((0, 0, margin, img.height)).getextrema()
    right = grey.crop((img.width - margin, 0, img.width, img.height)).getextrema()
    return left == (255, 255) and right == (255, 255)


@pytest.mark.parametrize(
    "ticket, name", [(zh_ticket(), "ticket_zh_80mm.png"), (en_ticket(), "ticket_en_80mm.png")]
)
def test_render_is_one_full_width_black_and_white_image(ticket, name):
    img = render_ticket(ticket, 576)
    save(img, name)
    assert img.mode == "1" and img.width == 576
    assert 800 < img.height < 3000
    # Long department names and materials were wrapped, not clipped: nothing is drawn into
    # the side margins (16 px at 80 mm), so no glyph ran off the paper.
    assert margins_blank(img, 12)
    [qr] = decode(img.convert("L"))
    assert qr.data.decode() == ticket.qr_data


def test_58mm_paper_gets_a_narrower_ticket_that_still_scans():
    img = render_ticket(zh_ticket(), 384)
    save(img, "ticket_zh_58mm.png")
    assert img.width == 384 and margins_blank(img, 8)
    assert decode(img.convert("L"))[0].data.decode() == zh_ticket().qr_data


def test_ticket_number_is_the_biggest_thing_on_the_ticket():
    # The number's line must be far taller than any text line: find the tallest run of
    # consecutive rows containing ink (the QR is excluded by cropping above it).
    img = render_ticket(zh_ticket(materials=[]), 576).convert("L")
    runs, run = [], 0
    for y in range(img.height):
        if img.crop((0, y, img.width, y + 1)).getextrema()[0] == 0:
            run += 1
        else:
            runs.append(run)
            run = 0
    text_runs = sorted(runs, reverse=True)
    # tallest = QR (>150 px) or the number; both far above the ~45 px text lines
    assert text_runs[1] > 150 and text_runs[2] < 60


def test_long_materials_list_is_cut_with_an_ellipsis_not_a_longer_ticket():
    eight = render_ticket(zh_ticket(materials=[f"材料{i}" for i in range(8)]), 576)
    forty = render_ticket(zh_ticket(materials=[f"材料{i}" for i in range(40)]), 576)
    six = render_ticket(zh_ticket(materials=[f"材料{i}" for i in range(6)]), 576)
    save(forty, "ticket_zh_40_materials.png")
    assert forty.height == eight.height > six.height


def test_zh_and_en_labels_differ_and_follow_lang():
    zh = render_ticket(zh_ticket(), 576)
    en = render_ticket(zh_ticket(lang="en"), 576)
    assert zh.tobytes() != en.tobytes()


def test_naive_issue_time_is_refused():
    with pytest.raises(ValueError, match="aware"):
        zh_ticket(issued_at=datetime(2026, 11, 23, 9, 5))


# --- wrapping -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def font():
    return ImageFont.truetype(find_cjk_font(), 26)


def test_chinese_wraps_between_characters_within_width(font):
    text = "婚姻状况证明（结婚证或离婚证及离婚协议）以及其他相关的证明材料原件和复印件"
    lines = wrap_text(text, font, 300)
    assert len(lines) >= 3
    assert all(font.getlength(line) <= 300 for line in lines)
    assert "".join(lines) == text
    assert not any(line[0] in "，。）" for line in lines)


def test_english_wraps_between_words(font):
    text = "Power of attorney and the agent's ID card if someone applies on your behalf"
    lines = wrap_text(text, font, 250)
    assert all(font.getlength(line) <= 250 for line in lines)
    assert " ".join(lines) == text  # no word was split


def test_mixed_and_overlong_words_are_split_not_clipped(font):
    text = "请携带ID card与https://hall.example/a/very/long/path/that/cannot/fit/on/one/line"
    lines = wrap_text(text, font, 200)
    assert all(font.getlength(line) <= 200 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_truncate_adds_ellipsis_within_width(font):
    lines = wrap_text("一二三四五六七八九十" * 10, font, 200)
    cut = truncate_lines(lines, 3, font, 200)
    assert len(cut) == 3 and cut[-1].endswith("…")
    assert font.getlength(cut[-1]) <= 200
    assert truncate_lines(lines[:2], 3, font, 200) == lines[:2]


# --- fonts --------------------------------------------------------------------------------


def test_a_font_without_chinese_is_refused_clearly():
    with pytest.raises(CjkFontNotFound, match="no Chinese glyphs"):
        render_ticket(zh_ticket(), 576, font_path=DEJAVU)
    with pytest.raises(CjkFontNotFound, match="does not exist"):
        render_ticket(zh_ticket(), 576, font_path="/nonexistent/font.ttf")


def test_no_cjk_font_on_the_machine_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(fonts_module, "CJK_FONT_FILES", (DEJAVU,))
    monkeypatch.setattr(fonts_module, "_fontconfig_candidates", lambda: [DEJAVU])
    find_cjk_font.cache_clear()
    try:
        with pytest.raises(CjkFontNotFound, match="fonts-wqy-microhei"):
            find_cjk_font()
    finally:
        find_cjk_font.cache_clear()


# --- decode the printed bytes -------------------------------------------------------------


@pytest.mark.parametrize("make", [zh_ticket, en_ticket])
def test_printed_bytes_decode_back_to_the_ticket_and_carry_no_text(make):
    ticket = make()
    printer = open_printer(PrinterConfig(kind="fake"))
    print_ticket(printer, ticket, 576)
    out = printer.output

    assert out.startswith(b"\x1b@\x1dv0")  # reset, then straight into a raster image
    assert out.endswith(b"\x1bd\x06\x1dV\x00")  # feed 6 lines, full cut
    fragments = raster_images(out)
    assert len(fragments) >= 2  # python-escpos splits images taller than 960 dots
    paper = stack(fragments)
    save(paper.convert("L"), f"ticket_{ticket.lang}_from_bytes.png")
    assert paper.tobytes() == render_ticket(ticket, 576).tobytes()
    [qr] = decode(paper.convert("L"))
    assert qr.data.decode() == ticket.qr_data

    texts = [
        ticket.hall_name,
        ticket.number,
        ticket.department,
        ticket.matter,
        ticket.footer,
        ticket.qr_data,
        *ticket.materials,
    ]
    for text in texts:
        for encoding in ("utf-8", "gb18030", "utf-16-le"):
            assert text.encode(encoding) not in out, (text, encoding)
