"""The lobby screen: big, dark, high-contrast, drawn from a `Snapshot`.

Every part is drawn with QPainter in "design pixels" (a 1920x1080 landscape or 1080x1920
portrait screen) and scaled to the real screen, so the picture is the same on any TV. Text
that does not fit is first drawn smaller, then cut with "…": nothing is ever clipped. The
waiting panel never cuts a department's name: it shrinks, re-flows and then pages instead.

Each part records the texts it drew (`drawn`), which tests use to compare two screens, and
each line's box and font (`boxes`), which tests measure.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QRectF, QSize, Qt, QTimer
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPixmap,
    QTextLayout,
)
from PySide6.QtWidgets import QWidget

from hallcall.device_kit.qt_theme import qcolor
from hallcall.device_kit.text_fit import wrap_text
from hallcall.device_kit.theme import PALETTE as P

from .model import CallRow, QueueRow, Snapshot, WindowRow

# ------------------------------------------------------------------ look (device_kit.theme)
BG = qcolor(P.lobby_background)
BAND = qcolor(P.lobby_band)  # the header and the marquee
PANEL = qcolor(P.lobby_panel)
PANEL_EDGE = qcolor(P.lobby_panel_edge)
CELL = qcolor(P.lobby_cell)
TEXT = qcolor(P.lobby_text)
MUTED = qcolor(P.lobby_muted)
DIM = qcolor(P.lobby_dim)
ACCENT = qcolor(P.lobby_accent)  # the newest call
ACCENT_DARK = qcolor(P.lobby_on_accent)
ACCENT_SOFT = qcolor(P.lobby_accent_soft)
STATUS_COLOR = {
    "serving": qcolor(P.success_bright),
    "open": qcolor(P.lobby_open),
    "paused": qcolor(P.warning_bright),
    "closed": qcolor(P.lobby_closed),
}
OFFLINE_RED = qcolor(P.danger_bright)

DESIGN = {"landscape": QSize(1920, 1080), "portrait": QSize(1080, 1920)}


class Fonts:
    """Font families, chosen once the application exists (see `Fonts.setup`)."""

    text: str = ""  # a CJK family (WenQuanYi Micro Hei, Noto Sans CJK SC)
    number: str = ""  # a bold Latin family for ticket numbers and the clock

    @classmethod
    def setup(cls, cjk_family: str | None) -> None:
        families = set(QFontDatabase.families())
        cls.text = cjk_family or ""
        cls.number = next(
            (f for f in ("DejaVu Sans", "Noto Sans", "Liberation Sans") if f in families), cls.text
        )


def font(px: float, bold: bool = False, numeric: bool = False) -> QFont:
    f = QFont()
    families = [x for x in ((Fonts.number, Fonts.text) if numeric else (Fonts.text,)) if x]
    if families:
        f.setFamilies(families)
    f.setPixelSize(max(1, round(px)))
    f.setBold(bold)
    f.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return f


@lru_cache(maxsize=2048)
def _fit_px(text: str, width: float, px: float, min_px: float, bold: bool, numeric: bool) -> float:
    """The largest size from px down to min_px at which text fits in width (bounded cache)."""
    size = px
    while size > min_px:
        if QFontMetricsF(font(size, bold, numeric)).horizontalAdvance(text) <= width:
            return size
        size = max(min_px, size * 0.92)
    return min_px


class Painted(QWidget):
    """A part of the screen drawn in design pixels; `scale` maps them to real pixels."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.scale = 1.0
        self.drawn: list[str] = []
        self.elided: list[str] = []
        #: Each line drawn, with its box (design px) and font: tests measure that it fits.
        self.boxes: list[tuple[str, QRectF, QFont]] = []
        self.dirty = QRectF()  # the part being repainted, in design pixels
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, False)

    @property
    def design_w(self) -> float:
        return self.width() / self.scale

    @property
    def design_h(self) -> float:
        return self.height() / self.scale

    def paintEvent(self, event: QPaintEvent) -> None:
        full = event.rect().contains(self.rect())
        # a partial paint adds nothing new: keep what the last full one drew
        kept = None if full else (self.drawn, self.elided, self.boxes)
        self.drawn, self.elided, self.boxes = [], [], []
        r = event.rect()
        s = self.scale
        self.dirty = QRectF(r.x() / s, r.y() / s, r.width() / s, r.height() / s)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        p.scale(self.scale, self.scale)
        self.draw(p, self.design_w, self.design_h)
        p.end()
        if kept is not None:
            self.drawn, self.elided, self.boxes = kept

    def draw(self, p: QPainter, w: float, h: float) -> None:
        raise NotImplementedError

    # -- text helpers -------------------------------------------------------------------
    def text(
        self,
        p: QPainter,
        rect: QRectF,
        text: str,
        px: float,
        color: QColor = TEXT,
        *,
        bold: bool = False,
        numeric: bool = False,
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
        min_px: float | None = None,
    ) -> float:
        """Draw one line, shrunk (to min_px) and then elided to fit; returns its width."""
        if not text:
            return 0.0
        size = _fit_px(text, rect.width(), px, min_px or px * 0.6, bold, numeric)
        f = font(size, bold, numeric)
        fm = QFontMetricsF(f)
        shown = text
        if fm.horizontalAdvance(text) > rect.width():
            shown = fm.elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
            self.elided.append(text)
        p.setFont(f)
        p.setPen(color)
        p.drawText(rect, int(align), shown)
        self.drawn.append(shown)
        self.boxes.append((shown, QRectF(rect), f))
        return min(rect.width(), fm.horizontalAdvance(shown))

    def wrapped(
        self,
        p: QPainter,
        rect: QRectF,
        text: str,
        px: float,
        color: QColor = TEXT,
        *,
        max_lines: int = 2,
        bold: bool = False,
        center: bool = False,
    ) -> None:
        """Draw text on up to max_lines lines (CJK breaks anywhere); the last one elided."""
        if not text:
            return
        f = font(px, bold)
        fm = QFontMetricsF(f)
        layout = QTextLayout(text, f)
        layout.beginLayout()
        spans = []
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(rect.width())
            spans.append((line.textStart(), line.textLength()))
        layout.endLayout()
        lines = [text[s : s + n].strip() for s, n in spans[:max_lines]]
        if len(spans) > max_lines:
            rest = text[spans[max_lines - 1][0] :].strip()
            lines[-1] = fm.elidedText(rest, Qt.TextElideMode.ElideRight, rect.width())
            self.elided.append(text)
        line_h = fm.height()
        top = rect.top() + max(0.0, (rect.height() - line_h * len(lines)) / 2)
        p.setFont(f)
        p.setPen(color)
        align = Qt.AlignmentFlag.AlignHCenter if center else Qt.AlignmentFlag.AlignLeft
        for i, line_text in enumerate(lines):
            box = QRectF(rect.left(), top + i * line_h, rect.width(), line_h)
            p.drawText(box, int(align | Qt.AlignmentFlag.AlignVCenter), line_text)
            self.drawn.append(line_text)
            self.boxes.append((line_text, box, f))


def panel(
    p: QPainter,
    rect: QRectF,
    fill: QColor = PANEL,
    edge: QColor = PANEL_EDGE,
    radius: float = 18,
    width: float = 2,
) -> None:
    path = QPainterPath()
    path.addRoundedRect(rect, radius, radius)
    p.fillPath(path, fill)
    if width > 0:
        p.setPen(QPen(edge, width))
        p.drawPath(path)


def _second(texts: tuple[str, ...]) -> str:
    """The text in the second language, unless it only repeats the first."""
    return texts[1] if len(texts) > 1 and texts[1] and texts[1] != texts[0] else ""


def window_label(number: int, lang: str) -> str:
    return f"{number}号窗口" if lang == "zh" else f"Window {number}"


# ------------------------------------------------------------------ header: hall name, date, clock
WEEKDAYS_ZH = "一二三四五六日"


class Header(Painted):
    def __init__(self, now: Callable[[], datetime], parent: QWidget | None = None):
        super().__init__(parent)
        self.now = now
        self.snapshot: Snapshot | None = None
        self._zone_name = ""
        self._zone: ZoneInfo | timezone = UTC

    def set_snapshot(self, snap: Snapshot) -> None:
        self.snapshot = snap
        if snap.timezone != self._zone_name:
            self._zone_name = snap.timezone
            try:
                self._zone = ZoneInfo(snap.timezone)
            except (ZoneInfoNotFoundError, ValueError):
                self._zone = UTC
        self.update()

    def clock_texts(self) -> tuple[str, str, str]:
        local = self.now().astimezone(self._zone)
        zh = f"{local.year}年{local.month}月{local.day}日 星期{WEEKDAYS_ZH[local.weekday()]}"
        en = local.strftime("%A, %d %B %Y")
        return local.strftime("%H:%M:%S"), zh, en

    def draw(self, p: QPainter, w: float, h: float) -> None:
        p.fillRect(QRectF(0, 0, w, h), BAND)
        p.fillRect(QRectF(0, h - 4, w, 4), ACCENT)
        snap = self.snapshot
        langs = snap.languages if snap else ("zh",)
        clock, date_zh, date_en = self.clock_texts()
        clock_w = QFontMetricsF(font(h * 0.52, True, True)).horizontalAdvance("00:00:00") + 10
        clock_rect = QRectF(w - clock_w - 32, 0, clock_w, h - 4)
        self.text(
            p,
            clock_rect,
            clock,
            h * 0.52,
            TEXT,
            bold=True,
            numeric=True,
            align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
        )
        dates = [date_zh if lang == "zh" else date_en for lang in langs]
        date_w = min(w * 0.3, 430)
        date_x = clock_rect.left() - date_w - 24
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if len(dates) > 1:
            self.text(
                p, QRectF(date_x, h * 0.14, date_w, h * 0.40), dates[0], h * 0.27, TEXT, align=right
            )
            self.text(
                p, QRectF(date_x, h * 0.54, date_w, h * 0.32), dates[1], h * 0.2, MUTED, align=right
            )
        else:
            self.text(p, QRectF(date_x, 0, date_w, h - 4), dates[0], h * 0.3, TEXT, align=right)
        name = snap.hall_name if snap else ("",)
        name_w = date_x - 32 - 24
        name2 = _second(name)
        if name2:
            self.text(p, QRectF(32, h * 0.1, name_w, h * 0.48), name[0], h * 0.38, TEXT, bold=True)
            self.text(p, QRectF(32, h * 0.58, name_w, h * 0.3), name2, h * 0.21, MUTED)
        else:
            self.text(p, QRectF(32, 0, name_w, h - 4), name[0], h * 0.42, TEXT, bold=True)


# ------------------------------------------------------------------ the newest call
class NowCalling(Painted):
    """The newest call, huge; it flashes for a few seconds when it is new."""

    def __init__(self, parent: QWidget | None = None, wide: bool = False):
        super().__init__(parent)
        self.wide = wide  # portrait: number and window side by side
        self.call: CallRow | None = None
        self.languages: tuple[str, ...] = ("zh", "en")
        self.flash_on = False
        self.highlight = False

    def set_call(self, call: CallRow | None, languages: tuple[str, ...]) -> None:
        if call != self.call or languages != self.languages:
            self.call, self.languages = call, languages
            self.update()

    def draw(self, p: QPainter, w: float, h: float) -> None:
        on = self.flash_on
        fill = ACCENT if on else PANEL
        edge = ACCENT if (self.highlight or on) else PANEL_EDGE
        panel(p, QRectF(2, 2, w - 4, h - 4), fill, edge, 22, 4 if self.highlight else 2)
        fg = ACCENT_DARK if on else TEXT
        number_color = ACCENT_DARK if on else ACCENT
        sub = ACCENT_SOFT if on else MUTED
        langs = self.languages
        first, second = langs[0], langs[1] if len(langs) > 1 else None
        title = "正在叫号" if first == "zh" else "Now calling"
        title2 = ("Now calling" if second == "en" else "正在叫号") if second is not None else ""
        tx = 28
        tw = self.text(p, QRectF(tx, 12, w - 2 * tx, 52), title, 36, fg, bold=True)
        if title2:
            self.text(p, QRectF(tx + tw + 16, 18, w - 2 * tx - tw - 16, 44), title2, 26, sub)
        c = self.call
        if c is None:
            empty = "请留意叫号" if first == "zh" else "Waiting for the next call"
            self.text(
                p,
                QRectF(tx, 70, w - 2 * tx, h - 90),
                empty,
                48,
                MUTED,
                align=Qt.AlignmentFlag.AlignCenter,
            )
            return
        if c.recall:
            badge = "再次呼叫" if first == "zh" else "Recall"
            if second is not None:
                badge += " · " + ("Recall" if second == "en" else "再次呼叫")
            bw = QFontMetricsF(font(24, True)).horizontalAdvance(badge) + 28
            r = QRectF(w - tx - bw, 18, bw, 40)
            panel(p, r, ACCENT_SOFT if on else ACCENT, ACCENT, 20, 0)
            self.text(
                p,
                r,
                badge,
                24,
                ACCENT if on else ACCENT_DARK,
                bold=True,
                align=Qt.AlignmentFlag.AlignCenter,
            )
        window_lines = [
            (
                f"请到 {c.window_number} 号窗口"
                if lang == "zh"
                else f"Please go to window {c.window_number}"
            )
            for lang in langs
        ]
        dep = c.department[0] if c.department else ""
        center = Qt.AlignmentFlag.AlignCenter
        if self.wide:
            half = w * 0.5
            self.text(
                p,
                QRectF(tx, 64, half - tx, h - 120),
                c.number,
                h * 0.52,
                number_color,
                bold=True,
                numeric=True,
                align=center,
            )
            y = 80.0
            self.text(
                p, QRectF(half, y, half - tx, 100), window_lines[0], 60, fg, bold=True, align=center
            )
            if len(window_lines) > 1:
                self.text(
                    p, QRectF(half, y + 100, half - tx, 60), window_lines[1], 36, sub, align=center
                )
            self.text(p, QRectF(tx, h - 64, w - 2 * tx, 44), dep, 28, sub, align=center)
        else:
            self.text(
                p,
                QRectF(tx, 60, w - 2 * tx, h * 0.42),
                c.number,
                h * 0.36,
                number_color,
                bold=True,
                numeric=True,
                align=center,
            )
            y = 60 + h * 0.42
            self.text(
                p,
                QRectF(tx, y, w - 2 * tx, h * 0.16),
                window_lines[0],
                h * 0.13,
                fg,
                bold=True,
                align=center,
            )
            y += h * 0.16
            if len(window_lines) > 1:
                self.text(
                    p,
                    QRectF(tx, y, w - 2 * tx, h * 0.1),
                    window_lines[1],
                    h * 0.075,
                    sub,
                    align=center,
                )
                y += h * 0.1
            self.text(p, QRectF(tx, y, w - 2 * tx, h - y - 12), dep, 26, sub, align=center)


# ------------------------------------------------------------------ the latest calls
class RecentCalls(Painted):
    def __init__(self, parent: QWidget | None = None, columns: int = 2):
        super().__init__(parent)
        self.columns = columns
        self.calls: tuple[CallRow, ...] = ()
        self.languages: tuple[str, ...] = ("zh", "en")

    def set_calls(self, calls: tuple[CallRow, ...], languages: tuple[str, ...]) -> None:
        if calls != self.calls or languages != self.languages:
            self.calls, self.languages = calls, languages
            self.update()

    def draw(self, p: QPainter, w: float, h: float) -> None:
        panel(p, QRectF(2, 2, w - 4, h - 4))
        langs = self.languages
        first, second = langs[0], langs[1] if len(langs) > 1 else None
        title = "最近叫号" if first == "zh" else "Latest calls"
        tw = self.text(p, QRectF(24, 10, w - 48, 44), title, 30, TEXT, bold=True)
        if second is not None:
            self.text(
                p,
                QRectF(24 + tw + 14, 14, w - 62 - tw, 38),
                "Latest calls" if second == "en" else "最近叫号",
                22,
                MUTED,
            )
        cols = self.columns
        top = 62.0
        rows = max(1, math.ceil(max(1, len(self.calls)) / cols))
        rows = max(rows, 4 if cols <= 2 else 2)
        cell_w = (w - 24 - 24 * cols) / cols
        cell_h = min(64.0, (h - top - 12) / rows)
        if not self.calls:
            self.text(
                p,
                QRectF(24, top, w - 48, h - top - 16),
                "—",
                36,
                DIM,
                align=Qt.AlignmentFlag.AlignCenter,
            )
            return
        for i, c in enumerate(self.calls[: cols * rows]):
            col, row = i % cols, i // cols
            x = 24 + col * (cell_w + 24)
            y = top + row * cell_h
            cell = QRectF(x, y + 4, cell_w, cell_h - 8)
            panel(p, cell, CELL, PANEL_EDGE, 12, 1)
            nw = cell_w * 0.46
            self.text(
                p,
                QRectF(x + 14, y, nw - 14, cell_h),
                c.number,
                cell_h * 0.58,
                TEXT,
                bold=True,
                numeric=True,
            )
            win = f"→ {c.window_number}号" if first == "zh" else f"→ W{c.window_number}"
            if c.recall:
                win += " ↻"
            self.text(
                p,
                QRectF(x + nw, y, cell_w - nw - 12, cell_h),
                win,
                cell_h * 0.44,
                ACCENT if c.recall else MUTED,
                bold=True,
                align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            )


# ------------------------------------------------------------------ every window
def grid_shape(n: int, w: float, h: float, aspect: float = 1.35) -> tuple[int, int]:
    """Columns and rows that make the largest tiles of about `aspect` width:height."""
    best, shape = -1.0, (1, max(1, n))
    for cols in range(1, max(1, n) + 1):
        rows = math.ceil(max(1, n) / cols)
        size = min(w / cols / aspect, h / rows)
        if size > best:
            best, shape = size, (cols, rows)
    return shape


class WindowGrid(Painted):
    GAP = 14.0

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.windows: tuple[WindowRow, ...] = ()
        self.languages: tuple[str, ...] = ("zh", "en")
        self.highlight: str | None = None  # the window of the newest call, while it flashes
        self.flash_on = False
        self._tiles: dict[str, QRectF] = {}  # design rects of the last paint

    def set_windows(self, windows: tuple[WindowRow, ...], languages: tuple[str, ...]) -> None:
        if windows != self.windows or languages != self.languages:
            self.windows, self.languages = windows, languages
            self.update()

    def draw(self, p: QPainter, w: float, h: float) -> None:
        n = len(self.windows)
        if n == 0:
            return
        cols, rows = grid_shape(n, w + self.GAP, h + self.GAP)
        tw = (w - self.GAP * (cols - 1)) / cols
        th = (h - self.GAP * (rows - 1)) / rows
        for i, win in enumerate(self.windows):
            x = (i % cols) * (tw + self.GAP)
            y = (i // cols) * (th + self.GAP)
            self._tiles[win.id] = QRectF(x, y, tw, th)
            if self._tiles[win.id].intersects(self.dirty):
                self.tile(p, self._tiles[win.id], win)

    def update_tile(self, window_id: str | None) -> None:
        """Repaint only one tile (the flashing one): a full grid costs tens of ms on a Pi."""
        r = self._tiles.get(window_id or "")
        if r is None:
            self.update()
            return
        s = self.scale
        self.update(
            QRectF(
                r.x() * s - 2, r.y() * s - 2, r.width() * s + 4, r.height() * s + 4
            ).toAlignedRect()
        )

    def tile(self, p: QPainter, r: QRectF, win: WindowRow) -> None:
        color = STATUS_COLOR[win.status]
        lit = self.highlight == win.id
        fill = (
            qcolor(P.lobby_lit_tile)
            if (lit and self.flash_on)
            else PANEL
            if win.status != "closed"
            else qcolor(P.lobby_closed_tile)
        )
        panel(p, r, fill, ACCENT if lit else PANEL_EDGE, 14, 4 if lit else 1.5)
        # status bar on the left edge
        bar = QPainterPath()
        bar.addRoundedRect(QRectF(r.left() + 1, r.top() + 10, 7, r.height() - 20), 3, 3)
        p.fillPath(bar, color)
        th, tw = r.height(), r.width()
        pad = 16.0
        x0 = r.left() + pad
        inner = tw - 2 * pad
        langs = self.languages
        # row 1: window number badge, clerk name and post
        badge = th * 0.26
        b = QRectF(x0, r.top() + 10, badge * 1.25, badge)
        panel(p, b, color if win.status != "closed" else qcolor(P.lobby_closed_badge), color, 8, 0)
        self.text(
            p,
            b,
            str(win.number),
            badge * 0.72,
            BG if win.status != "closed" else MUTED,
            bold=True,
            numeric=True,
            align=Qt.AlignmentFlag.AlignCenter,
        )
        name_x = b.right() + 10
        clerk = win.clerk[0]
        if clerk:
            post = win.post[0]
            cw = self.text(
                p,
                QRectF(name_x, b.top(), r.right() - pad - name_x, badge),
                clerk,
                badge * 0.62,
                TEXT,
                bold=True,
            )
            post_w = QFontMetricsF(font(badge * 0.42)).horizontalAdvance(post) if post else 0.0
            if post and name_x + cw + 8 + post_w <= r.right() - pad:  # only when it fits whole
                self.text(
                    p,
                    QRectF(name_x + cw + 8, b.top() + 2, post_w + 1, badge),
                    post,
                    badge * 0.42,
                    MUTED,
                )
        else:
            self.text(
                p,
                QRectF(name_x, b.top(), r.right() - pad - name_x, badge),
                window_label(win.number, langs[0]),
                badge * 0.55,
                MUTED,
            )
        # row 2: the number being served, or the window's status
        mid = QRectF(x0, b.bottom() + th * 0.03, inner, th * 0.38)
        center = Qt.AlignmentFlag.AlignCenter
        if win.status == "serving" and win.current:
            self.text(
                p,
                mid,
                win.current,
                th * 0.33,
                TEXT if not lit else ACCENT,
                bold=True,
                numeric=True,
                align=center,
            )
        else:
            status = win.status_text
            if win.status == "paused" and win.pause_reason:
                second = win.pause_reason
            else:
                second = _second(status)
            top_h = mid.height() * (0.6 if second else 1.0)
            self.text(
                p,
                QRectF(mid.left(), mid.top(), mid.width(), top_h),
                status[0],
                th * 0.17,
                color if win.status != "closed" else MUTED,
                bold=True,
                align=center,
            )
            if second:
                self.text(
                    p,
                    QRectF(mid.left(), mid.top() + top_h, mid.width(), mid.height() - top_h),
                    second,
                    th * 0.1,
                    MUTED if win.status != "closed" else DIM,
                    align=center,
                )
        # row 3: the departments it serves
        dep = win.department[0] if win.department else ""
        if win.flex and not dep:
            dep = "弹性窗口" if langs[0] == "zh" else "Flex window"
        dep_rect = QRectF(x0, mid.bottom() + 2, inner, r.bottom() - mid.bottom() - 8)
        self.wrapped(
            p,
            dep_rect,
            dep,
            min(th * 0.105, 22),
            MUTED if win.status != "closed" else DIM,
            max_lines=2,
            center=True,
        )


# ------------------------------------------------------------------ waiting per department
#: Department names in the waiting panel are tried from NAME_MAX_PX down to NAME_MIN_PX (design
#: px; the window tiles' department lines are about 20) on up to three lines before the panel
#: pages: a name is never cut.
NAME_MAX_PX = 28
NAME_MIN_PX = 20
#: Seconds each page of the waiting panel stays when the departments need more than one page.
PAGE_S = 8.0
CHIP_GAP = 8.0
MIN_CHIP_H = 48.0


def _line_h(px: int) -> float:
    return QFontMetricsF(font(px)).height()


@lru_cache(maxsize=4096)
def name_lines(text: str, width: float, px: int, max_lines: int) -> tuple[str, ...] | None:
    """`text` on at most max_lines lines no wider than `width` at `px`, or None if it cannot be.

    The kiosk's rules (device_kit/src/hallcall/device_kit/text_fit.py): a name with a bracketed part
    ("人力资源和社会保障局（社保医保参保登记）") breaks before the bracket when that costs no
    line, so each line reads as a phrase; Chinese breaks between characters, Latin at spaces.
    """
    if width <= 0:
        return None
    lines = wrap_text(text, width, QFontMetricsF(font(px)).horizontalAdvance)
    if lines is None or len(lines) > max_lines:
        return None
    return tuple(lines)


@dataclass(frozen=True)
class ChipBoxes:
    """Where a department's chip draws its parts (design px)."""

    badge: QRectF | None
    name: QRectF
    count: QRectF
    extra: QRectF | None
    count_px: float
    extra_px: float


def chip_boxes(cell: QRectF, count: str, extra: str, prefix: bool) -> ChipBoxes:
    """The chip's parts from the right: the unit, the count (room for two digits at least),
    then the prefix badge on the left and the name in what is left."""
    ch = cell.height()
    pad = 12.0
    count_px = max(24.0, min(ch * 0.6, 44.0))
    count_fm = QFontMetricsF(font(count_px, True, True))
    count_w = max(count_fm.horizontalAdvance(count), count_fm.horizontalAdvance("88")) + 2
    count_h = min(ch - 4, count_fm.height())
    top = cell.top() + (ch - count_h) / 2
    extra_px = max(18.0, count_px * 0.5)
    right = cell.right() - pad
    extra_box = None
    if extra:
        extra_w = QFontMetricsF(font(extra_px)).horizontalAdvance(extra) + 2
        extra_box = QRectF(right - extra_w, top, extra_w, count_h)
        right -= extra_w + 6
    count_box = QRectF(right - count_w, top, count_w, count_h)
    right = count_box.left() - 12
    x = cell.left() + pad
    badge = None
    if prefix:
        bh = min(ch - 16, 40.0)
        badge = QRectF(x, cell.top() + (ch - bh) / 2, bh * 1.1, bh)
        x = badge.right() + 10
    name = QRectF(x, cell.top() + 3, max(0.0, right - x), ch - 6)
    return ChipBoxes(badge, name, count_box, extra_box, count_px, extra_px)


def _counts(q: QueueRow, lang: str) -> tuple[str, str]:
    """The count and the small text after it (unit, priority tickets, or closed)."""
    if q.closed:
        return str(q.waiting), "已停止" if lang == "zh" else "closed"
    extra = "人" if lang == "zh" else ""
    if q.priority_waiting:
        extra += (" 优先 " if lang == "zh" else " priority ") + str(q.priority_waiting)
    return str(q.waiting), extra.strip()


@dataclass(frozen=True)
class WaitingPlan:
    """How the waiting panel shows its departments: a grid of rows x cols chips per page, one
    name size for all, and each department's name already broken into lines."""

    rows: int
    cols: int
    pages: tuple[tuple[int, ...], ...]  # indices into the queues, page by page
    name_px: int
    lines: tuple[tuple[str, ...] | None, ...]  # None: fits nowhere, drawn elided (last resort)


def _balanced(n: int, per: int) -> tuple[tuple[int, ...], ...]:
    """n items on ceil(n/per) pages of nearly equal size (12 by 8 -> 6 + 6, not 8 + 4)."""
    k = math.ceil(n / per)
    sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
    out, start = [], 0
    for size in sizes:
        out.append(tuple(range(start, start + size)))
        start += size
    return tuple(out)


def _fit_all(items, cw: float, ch: float, px: int) -> tuple[tuple[str, ...], ...] | None:
    lh = _line_h(px)
    out = []
    for name, count, extra, prefix in items:
        box = chip_boxes(QRectF(0, 0, cw, ch), count, extra, prefix).name
        max_lines = min(3, int(box.height() // lh))
        if max_lines < 1:
            return None
        lines = name_lines(name, round(box.width(), 1), px, max_lines)
        if lines is None:
            return None
        out.append(lines)
    return tuple(out)


def plan_waiting(items: tuple[tuple[str, str, str, bool], ...], w: float, h: float) -> WaitingPlan:
    """The fewest pages, then the largest name size, at which every name fits whole.

    `items` are (name, count, extra, has prefix) per department; w x h is the chips' area.
    """
    n = len(items)
    if n == 0:
        return WaitingPlan(1, 1, ((),), NAME_MAX_PX, ())
    tried = set()
    for pages in range(1, n + 1):
        per = math.ceil(n / pages)
        if per in tried:
            continue
        tried.add(per)
        best: WaitingPlan | None = None
        for rows in range(1, per + 1):
            ch = (h - CHIP_GAP * (rows - 1)) / rows
            if ch < MIN_CHIP_H and rows > 1:
                break
            cols = math.ceil(per / rows)
            if (rows - 1) * cols >= per:
                continue  # a row would stay empty
            cw = (w - CHIP_GAP * (cols - 1)) / cols
            for px in range(NAME_MAX_PX, NAME_MIN_PX - 1, -1):
                if best is not None and px <= best.name_px:
                    break
                lines = _fit_all(items, cw, ch, px)
                if lines is not None:
                    best = WaitingPlan(rows, cols, _balanced(n, per), px, lines)
                    break
        if best is not None:
            return best
    return WaitingPlan(1, 1, _balanced(n, 1), NAME_MIN_PX, tuple(None for _ in items))


class WaitingStrip(Painted):
    """How many wait per department. Every name is shown whole: smaller (down to NAME_MIN_PX)
    and on up to three lines first; when the departments still do not fit, they are shown page
    by page, PAGE_S seconds each, with "1/2" under the title."""

    LABEL_W = 150.0

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.queues: tuple[QueueRow, ...] = ()
        self.languages: tuple[str, ...] = ("zh", "en")
        self.page = 0
        #: What the last paint showed: department id -> the lines of its name (tests).
        self.shown_names: dict[str, tuple[str, ...]] = {}
        self._plan: tuple[tuple, WaitingPlan] | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(int(PAGE_S * 1000))
        self.timer.timeout.connect(self.next_page)

    def set_queues(self, queues: tuple[QueueRow, ...], languages: tuple[str, ...]) -> None:
        if queues != self.queues or languages != self.languages:
            self.queues, self.languages = queues, languages
            self.plan()
            self.update()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.plan()

    @property
    def side_label(self) -> bool:
        """A wide strip (landscape) has its title on the left; a taller one (portrait) on top."""
        return self.design_w >= 7 * self.design_h

    def chip_area(self) -> QRectF:
        w, h = self.design_w, self.design_h
        if self.side_label:
            x = self.LABEL_W + 8
            return QRectF(x, 8, w - x - 12, h - 16)
        return QRectF(12, 52, w - 24, h - 60)

    def plan(self) -> WaitingPlan:
        """The current plan (recomputed only when the texts or the size changed)."""
        lang = self.languages[0]
        items = tuple(
            (q.name[0] if q.name else q.department, *_counts(q, lang), bool(q.prefix))
            for q in self.queues
        )
        area = self.chip_area()
        key = (items, round(area.width(), 1), round(area.height(), 1))
        if self._plan is None or self._plan[0] != key:
            plan = (
                plan_waiting(items, area.width(), area.height())
                if area.width() > 0 and area.height() > 0
                else WaitingPlan(1, 1, ((),), NAME_MAX_PX, ())
            )
            self._plan = (key, plan)
            pages = len(plan.pages)
            self.page = self.page % pages
            if pages > 1 and not self.timer.isActive():
                self.timer.start()
            elif pages <= 1:
                self.timer.stop()
        return self._plan[1]

    @property
    def pages(self) -> list[list[str]]:
        """The department ids on each page."""
        return [[self.queues[i].department for i in page] for page in self.plan().pages]

    def next_page(self) -> None:
        pages = len(self.plan().pages)
        if pages > 1:
            self.page = (self.page + 1) % pages
            self.update()

    def show_page(self, page: int) -> None:
        """Show `page` now; the next one follows PAGE_S seconds later."""
        pages = len(self.plan().pages)
        self.page = page % pages
        if pages > 1:
            self.timer.start()
        self.update()

    def draw(self, p: QPainter, w: float, h: float) -> None:
        panel(p, QRectF(2, 2, w - 4, h - 4))
        langs = self.languages
        title = "等候人数" if langs[0] == "zh" else "Waiting"
        title2 = ("Waiting" if langs[1] == "en" else "等候人数") if len(langs) > 1 else ""
        plan = self.plan()
        pages = len(plan.pages)
        self.page %= pages
        indicator = f"{self.page + 1}/{pages}" if pages > 1 else ""
        if self.side_label:
            lw = self.LABEL_W - 20
            self.text(p, QRectF(20, 10, lw, 44), title, 30, TEXT, bold=True)
            if title2:
                self.text(p, QRectF(20, 54, lw, 32), title2, 22, MUTED)
            if indicator:
                iw = self.text(
                    p, QRectF(20, h - 52, lw, 40), indicator, 28, ACCENT, bold=True, numeric=True
                )
                self._dots(p, 20 + iw + 12, h - 32, lw - iw - 12, pages)
        else:
            tw = self.text(p, QRectF(20, 6, w * 0.4, 42), title, 28, TEXT, bold=True)
            if title2:
                self.text(p, QRectF(20 + tw + 14, 10, w * 0.4, 36), title2, 20, MUTED)
            if indicator:
                iw = QFontMetricsF(font(26, True, True)).horizontalAdvance(indicator) + 2
                dots_w = 14.0 * pages if pages <= 8 else 0.0
                self._dots(p, w - 20 - dots_w, 27, dots_w, pages)
                self.text(
                    p,
                    QRectF(w - 20 - dots_w - 10 - iw, 6, iw, 42),
                    indicator,
                    26,
                    ACCENT,
                    bold=True,
                    numeric=True,
                )
        self.shown_names = {}
        if not self.queues:
            return
        area = self.chip_area()
        cw = (area.width() - CHIP_GAP * (plan.cols - 1)) / plan.cols
        ch = (area.height() - CHIP_GAP * (plan.rows - 1)) / plan.rows
        for slot, i in enumerate(plan.pages[self.page]):
            row, col = divmod(slot, plan.cols)
            x = area.left() + col * (cw + CHIP_GAP)
            cell = QRectF(x, area.top() + row * (ch + CHIP_GAP), cw, ch)
            self.chip(p, cell, self.queues[i], plan.lines[i], plan.name_px)

    def _dots(self, p: QPainter, x: float, cy: float, width: float, pages: int) -> None:
        """One dot per page, the current one lit (drawn only when they all fit)."""
        if pages > 8 or width < 14 * pages:
            return
        p.setPen(Qt.PenStyle.NoPen)
        for i in range(pages):
            p.setBrush(ACCENT if i == self.page else DIM)
            p.drawEllipse(QRectF(x + i * 14 + 2, cy - 4, 8, 8))
        p.setBrush(Qt.BrushStyle.NoBrush)

    def chip(
        self, p: QPainter, cell: QRectF, q: QueueRow, lines: tuple[str, ...] | None, px: int
    ) -> None:
        panel(p, cell, CELL, PANEL_EDGE, 12, 1)
        count, extra = _counts(q, self.languages[0])
        boxes = chip_boxes(cell, count, extra, bool(q.prefix))
        if boxes.badge is not None:
            panel(p, boxes.badge, qcolor(P.lobby_badge), PANEL_EDGE, 6, 0)
            self.text(
                p,
                boxes.badge,
                q.prefix,
                boxes.badge.height() * 0.6,
                ACCENT,
                bold=True,
                numeric=True,
                align=Qt.AlignmentFlag.AlignCenter,
            )
        self.text(
            p,
            boxes.count,
            count,
            boxes.count_px,
            TEXT,
            bold=True,
            numeric=True,
            align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
        )
        if boxes.extra is not None:
            self.text(
                p,
                boxes.extra,
                extra,
                boxes.extra_px,
                MUTED,
                align=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
            )
        name = q.name[0] if q.name else q.department
        color = DIM if q.closed else MUTED
        box = boxes.name
        if lines is None:  # fits nowhere even alone on a page: the last resort is "…"
            lines_fit = max(1, int(box.height() // _line_h(px)))
            self.wrapped(p, box, name, px, color, max_lines=lines_fit)
            self.shown_names[q.department] = (name,)
            return
        lh = _line_h(px)
        top = box.top() + (box.height() - lh * len(lines)) / 2
        for k, line in enumerate(lines):
            line_box = QRectF(box.left(), top + k * lh, box.width(), lh)
            self.text(p, line_box, line, px, color, min_px=px)
        self.shown_names[q.department] = lines


# ------------------------------------------------------------------ the notice line
class Marquee(Painted):
    """The hall's notice, scrolling right to left; the text is drawn once into a pixmap."""

    def __init__(self, speed: float = 120.0, parent: QWidget | None = None):
        super().__init__(parent)
        self.speed = speed  # design pixels per second
        self.message = ""
        self._pixmap: QPixmap | None = None
        self._pixmap_key: tuple = ()
        self._t0 = time.monotonic()
        self.timer = QTimer(self)
        self.timer.setInterval(33)
        self.timer.timeout.connect(self.update)

    def set_message(self, message: str) -> None:
        if message != self.message:
            self.message = message
            self._pixmap = None
            self._t0 = time.monotonic()
            if message and not self.timer.isActive():
                self.timer.start()
            elif not message:
                self.timer.stop()
            self.update()

    def _strip(self, h: float) -> QPixmap:
        key = (self.message, round(h), self.scale)
        if self._pixmap is None or self._pixmap_key != key:
            f = font(h * 0.5)
            fm = QFontMetricsF(f)
            gap = h * 4
            width = fm.horizontalAdvance(self.message) + gap
            pm = QPixmap(max(1, math.ceil(width * self.scale)), max(1, math.ceil(h * self.scale)))
            pm.fill(Qt.GlobalColor.transparent)
            q = QPainter(pm)
            q.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            q.scale(self.scale, self.scale)
            q.setFont(f)
            q.setPen(TEXT)
            q.drawText(
                QRectF(0, 0, width, h),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                self.message,
            )
            q.end()
            self._pixmap, self._pixmap_key = pm, key
        return self._pixmap

    def offset(self, w: float, strip_w: float) -> float:
        """Where the first copy of the text starts: at the left margin, then moving left."""
        travelled = (time.monotonic() - self._t0) * self.speed
        return 24 - travelled % strip_w

    def draw(self, p: QPainter, w: float, h: float) -> None:
        p.fillRect(QRectF(0, 0, w, h), BAND)
        p.fillRect(QRectF(0, 0, w, 3), PANEL_EDGE)
        if not self.message:
            return
        self.drawn.append(self.message)
        strip = self._strip(h)
        sw = strip.width() / self.scale
        x = self.offset(w, sw)
        p.save()
        p.setClipRect(QRectF(0, 0, w, h))
        while x < w:  # as many copies as the width needs: the line never runs empty
            p.drawPixmap(QRectF(x, 0, sw, h), strip, QRectF(strip.rect()))
            x += sw
        p.restore()


# ------------------------------------------------------------------ offline
@dataclass(frozen=True)
class OfflineText:
    zh: str
    en: str


OFFLINE = {
    "server": OfflineText("叫号系统离线 · 暂停叫号", "Queue broker offline: calls are paused"),
    "connection": OfflineText(
        "系统离线 · 与服务器失去连接", "System offline: no connection to the server"
    ),
    "connecting": OfflineText("正在连接叫号系统…", "Connecting to the queue system…"),
}


class OfflineCover(Painted):
    """Covers the (stale) picture with a clear banner while the queue broker is unreachable."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.reason = "connecting"
        self.languages: tuple[str, ...] = ("zh", "en")

    def draw(self, p: QPainter, w: float, h: float) -> None:
        p.fillRect(QRectF(0, 0, w, h), qcolor(P.lobby_background, alpha=215))
        red = OFFLINE_RED if self.reason != "connecting" else qcolor(P.warning)
        bw, bh = min(w - 80, 1500), 260
        r = QRectF((w - bw) / 2, (h - bh) / 2, bw, bh)
        panel(p, r, red, qcolor(P.lobby_alert_edge), 24, 4)
        ink = qcolor(P.on_primary)  # white: 4.5:1 on both banners
        t = OFFLINE[self.reason]
        lines = [t.zh if lang == "zh" else t.en for lang in self.languages]
        center = Qt.AlignmentFlag.AlignCenter
        if len(lines) > 1:
            self.text(
                p,
                QRectF(r.left() + 40, r.top() + 30, bw - 80, 120),
                lines[0],
                78,
                ink,
                bold=True,
                align=center,
            )
            self.text(
                p,
                QRectF(r.left() + 40, r.top() + 150, bw - 80, 80),
                lines[1],
                46,
                ink,
                align=center,
            )
        else:
            self.text(
                p,
                QRectF(r.left() + 40, r.top(), bw - 80, bh),
                lines[0],
                78,
                ink,
                bold=True,
                align=center,
            )


# ------------------------------------------------------------------ the whole screen
LAYOUTS: dict[str, dict[str, tuple[float, float, float, float]]] = {
    "landscape": {
        "header": (0, 0, 1920, 110),
        "now": (24, 130, 620, 430),
        "recent": (24, 578, 620, 272),
        "grid": (668, 130, 1228, 720),
        "waiting": (24, 866, 1872, 140),
        "marquee": (0, 1020, 1920, 60),
        "cover": (0, 110, 1920, 910),
    },
    "portrait": {
        "header": (0, 0, 1080, 130),
        "now": (24, 150, 1032, 340),
        "recent": (24, 508, 1032, 210),
        "grid": (24, 736, 1032, 900),
        "waiting": (24, 1654, 1032, 190),
        "marquee": (0, 1860, 1080, 60),
        "cover": (0, 130, 1080, 1730),
    },
}


class LobbyScreen(QWidget):
    """The lobby picture; `show_snapshot` draws a model's snapshot, `flash` marks a new call."""

    def __init__(
        self,
        layout: str = "landscape",
        *,
        flash_s: float = 6.0,
        marquee_speed: float = 120.0,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        if layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}")
        self.layout_name = layout
        self.flash_s = flash_s
        self.setWindowTitle("HallCall")
        self.setAutoFillBackground(True)
        pal = self.palette()
        pal.setColor(self.backgroundRole(), BG)
        self.setPalette(pal)
        portrait = layout == "portrait"
        self.header = Header(now, self)
        self.now_calling = NowCalling(self, wide=portrait)
        self.recent = RecentCalls(self, columns=4 if portrait else 2)
        self.grid = WindowGrid(self)
        self.waiting = WaitingStrip(self)
        self.marquee = Marquee(marquee_speed, self)
        self.cover = OfflineCover(self)
        self.parts: dict[str, Painted] = {
            "header": self.header,
            "now": self.now_calling,
            "recent": self.recent,
            "grid": self.grid,
            "waiting": self.waiting,
            "marquee": self.marquee,
            "cover": self.cover,
        }
        self.snapshot: Snapshot | None = None
        self._flash_until = 0.0
        self.flash_timer = QTimer(self)
        self.flash_timer.setInterval(400)
        self.flash_timer.timeout.connect(self._flash_tick)
        self.clock_timer = QTimer(self)
        self.clock_timer.setInterval(1000)
        self.clock_timer.timeout.connect(self.header.update)
        self.clock_timer.start()
        self.resize(DESIGN[layout])

    def sizeHint(self) -> QSize:
        return DESIGN[self.layout_name]

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place()

    def part_rects(self) -> dict[str, tuple[float, float, float, float]]:
        """Each part's design rectangle. Without a notice there is no ticker band: the waiting
        panel (the part that needs room when a hall has many departments) and the offline
        cover take its place."""
        rects = dict(LAYOUTS[self.layout_name])
        if not self.marquee.message:
            design = DESIGN[self.layout_name]
            x, y, w, _ = rects["waiting"]
            rects["waiting"] = (x, y, w, design.height() - 16 - y)
            x, y, w, _ = rects["cover"]
            rects["cover"] = (x, y, w, design.height() - y)
        return rects

    def _place(self) -> None:
        design = DESIGN[self.layout_name]
        s = min(self.width() / design.width(), self.height() / design.height())
        ox = (self.width() - design.width() * s) / 2
        oy = (self.height() - design.height() * s) / 2
        for name, (x, y, w, h) in self.part_rects().items():
            part = self.parts[name]
            part.scale = s
            part.setGeometry(round(ox + x * s), round(oy + y * s), round(w * s), round(h * s))
        self.marquee.setVisible(bool(self.marquee.message))
        self.cover.raise_()

    # ------------------------------------------------------------------ content
    def show_snapshot(self, snap: Snapshot) -> None:
        self.snapshot = snap
        langs = snap.languages
        self.header.set_snapshot(snap)
        self.now_calling.set_call(snap.newest, langs)
        self.recent.set_calls(snap.recent, langs)
        self.grid.set_windows(snap.windows, langs)
        self.waiting.set_queues(snap.queues, langs)
        had_notice = bool(self.marquee.message)
        self.marquee.set_message(
            "　　".join(
                t for i, t in enumerate(snap.notice) if t and (i == 0 or t != snap.notice[0])
            )
        )
        if bool(self.marquee.message) != had_notice:
            self._place()  # the ticker band comes or goes: the waiting panel grows or shrinks
        if snap.online:
            self.cover.hide()
        else:
            self.cover.reason = (
                "connection"
                if not snap.connected and snap.server_state != "unknown"
                else "connecting"
                if snap.server_state == "unknown"
                else "server"
            )
            self.cover.languages = langs
            self.cover.show()
            self.cover.raise_()
            self.cover.update()

    def flash(self, window_id: str | None = None) -> None:
        """Make the newest call flash for flash_s seconds (and light its window's tile)."""
        if self.flash_s <= 0:
            return
        self._flash_until = time.monotonic() + self.flash_s
        self.grid.highlight = window_id
        self.now_calling.highlight = True
        self._set_flash(True)
        self.flash_timer.start()

    @property
    def flashing(self) -> bool:
        return self.flash_timer.isActive()

    def _flash_tick(self) -> None:
        if time.monotonic() >= self._flash_until:
            self.flash_timer.stop()
            self._set_flash(False)
            lit, self.grid.highlight = self.grid.highlight, None
            self.grid.update_tile(lit)
            return
        self._set_flash(not self.now_calling.flash_on)

    def _set_flash(self, on: bool) -> None:
        self.now_calling.flash_on = on
        self.grid.flash_on = on
        self.now_calling.update()
        self.grid.update_tile(self.grid.highlight)

    # ------------------------------------------------------------------ tests
    def drawn_texts(self, include_clock: bool = False) -> dict[str, list[str]]:
        """What each part drew last time it was painted (the header's clock left out)."""
        out = {}
        for name, part in self.parts.items():
            if name in ("cover", "marquee") and not part.isVisible():
                continue
            texts = list(part.drawn)
            if name == "header" and not include_clock:
                clock = set(self.header.clock_texts())
                texts = [t for t in texts if t not in clock and not _looks_like_clock(t)]
            out[name] = texts
        return out

    def elided_texts(self) -> list[str]:
        return [t for part in self.parts.values() for t in part.elided]


def _looks_like_clock(text: str) -> bool:
    return (
        len(text) == 8
        and text[2] == ":"
        and text[5] == ":"
        or ("年" in text and "星期" in text)
        or (
            "," in text
            and any(
                day in text
                for day in (
                    "Monday",
                    "Tuesday",
                    "Wednesday",
                    "Thursday",
                    "Friday",
                    "Saturday",
                    "Sunday",
                )
            )
        )
    )


__all__ = ["LAYOUTS", "Fonts", "LobbyScreen", "grid_shape"]
