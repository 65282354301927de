"""Draw a whole ticket as one black-and-white raster image.

Everything, including the QR code, is pixels: printers disagree on Chinese text modes and QR
commands (docs/measured-facts.md), but all of them print a `GS v 0` raster image the same way.
"""

from __future__ import annotations

import qrcode
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M

from .fonts import find_cjk_font
from .ticket import TicketPrint, labels
from .wrapping import ellipsize, wrap_text

#: Materials lists longer than this many printed lines end in "…": a ticket is not a manual.
MAX_MATERIAL_LINES = 8
_INK_THRESHOLD = 170  # grey below this prints black: keeps thin anti-aliased strokes


def render_ticket(
    ticket: TicketPrint,
    width_px: int,
    font_path: str | None = None,
    *,
    max_material_lines: int = MAX_MATERIAL_LINES,
) -> Image.Image:
    """Return the ticket as a mode "1" image exactly width_px wide."""
    return _Canvas(ticket, width_px, find_cjk_font(font_path), max_material_lines).draw()


def _ink(grey: int) -> int:
    """Black (0) or white (255) for a grey level of the mode "L" canvas."""
    return 255 if grey >= _INK_THRESHOLD else 0


class _Canvas:
    def __init__(self, ticket: TicketPrint, width: int, font_path: str, max_material_lines: int):
        self.t, self.w, self.font_path = ticket, width, font_path
        self.max_material_lines = max_material_lines
        self.scale = width / 576
        self.margin = round(16 * self.scale)
        self.inner = width - 2 * self.margin
        self.img = Image.new("L", (width, 2000), 255)
        self.d = ImageDraw.Draw(self.img)
        self.y: int = self.margin  # the next free row: whole pixels

    def font(self, size: float) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(self.font_path, max(8, round(size * self.scale)))

    def draw(self) -> Image.Image:
        t, text = self.t, labels(self.t)
        if t.logo_path:
            self.logo(t.logo_path)
        self.paragraph(t.hall_name, self.font(34), stroke=1)
        self.rule()
        if t.mark:  # a priority or appointment ticket says so first, big
            self.paragraph(t.mark, self.font(48), stroke=1)
            self.rule()
        self.paragraph(text["your_number"], self.font(26))
        self.big_number(t.number)
        if text["booked"]:
            self.paragraph(text["booked"], self.font(32), stroke=1)
        self.paragraph(t.department, self.font(40), stroke=1)
        if text["matter"]:
            self.paragraph(text["matter"], self.font(28))
        self.rule()
        self.paragraph(text["ahead"], self.font(34), stroke=1)
        self.paragraph(text["wait"], self.font(28))
        self.paragraph(text["issued"], self.font(26))
        if t.materials:
            self.rule()
            self.materials(text["materials"], t.materials)
        self.gap(12)
        self.qr(t.qr_data)
        if t.footer:
            self.gap(8)
            self.paragraph(t.footer, self.font(22))
        self.y += self.margin
        self.room(0)
        img = self.img.crop((0, 0, self.w, self.y))
        return img.point(_ink).convert("1")

    def room(self, height: float) -> None:
        """Grow the canvas so the next height pixels fit: long texts are never clipped."""
        needed = int(self.y + height) + 1
        if needed > self.img.height:
            bigger = Image.new("L", (self.w, max(needed, 2 * self.img.height)), 255)
            bigger.paste(self.img, (0, 0))
            self.img, self.d = bigger, ImageDraw.Draw(bigger)

    def gap(self, px: float) -> None:
        self.y += round(px * self.scale)

    def paragraph(self, text: str, font: ImageFont.FreeTypeFont, stroke: int = 0) -> None:
        """Centred, wrapped to the paper: every word printed, none clipped."""
        stroke = _bold(font, stroke)
        for line in wrap_text(text, font, self.inner - 2 * stroke):
            x = (self.w - font.getlength(line)) / 2
            self.room(font.size * 1.3)
            self.d.text((x, self.y), line, font=font, fill=0, stroke_width=stroke, stroke_fill=0)
            self.y += round(font.size * 1.3)

    def big_number(self, number: str) -> None:
        size = round(self.w * 0.40)
        stroke = max(1, round(3 * self.scale))
        while True:
            font = ImageFont.truetype(self.font_path, size)
            left, top, right, bottom = self.d.textbbox(
                (0, 0), number, font=font, stroke_width=stroke
            )
            if right - left <= self.inner or size <= 24:
                break
            size -= 4
        x = (self.w - (right - left)) / 2 - left
        self.gap(4)
        self.room(bottom - top)
        self.d.text(
            (x, self.y - top), number, font=font, fill=0, stroke_width=stroke, stroke_fill=0
        )
        self.y += round(bottom - top)  # textbbox gives whole pixels, typed as float
        self.gap(16)

    def materials(self, header: str, items: list[str]) -> None:
        font = self.font(26)
        step = round(font.size * 1.3)
        bullet = "• "
        indent = font.getlength(bullet)
        lines: list[tuple[float, str]] = []
        for item in items:
            wrapped = wrap_text(item, font, self.inner - indent)
            lines += [(0.0, bullet + wrapped[0])] + [(indent, w) for w in wrapped[1:]]
        if len(lines) > self.max_material_lines:
            x0, last = lines[self.max_material_lines - 1]
            last = ellipsize(last, font, self.inner - x0)
            lines = lines[: self.max_material_lines - 1] + [(x0, last)]
        self.room(step)
        self.d.text((self.margin, self.y), header, font=font, fill=0, stroke_width=_bold(font, 1))
        self.y += step
        self.room(step * len(lines))
        for x, line in lines:
            self.d.text((self.margin + x, self.y), line, font=font, fill=0)
            self.y += step

    def qr(self, data: str) -> None:
        code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
        code.add_data(data)
        code.make(fit=True)
        modules = code.modules_count + 2 * code.border
        box = max(2, min(round(6 * self.scale), int(self.inner * 0.6) // modules))
        code.box_size = box
        qr = code.make_image(fill_color="black", back_color="white").get_image().convert("L")
        self.room(qr.height)
        self.img.paste(qr, ((self.w - qr.width) // 2, self.y))
        self.y += qr.height

    def logo(self, path: str) -> None:
        with Image.open(path) as src:
            logo = src.convert("L")
        logo.thumbnail((self.inner, round(120 * self.scale)))
        self.room(logo.height)
        self.img.paste(logo, ((self.w - logo.width) // 2, self.y))
        self.y += logo.height
        self.gap(8)

    def rule(self) -> None:
        self.gap(10)
        self.room(4)
        dash = round(8 * self.scale)
        for x in range(self.margin, self.w - self.margin, 2 * dash):
            self.d.line(
                (x, self.y, min(x + dash, self.w - self.margin), self.y),
                fill=0,
                width=max(1, round(2 * self.scale)),
            )
        self.gap(12)


def _bold(font: ImageFont.FreeTypeFont, stroke: int) -> int:
    """Fake bold by stroking, but not on small text (58 mm paper): it fills the counters."""
    return stroke if font.size >= 24 else 0
