"""The kiosk's touch screen: renders KioskModel and forwards every touch to it, nothing more.

Designed for a 1080x1920 portrait or 1920x1080 landscape touch screen read from 60 cm:
targets at least 96 px tall, text at least 26 px, dark text on white or white on deep colours.
Long names wrap (never clip); department names are measured and shrunk to fit their tiles, and
departments that do not fit one screen are paged with big buttons (never scrolled); long guides
scroll (drag with a finger, or the wide scroll bar).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetricsF
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QScroller,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from hallcall.device_kit.i18n import localized
from hallcall.device_kit.text_fit import FittedText, Measure, fit_text
from hallcall.device_kit.theme import METRICS, qss

from .model import DepartmentTile, KioskModel, Screen

#: A name size, a detail size, and every tile's name and detail broken into lines at them.
FittedTiles = tuple[int, int, list[FittedText], list[FittedText]]
#: Columns, tiles a page, tile width, tile height, and the fitted texts of every tile.
Plan = tuple[int, int, float, int, FittedTiles]
#: A text measure for each pixel size, and the line height at a size.
Metrics = tuple[Callable[[int], Measure], Callable[[int], float]]

#: The kiosk's style sheet: colours are palette roles (hallcall.device_kit.theme), filled by qss().
STYLE = """
QWidget#kiosk { background: $background; }
QWidget { color: $kiosk_ink; }
QFrame#header { background: $kiosk_brand; }
QLabel#hallName { color: $on_primary; font-size: 42px; font-weight: 700; }
QLabel#title { font-size: 52px; font-weight: 700; color: $kiosk_ink; }
QLabel#subtitle { font-size: 32px; color: $text_secondary; }
QLabel#prompt { font-size: 34px; color: $text; }
QLabel#notice { font-size: 28px; color: $text_secondary; background: $surface_tint;
    border-radius: 16px; padding: 18px 26px; }
QLabel#status { font-size: 24px; color: $muted_dark; }
QFrame#footer { background: $kiosk_footer; }

QPushButton { font-size: 36px; font-weight: 600; border-radius: 18px; min-height: ${touch_min}px;
    padding: 0 36px; background: $surface; color: $kiosk_brand; border: 3px solid $kiosk_brand; }
QPushButton:pressed { background: $pressed; }
QPushButton:disabled { color: $kiosk_disabled_text; border-color: $border_control;
    background: $disabled_surface; }
QPushButton[role="primary"] { background: $kiosk_primary; color: $on_primary; border: none;
    font-size: 46px; font-weight: 700; min-height: 128px; border-radius: 24px; }
QPushButton[role="primary"]:pressed { background: $kiosk_primary_pressed; }
QPushButton[role="primary"]:disabled { background: $disabled_text; color: $kiosk_on_disabled; }
QPushButton[role="priority"] { background: $kiosk_priority; color: $on_primary; border: none;
    font-size: 46px; font-weight: 700; min-height: 128px; border-radius: 24px; }
QPushButton[role="header"] { background: $surface; color: $kiosk_brand; border: none;
    font-size: 34px; min-height: ${touch_min}px; padding: 0 34px; }
QPushButton[role="key"] { font-size: 56px; font-weight: 700; min-height: 118px;
    color: $kiosk_ink; border: 3px solid $border_strong; border-radius: 22px; }
QPushButton[role="keyaction"] { font-size: 36px; min-height: 118px; color: $kiosk_brand;
    border: 3px solid $border_strong; border-radius: 22px; background: $surface_tint; }

QFrame[tile="normal"] { background: $surface; border: 3px solid $kiosk_tile_border;
    border-radius: 26px; }
QFrame[tile="normal"][down="true"] { background: $pressed; border-color: $kiosk_primary; }
QFrame[tile="normal"]:disabled { background: $disabled_surface; border-color: $disabled_border; }
QFrame[tile="priority"] { background: $kiosk_priority; border: none; border-radius: 26px; }
QFrame[tile="priority"][down="true"] { background: $kiosk_priority_pressed; }
QFrame[tile="appointment"] { background: $kiosk_brand; border: none; border-radius: 26px; }
QFrame[tile="appointment"][down="true"] { background: $kiosk_brand_pressed; }
QLabel#tileName { font-size: 40px; font-weight: 700; color: $kiosk_ink;
    background: transparent; }
QLabel#tileDetail { font-size: 29px; color: $kiosk_tile_detail; background: transparent; }
QLabel#fitName { color: $kiosk_ink; background: transparent; }
QLabel#fitDetail { color: $kiosk_tile_detail; background: transparent; }
QPushButton[role="page"] { font-size: 38px; font-weight: 700; min-height: 104px;
    max-height: 104px; border-radius: 22px; background: $surface; color: $kiosk_brand;
    border: 4px solid $kiosk_brand; }
QPushButton[role="page"]:pressed { background: $pressed; }
QPushButton[role="page"]:disabled { color: $kiosk_disabled_faint; border-color: $disabled_border;
    background: $disabled_surface; }
QLabel#pageIndicator { font-size: 34px; font-weight: 700; color: $text; }
QLabel#tileNameLight { font-size: 40px; font-weight: 700; color: $on_primary;
    background: transparent; }
QLabel#tileDetailLight { font-size: 29px; color: $kiosk_tile_detail_light;
    background: transparent; }
QLabel#prefix { font-size: 60px; font-weight: 800; color: $on_primary;
    background: $kiosk_primary; border-radius: 22px; }
QLabel#prefixClosed { font-size: 60px; font-weight: 800; color: $on_primary;
    background: $closed; border-radius: 22px; }
QLabel#chevron { font-size: 56px; font-weight: 700; color: $kiosk_primary;
    background: transparent; }

QLabel#priorityNotice { font-size: 30px; font-weight: 600; color: $on_primary;
    background: $kiosk_priority; border-radius: 16px; padding: 16px 26px; }
QFrame#banner { background: $kiosk_priority; border-radius: 20px; }
QLabel#bannerText { color: $on_primary; font-size: 32px; font-weight: 600;
    background: transparent; }
QPushButton[role="banner"] { background: $surface; color: $kiosk_priority; border: none;
    font-size: 30px; min-height: ${touch_min}px; padding: 0 26px; }

QScrollArea { background: transparent; border: none; }
QWidget#scrollBody { background: transparent; }
QScrollBar:vertical { width: 26px; background: $track; border-radius: 13px; margin: 4px; }
QScrollBar::handle:vertical { background: $kiosk_scroll_handle; border-radius: 9px;
    min-height: 90px; }
QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical { height: 0; }

QFrame#section { background: $surface; border: 2px solid $border; border-radius: 22px; }
QLabel#sectionTitle { font-size: 34px; font-weight: 700; color: $kiosk_brand;
    background: transparent; }
QLabel#sectionText { font-size: 32px; color: $kiosk_ink; background: transparent; }
QLabel#sectionMark { font-size: 32px; font-weight: 700; color: $kiosk_primary;
    background: transparent; }

QLabel#codeBox { font-size: 64px; font-weight: 700; color: $kiosk_ink; background: $surface;
    border: 4px solid $kiosk_primary; border-radius: 22px; padding: 10px 24px; }
QLabel#codeBoxEmpty { font-size: 40px; color: $muted; background: $surface;
    border: 4px solid $border_strong; border-radius: 22px; padding: 10px 24px; }

QLabel#working { font-size: 54px; font-weight: 700; color: $kiosk_ink; }
QProgressBar { min-height: 28px; max-height: 28px; border-radius: 14px; background: $track;
    border: none; }
QProgressBar::chunk { background: $kiosk_primary; border-radius: 14px; }

QLabel#numberCaption { font-size: 40px; color: $text_secondary; }
QLabel#bigNumber { font-size: 230px; font-weight: 800; color: $kiosk_brand; }
QLabel#badgePriority { font-size: 34px; font-weight: 700; color: $on_primary;
    background: $kiosk_priority; border-radius: 16px; padding: 8px 28px; }
QLabel#badgeAppointment { font-size: 34px; font-weight: 700; color: $on_primary;
    background: $kiosk_brand; border-radius: 16px; padding: 8px 28px; }
QLabel#resultDept { font-size: 40px; font-weight: 700; color: $kiosk_ink; }
QLabel#resultMatter { font-size: 32px; color: $text_secondary; }
QFrame#stat { background: $surface; border: 2px solid $border; border-radius: 22px; }
QLabel#statCaption { font-size: 30px; color: $muted_dark; background: transparent; }
QLabel#statValue { font-size: 50px; font-weight: 800; color: $kiosk_ink;
    background: transparent; }
QLabel#takeTicket { font-size: 44px; font-weight: 700; color: $kiosk_priority; }
QLabel#notPrinted { font-size: 36px; font-weight: 700; color: $on_primary; background: $danger;
    border-radius: 18px; padding: 20px 28px; }
QLabel#lateNote { font-size: 30px; color: $kiosk_late; background: $kiosk_late_surface;
    border-radius: 16px; padding: 14px 24px; }
QLabel#countdown { font-size: 28px; color: $muted; }

QLabel#alertMark { font-size: 110px; font-weight: 800; color: $on_primary; background: $danger;
    border-radius: 90px; }
QLabel#alertMarkWait { font-size: 110px; font-weight: 800; color: $on_primary;
    background: $kiosk_late; border-radius: 90px; }
QLabel#alertTitle { font-size: 58px; font-weight: 800; color: $kiosk_ink; }
QLabel#alertText { font-size: 38px; color: $text; }
QLabel#alertHelp { font-size: 30px; color: $muted_dark; }
"""

MARGIN = 40
GAP = 24
TILE_TEXT_GAP = 8  # between a tile's name and its detail line
TOUCH_MIN = METRICS.touch_min  # px: the smallest touch target
SIDE_W = 440  # landscape start screen: the priority / appointment column, room left for names


def label(
    text: str = "", name: str = "", wrap: bool = True, align=Qt.AlignmentFlag.AlignLeft
) -> QLabel:
    w = QLabel(text)
    if name:
        w.setObjectName(name)
    w.setWordWrap(wrap)
    w.setAlignment(align | Qt.AlignmentFlag.AlignVCenter)
    w.setTextFormat(Qt.TextFormat.PlainText)  # hall and visitor text is never markup
    return w


def button(text: str, role: str = "", on_click=None) -> QPushButton:
    b = QPushButton(text)
    if role:
        b.setProperty("role", role)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    b.setCursor(Qt.CursorShape.PointingHandCursor)
    if on_click is not None:
        b.clicked.connect(on_click)
    return b


def clear_layout(layout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        w = item.widget()
        if w is not None:
            w.hide()
            w.deleteLater()
        elif item.layout() is not None:
            clear_layout(item.layout())


def reset_grid(grid: QGridLayout) -> None:
    """Empty a grid and forget the stretch factors of its earlier shape."""
    clear_layout(grid)
    for r in range(grid.rowCount()):
        grid.setRowStretch(r, 0)
    for c in range(grid.columnCount()):
        grid.setColumnStretch(c, 0)


def repolish(w: QWidget) -> None:
    w.style().unpolish(w)
    w.style().polish(w)


class Tile(QFrame):
    """A big touch target with wrapped text (a QPushButton cannot wrap its label)."""

    clicked = Signal()

    def __init__(
        self,
        name: str,
        detail: str = "",
        kind: str = "normal",
        prefix: str = "",
        prefix_closed: bool = False,
        chevron: bool = False,
        min_height: int = 150,
        compact: bool = False,
        fitted: bool = False,
    ):
        """fitted: the caller has broken the text into lines and sets the fonts (measured)."""
        super().__init__()
        self.setProperty("tile", kind)
        self.setProperty("down", False)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setMinimumHeight(min_height)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        row = QHBoxLayout(self)
        pad = 14 if compact else 22
        row.setContentsMargins(30, pad, 30, pad)
        row.setSpacing(28)
        light = kind != "normal"
        if prefix:
            p = label(
                prefix,
                "prefixClosed" if prefix_closed else "prefix",
                wrap=False,
                align=Qt.AlignmentFlag.AlignHCenter,
            )
            p.setFixedSize(*((96, 96) if compact else (112, 112)))
            row.addWidget(p, 0, Qt.AlignmentFlag.AlignVCenter)
        col = QVBoxLayout()
        col.setSpacing(TILE_TEXT_GAP)
        col.addStretch(1)  # name and detail stay together, centred in a tall tile
        names = (
            ("fitName", "fitDetail")
            if fitted
            else (("tileNameLight", "tileDetailLight") if light else ("tileName", "tileDetail"))
        )
        self.name_label = label(name, names[0], wrap=not fitted)
        col.addWidget(self.name_label)
        if detail:
            self.detail_label = label(detail, names[1], wrap=not fitted)
            col.addWidget(self.detail_label)
        col.addStretch(1)
        row.addLayout(col, 1)
        if chevron:
            c = label("›", "chevron", wrap=False)
            row.addWidget(c, 0, Qt.AlignmentFlag.AlignVCenter)
        for child in self.findChildren(QLabel):
            child.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    def _down(self, down: bool) -> None:
        self.setProperty("down", down)
        repolish(self)

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._down(True)
        event.accept()

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.property("down"):
            self._down(False)
            if self.rect().contains(event.position().toPoint()):
                self.clicked.emit()
        event.accept()


class Screen_(QWidget):
    """One page of the kiosk."""

    def __init__(self, model: KioskModel):
        super().__init__()
        self.model = model
        self.portrait = True
        self._key: tuple | None = None

    def refresh(self) -> None:  # pragma: no cover - every screen overrides
        raise NotImplementedError

    def set_portrait(self, portrait: bool) -> None:
        if portrait != self.portrait:
            self.portrait = portrait
            self._key = None


class HeadedScreen(Screen_):
    """A page with the priority banner, a title and a subtitle on top."""

    def _headed_page(self) -> QVBoxLayout:
        """The page layout with the banner, the title and the subtitle in it."""
        outer = QVBoxLayout(self)
        outer.setContentsMargins(MARGIN, 30, MARGIN, 30)
        outer.setSpacing(GAP)
        self.banner = label("", "priorityNotice")
        outer.addWidget(self.banner)
        self.title = label("", "title")
        outer.addWidget(self.title)
        self.subtitle = label("", "subtitle")
        outer.addWidget(self.subtitle)
        return outer


def scroll_area(body: QWidget, kinetic: bool = False) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setFrameShape(QFrame.Shape.NoFrame)
    body.setObjectName("scrollBody")
    area.setWidget(body)
    area.viewport().setAutoFillBackground(False)
    if kinetic:  # drag the guide with a finger; it has nothing to tap, so no tap is eaten
        QScroller.grabGesture(area.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture)
    return area


# ---------------------------------------------------------------------------------- screens
class DepartmentPicker(QWidget):
    """The department tiles and, when they do not all fit, the page buttons under them.

    Every name is shown whole: measured with QFontMetrics, re-flowed at word (or Chinese
    character) breaks and shrunk from 40 px down to 30 px at most; a layout where some name
    would still not fit is not used. Of the layouts that fit, the one with the fewest pages and
    then the biggest text wins, so a visitor never has to scroll and never sees "…". The picker
    places its tiles itself: its size, not the tiles' text, decides the layout.
    """

    NAME_SIZES = [40, 38, 36, 34, 32, 30]  # px, biggest first; 30 px reads well from 60 cm
    DETAIL_SIZES = [29, 28, 27, 26]
    NAME_MAX_LINES = 3  # more lines of a few characters each read badly: take a wider layout
    TILE_MAX_H = 290  # few departments: big tiles, but not a wall of white
    PAGER_H = 112

    def __init__(self, model: KioskModel):
        super().__init__()
        self.model = model
        self.portrait = True
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.tiles: list[Tile] = []
        self._all: list[DepartmentTile] = []
        self._key: tuple | None = None
        self._offsets: dict[bool, tuple[int, int]] = {}
        self.pager = QWidget(self)
        row = QHBoxLayout(self.pager)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(GAP)
        self.previous = button("", "page", model.previous_page)
        self.indicator = label("", "pageIndicator", wrap=False, align=Qt.AlignmentFlag.AlignHCenter)
        self.next = button("", "page", model.next_page)
        for b in (self.previous, self.next):
            b.setMinimumWidth(340)
        row.addWidget(self.previous)
        row.addWidget(self.indicator, 1)
        row.addWidget(self.next)
        self.pager.hide()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(0, 0)  # any room is laid out; a page too small only gets more pages

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(400, 400)

    def set_portrait(self, portrait: bool) -> None:
        self.portrait = portrait
        self._key = None

    def show_departments(self, tiles: list[DepartmentTile]) -> None:
        self._all = list(tiles)
        self.relayout()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.relayout()

    # ------------------------------------------------------------------ measuring
    def _font(self, size: int, bold: bool) -> QFont:
        f = QFont(self.font())
        f.setPixelSize(size)
        f.setWeight(QFont.Weight.Bold if bold else QFont.Weight.Normal)
        return f

    def _measures(self, sizes: list[int], bold: bool) -> Metrics:
        metrics = {s: QFontMetricsF(self._font(s, bold)) for s in sizes}
        cache: dict[tuple[int, str], float] = {}

        def measure(size: int) -> Measure:
            fm = metrics[size]

            def width(s: str) -> float:
                key = (size, s)
                if key not in cache:
                    cache[key] = fm.horizontalAdvance(s)
                return cache[key]

            return width

        return measure, lambda size: metrics[size].lineSpacing()

    def _offset(self, compact: bool) -> tuple[int, int]:
        """How much narrower and lower than its tile a tile's text column is (measured once on
        a real tile: border, padding, the prefix box and the chevron)."""
        if compact not in self._offsets:
            probe = Tile("X", "X", prefix="X", chevron=True, compact=compact, fitted=True)
            probe.setParent(self)
            probe.ensurePolished()
            for child in probe.findChildren(QWidget):
                child.ensurePolished()
            probe.setGeometry(0, 0, 800, 400)
            layout = probe.layout()
            assert layout is not None  # a Tile lays its text out in a row it makes itself
            layout.activate()
            inner = layout.contentsRect()
            self._offsets[compact] = (800 - probe.name_label.width(), 400 - inner.height())
            probe.hide()
            probe.deleteLater()
        return self._offsets[compact]

    def _fit(
        self,
        tiles: list[DepartmentTile],
        text_w: float,
        text_h: float,
        max_lines: int | None,
        hard: bool,
        final: bool = False,
    ) -> FittedTiles | None:
        """One name size and one detail size for all tiles (a page reads calmer that way), or
        None if some name does not fit at the smallest. `final`: re-flow the lines to read well
        (only for the layout chosen: it never changes how many lines a text takes)."""
        name_measure, name_lh = self._name_metrics
        detail_measure, detail_lh = self._detail_metrics
        details: list[FittedText] = []
        detail_size = None
        for size in self.DETAIL_SIZES:
            fitted = [
                fit_text(
                    t.detail,
                    text_w,
                    text_h,
                    [size],
                    detail_measure,
                    detail_lh,
                    hard=hard,
                    reflow=final,
                )
                for t in tiles
            ]
            whole = [f for f in fitted if f is not None]
            if len(whole) == len(fitted):
                details, detail_size = whole, size
                break
        if detail_size is None:
            return None
        for size in self.NAME_SIZES:
            names: list[FittedText] = []
            for t, d in zip(tiles, details, strict=True):
                room = text_h - (d.height + TILE_TEXT_GAP if t.detail else 0)
                f = fit_text(
                    t.name,
                    text_w,
                    room,
                    [size],
                    name_measure,
                    name_lh,
                    max_lines=max_lines,
                    hard=hard,
                    reflow=final,
                )
                if f is None:
                    break
                names.append(f)
            else:
                return size, detail_size, names, details
        return None

    # ------------------------------------------------------------------ planning
    def _plan(self, w: int, h: int) -> Plan:
        """(columns, per page, tile width, tile height, fitted texts of every tile) of the best
        layout: the fewest pages, then the biggest text, then the preferred number of columns."""
        n = len(self._all)
        compact = not self.portrait
        off_w, off_h = self._offset(compact)
        min_h = 150 if self.portrait else 128
        # column counts in order of preference when pages and text size tie
        choices = (1, 2) if self.portrait else (2, 3, 1)
        # a very long name may take more lines; a word wider than a line is cut between letters
        for max_lines, hard in ((self.NAME_MAX_LINES, False), (None, False), (None, True)):
            best = None
            for order, cols in enumerate(choices):
                tile_w = (w - (cols - 1) * GAP) / cols
                for pages in range(1, n + 1):
                    per_page = math.ceil(n / pages)
                    if best is not None and pages > best[0][0]:
                        break
                    rows = math.ceil(per_page / cols)
                    room = h if pages == 1 else h - self.PAGER_H - GAP
                    tile_h = (room - (rows - 1) * GAP) // rows
                    if tile_h < min_h:
                        continue
                    fitted = self._fit(self._all, tile_w - off_w, tile_h - off_h, max_lines, hard)
                    if fitted is None:
                        continue
                    score = (pages, -fitted[0], order)
                    if best is None or score < best[0]:
                        best = (score, cols, per_page, tile_w, tile_h)
                    break
            if best is not None:
                _, cols, per_page, tile_w, tile_h = best
                final = self._fit(
                    self._all, tile_w - off_w, tile_h - off_h, max_lines, hard, final=True
                )
                # these sizes fitted above, and re-flowing never changes how many lines a text takes
                assert final is not None
                return cols, per_page, tile_w, tile_h, final
        # a name longer than a whole page: one a page, as much of the page as it needs
        return self._last_resort(w, h)

    def _last_resort(self, w: int, h: int) -> Plan:
        """One tile a page, the whole width, the smallest sizes, words cut between letters."""
        off_w, off_h = self._offset(not self.portrait)
        tile_h = h - self.PAGER_H - GAP if len(self._all) > 1 else h
        name_measure, name_lh = self._name_metrics
        detail_measure, detail_lh = self._detail_metrics
        size, dsize = self.NAME_SIZES[-1], self.DETAIL_SIZES[-1]

        def fit(
            text_: str, size: int, measure: Callable[[int], Measure], lh: Callable[[int], float]
        ) -> FittedText:
            f = fit_text(text_, w - off_w, 10**6, [size], measure, lh, hard=True)
            # cut between letters any text fits the width, and 10**6 px is tall enough for it
            assert f is not None
            return f

        details = [fit(t.detail, dsize, detail_measure, detail_lh) for t in self._all]
        names = [fit(t.name, size, name_measure, name_lh) for t in self._all]
        return 1, 1, w, tile_h, (size, dsize, names, details)

    def _state(self) -> tuple:
        m = self.model
        return (
            tuple(self._all),
            self.size().toTuple(),
            self.portrait,
            m.department_page().number,
            m.departments_per_page,
            m.lang,
        )

    def relayout(self) -> None:
        """Plan the layout for this size and these tiles, and show the model's page of it."""
        m = self.model
        key = self._state()
        if key == self._key:
            return
        self._name_metrics = self._measures(self.NAME_SIZES, True)
        self._detail_metrics = self._measures(self.DETAIL_SIZES, False)
        for tile in self.tiles:
            tile.hide()
            tile.deleteLater()
        self.tiles = []
        if not self._all or self.width() < 100 or self.height() < 100:
            self.pager.hide()
            self._key = key
            return
        plan = self._plan(self.width(), self.height())
        cols, per_page, tile_w, tile_h, (size, dsize, names, details) = plan
        m.set_departments_per_page(per_page)
        page = m.department_page()
        first = (page.number - 1) * per_page
        _, off_h = self._offset(not self.portrait)
        # tiles only as tall as their text needs (at least TILE_MAX_H), the page's rows evenly
        need = (
            max(
                n.height + (d.height + TILE_TEXT_GAP if t.detail else 0)
                for t, n, d in zip(self._all, names, details, strict=True)
            )
            + off_h
        )
        tile_h = min(tile_h, max(self.TILE_MAX_H, math.ceil(need)))
        for i, d in enumerate(page.tiles):
            name, detail = names[first + i], details[first + i]
            tile = Tile(
                "\n".join(name.lines),
                "\n".join(detail.lines),
                prefix=d.prefix,
                prefix_closed=d.closed,
                chevron=True,
                min_height=TOUCH_MIN,
                compact=not self.portrait,
                fitted=True,
            )
            tile.name_label.setFont(self._font(size, True))
            if d.detail:
                tile.detail_label.setFont(self._font(dsize, False))
            tile.setProperty("department", d.id)
            tile.clicked.connect(lambda dep=d.id: m.open_department(dep))
            tile.setParent(self)
            r, c = divmod(i, cols)
            tile.setGeometry(
                round(c * (tile_w + GAP)), r * (tile_h + GAP), math.floor(tile_w), tile_h
            )
            tile.show()
            self.tiles.append(tile)
        self.pager.setVisible(page.count > 1)
        if page.count > 1:
            self.previous.setText("‹  " + page.previous_label)
            self.next.setText(page.next_label + "  ›")
            self.previous.setEnabled(page.has_previous)
            self.next.setEnabled(page.has_next)
            self.indicator.setText(page.indicator)
            self.pager.setGeometry(0, self.height() - self.PAGER_H, self.width(), self.PAGER_H)
            self.pager.raise_()
        self._key = self._state()


class StartScreen(Screen_):
    def __init__(self, model: KioskModel):
        super().__init__(model)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(MARGIN, 30, MARGIN, 30)
        outer.setSpacing(GAP)
        self.banner = QFrame()
        self.banner.setObjectName("banner")
        b = QHBoxLayout(self.banner)
        b.setContentsMargins(28, 14, 14, 14)
        b.setSpacing(20)
        self.banner_text = label("", "bannerText")
        self.cancel_priority = button("", "banner", self._cancel)
        b.addWidget(self.banner_text, 1)
        b.addWidget(self.cancel_priority)
        outer.addWidget(self.banner)
        self.title = label("", "title")
        outer.addWidget(self.title)
        # portrait: departments, then priority and appointment side by side, then the notice;
        # landscape: those in a column on the right, so the departments get the full height
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.body.setSpacing(GAP)
        outer.addLayout(self.body, 1)
        self.picker = DepartmentPicker(model)
        self.body.addWidget(self.picker, 1)
        self.side = QWidget()
        side = QVBoxLayout(self.side)
        side.setContentsMargins(0, 0, 0, 0)
        side.setSpacing(GAP)
        self.action_row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.action_row.setSpacing(GAP)
        side.addLayout(self.action_row)
        self.notice = label("", "notice")
        side.addWidget(self.notice)
        side.addStretch(1)
        self.body.addWidget(self.side)
        self._arrange()

    def _cancel(self) -> None:
        if self.model.card is not None:
            self.model.cancel_card()
        else:
            self.model.cancel_priority()

    def _arrange(self) -> None:
        if self.portrait:
            self.body.setDirection(QBoxLayout.Direction.TopToBottom)
            self.action_row.setDirection(QBoxLayout.Direction.LeftToRight)
            self.side.setMinimumWidth(0)
            self.side.setMaximumWidth(16777215)
        else:
            self.body.setDirection(QBoxLayout.Direction.LeftToRight)
            self.action_row.setDirection(QBoxLayout.Direction.TopToBottom)
            self.side.setFixedWidth(SIDE_W)

    def set_portrait(self, portrait: bool) -> None:
        changed = portrait != self.portrait
        super().set_portrait(portrait)
        self.picker.set_portrait(portrait)
        if changed:
            self._arrange()

    def refresh(self) -> None:
        m = self.model
        tiles = m.department_tiles()
        actions = (
            m.lang,
            m.catalog.seq if m.catalog else None,
            m.priority,
            self.portrait,
            m.notice(),
            m.card,
            m.offers_card(),
            m.card_hint(),
            m.offers_pickup,
        )
        key = (actions, tuple(tiles), m.department_page_index)
        if key == self._key:
            return
        old, self._key = self._key, key
        if not isinstance(old, tuple) or old[0] != actions:
            self._rebuild_actions()
        self.picker.show_departments(tiles)

    def _rebuild_actions(self) -> None:
        """The banner, title, buttons and notice: only when they change, not with every queue
        update (a button rebuilt under a visitor's finger would drop the touch)."""
        m = self.model
        self.banner.setVisible(m.priority or m.card is not None)
        self.banner_text.setText(m.card_banner() or m.t("priority_banner"))
        self.cancel_priority.setText(m.t("card_cancel" if m.card else "priority_cancel"))
        self.title.setText(m.start_title())
        clear_layout(self.action_row)
        self.priority_tile: Tile | None = None
        self.card_tile: Tile | None = None
        if m.offers_card() and m.card is None:
            self.card_tile = Tile(
                m.card_button(),
                m.card_hint(),
                kind="priority",
                min_height=150 if self.portrait else 120,
                compact=not self.portrait,
            )
            self.card_tile.clicked.connect(m.open_card)
            self.action_row.addWidget(self.card_tile, 1)
        if not m.priority and m.card is None:
            self.priority_tile = Tile(
                m.t("priority_button"),
                m.t("priority_hint"),
                kind="priority",
                min_height=150 if self.portrait else 120,
                compact=not self.portrait,
            )
            self.priority_tile.clicked.connect(m.start_priority)
            self.action_row.addWidget(self.priority_tile, 1)
        self.appointment_tile = Tile(
            m.t("appointment_button"),
            m.t("appointment_hint"),
            kind="appointment",
            min_height=150 if self.portrait else 120,
            compact=not self.portrait,
        )
        self.appointment_tile.clicked.connect(m.open_appointment)
        self.action_row.addWidget(self.appointment_tile, 1)
        self.pickup_tile: Tile | None = None
        if m.offers_pickup and not m.priority and m.card is None:
            self.pickup_tile = Tile(
                m.pickup_name(),
                m.t("pickup_hint"),
                kind="appointment",
                min_height=150 if self.portrait else 120,
                compact=not self.portrait,
            )
            self.pickup_tile.clicked.connect(m.open_pickup)
            self.action_row.addWidget(self.pickup_tile, 1)
        if not self.portrait:  # the narrow side column: "Appointment check-in" on one line
            shown = [
                t
                for t in (
                    self.card_tile,
                    self.priority_tile,
                    self.appointment_tile,
                    self.pickup_tile,
                )
                if t is not None
            ]
            for t in shown:
                t.name_label.setStyleSheet("font-size: 34px;")
                if len(shown) > 3:  # four buttons and the notice: their names say enough
                    t.detail_label.hide()
        notice = m.notice()
        self.notice.setText(notice)
        self.notice.setVisible(bool(notice))

    def department_tile(self, dep_id: str) -> Tile:
        """The tile of a department on the page on show (LookupError if on another page)."""
        for tile in self.picker.tiles:
            if tile.property("department") == dep_id and not tile.isHidden():
                return tile
        raise LookupError(dep_id)


class MattersScreen(HeadedScreen):
    def __init__(self, model: KioskModel):
        super().__init__(model)
        outer = self._headed_page()
        self.list_host = QWidget()
        self.grid = QGridLayout(self.list_host)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(GAP)
        outer.addWidget(scroll_area(self.list_host), 1)
        row = QHBoxLayout()
        self.back = button("", "", model.back)
        row.addWidget(self.back)
        row.addStretch(1)
        outer.addLayout(row)

    def refresh(self) -> None:
        m = self.model
        dep = m.department()
        key = (
            m.lang,
            m.catalog.seq if m.catalog else None,
            m.department_id,
            self.portrait,
            m.priority,
        )
        if key == self._key or dep is None:
            return
        self._key = key
        self.banner.setText(m.t("priority_banner"))
        self.banner.setVisible(m.priority)
        self.title.setText(localized(dep.name, m.lang))
        self.subtitle.setText(m.t("choose_matter"))
        self.back.setText("‹  " + m.t("back"))
        reset_grid(self.grid)
        columns = 1 if self.portrait else 2
        for i, mt in enumerate(m.matter_tiles()):
            tile = Tile(mt.name, mt.detail, chevron=True, min_height=160)
            tile.setProperty("matter", mt.id)
            tile.clicked.connect(lambda mid=mt.id: m.open_matter(mid))
            self.grid.addWidget(tile, i // columns, i % columns)
        for c in range(columns):
            self.grid.setColumnStretch(c, 1)
        self.grid.setRowStretch(self.grid.rowCount(), 1)

    def matter_tile(self, matter_id: str) -> Tile:
        for tile in self.list_host.findChildren(Tile):
            if tile.property("matter") == matter_id and not tile.isHidden():
                return tile
        raise LookupError(matter_id)


class GuideScreen(HeadedScreen):
    def __init__(self, model: KioskModel):
        super().__init__(model)
        outer = self._headed_page()
        self.body = QWidget()
        self.sections = QVBoxLayout(self.body)
        self.sections.setContentsMargins(0, 0, 12, 0)
        self.sections.setSpacing(20)
        self.guide_scroll = scroll_area(self.body, kinetic=True)
        outer.addWidget(self.guide_scroll, 1)
        row = QHBoxLayout()
        row.setSpacing(GAP)
        self.back = button("", "", model.back)
        self.take = button("", "primary", model.take_ticket)
        self.take.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        row.addWidget(self.back)
        row.addWidget(self.take, 1)
        outer.addLayout(row)

    def refresh(self) -> None:
        m = self.model
        key = (
            m.lang,
            m.catalog.seq if m.catalog else None,
            m.department_id,
            m.matter_id,
            m.priority,
        )
        if key == self._key:
            return
        self._key = key
        dep = m.department()
        self.banner.setText(m.t("priority_banner"))
        self.banner.setVisible(m.priority)
        self.title.setText(m.guide_title())
        self.subtitle.setText(
            f"{m.t('guide_title')} · {localized(dep.name, m.lang)}" if dep else ""
        )
        self.back.setText("‹  " + m.t("back"))
        self.take.setText(m.take_ticket_label())
        self.take.setProperty("role", "priority" if m.priority else "primary")
        repolish(self.take)
        clear_layout(self.sections)
        sections = m.guide_sections()
        if not sections:
            self.sections.addWidget(label(m.t("guide_none"), "sectionText"))
        # landscape: lists (materials, steps) on the left, the short facts on the right
        columns = [self.sections]
        if not self.portrait and len(sections) > 1:
            pair = QHBoxLayout()
            pair.setSpacing(20)
            columns = [QVBoxLayout(), QVBoxLayout()]
            for c in columns:
                c.setSpacing(20)
                pair.addLayout(c, 1)
            self.sections.addLayout(pair)
        lists = [s for s in sections if s.numbered or s.bullets]
        for s in sections:
            target = (
                columns[0]
                if len(columns) == 1 or (s in lists if lists else sections.index(s) % 2 == 0)
                else columns[1]
            )
            frame = QFrame()
            frame.setObjectName("section")
            col = QVBoxLayout(frame)
            col.setContentsMargins(30, 22, 30, 24)
            col.setSpacing(12)
            col.addWidget(label(s.title, "sectionTitle"))
            for n, line in enumerate(s.lines, 1):
                if s.numbered or s.bullets:
                    row = QHBoxLayout()
                    row.setSpacing(14)
                    mark = label(f"{n}." if s.numbered else "•", "sectionMark", wrap=False)
                    mark.setFixedWidth(52)
                    mark.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
                    row.addWidget(mark, 0, Qt.AlignmentFlag.AlignTop)
                    text = label(line, "sectionText")
                    text.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                    row.addWidget(text, 1)
                    col.addLayout(row)
                else:
                    col.addWidget(label(line, "sectionText"))
            target.addWidget(frame)
        for c in columns:
            c.addStretch(1)
        self.guide_scroll.verticalScrollBar().setValue(0)


class AppointmentScreen(Screen_):
    def __init__(self, model: KioskModel):
        super().__init__(model)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(MARGIN, 30, MARGIN, 30)
        self.grid.setHorizontalSpacing(60)
        self.grid.setVerticalSpacing(40)
        self.info = QWidget()
        left = QVBoxLayout(self.info)
        left.setContentsMargins(0, 0, 0, 0)
        left.setSpacing(GAP)
        self.title = label("", "title")
        self.prompt = label("", "prompt")
        self.code = label("", "codeBox", wrap=False, align=Qt.AlignmentFlag.AlignHCenter)
        self.code.setMinimumHeight(130)
        left.addWidget(self.title)
        left.addWidget(self.prompt)
        left.addWidget(self.code)
        self.buttons = QWidget()
        row = QHBoxLayout(self.buttons)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(GAP)
        self.back = button("", "", model.back)
        self.ok = button("", "primary", model.submit_code)
        self.ok.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        row.addWidget(self.back)
        row.addWidget(self.ok, 1)
        pad = QGridLayout()
        pad.setSpacing(18)
        self.keys: dict[str, QPushButton] = {}
        for i, ch in enumerate("123456789"):
            b = button(ch, "key", lambda _=False, c=ch: model.key(c))
            pad.addWidget(b, i // 3, i % 3)
            self.keys[ch] = b
        self.clear = button("", "keyaction", model.clear_code)
        self.zero = button("0", "key", lambda: model.key("0"))
        self.delete = button("", "keyaction", model.delete)
        self.keys["0"] = self.zero
        pad.addWidget(self.clear, 3, 0)
        pad.addWidget(self.zero, 3, 1)
        pad.addWidget(self.delete, 3, 2)
        for c in range(3):
            pad.setColumnStretch(c, 1)
            pad.setColumnMinimumWidth(c, 200)
        self.pad_host = QWidget()
        self.pad_host.setLayout(pad)
        self.pad_host.setFixedWidth(700)
        self._arrange()

    def _arrange(self) -> None:
        for w in (self.info, self.pad_host, self.buttons):
            self.grid.removeWidget(w)
        for r in range(4):
            self.grid.setRowStretch(r, 0)
        self.grid.setColumnStretch(0, 1)
        self.grid.setColumnStretch(1, 0)
        top = Qt.AlignmentFlag.AlignTop
        if self.portrait:  # code, keypad under it, buttons at the bottom
            self.grid.addWidget(self.info, 0, 0)
            self.grid.addWidget(self.pad_host, 1, 0, Qt.AlignmentFlag.AlignHCenter | top)
            self.grid.setRowStretch(2, 1)
            self.grid.addWidget(self.buttons, 3, 0)
        else:  # code and buttons left, keypad right
            self.grid.addWidget(self.info, 0, 0, top)
            self.grid.addWidget(self.pad_host, 0, 1, 3, 1, top)
            self.grid.setRowStretch(1, 1)
            self.grid.addWidget(self.buttons, 2, 0)

    def set_portrait(self, portrait: bool) -> None:
        changed = portrait != self.portrait
        super().set_portrait(portrait)
        if changed:
            self._arrange()

    def refresh(self) -> None:
        m = self.model
        title, prompt, placeholder = m.code_texts()
        self.title.setText(title)
        self.prompt.setText(prompt)
        if m.code:
            self.code.setObjectName("codeBox")
            self.code.setText(" ".join(m.code[i : i + 3] for i in range(0, len(m.code), 3)))
        else:
            self.code.setObjectName("codeBoxEmpty")
            self.code.setText(placeholder)
        repolish(self.code)
        self.back.setText("‹  " + m.t("back"))
        self.ok.setText(m.t("confirm"))
        self.ok.setEnabled(bool(m.code))
        self.clear.setText(m.t("keypad_clear"))
        self.delete.setText(m.t("keypad_delete"))


class WorkingScreen(Screen_):
    def __init__(self, model: KioskModel):
        super().__init__(model)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(120, 40, 120, 40)
        outer.setSpacing(50)
        outer.addStretch(2)
        self.message = label("", "working", align=Qt.AlignmentFlag.AlignHCenter)
        outer.addWidget(self.message)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        outer.addWidget(self.progress)
        outer.addStretch(3)

    def refresh(self) -> None:
        self.message.setText(self.model.working_message())


class ResultScreen(Screen_):
    def __init__(self, model: KioskModel):
        super().__init__(model)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(MARGIN, 30, MARGIN, 30)
        outer.setSpacing(18)
        outer.addStretch(1)
        center = Qt.AlignmentFlag.AlignHCenter
        # portrait: everything in one column; landscape: the number left, the details right
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.body.setSpacing(40)
        outer.addLayout(self.body)
        left = QVBoxLayout()
        left.setSpacing(10)
        self.caption = label("", "numberCaption", align=center)
        left.addWidget(self.caption)
        self.number = label("", "bigNumber", wrap=False, align=center)
        left.addWidget(self.number)
        self.badge = label("", "badgePriority", wrap=False, align=center)
        left.addWidget(self.badge, 0, center)
        self.body.addLayout(left, 1)
        right = QVBoxLayout()
        right.setSpacing(18)
        self.dept = label("", "resultDept", align=center)
        right.addWidget(self.dept)
        self.matter = label("", "resultMatter", align=center)
        right.addWidget(self.matter)
        stats = QHBoxLayout()
        stats.setSpacing(GAP)
        self.ahead_caption, self.ahead = self._stat(stats)
        self.wait_caption, self.wait = self._stat(stats)
        stats_host = QWidget()
        stats_host.setLayout(stats)
        stats_host.setMaximumWidth(1000)
        right.addSpacing(10)
        right.addWidget(stats_host, 0, center)
        right.addSpacing(10)
        self.message = label("", "takeTicket", align=center)
        right.addWidget(self.message)
        self.late = label("", "lateNote", align=center)
        right.addWidget(self.late)
        self.body.addLayout(right, 1)
        outer.addStretch(1)
        row = QHBoxLayout()
        self.countdown = label("", "countdown")
        self.done = button("", "primary", lambda: model.home())
        self.done.setMinimumWidth(380)
        row.addWidget(self.countdown, 1)
        row.addWidget(self.done)
        outer.addLayout(row)

    def set_portrait(self, portrait: bool) -> None:
        super().set_portrait(portrait)
        self.body.setDirection(
            QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight
        )

    @staticmethod
    def _stat(parent: QHBoxLayout) -> tuple[QLabel, QLabel]:
        frame = QFrame()
        frame.setObjectName("stat")
        frame.setMinimumWidth(400)
        col = QVBoxLayout(frame)
        col.setContentsMargins(30, 20, 30, 20)
        caption = label("", "statCaption", align=Qt.AlignmentFlag.AlignHCenter)
        value = label("", "statValue", wrap=False, align=Qt.AlignmentFlag.AlignHCenter)
        col.addWidget(caption)
        col.addWidget(value)
        parent.addWidget(frame, 1)
        return caption, value

    def refresh(self) -> None:
        m = self.model
        v = m.result_view()
        if v is None:
            return
        self.caption.setText(m.t("your_number"))
        self.number.setText(v.number)
        self.badge.setText(v.badge)
        self.badge.setObjectName(
            "badgeAppointment" if v.badge == m.t("appointment_badge") else "badgePriority"
        )
        repolish(self.badge)
        self.badge.setVisible(bool(v.badge))
        self.dept.setText(v.department)
        self.matter.setText(v.matter)
        self.matter.setVisible(bool(v.matter))
        self.ahead_caption.setText(m.t("people_ahead"))
        self.ahead.setText(v.ahead)
        self.wait_caption.setText(v.wait_caption)
        self.wait.setText(v.wait)
        self.message.setText(v.message)
        self.message.setObjectName("takeTicket" if v.printed else "notPrinted")
        repolish(self.message)
        self.late.setText(v.late_note)
        self.late.setVisible(bool(v.late_note))
        self.countdown.setText(m.t("returning_in", n=v.seconds_left))
        self.done.setText(m.t("done"))


def alert_column(outer: QVBoxLayout, mark: str, mark_name: str) -> tuple[QLabel, QLabel, QLabel]:
    """The top of a message screen: a round mark, a title and a line, centred."""
    outer.setContentsMargins(90, 40, 90, 40)
    outer.setSpacing(34)
    outer.addStretch(2)
    center = Qt.AlignmentFlag.AlignHCenter
    sign = label(mark, mark_name, wrap=False, align=center)
    sign.setFixedSize(180, 180)
    outer.addWidget(sign, 0, center)
    title = label("", "alertTitle", align=center)
    outer.addWidget(title)
    text = label("", "alertText", align=center)
    outer.addWidget(text)
    return sign, title, text


class MessageScreen(Screen_):
    """Errors and "no tickets right now", in plain words."""

    def __init__(self, model: KioskModel):
        super().__init__(model)
        outer = QVBoxLayout(self)
        center = Qt.AlignmentFlag.AlignHCenter
        self.mark, self.title, self.text = alert_column(outer, "!", "alertMark")
        self.help = label("", "alertHelp", align=center)
        outer.addWidget(self.help)
        outer.addStretch(3)
        row = QHBoxLayout()
        row.setSpacing(GAP)
        row.addStretch(1)
        self.home = button("", "", lambda: model.home())
        self.home.setMinimumWidth(340)
        self.retry = button("", "primary", model.retry)
        self.retry.setMinimumWidth(420)
        row.addWidget(self.home)
        row.addWidget(self.retry)
        row.addStretch(1)
        outer.addLayout(row)

    def refresh(self) -> None:
        m = self.model
        if m.screen is Screen.UNAVAILABLE:
            reason = m.unavailable_reason()
            waiting = reason in ("connecting", "no_catalog")
            self.mark.setText("…" if waiting else "!")
            self.mark.setObjectName("alertMarkWait" if waiting else "alertMark")
            self.title.setText(m.t("unavailable_title"))
            self.text.setText(m.unavailable_message())
            self.help.setText(m.t("unavailable_info_desk"))
            self.help.setVisible(not waiting)
            self.home.hide()
            self.retry.hide()
        else:
            title, message, can_retry = m.failure_view()
            self.mark.setText("!")
            self.mark.setObjectName("alertMark")
            self.title.setText(title)
            self.text.setText(message)
            self.help.hide()
            self.home.setText(m.t("home"))
            self.home.show()
            self.retry.setText(m.t("retry"))
            self.retry.setVisible(can_retry)
        repolish(self.mark)


class CardScreen(Screen_):
    """ "Place your ID card", "could not read it", "the reader is not working", the green
    channel offered to an older visitor, and "no appointment today: take a ticket" after a card
    check-in found none: a mark, a title, a line and two big buttons."""

    def __init__(self, model: KioskModel):
        super().__init__(model)
        outer = QVBoxLayout(self)
        self.mark, self.title, self.text = alert_column(outer, "", "alertMarkWait")
        outer.addStretch(3)
        center = Qt.AlignmentFlag.AlignHCenter
        # one above the other: "Use the green channel" and its "No" are long in English
        self.first = button("", "primary", self._first)
        self.first.setMinimumWidth(640)
        outer.addWidget(self.first, 0, center)
        self.second = button("", "", self._second)
        self.second.setMinimumWidth(640)
        outer.addWidget(self.second, 0, center)

    def _first(self) -> None:
        m = self.model
        if m.screen is Screen.GREEN:
            m.accept_green_channel()
        elif m.screen is Screen.NO_APPOINTMENT:
            m.card_take_ticket()
        else:
            m.retry_card()

    def _second(self) -> None:
        m = self.model
        if m.screen is Screen.GREEN:
            m.decline_green_channel()
        else:
            m.home()

    def refresh(self) -> None:
        m = self.model
        mark, title, message = m.card_view()
        self.mark.setText(mark)
        self.mark.setObjectName("alertMark" if mark == "!" else "alertMarkWait")
        self.title.setText(title)
        self.text.setText(message)
        if m.screen is Screen.GREEN:
            self.first.setText(m.t("green_accept"))
            self.first.show()
            self.second.setText(m.t("green_decline"))
        elif m.screen is Screen.NO_APPOINTMENT:
            self.first.setText(m.t("noappt_take"))
            self.first.setVisible(m.card_ticket_on())
            self.second.setText(m.t("home"))
        else:
            self.first.setText(m.t("card_retry"))
            self.first.setVisible(m.card_can_retry())
            self.second.setText(m.t("card_normal_ticket"))
        repolish(self.mark)


# ---------------------------------------------------------------------------------- window
class KioskWindow(QWidget):
    """The whole kiosk screen: header (hall, language), the current page, a status line."""

    def __init__(self, model: KioskModel, device_id: str = ""):
        super().__init__()
        self.model = model
        self.device_id = device_id
        self.setObjectName("kiosk")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(qss(STYLE))
        self.setWindowTitle("HallCall kiosk")
        root = QVBoxLayout(self)
        # The window is the screen: its size is never grown to fit a page. Pages are designed to
        # fit both 1080x1920 and 1920x1080; `overflow()` tells when one does not (tests check it).
        root.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)

        header = QFrame()
        header.setObjectName("header")
        header.setFixedHeight(132)  # the same on every page, with or without its buttons
        h = QHBoxLayout(header)
        h.setContentsMargins(MARGIN, 18, MARGIN, 18)
        h.setSpacing(GAP)
        self.home_button = button("", "header", lambda: model.home())
        self.hall_name = label("", "hallName")
        self.language = button("", "header", model.toggle_language)
        h.addWidget(self.home_button)
        h.addWidget(self.hall_name, 1)
        h.addWidget(self.language)
        root.addWidget(header)

        self.stack = QStackedWidget()
        self.screens: dict[Screen, Screen_] = {
            Screen.START: StartScreen(model),
            Screen.MATTERS: MattersScreen(model),
            Screen.GUIDE: GuideScreen(model),
            Screen.APPOINTMENT: AppointmentScreen(model),
            Screen.WORKING: WorkingScreen(model),
            Screen.RESULT: ResultScreen(model),
            Screen.ERROR: MessageScreen(model),
            Screen.CARD: CardScreen(model),
        }
        self.screens[Screen.GREEN] = self.screens[Screen.CARD]
        self.screens[Screen.PICKUP] = self.screens[Screen.APPOINTMENT]
        self.screens[Screen.NO_APPOINTMENT] = self.screens[Screen.CARD]
        self.screens[Screen.UNAVAILABLE] = self.screens[Screen.ERROR]
        for s in dict.fromkeys(self.screens.values()):
            self.stack.addWidget(s)
        root.addWidget(self.stack, 1)

        footer = QFrame()
        footer.setObjectName("footer")
        f = QHBoxLayout(footer)
        f.setContentsMargins(MARGIN, 10, MARGIN, 10)
        self.status = label("", "status", wrap=False)
        f.addWidget(self.status)
        root.addWidget(footer)

        # every touch anywhere keeps the visitor's session alive (idle return)
        self.installEventFilter(self)
        model.on_change(self.refresh)
        self.refresh()

    def eventFilter(self, obj, event) -> bool:
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin):
            self.model.touch()
        return False

    def mousePressEvent(self, event) -> None:
        self.model.touch()
        super().mousePressEvent(event)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._orient(self.height() >= self.width())

    def _orient(self, portrait: bool) -> None:
        for s in dict.fromkeys(self.screens.values()):
            s.set_portrait(portrait)
        self.refresh()

    def fit(self, width: int, height: int) -> None:
        """Resize to a screen size, laying the pages out for its orientation first."""
        self._orient(height >= width)
        self.resize(width, height)

    def overflow(self) -> list[str]:
        """Widgets on the current page squeezed below the size their text needs (should be [])."""
        page = self.stack.currentWidget()
        assert page is not None  # the stack is given every page in __init__
        problems = []
        need = page.minimumSizeHint()
        if need.height() > page.height() or need.width() > page.width():
            problems.append(
                f"page {type(page).__name__} needs {need.width()}x{need.height()}, "
                f"has {page.width()}x{page.height()}"
            )
        for w in page.findChildren(QLabel) + page.findChildren(QPushButton):
            if not w.isVisibleTo(page) or not w.text():
                continue
            hint = w.minimumSizeHint() if isinstance(w, QPushButton) or not w.wordWrap() else None
            if hint is None:  # a wrapped label needs its height for its width
                need_w, need_h = 0, w.heightForWidth(w.width())
            else:
                need_w, need_h = hint.width(), hint.height()
            if w.width() < need_w - 1 or w.height() < need_h - 1:
                problems.append(
                    f"{type(w).__name__} {w.objectName()!r} {w.text()[:30]!r}: "
                    f"{w.width()}x{w.height()} < {need_w}x{need_h}"
                )
        return problems

    def current(self) -> Screen_:
        return self.screens[self.model.screen]

    def refresh(self) -> None:
        m = self.model
        screen = m.screen
        self.hall_name.setText(m.hall_name())
        other = m.other_language()
        self.language.setText(m.language_button())
        self.language.setVisible(other is not None and screen not in (Screen.WORKING,))
        self.home_button.setText(m.t("home"))
        self.home_button.setVisible(
            screen in (Screen.MATTERS, Screen.GUIDE, Screen.APPOINTMENT, Screen.PICKUP)
        )
        page = self.screens[screen]
        page.refresh()
        for other_page in dict.fromkeys(self.screens.values()):
            # only the page on show may ask for room: hidden ones must not grow the window
            policy = (
                QSizePolicy.Policy.Preferred if other_page is page else QSizePolicy.Policy.Ignored
            )
            other_page.setSizePolicy(policy, policy)
        self.stack.setCurrentWidget(page)
        online = m.t("status_online") if m.broker_reachable() else m.t("status_offline")
        printer = m.t(f"printer_state_{m.printer_status}") if m.printer_status else ""
        sep = "  ·  "
        self.status.setText(
            sep.join(p for p in (online, m.t("printer_label", state=printer), self.device_id) if p)
        )
