"""The pad's touch screen: a 7" landscape display (800x480 or 1024x600) that renders the model.

Every picture (faces, check mark, warning sign, the clerk's placeholder) is drawn with QPainter,
so no emoji or symbol font is needed; text uses the CJK font the app installs. Sizes follow the
window's height, so one layout fits both screens.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractButton,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from hallcall.device_kit.qt_theme import qcolor
from hallcall.device_kit.theme import PALETTE as P
from hallcall.device_kit.theme import contrast_ratio, qss
from hallcall.rating_pad.controller import PadController
from hallcall.rating_pad.model import Phase, RatingPadModel, missing_text

#: Level colours, lowest first: red, amber, green (five levels add orange and light green).
LEVEL_COLORS = {
    3: [P.pad_level_worst, P.pad_level_middle, P.success],
    5: [P.pad_level_worst, P.pad_level_low, P.pad_level_middle, P.pad_level_high, P.success],
}
INK = qcolor(P.text)

#: The pad's one style sheet (on PadWindow): palette roles, filled by qss(). A label's `tone`
#: property picks its colour; the prompt box and its text have an `open` property (False: the
#: clerk's window is paused or closed, and they turn grey).
STYLE = """
#pad { background: $background; }
#header { background: $pad_header; }
#banner { background: $danger; }
QLabel { color: $text; background: transparent; }
QLabel[tone="muted"] { color: $muted_dark; }
QLabel[tone="light"] { color: $on_primary; }
QPushButton#lang { color: $on_primary; background: transparent; border: 2px solid $on_primary;
    border-radius: 10px; padding: 2px 14px; }
#promptBox { background: $pad_open_surface; border-radius: 18px; }
#promptBox[open="false"] { background: $disabled_surface; }
QLabel#prompt, QLabel#promptHint { color: $pad_open_text; }
QLabel#prompt[open="false"] { color: $muted_dark; }
QLabel#missing { color: $notice_text; background: $notice_surface;
    border: 2px solid $notice_border; border-radius: 10px; padding: 6px 10px; }
QPushButton#skip { background: $surface; color: $text; border: 2px solid $border_strong;
    border-radius: 14px; }
QPushButton#submit { background: $pad_header; color: $on_primary; border: none;
    border-radius: 14px; }
QPushButton#submit:pressed { background: $pad_header_pressed; }
QLabel#note { color: $pad_note_text; background: $pad_note_surface;
    border: 2px solid $pad_level_middle; border-radius: 12px; }
"""


#: The inks a face and its label are drawn in, on a level's colour.
LEVEL_INKS = (P.on_primary, P.pad_ink_on_light)


def _readable_on(color: QColor) -> QColor:
    """The ink that reads best on a level's colour: dark on amber and light green, else white."""
    return qcolor(max(LEVEL_INKS, key=lambda ink: contrast_ratio(ink, color.name())))


def _font(px: float, bold: bool = False) -> QFont:
    font = QFont()
    font.setPixelSize(max(9, round(px)))
    font.setBold(bold)
    return font


# ====================================================================== drawn pieces
def draw_face(p: QPainter, rect: QRectF, mood: float, ink: QColor) -> None:
    """A face in `rect`: mood 0.0 frowns, 0.5 is straight, 1.0 smiles."""
    side = min(rect.width(), rect.height())
    c = rect.center()
    r = side / 2 * 0.92
    pen = QPen(
        ink,
        max(2.0, side * 0.06),
        Qt.PenStyle.SolidLine,
        Qt.PenCapStyle.RoundCap,
        Qt.PenJoinStyle.RoundJoin,
    )
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawEllipse(c, r, r)
    p.setBrush(ink)
    p.setPen(Qt.PenStyle.NoPen)
    eye = r * 0.12
    p.drawEllipse(QPointF(c.x() - r * 0.36, c.y() - r * 0.22), eye, eye)
    p.drawEllipse(QPointF(c.x() + r * 0.36, c.y() - r * 0.22), eye, eye)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    curve = (mood - 0.5) * 2  # -1 frown .. +1 smile
    y = c.y() + r * (0.38 - 0.08 * curve)
    half = r * 0.42
    path = QPainterPath(QPointF(c.x() - half, y))
    path.quadTo(QPointF(c.x(), y + curve * r * 0.42), QPointF(c.x() + half, y))
    p.drawPath(path)
    if mood <= 0.01:  # the lowest level also has sad (not angry) brows: inner ends raised
        p.drawLine(
            QPointF(c.x() - r * 0.58, c.y() - r * 0.40), QPointF(c.x() - r * 0.22, c.y() - r * 0.54)
        )
        p.drawLine(
            QPointF(c.x() + r * 0.58, c.y() - r * 0.40), QPointF(c.x() + r * 0.22, c.y() - r * 0.54)
        )


def draw_check(p: QPainter, rect: QRectF, fill: QColor, ink: QColor) -> None:
    side = min(rect.width(), rect.height())
    c = rect.center()
    r = side / 2 * 0.95
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(fill)
    p.drawEllipse(c, r, r)
    p.setPen(
        QPen(
            ink,
            side * 0.09,
            Qt.PenStyle.SolidLine,
            Qt.PenCapStyle.RoundCap,
            Qt.PenJoinStyle.RoundJoin,
        )
    )
    p.setBrush(Qt.BrushStyle.NoBrush)
    path = QPainterPath(QPointF(c.x() - r * 0.45, c.y() + r * 0.02))
    path.lineTo(QPointF(c.x() - r * 0.12, c.y() + r * 0.34))
    path.lineTo(QPointF(c.x() + r * 0.48, c.y() - r * 0.30))
    p.drawPath(path)


def draw_warning(p: QPainter, rect: QRectF, fill: QColor, ink: QColor) -> None:
    side = min(rect.width(), rect.height())
    c = rect.center()
    h = side * 0.9
    tri = QPainterPath(QPointF(c.x(), c.y() - h / 2))
    tri.lineTo(QPointF(c.x() + h * 0.55, c.y() + h / 2))
    tri.lineTo(QPointF(c.x() - h * 0.55, c.y() + h / 2))
    tri.closeSubpath()
    p.setPen(
        QPen(
            fill,
            side * 0.06,
            Qt.PenStyle.SolidLine,
            Qt.PenCapStyle.RoundCap,
            Qt.PenJoinStyle.RoundJoin,
        )
    )
    p.setBrush(fill)
    p.drawPath(tri)
    p.setPen(QPen(ink, side * 0.09, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    p.drawLine(QPointF(c.x(), c.y() - h * 0.16), QPointF(c.x(), c.y() + h * 0.18))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(ink)
    p.drawEllipse(QPointF(c.x(), c.y() + h * 0.34), side * 0.055, side * 0.055)


def draw_person(p: QPainter, rect: QRectF, fill: QColor, ink: QColor) -> None:
    """A head-and-shoulders placeholder for a clerk without a photo."""
    side = min(rect.width(), rect.height())
    c = rect.center()
    r = side / 2
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(fill)
    p.drawEllipse(c, r, r)
    clip = QPainterPath()
    clip.addEllipse(c, r, r)
    p.save()
    p.setClipPath(clip)
    p.setBrush(ink)
    p.drawEllipse(QPointF(c.x(), c.y() - r * 0.18), r * 0.36, r * 0.36)
    p.drawEllipse(QPointF(c.x(), c.y() + r * 0.95), r * 0.72, r * 0.62)
    p.restore()


class Icon(QWidget):
    """A drawn icon: "check", "warning" or "wait"."""

    def __init__(self, kind: str = "check", parent: QWidget | None = None):
        super().__init__(parent)
        self.kind = kind
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def set_kind(self, kind: str) -> None:
        if kind != self.kind:
            self.kind = kind
            self.update()

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(3, 3, -3, -3)
        if self.kind == "check":
            draw_check(p, rect, qcolor(P.success), qcolor(P.on_primary))
        elif self.kind == "warning":
            draw_warning(p, rect, qcolor(P.pad_level_middle), qcolor(P.pad_ink_on_light))
        else:  # wait: three dots
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(qcolor(P.pad_header))
            side = min(rect.width(), rect.height())
            for i in (-1, 0, 1):
                p.drawEllipse(
                    QPointF(rect.center().x() + i * side * 0.3, rect.center().y()),
                    side * 0.1,
                    side * 0.1,
                )
        p.end()


class Photo(QWidget):
    """The clerk's photo in a circle, or a drawn placeholder."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._pixmap: QPixmap | None = None
        self._source: str | None = None
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def set_photo(self, path: Path | None) -> None:
        source = str(path) if path else None
        if source == self._source:
            return
        self._source = source
        pixmap = QPixmap(source) if source else None
        self._pixmap = pixmap if pixmap is not None and not pixmap.isNull() else None
        self.update()

    @property
    def has_photo(self) -> bool:
        return self._pixmap is not None

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        rect = QRectF(self.rect()).adjusted(2, 2, -2, -2)
        if self._pixmap is None:
            draw_person(p, rect, qcolor(P.track), qcolor(P.border_strong))
        else:
            clip = QPainterPath()
            clip.addEllipse(rect)
            p.setClipPath(clip)
            scaled = self._pixmap.scaled(
                rect.size().toSize(),
                Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                Qt.TransformationMode.SmoothTransformation,
            )
            x = rect.x() + (rect.width() - scaled.width()) / 2
            y = rect.y() + (rect.height() - scaled.height()) / 2
            p.drawPixmap(QPointF(x, y), scaled)
            p.setClipping(False)
            p.setPen(QPen(qcolor(P.track), 3))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawEllipse(rect)
        p.end()


class FaceButton(QAbstractButton):
    """One rating level: a big coloured button with a face and its name."""

    def __init__(self, score: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.score = score
        self.color = qcolor(P.success)
        self.mood = 1.0
        self.label_px = 20
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def configure(self, color: str, mood: float, label: str, label_px: int) -> None:
        self.color, self.mood, self.label_px = qcolor(color), mood, label_px
        self.setText(label)
        self.setAccessibleName(label)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(140, 200)

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(2, 2, -2, -2)
        fill = self.color.darker(125) if self.isDown() else self.color
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(fill)
        p.drawRoundedRect(rect, rect.width() * 0.08, rect.width() * 0.08)
        ink = _readable_on(self.color)
        font = _font(self.label_px, bold=True)
        p.setFont(font)
        # Leave room for up to two lines of label under the face.
        label_h = self.label_px * 2.7
        face_area = QRectF(
            rect.x(),
            rect.y() + rect.height() * 0.06,
            rect.width(),
            rect.height() - label_h - rect.height() * 0.06,
        )
        side = min(face_area.width() * 0.72, face_area.height() * 0.86)
        face = QRectF(0, 0, side, side)
        face.moveCenter(face_area.center())
        draw_face(p, face, self.mood, ink)
        p.setPen(ink)
        text_rect = QRectF(rect.x() + 6, rect.bottom() - label_h, rect.width() - 12, label_h - 6)
        p.drawText(
            text_rect,
            Qt.AlignmentFlag.AlignHCenter
            | Qt.AlignmentFlag.AlignVCenter
            | Qt.TextFlag.TextWordWrap,
            self.text(),
        )
        p.end()


class ChipButton(QAbstractButton):
    """A reason the visitor can tick; a drawn box shows the tick (not colour alone)."""

    def __init__(self, code: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.code = code
        self.px = 20
        self.setCheckable(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def sizeHint(self) -> QSize:
        return QSize(220, 70)

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(2, 2, -2, -2)
        on = self.isChecked()
        p.setPen(QPen(qcolor(P.pad_level_worst if on else P.border_strong), 3 if on else 2))
        p.setBrush(qcolor(P.danger_surface if on else P.surface))
        p.drawRoundedRect(rect, 14, 14)
        box = self.px * 1.1
        bx = rect.x() + self.px * 0.7
        box_rect = QRectF(bx, rect.center().y() - box / 2, box, box)
        p.setPen(QPen(qcolor(P.pad_level_worst if on else P.pad_unticked), 2.5))
        p.setBrush(qcolor(P.pad_level_worst) if on else Qt.BrushStyle.NoBrush)
        p.drawRoundedRect(box_rect, 4, 4)
        if on:
            p.setPen(
                QPen(
                    qcolor(P.on_primary),
                    max(2.5, box * 0.14),
                    Qt.PenStyle.SolidLine,
                    Qt.PenCapStyle.RoundCap,
                    Qt.PenJoinStyle.RoundJoin,
                )
            )
            path = QPainterPath(QPointF(box_rect.x() + box * 0.22, box_rect.y() + box * 0.52))
            path.lineTo(QPointF(box_rect.x() + box * 0.43, box_rect.y() + box * 0.74))
            path.lineTo(QPointF(box_rect.x() + box * 0.80, box_rect.y() + box * 0.28))
            p.drawPath(path)
        p.setPen(INK)
        p.setFont(_font(self.px, bold=on))
        text_rect = QRectF(
            box_rect.right() + self.px * 0.5,
            rect.y(),
            rect.right() - box_rect.right() - self.px * 0.8,
            rect.height(),
        )
        p.drawText(
            text_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap,
            self.text(),
        )
        p.end()


class Countdown(QWidget):
    """A thin bar that shrinks as the time to answer runs out."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.share = 1.0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_share(self, share: float) -> None:
        if abs(share - self.share) > 0.002:
            self.share = share
            self.update()

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect())
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(qcolor(P.track))
        p.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
        p.setBrush(qcolor(P.pad_header))
        filled = QRectF(rect.x(), rect.y(), rect.width() * self.share, rect.height())
        if filled.width() > 0:
            p.drawRoundedRect(filled, rect.height() / 2, rect.height() / 2)
        p.end()


def _label(parent: QWidget | None = None, tone: str = "", wrap: bool = True) -> QLabel:
    """A label in the pad's style: tone "" (text), "muted" or "light" (on the header)."""
    label = QLabel(parent)
    label.setWordWrap(wrap)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    if tone:
        label.setProperty("tone", tone)
    return label


def _set_property(widget: QWidget, name: str, value: object) -> None:
    """Set a property a style sheet rule reads, and restyle the widget when it changed."""
    if widget.property(name) != value:
        widget.setProperty(name, value)
        widget.style().unpolish(widget)
        widget.style().polish(widget)


# ====================================================================== pages
class IdlePage(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.photo = Photo()
        self.name = _label()
        self.name.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.post = _label(tone="muted")
        self.post.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.contact = _label(tone="muted")
        self.contact.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        who = QVBoxLayout()
        who.addStretch(1)
        who.addWidget(self.name)
        who.addWidget(self.post)
        who.addWidget(self.contact)
        who.addStretch(1)
        top = QHBoxLayout()
        top.addStretch(1)
        top.addWidget(self.photo, 0, Qt.AlignmentFlag.AlignVCenter)
        top.addSpacing(24)
        top.addLayout(who, 3)
        top.addStretch(1)
        self.prompt_box = QWidget()
        self.prompt_box.setObjectName("promptBox")
        self.prompt_box.setProperty("open", True)
        self.prompt = _label()
        self.prompt.setObjectName("prompt")
        self.prompt.setProperty("open", True)
        self.hint = _label()
        self.hint.setObjectName("promptHint")
        self._prompt_layout = QVBoxLayout(self.prompt_box)
        self._prompt_layout.addWidget(self.prompt)
        self._prompt_layout.addWidget(self.hint)
        self._layout = QVBoxLayout(self)
        self._layout.addLayout(top, 3)
        self._layout.addWidget(self.prompt_box, 2)

    def restyle(self, h: int) -> None:
        u = h / 480
        side = round(150 * u)
        self.photo.setFixedSize(side, side)
        self.name.setFont(_font(44 * u, bold=True))
        self.post.setFont(_font(22 * u))
        self.contact.setFont(_font(18 * u))
        self.prompt.setFont(_font(34 * u, bold=True))
        self.hint.setFont(_font(19 * u))
        m = round(18 * u)
        self._layout.setContentsMargins(m * 2, m, m * 2, m)
        self._prompt_layout.setContentsMargins(m, round(m * 0.6), m, round(m * 0.6))


class AskPage(QWidget):
    chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = _label()
        self.subtitle = _label(tone="muted")
        #: 需补件: the materials still missing, in both languages, above the faces.
        self.missing = _label()
        self.missing.setObjectName("missing")
        self.missing.hide()
        self.row = QHBoxLayout()
        self.buttons: list[FaceButton] = []
        self.countdown = Countdown()
        self.left = _label(tone="muted")
        self._layout = QVBoxLayout(self)
        self._layout.addWidget(self.title)
        self._layout.addWidget(self.subtitle)
        self._layout.addWidget(self.missing)
        self._layout.addLayout(self.row, 1)
        self._layout.addWidget(self.countdown)
        self._layout.addWidget(self.left)
        self._scale = 0
        self._h = 480

    def set_levels(self, labels: list[str]) -> None:
        scale = len(labels)
        if scale != self._scale:
            for b in self.buttons:
                self.row.removeWidget(b)
                b.deleteLater()
            self.buttons = []
            for score in range(scale, 0, -1):  # best first, on the left (as halls' pads do)
                button = FaceButton(score)
                button.clicked.connect(lambda checked=False, s=score: self.chosen.emit(s))
                self.row.addWidget(button)
                self.buttons.append(button)
            self._scale = scale
        colors = LEVEL_COLORS.get(scale) or LEVEL_COLORS[3]
        u = self._h / 480
        px = (24 if scale == 3 else 18) * u
        for button in self.buttons:
            i = button.score - 1
            button.configure(colors[i], i / (scale - 1), labels[i], round(px))

    def restyle(self, h: int) -> None:
        self._h = h
        u = h / 480
        self.title.setFont(_font(32 * u, bold=True))
        self.subtitle.setFont(_font(19 * u))
        self.missing.setFont(_font(16 * u))
        self.left.setFont(_font(16 * u))
        self.countdown.setFixedHeight(max(6, round(10 * u)))
        m = round(16 * u)
        self._layout.setContentsMargins(m * 2, m // 2, m * 2, m // 2)
        self._layout.setSpacing(round(8 * u))
        self.row.setSpacing(round((22 if self._scale <= 3 else 12) * u))


class FollowUpPage(QWidget):
    toggled = Signal(str)
    submit = Signal()
    skip = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = _label()
        self.hint = _label(tone="muted")
        self.grid = QGridLayout()
        self.chips: list[ChipButton] = []
        self.skip_button = QPushButton()
        self.submit_button = QPushButton()
        self.skip_button.setObjectName("skip")
        self.submit_button.setObjectName("submit")
        self.skip_button.clicked.connect(self.skip)
        self.submit_button.clicked.connect(self.submit)
        for b in (self.skip_button, self.submit_button):
            b.setCursor(Qt.CursorShape.PointingHandCursor)
            b.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.countdown = Countdown()
        buttons = QHBoxLayout()
        buttons.addWidget(self.skip_button, 1)
        buttons.addWidget(self.submit_button, 2)
        self._layout = QVBoxLayout(self)
        self._layout.addWidget(self.title)
        self._layout.addWidget(self.hint)
        self._layout.addLayout(self.grid, 1)
        self._layout.addLayout(buttons)
        self._layout.addWidget(self.countdown)
        self._codes: tuple[str, ...] = ()
        self._px = 20

    def set_reasons(self, reasons: list[tuple[str, str]], selected: list[str]) -> None:
        codes = tuple(code for code, _ in reasons)
        if codes != self._codes:
            for chip in self.chips:
                self.grid.removeWidget(chip)
                chip.deleteLater()
            self.chips = []
            columns = 2 if len(codes) <= 4 else 3
            for i, code in enumerate(codes):
                chip = ChipButton(code)
                chip.clicked.connect(lambda checked=False, c=code: self.toggled.emit(c))
                self.grid.addWidget(chip, i // columns, i % columns)
                self.chips.append(chip)
            self._codes = codes
        for chip, (_, text) in zip(self.chips, reasons):
            chip.px = self._px
            chip.setText(text)
            chip.setChecked(chip.code in selected)
            chip.update()

    def restyle(self, h: int) -> None:
        u = h / 480
        self._px = round(19 * u)
        self.title.setFont(_font(30 * u, bold=True))
        self.hint.setFont(_font(17 * u))
        for b in (self.skip_button, self.submit_button):
            b.setFont(_font(24 * u, bold=True))
            b.setFixedHeight(round(64 * u))
        self.countdown.setFixedHeight(max(6, round(10 * u)))
        m = round(16 * u)
        self._layout.setContentsMargins(m * 2, m // 2, m * 2, m)
        self._layout.setSpacing(round(8 * u))
        self.grid.setSpacing(round(12 * u))
        for chip in self.chips:
            chip.px = self._px


class MessagePage(QWidget):
    """Thanks, sending, refused, connecting, unconfigured: an icon and a few lines."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.icon = Icon()
        self.title = _label()
        self.subtitle = _label(tone="muted")
        self.note = _label()
        self.note.setObjectName("note")
        self._layout = QVBoxLayout(self)
        self._layout.addStretch(1)
        self._layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignHCenter)
        self._layout.addWidget(self.title)
        self._layout.addWidget(self.subtitle)
        self._layout.addWidget(self.note)
        self._layout.addStretch(1)

    def show_message(self, icon: str, title: str, subtitle: str = "", note: str = "") -> None:
        self.icon.set_kind(icon)
        self.title.setText(title)
        self.subtitle.setText(subtitle)
        self.subtitle.setVisible(bool(subtitle))
        self.note.setText(note)
        self.note.setVisible(bool(note))

    def restyle(self, h: int) -> None:
        u = h / 480
        side = round(120 * u)
        self.icon.setFixedSize(side, side)
        self.title.setFont(_font(40 * u, bold=True))
        self.subtitle.setFont(_font(22 * u))
        self.note.setFont(_font(19 * u))
        self.note.setContentsMargins(round(14 * u), round(8 * u), round(14 * u), round(8 * u))
        m = round(24 * u)
        self._layout.setContentsMargins(m * 2, m // 2, m * 2, m // 2)
        self._layout.setSpacing(round(10 * u))


# ====================================================================== the window
class PadWindow(QWidget):
    """The whole screen. Touches call the controller; `refresh()` follows the model."""

    def __init__(
        self,
        controller: PadController,
        photo_dir: Path | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        # What the screen shows now: (model version, seconds left, progress); None redraws.
        self._rendered: tuple[int, int, float] | None = None
        self.controller = controller
        self.model: RatingPadModel = controller.model
        self.photo_dir = photo_dir
        self.setWindowTitle(f"HallCall rating pad {self.model.pad_id}")
        self.setObjectName("pad")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(qss(STYLE))

        self.header = QWidget()
        self.header.setObjectName("header")
        self.header.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.window_label = _label(tone="light", wrap=False)
        self.window_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.language = QPushButton()
        self.language.setObjectName("lang")
        self.language.setCursor(Qt.CursorShape.PointingHandCursor)
        self.language.clicked.connect(controller.switch_language)
        self._header_layout = QHBoxLayout(self.header)
        self._header_layout.addWidget(self.window_label, 1)
        self._header_layout.addWidget(self.language)

        self.banner = QWidget()
        self.banner.setObjectName("banner")
        self.banner.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.banner_icon = Icon("warning")
        self.banner_text = _label(tone="light")
        self.banner_text.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self._banner_layout = QHBoxLayout(self.banner)
        self._banner_layout.addWidget(self.banner_icon)
        self._banner_layout.addWidget(self.banner_text, 1)

        self.idle = IdlePage()
        self.ask = AskPage()
        self.follow = FollowUpPage()
        self.message = MessagePage()
        self.ask.chosen.connect(controller.choose)
        self.follow.toggled.connect(controller.toggle_reason)
        self.follow.submit.connect(controller.confirm_reasons)
        self.follow.skip.connect(controller.skip_reasons)
        self.stack = QStackedWidget()
        for page in (self.idle, self.ask, self.follow, self.message):
            self.stack.addWidget(page)

        self.footer = _label(tone="muted", wrap=False)
        self.footer.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.footer)

        controller.changed.connect(self.refresh)
        self._restyle()
        self.refresh()

    # ------------------------------------------------------------------ layout
    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._restyle()

    def _restyle(self) -> None:
        h = max(300, self.height())
        u = h / 480
        self.header.setFixedHeight(round(54 * u))
        self._header_layout.setContentsMargins(
            round(20 * u), round(6 * u), round(14 * u), round(6 * u)
        )
        self.window_label.setFont(_font(24 * u, bold=True))
        self.language.setFont(_font(18 * u))
        self.language.setFixedHeight(round(38 * u))
        self.banner.setFixedHeight(round(46 * u))
        self._banner_layout.setContentsMargins(
            round(16 * u), round(4 * u), round(16 * u), round(4 * u)
        )
        self.banner_icon.setFixedSize(round(32 * u), round(32 * u))
        self.banner_text.setFont(_font(19 * u, bold=True))
        self.footer.setFont(_font(15 * u))
        self.footer.setContentsMargins(0, 0, round(16 * u), round(4 * u))
        for page in (self.idle, self.ask, self.follow, self.message):
            page.restyle(h)
        self._rendered = None
        self.refresh()

    # ------------------------------------------------------------------ rendering
    def _photo_path(self, photo: str | None) -> Path | None:
        if not photo:
            return None
        path = Path(photo)
        if not path.is_absolute() and self.photo_dir is not None:
            path = self.photo_dir / path
        return path if path.is_file() else None

    def refresh(self) -> None:
        """Show what the model holds (not QWidget.render, which paints into a device)."""
        m = self.model
        key = (m.version, m.remaining_s(), round(m.progress(), 2))
        if key == self._rendered:
            return
        self._rendered = key
        # Header: the window and the language switch.
        if m.window_number is not None:
            self.window_label.setText(m.t("window", n=m.window_number))
        else:
            self.window_label.setText("HallCall")
        other = m.next_language()
        self.language.setVisible(len(m.languages) > 1 and other != m.lang)
        self.language.setText("English" if other == "en" else "中文")
        # The banner: is the service reachable?
        unavailable = not m.available and m.phase not in (Phase.CONNECTING, Phase.UNCONFIGURED)
        self.banner.setVisible(unavailable)
        if unavailable:
            asking = m.phase in (Phase.ASKING, Phase.FOLLOW_UP)
            self.banner_text.setText(m.t("unavailable_ask" if asking else "unavailable_idle"))
        self.footer.setText(
            m.t("pending", n=len(m.pending)) if m.pending and m.phase is Phase.IDLE else ""
        )
        self.footer.setVisible(bool(self.footer.text()))

        phase = m.phase
        if phase is Phase.IDLE:
            self._render_idle()
            self.stack.setCurrentWidget(self.idle)
        elif phase is Phase.ASKING:
            q = m.question
            self.ask.title.setText(m.t("ask_title"))
            if q is not None and q.clerk is not None:
                self.ask.subtitle.setText(
                    m.t("ask_ticket", number=q.number, name=q.clerk.display_name(m.lang))
                )
            else:
                self.ask.subtitle.setText(m.t("ask_ticket_plain", number=q.number if q else ""))
            missing = q.missing if q else []
            self.ask.missing.setText(missing_text(missing) if missing else "")
            self.ask.missing.setVisible(bool(missing))
            self.ask.set_levels(m.level_labels())
            self.ask.countdown.set_share(m.progress())
            self.ask.left.setText(m.t("anonymous", s=m.remaining_s()))
            self.stack.setCurrentWidget(self.ask)
        elif phase is Phase.FOLLOW_UP:
            self.follow.title.setText(m.t("follow_title"))
            self.follow.hint.setText(m.t("follow_hint"))
            self.follow.set_reasons([(r.code, r.text(m.lang)) for r in m.reasons], m.selected)
            self.follow.skip_button.setText(m.t("skip"))
            self.follow.submit_button.setText(m.t("submit"))
            self.follow.countdown.set_share(m.progress())
            self.stack.setCurrentWidget(self.follow)
        else:
            if phase is Phase.THANKS:
                self.message.show_message(
                    "check", m.t("thanks"), m.t("thanks_sub"), m.t("queued") if m.queued else ""
                )
            elif phase is Phase.SENDING:
                self.message.show_message("wait", m.t("sending"))
            elif phase is Phase.NOTICE:
                self.message.show_message("warning", m.t("not_recorded"), m.error_text())
            elif phase is Phase.UNCONFIGURED:
                self.message.show_message("warning", m.t("unconfigured", pad=m.pad_id))
            else:
                self.message.show_message("wait", m.t("connecting"))
            self.stack.setCurrentWidget(self.message)

    def _render_idle(self) -> None:
        m = self.model
        page = self.idle
        clerk = m.clerk
        open_window = m.window_status == "open" and clerk is not None
        page.photo.setVisible(clerk is not None)
        if clerk is not None:
            page.photo.set_photo(self._photo_path(clerk.photo))
            page.name.setText(clerk.display_name(m.lang))
            page.post.setText(m.t(f"post_{clerk.post}") if clerk.post in ("A", "B") else "")
            page.contact.setText(m.t("contact", c=clerk.contact) if clerk.contact else "")
        else:
            page.name.setText(m.t("no_clerk"))
            page.post.setText("")
            page.contact.setText("")
        page.post.setVisible(bool(page.post.text()))
        page.contact.setVisible(bool(page.contact.text()))
        if m.window_status == "paused":
            page.prompt.setText(
                m.t("paused", r=m.pause_reason) if m.pause_reason else m.t("paused_plain")
            )
            page.hint.setText("")
        elif not open_window and m.window_status is not None:
            page.prompt.setText(m.t("closed"))
            page.hint.setText("")
        else:
            page.prompt.setText(m.t("please_rate"))
            page.hint.setText(m.t("rate_after"))
        page.hint.setVisible(bool(page.hint.text()))
        rating = open_window or m.window_status is None
        _set_property(page.prompt_box, "open", rating)
        _set_property(page.prompt, "open", rating)
