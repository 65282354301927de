"""The clerk terminal's Qt window: it renders the `TerminalModel` and sends presses to the `Controller`.

`hallcall.window_terminal.app.TerminalApp` builds it with the model and controller on the device
kit's DeviceApp; the window owns neither the MQTT client nor the keypads.

Nothing here decides anything: which buttons are enabled, what a reply means and how the timer
is coloured all come from the model, so the keypad, GPIO buttons and this window behave alike.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtGui import QKeySequence, QPainter, QPixmap, QPolygonF, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from hallcall.device_kit.fonts import install_cjk_font
from hallcall.device_kit.qt_theme import qcolor
from hallcall.device_kit.theme import PALETTE, qss
from hallcall.window_terminal.actions import Controller
from hallcall.window_terminal.model import Action, Message, TerminalModel, TimerLevel
from hallcall.window_terminal.texts import (
    LANGUAGES,
    OUTCOMES,
    PAUSE_REASONS,
    VISITOR_MISSING_FOOTER,
    VISITOR_MISSING_TITLE,
    duration,
    reason_label,
    t,
)

#: The window's style sheet: colours are palette roles (hallcall.device_kit.theme), filled by qss().
STYLE = """
QWidget#root { background: $background; }
QFrame#header { background: $terminal_header; }
QLabel#headerTitle { color: $on_primary; font-size: 30px; }
QLabel#headerSub { color: $terminal_header_text; font-size: 17px; }
QLabel#headerClerk { color: $on_primary; font-size: 22px; }
QLabel#headerNet { font-size: 16px; color: $terminal_online; }
QLabel#headerNet[ok="false"] { color: $terminal_offline; }
QLabel#pill { border-radius: 16px; padding: 4px 16px; font-size: 19px; color: $on_primary;
    background: $closed; }
QLabel#pill[state="open"] { background: $success; }
QLabel#pill[state="paused"] { background: $warning; }
QPushButton#headerButton { background: transparent; color: $on_primary;
    border: 1px solid $terminal_header_border; border-radius: 10px; padding: 6px 14px;
    font-size: 17px; }
QPushButton#headerButton:disabled { color: $terminal_header_border;
    border-color: $terminal_header_border_disabled; }
QLabel#message { font-size: 20px; padding: 10px 24px; border-radius: 0px; }
QLabel#message[kind="error"] { background: $danger_surface; color: $terminal_error_text;
    border-bottom: 2px solid $terminal_error_border; }
QLabel#message[kind="info"] { background: $terminal_info_surface; color: $terminal_info_text;
    border-bottom: 2px solid $terminal_info_border; }
QLabel#message[kind="busy"] { background: $surface_tint; color: $terminal_header;
    border-bottom: 2px solid $terminal_busy_border; }
QFrame#card { background: $surface; border: 1px solid $border; border-radius: 16px; }
QLabel#cardTitle { font-size: 19px; color: $muted; }
QLabel#number { font-size: 150px; font-weight: 700; color: $terminal_heading; }
QLabel#matter { font-size: 28px; color: $text; }
QLabel#dept { font-size: 19px; color: $muted; }
QLabel#detail { font-size: 21px; color: $text_secondary; }
QLabel#detail[warn="true"] { color: $danger; }
QLabel#hint { font-size: 27px; color: $muted; }
QLabel#hint[paused="true"] { color: $warning; }
QLabel#badge { font-size: 17px; color: $on_primary; background: $terminal_priority;
    border-radius: 12px; padding: 3px 12px; }
QLabel#badge[kind="appointment"] { background: $terminal_appointment; }
QLabel#badge[kind="transferred"] { background: $closed; }
QLabel#timer { font-size: 24px; border-radius: 12px; padding: 6px 16px;
    color: $terminal_timer_ok_text; background: $terminal_timer_ok; }
QLabel#timer[level="amber"] { color: $notice_text; background: $terminal_timer_amber; }
QLabel#timer[level="red"] { color: $on_primary; background: $danger_bright; }
QLabel#timer[level="none"] { color: $text_secondary; background: $track; }
QProgressBar { border: none; background: $track; border-radius: 5px; }
QProgressBar::chunk { border-radius: 5px; background: $success_bright; }
QProgressBar[level="amber"]::chunk { background: $warning_bright; }
QProgressBar[level="red"]::chunk { background: $danger_bright; }
QLabel#depName { font-size: 19px; color: $text; }
QLabel#depCount { font-size: 40px; font-weight: 700; color: $terminal_heading; }
QLabel#depMeta { font-size: 16px; color: $muted; }
QLabel#bigStat { font-size: 46px; font-weight: 700; color: $terminal_heading; }
QLabel#lastLine { font-size: 21px; color: $text; }
QLabel#rating { font-size: 19px; color: $muted; }
QLabel#rating[rated="true"] { color: $terminal_finish; }
QPushButton#action { background: $surface; border: 1px solid $border_control;
    border-radius: 14px; }
QPushButton#action:pressed { background: $pressed; }
QPushButton#action:disabled { background: $disabled_surface; border-color: $disabled_border; }
QPushButton#action[role="primary"] { background: $terminal_primary; border: none; }
QPushButton#action[role="primary"]:disabled { background: $disabled_surface;
    border: 1px solid $disabled_border; }
QPushButton#action[role="finish"] { background: $terminal_finish; border: none; }
QPushButton#action[role="finish"]:disabled { background: $disabled_surface;
    border: 1px solid $disabled_border; }
QLabel#btnTitle { font-size: 24px; color: $text; }
QLabel#btnKey { font-size: 15px; color: $muted; }
QPushButton#action[role="primary"] QLabel, QPushButton#action[role="finish"] QLabel {
    color: $on_primary; }
QPushButton#action QLabel:disabled { color: $disabled_text; }
QPushButton#action[role="primary"] QLabel:disabled,
QPushButton#action[role="finish"] QLabel:disabled { color: $disabled_text; }
QCheckBox#material { font-size: 20px; color: $text; spacing: 10px; }
QCheckBox#material::indicator { width: 26px; height: 26px; }
QFrame#visitorNotice { background: $notice_surface; border: 2px solid $notice_border;
    border-radius: 16px; }
QLabel#noticeTitle { font-size: 24px; font-weight: 700; color: $notice_text; }
QLabel#noticeItem { font-size: 22px; color: $text; }
QLabel#noticeFooter { font-size: 17px; color: $terminal_notice_footer; }
QLabel#confirmText { font-size: 22px; color: $notice_text; }
QPushButton#choice { background: $surface; border: 1px solid $border_control; border-radius: 12px;
    font-size: 20px; padding: 10px 18px; color: $text; }
QPushButton#choice:checked { background: $terminal_primary; color: $on_primary;
    border-color: $terminal_primary; }
QPushButton#confirm { background: $terminal_primary; color: $on_primary; border: none;
    border-radius: 12px; font-size: 21px; padding: 12px 24px; }
QPushButton#confirm:disabled { background: $terminal_primary_disabled; }
QPushButton#cancel { background: $surface; color: $text_secondary;
    border: 1px solid $border_control; border-radius: 12px; font-size: 20px; padding: 12px 22px; }
QLabel#panelTitle { font-size: 22px; color: $text; }
QLabel#fieldLabel { font-size: 19px; color: $text_secondary; }
QLineEdit { font-size: 24px; padding: 8px 12px; border: 1px solid $border_control;
    border-radius: 10px; background: $surface; }
QComboBox { font-size: 20px; padding: 6px 12px; border: 1px solid $border_control;
    border-radius: 10px; background: $surface; min-height: 36px; }
QComboBox::drop-down { border: none; width: 40px; }
QComboBox::down-arrow { image: url($arrow); width: 16px; height: 10px; }
QComboBox QAbstractItemView { font-size: 20px; }
QLabel#loginTitle { font-size: 34px; color: $terminal_heading; }
QLabel#loginHint { font-size: 18px; color: $muted; }
QLabel#loginInfo { font-size: 18px; color: $terminal_header; background: $surface_tint;
    border-radius: 10px; padding: 8px 12px; }
"""

#: Keyboard shortcuts; shown on the buttons.
SHORTCUTS: dict[str, str] = {
    "next": "F1",
    "recall": "F2",
    "no_show": "F3",
    "done": "F4",
    "transfer": "F5",
    "pause": "F6",
    "returned": "F7",
    "needs_documents": "F8",
}


def _arrow_file() -> str:
    """A small down arrow for the combo box (a style sheet needs a file; none is shipped)."""
    color = PALETTE.muted
    path = Path(tempfile.gettempdir()) / "hallcall-ui" / f"arrow-down-{color[1:].lower()}.png"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pixmap = QPixmap(32, 20)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(qcolor(color))
        painter.drawPolygon(QPolygonF([QPointF(2, 2), QPointF(30, 2), QPointF(16, 18)]))
        painter.end()
        pixmap.save(str(path))
    return path.as_posix()


def _repolish(widget: QWidget, **props: object) -> None:
    changed = False
    for name, value in props.items():
        if widget.property(name) != value:
            widget.setProperty(name, value)
            changed = True
    if changed:
        widget.style().unpolish(widget)
        widget.style().polish(widget)
        for child in widget.findChildren(QWidget):
            child.style().unpolish(child)
            child.style().polish(child)


def _discard(widget: QWidget) -> None:
    """Take a widget off the screen now; Qt deletes it later."""
    widget.hide()
    widget.setParent(None)
    widget.deleteLater()


def _label(name: str, text: str = "", wrap: bool = False) -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(wrap)
    return label


def _card() -> QFrame:
    frame = QFrame()
    frame.setObjectName("card")
    return frame


class KeyButton(QPushButton):
    """A big action button: its name, and under it the keyboard key that presses it."""

    def __init__(self, key: str, role: str = "plain", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("action")
        self.setProperty("role", role)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys go to the window's shortcuts
        self.setMinimumHeight(80)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(2)
        self.title = _label("btnTitle")
        self.key = _label("btnKey", key)
        for lbl in (self.title, self.key):
            lbl.setAlignment(Qt.AlignmentFlag.AlignCenter)
            lbl.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            layout.addWidget(lbl)

    def set_title(self, text: str) -> None:
        if self.title.text() != text:
            self.title.setText(text)


class TerminalWindow(QWidget):
    """The clerk's window: renders `model`, sends presses to `controller`."""

    def __init__(
        self,
        model: TerminalModel,
        controller: Controller,
        *,
        lang_chosen: bool = False,
        now: Callable[[], datetime] | None = None,
        font_file: str | None = None,
        parent: QWidget | None = None,
    ):
        # The font first: a widget keeps the application font of the moment it is created.
        if isinstance(app := QApplication.instance(), QApplication):
            install_cjk_font(app, font_file)
        super().__init__(parent)
        self.now = now or (lambda: datetime.now(UTC))
        self._lang_chosen = lang_chosen
        self.model = model
        self.controller = controller
        self._changing_clerk = False
        self._panel: str | None = None
        self._post = "A"
        self._dep_rows: list[tuple[str, QLabel, QLabel, QLabel]] = []
        self._dep_ids: list[str] = []
        self._transfer_dep: str | None = None
        self._pause_reason: str | None = None
        #: The action a confirm panel asks about: (action, args, question).
        self._asking: tuple[Action, dict, Message] | None = None
        self._material_boxes: list[QCheckBox] = []

        self.setObjectName("root")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(qss(STYLE, arrow=_arrow_file()))
        self.resize(1280, 800)
        self.setMinimumSize(1024, 720)
        self._build()
        self._shortcuts()

        self.controller.on_change(self.refresh)
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._render_timer)
        self._ticker.start()
        self.refresh()

    # ================================================================== building
    def _build(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        root.addWidget(self._build_header())
        self.message = _label("message", wrap=True)
        self.message.hide()
        root.addWidget(self.message)
        self.pages = QStackedWidget()
        self.login_page = self._build_login()
        self.main_page = self._build_main()
        self.pages.addWidget(self.login_page)
        self.pages.addWidget(self.main_page)
        root.addWidget(self.pages, 1)

    def _build_header(self) -> QFrame:
        header = QFrame()
        header.setObjectName("header")
        header.setFixedHeight(88)
        lay = QHBoxLayout(header)
        lay.setContentsMargins(24, 8, 20, 8)
        lay.setSpacing(18)
        titles = QVBoxLayout()
        titles.setSpacing(0)
        self.h_title = _label("headerTitle")
        self.h_sub = _label("headerSub")
        titles.addWidget(self.h_title)
        titles.addWidget(self.h_sub)
        lay.addLayout(titles)
        lay.addSpacing(12)
        self.h_clerk = _label("headerClerk")
        lay.addWidget(self.h_clerk)
        self.h_status = _label("pill")
        self.h_status.setFixedHeight(36)
        lay.addWidget(self.h_status, 0, Qt.AlignmentFlag.AlignVCenter)
        lay.addStretch(1)
        self.h_net = _label("headerNet")
        lay.addWidget(self.h_net)
        self.lang_button = QPushButton()
        self.change_button = QPushButton()
        self.logout_button = QPushButton()
        for b in (self.lang_button, self.change_button, self.logout_button):
            b.setObjectName("headerButton")
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            lay.addWidget(b)
        self.lang_button.clicked.connect(self.toggle_language)
        self.change_button.clicked.connect(self.start_change_clerk)
        self.logout_button.clicked.connect(lambda: self.trigger(Action.LOGOUT))
        return header

    def _build_login(self) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        card = _card()
        card.setFixedWidth(620)
        lay = QVBoxLayout(card)
        lay.setContentsMargins(40, 32, 40, 32)
        lay.setSpacing(14)
        self.l_title = _label("loginTitle")
        self.l_hint = _label("loginHint", wrap=True)
        self.l_info = _label("loginInfo", wrap=True)
        lay.addWidget(self.l_title)
        lay.addWidget(self.l_hint)
        lay.addWidget(self.l_info)
        self.l_staff_label = _label("fieldLabel")
        self.staff_edit = QLineEdit()
        self.staff_edit.setMaxLength(32)
        self.staff_edit.returnPressed.connect(self.do_login)
        lay.addWidget(self.l_staff_label)
        lay.addWidget(self.staff_edit)
        self.l_pin_label = _label("fieldLabel")
        self.pin_edit = QLineEdit()
        self.pin_edit.setMaxLength(12)
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.returnPressed.connect(self.do_login)
        lay.addWidget(self.l_pin_label)
        lay.addWidget(self.pin_edit)
        self.l_post_label = _label("fieldLabel")
        lay.addWidget(self.l_post_label)
        posts = QHBoxLayout()
        self.post_group = QButtonGroup(self)
        self.post_buttons: dict[str, QPushButton] = {}
        for post in ("A", "B"):
            b = QPushButton()
            b.setObjectName("choice")
            b.setCheckable(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(lambda _=False, p=post: self.set_post(p))
            self.post_group.addButton(b)
            self.post_buttons[post] = b
            posts.addWidget(b)
        self.post_buttons["A"].setChecked(True)
        lay.addLayout(posts)
        self.l_lang_label = _label("fieldLabel")
        lay.addWidget(self.l_lang_label)
        langs = QHBoxLayout()
        self.lang_group = QButtonGroup(self)
        self.lang_buttons: dict[str, QPushButton] = {}
        for lang, name in (("zh", "中文"), ("en", "English")):
            b = QPushButton(name)
            b.setObjectName("choice")
            b.setCheckable(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(lambda _=False, lg=lang: self.set_language(lg))
            self.lang_group.addButton(b)
            self.lang_buttons[lang] = b
            langs.addWidget(b)
        lay.addLayout(langs)
        lay.addSpacing(8)
        buttons = QHBoxLayout()
        self.login_button = QPushButton()
        self.login_button.setObjectName("confirm")
        self.login_button.clicked.connect(self.do_login)
        self.login_cancel = QPushButton()
        self.login_cancel.setObjectName("cancel")
        self.login_cancel.clicked.connect(self.cancel)
        buttons.addWidget(self.login_cancel)
        buttons.addWidget(self.login_button, 1)
        lay.addLayout(buttons)
        row.addWidget(card)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(1)
        return page

    def _build_main(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(20, 16, 20, 16)
        lay.setSpacing(14)
        top = QHBoxLayout()
        top.setSpacing(14)
        top.addWidget(self._build_ticket_card(), 3)
        side = QVBoxLayout()
        side.setSpacing(14)
        side.addWidget(self._build_waiting_card(), 1)
        side.addWidget(self._build_shown_card())
        stats = QHBoxLayout()
        stats.setSpacing(14)
        stats.addWidget(self._build_served_card(), 2)
        stats.addWidget(self._build_last_card(), 3)
        side.addLayout(stats)
        top.addLayout(side, 2)
        lay.addLayout(top, 1)
        self.bottom = QStackedWidget()
        self.bottom.setFixedHeight(186)
        self.bottom.addWidget(self._build_actions())
        self.bottom.addWidget(self._build_transfer_panel())
        self.bottom.addWidget(self._build_pause_panel())
        self.bottom.addWidget(self._build_confirm_panel())
        self.bottom.addWidget(self._build_missing_panel())
        lay.addWidget(self.bottom)
        return page

    def _build_ticket_card(self) -> QFrame:
        card = _card()
        lay = QVBoxLayout(card)
        lay.setContentsMargins(28, 18, 28, 20)
        lay.setSpacing(6)
        head = QHBoxLayout()
        self.t_title = _label("cardTitle")
        head.addWidget(self.t_title)
        head.addStretch(1)
        self.badges: dict[str, QLabel] = {}
        for kind in ("priority", "appointment", "transferred"):
            badge = _label("badge")
            badge.setProperty("kind", kind)
            badge.hide()
            self.badges[kind] = badge
            head.addWidget(badge)
        lay.addLayout(head)
        self.number = _label("number")
        self.number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.number, 1)
        self.hint = _label("hint", wrap=True)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.hint, 1)
        self.matter = _label("matter", wrap=True)
        self.matter.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.matter)
        self.dept = _label("dept")
        self.dept.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.dept)
        lay.addSpacing(8)
        details = QHBoxLayout()
        self.waited = _label("detail")
        self.recalls = _label("detail")
        details.addWidget(self.waited)
        details.addStretch(1)
        details.addWidget(self.recalls)
        lay.addLayout(details)
        timer_row = QHBoxLayout()
        self.timer = _label("timer")
        self.timer_bar = QProgressBar()
        self.timer_bar.setTextVisible(False)
        self.timer_bar.setFixedHeight(10)
        self.timer_bar.setRange(0, 1000)
        timer_row.addWidget(self.timer)
        timer_row.addSpacing(12)
        timer_row.addWidget(self.timer_bar, 1)
        lay.addLayout(timer_row)
        lay.addWidget(self._build_visitor_notice())
        return card

    def _build_visitor_notice(self) -> QFrame:
        """After 需补件: every missing material, in Chinese and English, for the visitor to read
        (the one-time notification); it stays until the clerk closes it or calls the next."""
        self.notice = QFrame()
        self.notice.setObjectName("visitorNotice")
        lay = QVBoxLayout(self.notice)
        lay.setContentsMargins(20, 14, 20, 14)
        lay.setSpacing(6)
        head = QHBoxLayout()
        self.notice_title = _label("noticeTitle", wrap=True)
        head.addWidget(self.notice_title, 1)
        self.notice_close = QPushButton()
        self.notice_close.setObjectName("cancel")
        self.notice_close.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.notice_close.clicked.connect(self.close_notice)
        head.addWidget(self.notice_close, 0, Qt.AlignmentFlag.AlignTop)
        lay.addLayout(head)
        self.notice_items = _label("noticeItem", wrap=True)
        self.notice_footer = _label("noticeFooter", wrap=True)
        lay.addWidget(self.notice_items)
        lay.addWidget(self.notice_footer)
        self.notice.hide()
        return self.notice

    def _build_waiting_card(self) -> QFrame:
        card = _card()
        lay = QVBoxLayout(card)
        lay.setContentsMargins(22, 16, 22, 16)
        lay.setSpacing(8)
        self.w_title = _label("cardTitle")
        lay.addWidget(self.w_title)
        self.dep_box = QVBoxLayout()
        self.dep_box.setSpacing(8)
        lay.addLayout(self.dep_box)
        lay.addStretch(1)
        return card

    def _build_shown_card(self) -> QFrame:
        """Who the window's sign and the lobby display show (the hall rules' "三亮")."""
        card = _card()
        lay = QVBoxLayout(card)
        lay.setContentsMargins(22, 14, 22, 14)
        lay.setSpacing(4)
        self.c_title = _label("cardTitle")
        self.c_name = _label("lastLine")
        self.c_meta = _label("depMeta", wrap=True)
        for w in (self.c_title, self.c_name, self.c_meta):
            lay.addWidget(w)
        return card

    def _build_served_card(self) -> QFrame:
        card = _card()
        lay = QVBoxLayout(card)
        lay.setContentsMargins(22, 16, 22, 16)
        self.s_title = _label("cardTitle")
        self.served = _label("bigStat")
        lay.addWidget(self.s_title)
        lay.addWidget(self.served)
        lay.addStretch(1)
        return card

    def _build_last_card(self) -> QFrame:
        card = _card()
        lay = QVBoxLayout(card)
        lay.setContentsMargins(22, 16, 22, 16)
        self.f_title = _label("cardTitle")
        self.last_line = _label("lastLine", wrap=True)
        self.rating = _label("rating", wrap=True)
        lay.addWidget(self.f_title)
        lay.addWidget(self.last_line)
        lay.addWidget(self.rating)
        lay.addStretch(1)
        return card

    def _build_actions(self) -> QWidget:
        box = QWidget()
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(12)
        self.buttons: dict[str, KeyButton] = {}
        layout = [
            ("next", "primary", 0, 0),
            ("recall", "plain", 0, 1),
            ("no_show", "plain", 0, 2),
            ("transfer", "plain", 0, 3),
            ("done", "finish", 1, 0),
            ("returned", "plain", 1, 1),
            ("needs_documents", "plain", 1, 2),
            ("pause", "plain", 1, 3),
        ]
        for name, role, r, c in layout:
            b = KeyButton(SHORTCUTS[name], role)
            b.clicked.connect(lambda _=False, n=name: self.press(n))
            self.buttons[name] = b
            grid.addWidget(b, r, c)
        return box

    def _build_transfer_panel(self) -> QWidget:
        panel = _card()
        lay = QVBoxLayout(panel)
        lay.setContentsMargins(22, 14, 22, 14)
        lay.setSpacing(10)
        self.tr_title = _label("panelTitle")
        lay.addWidget(self.tr_title)
        self.tr_deps = QHBoxLayout()
        self.tr_deps.setSpacing(10)
        self.tr_group = QButtonGroup(self)
        self.tr_buttons: dict[str, QPushButton] = {}
        lay.addLayout(self.tr_deps)
        row = QHBoxLayout()
        self.tr_matter_label = _label("fieldLabel")
        self.tr_matter = QComboBox()
        self.tr_matter.setMinimumWidth(380)
        self.tr_confirm = QPushButton()
        self.tr_confirm.setObjectName("confirm")
        self.tr_confirm.clicked.connect(self.confirm_transfer)
        self.tr_cancel = QPushButton()
        self.tr_cancel.setObjectName("cancel")
        self.tr_cancel.clicked.connect(self.cancel)
        row.addWidget(self.tr_matter_label)
        row.addWidget(self.tr_matter, 1)
        row.addSpacing(20)
        row.addWidget(self.tr_cancel)
        row.addWidget(self.tr_confirm)
        lay.addLayout(row)
        return panel

    def _build_pause_panel(self) -> QWidget:
        panel = _card()
        lay = QVBoxLayout(panel)
        lay.setContentsMargins(22, 14, 22, 14)
        lay.setSpacing(12)
        self.pa_title = _label("panelTitle")
        lay.addWidget(self.pa_title)
        reasons = QHBoxLayout()
        reasons.setSpacing(10)
        self.pa_group = QButtonGroup(self)
        self.pa_buttons: dict[str, QPushButton] = {}
        for reason in PAUSE_REASONS:
            b = QPushButton()
            b.setObjectName("choice")
            b.setCheckable(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(lambda _=False, r=reason: self.choose_pause_reason(r))
            self.pa_group.addButton(b)
            self.pa_buttons[reason] = b
            reasons.addWidget(b)
        self.pa_other = QLineEdit()
        self.pa_other.setMaxLength(200)
        self.pa_other.textEdited.connect(lambda _: self.choose_pause_reason(None))
        self.pa_other.returnPressed.connect(self.confirm_pause)
        reasons.addWidget(self.pa_other, 1)
        lay.addLayout(reasons)
        self.pa_cancel, self.pa_confirm = self._cancel_and_confirm(lay, self.confirm_pause)
        return panel

    def _cancel_and_confirm(self, lay: QVBoxLayout, on_confirm) -> tuple[QPushButton, QPushButton]:
        """A panel's last row: cancel (Esc) and confirm (Enter), on the right."""
        row = QHBoxLayout()
        row.addStretch(1)
        cancel, confirm = QPushButton(), QPushButton()
        cancel.setObjectName("cancel")
        cancel.clicked.connect(self.cancel)
        confirm.setObjectName("confirm")
        confirm.clicked.connect(on_confirm)
        row.addWidget(cancel)
        row.addWidget(confirm)
        lay.addLayout(row)
        return cancel, confirm

    def _build_confirm_panel(self) -> QWidget:
        panel = _card()
        lay = QVBoxLayout(panel)
        lay.setContentsMargins(22, 14, 22, 14)
        lay.setSpacing(12)
        self.cf_text = _label("confirmText", wrap=True)
        lay.addWidget(self.cf_text, 1)
        self.cf_cancel, self.cf_yes = self._cancel_and_confirm(lay, self.confirm_asked)
        return panel

    def _build_missing_panel(self) -> QWidget:
        panel = _card()
        lay = QVBoxLayout(panel)
        lay.setContentsMargins(22, 10, 22, 10)
        lay.setSpacing(6)
        self.mi_title = _label("panelTitle", wrap=True)
        lay.addWidget(self.mi_title)
        # A long guide (a dozen materials) scrolls inside the panel instead of being cut off.
        boxes = QWidget()
        self.mi_box = QGridLayout(boxes)
        self.mi_box.setContentsMargins(0, 0, 0, 0)
        self.mi_box.setHorizontalSpacing(24)
        self.mi_box.setVerticalSpacing(4)
        self.mi_scroll = QScrollArea()
        self.mi_scroll.setObjectName("materials")
        self.mi_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.mi_scroll.setWidgetResizable(True)
        self.mi_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.mi_scroll.setWidget(boxes)
        boxes.setObjectName("materialsBox")
        self.mi_scroll.setStyleSheet(
            "QScrollArea#materials, QWidget#materialsBox { background: transparent; }"
        )
        lay.addWidget(self.mi_scroll, 1)
        self.mi_cancel, self.mi_confirm = self._cancel_and_confirm(lay, self.confirm_missing)
        return panel

    def _shortcuts(self) -> None:
        self.shortcuts: list[QShortcut] = []
        keys = {v: k for k, v in SHORTCUTS.items()}

        def add(seq: str, handler) -> None:
            sc = QShortcut(QKeySequence(seq), self)
            sc.setAutoRepeat(False)  # a held key is one press
            sc.setContext(Qt.ShortcutContext.WindowShortcut)
            sc.activated.connect(handler)
            self.shortcuts.append(sc)

        for key, name in keys.items():
            add(
                key,
                lambda n=name: self.press(n)
                if self.pages.currentWidget() is self.main_page
                else None,
            )
        add("Esc", self.cancel)
        add("Return", self.confirm)
        add("Enter", self.confirm)

    # ================================================================== clerk input
    def press(self, name: str) -> None:
        """A button or its key: `name` is a SHORTCUTS key."""
        if name == "needs_documents":
            if self.model.can(Action.FINISH) or self._explain(Action.FINISH):
                self.open_panel("missing")
        elif name in OUTCOMES:
            self.trigger(Action.FINISH, outcome=name)
        elif name == "no_show":
            self.ask_or_send(Action.NO_SHOW)
        elif name == "transfer":
            if self.model.can(Action.TRANSFER) or self._explain(Action.TRANSFER):
                self.open_panel("transfer")
        elif name == "pause":
            if self.model.status == "paused":
                self.trigger(Action.RESUME)
            elif self.model.can(Action.PAUSE) or self._explain(Action.PAUSE):
                self.open_panel("pause")
        else:
            self.trigger(Action(name))

    def ask_or_send(self, action: Action, **args) -> bool:
        """Send `action`, or first ask the clerk when the model says it deserves a second look."""
        if not self.model.can(action):
            return self.trigger(action, **args)  # says why not
        question = self.model.confirmation(action, **args)
        if question is None:
            return self.trigger(action, **args)
        self._asking = (action, args, question)
        self._panel = "confirm"
        self.refresh()
        return False

    def confirm_asked(self) -> None:
        if self._asking is None:
            return
        action, args, _ = self._asking
        self._asking = None
        self._panel = None
        self.trigger(action, **args)
        self.refresh()

    def confirm_missing(self) -> None:
        missing = [i for i, box in enumerate(self._material_boxes) if box.isChecked()]
        if self._material_boxes and not missing:
            self.model.message = Message("error", "err_missing_none")
            self.refresh()
            return
        if self.trigger(Action.FINISH, outcome="needs_documents", missing=missing):
            self._panel = None
            self.refresh()

    def _material_ticked(self, _checked: bool) -> None:
        if self.model.message is not None and self.model.message.key == "err_missing_none":
            self.model.message = None
            self.refresh()

    def close_notice(self) -> None:
        self.model.missing_notice = None
        self.refresh()

    def _fill_missing(self) -> None:
        while self.mi_box.count():
            item = self.mi_box.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                _discard(widget)
        self._material_boxes = []
        for i, material in enumerate(self.model.guide_materials()):
            box = QCheckBox(self.model.local(material))
            box.setObjectName("material")
            box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            box.toggled.connect(self._material_ticked)
            columns = 2 if len(self.model.guide_materials()) <= 6 else 3
            self.mi_box.addWidget(box, i // columns, i % columns)
            self._material_boxes.append(box)

    def _explain(self, action: Action) -> bool:
        """Show why `action` cannot be done now (a key pressed while its button is grey)."""
        reason = self.model.why_not(action)
        if reason is not None and reason.key != "err_busy":
            self.model.message = reason
            self.refresh()
        return False

    def trigger(self, action: Action, **args) -> bool:
        return self.controller.perform(action, **args)

    def do_login(self) -> None:
        if self.pages.currentWidget() is not self.login_page:
            return
        pin = self.pin_edit.text()
        self.pin_edit.clear()  # typed once, sent once, never kept on screen
        self.trigger(Action.LOGIN, staff=self.staff_edit.text(), post=self._post, pin=pin)

    def set_post(self, post: str) -> None:
        self._post = post
        self.post_buttons[post].setChecked(True)

    def start_change_clerk(self) -> None:
        """Another clerk (the B post) takes over without the first logging out."""
        self._changing_clerk = True
        self.staff_edit.clear()
        self.set_post("B" if (self.model.staff or {}).get("post") == "A" else "A")
        self.model.message = None
        self.refresh()
        self.staff_edit.setFocus()

    def open_panel(self, name: str) -> None:
        self._panel = name
        if name == "transfer":
            self._transfer_dep = None
            self._fill_transfer()
        elif name == "missing":
            self._fill_missing()
        else:
            self._pause_reason = None
            self.pa_other.clear()
            for b in self.pa_buttons.values():
                b.setChecked(False)
            self.choose_pause_reason("break")
        self.refresh()

    def cancel(self) -> None:
        if self._panel is not None:
            self._panel = None
            self._asking = None
        elif self._changing_clerk:
            self._changing_clerk = False
        self.refresh()

    def confirm(self) -> None:
        if self.pages.currentWidget() is self.login_page:
            self.do_login()
        elif self._panel == "transfer":
            self.confirm_transfer()
        elif self._panel == "pause":
            self.confirm_pause()
        elif self._panel == "confirm":
            self.confirm_asked()
        elif self._panel == "missing":
            self.confirm_missing()

    def choose_transfer_department(self, dep_id: str) -> None:
        self._transfer_dep = dep_id
        self.tr_buttons[dep_id].setChecked(True)
        self.tr_matter.clear()
        self.tr_matter.addItem(t(self.model.lang, "any_matter"), None)
        dep = self.model.department(dep_id) or {}
        for m in dep.get("matters", []):
            self.tr_matter.addItem(self.model.local(m["name"]), m["id"])

    def choose_transfer_matter(self, matter_id: str | None) -> None:
        index = self.tr_matter.findData(matter_id)
        if index >= 0:
            self.tr_matter.setCurrentIndex(index)

    def confirm_transfer(self) -> None:
        if self._transfer_dep is None:
            self.model.message = Message("error", "err_choose_department")
            self.refresh()
            return
        args = {"department": self._transfer_dep, "matter": self.tr_matter.currentData()}
        if (
            self.model.can(Action.TRANSFER)
            and self.model.confirmation(Action.TRANSFER, **args) is not None
        ):
            self.ask_or_send(Action.TRANSFER, **args)
        elif self.trigger(Action.TRANSFER, **args):
            self._panel = None
            self.refresh()

    def choose_pause_reason(self, reason: str | None) -> None:
        self._pause_reason = reason
        if reason is None:
            checked = self.pa_group.checkedButton()
            if checked is not None:
                self.pa_group.setExclusive(False)
                checked.setChecked(False)
                self.pa_group.setExclusive(True)
        else:
            self.pa_other.clear()
            self.pa_buttons[reason].setChecked(True)

    def confirm_pause(self) -> None:
        reason = self._pause_reason or self.pa_other.text().strip()
        if self.trigger(Action.PAUSE, reason=reason):
            self._panel = None
            self.refresh()

    def set_language(self, lang: str) -> None:
        if lang in LANGUAGES:
            self._lang_chosen = True
            self.model.lang = lang
            if self._panel == "transfer":
                self._fill_transfer()
            self.refresh()

    def toggle_language(self) -> None:
        langs = [lg for lg in LANGUAGES if lg in self.model.hall_languages] or list(LANGUAGES)
        i = langs.index(self.model.lang) if self.model.lang in langs else -1
        self.set_language(langs[(i + 1) % len(langs)])

    # ================================================================== rendering
    def refresh(self) -> None:
        m = self.model
        lang = m.lang
        if not self._lang_chosen and m.default_language in LANGUAGES:
            m.lang = lang = m.default_language
            self._lang_chosen = True
        if self._changing_clerk and m.message and m.message.key == "ok_login":
            self._changing_clerk = False
        if self._panel == "transfer" and not m.current:
            self._panel = None
        if self._panel == "pause" and (m.current or m.status != "open"):
            self._panel = None
        if self._panel in ("confirm", "missing") and not m.current:
            self._panel, self._asking = None, None

        # header
        number = m.window_number
        self.h_title.setText(
            t(lang, "window_title", number=number if number is not None else m.window_id)
        )
        deps = [m.department_name(d) for d in m.departments]
        self.h_sub.setText(" · ".join(deps) if deps else t(lang, "window_departments_none"))
        staff = m.staff
        if staff and m.status != "closed":
            self.h_clerk.setText(
                f"{m.staff_name()} · {t(lang, 'post', post=staff.get('post', ''))} · {staff.get('id', '')}"
            )
        else:
            self.h_clerk.setText("")
        self.h_status.setText(m.status_text())
        _repolish(self.h_status, state=m.status)
        if not m.connected:
            net, ok = t(lang, "net_down"), "false"
        elif not m.server_online:
            net, ok = t(lang, "net_server_down"), "false"
        else:
            net, ok = t(lang, "net_ok"), "true"
        self.h_net.setText(f"● {net}")
        _repolish(self.h_net, ok=ok)
        self.lang_button.setText(t(lang, "language_button"))
        self.change_button.setText(t(lang, "change_clerk"))
        self.logout_button.setText(t(lang, "logout"))
        on_duty = m.status != "closed"
        self.change_button.setVisible(on_duty and not self._changing_clerk)
        self.logout_button.setVisible(on_duty and not self._changing_clerk)
        self.logout_button.setEnabled(m.can(Action.LOGOUT))

        # message bar
        self._render_message()

        # page
        login = m.status == "closed" or self._changing_clerk
        self.pages.setCurrentWidget(self.login_page if login else self.main_page)
        if login:
            self._render_login()
        else:
            self._render_main()

    def _render_message(self) -> None:
        m, lang = self.model, self.model.lang
        if not m.connected:
            kind, text = "error", t(lang, "err_offline")
        elif not m.server_online:
            kind, text = "error", t(lang, "err_server_down")
        elif m.message is not None:
            kind, text = m.message.kind, m.message.text(lang)
        elif m.in_flight is not None:
            kind, text = "busy", t(lang, "busy")
        else:
            kind, text = "", ""
        self.message.setText(text)
        _repolish(self.message, kind=kind)
        self.message.setVisible(bool(text))

    def _render_login(self) -> None:
        m, lang = self.model, self.model.lang
        self.l_title.setText(t(lang, "change_clerk" if self._changing_clerk else "login_title"))
        self.l_hint.setText(t(lang, "login_hint"))
        staff = m.staff
        if self._changing_clerk and staff:
            self.l_info.setText(
                t(lang, "on_duty_now", name=m.staff_name(), post=staff.get("post", ""))
            )
            self.l_info.show()
        else:
            self.l_info.hide()
        self.l_staff_label.setText(t(lang, "staff_id"))
        self.l_pin_label.setText(t(lang, "pin_label"))
        self.pin_edit.setPlaceholderText(t(lang, "pin_placeholder"))
        self.l_pin_label.setVisible(m.require_pin)
        self.pin_edit.setVisible(m.require_pin)
        self.staff_edit.setPlaceholderText(t(lang, "staff_placeholder"))
        self.l_post_label.setText(t(lang, "post_label"))
        self.post_buttons["A"].setText(t(lang, "post_a"))
        self.post_buttons["B"].setText(t(lang, "post_b"))
        self.l_lang_label.setText(t(lang, "language_label"))
        self.lang_buttons[lang].setChecked(True)
        for lg, b in self.lang_buttons.items():
            b.setVisible(lg in m.hall_languages)
        self.login_button.setText(
            t(lang, "login_button") if m.in_flight is None else t(lang, "busy")
        )
        self.login_button.setEnabled(m.can(Action.LOGIN))
        self.login_cancel.setText(t(lang, "cancel_button"))
        self.login_cancel.setVisible(self._changing_clerk)

    def _render_main(self) -> None:
        m, lang = self.model, self.model.lang
        cur = m.current
        self.t_title.setText(t(lang, "now_serving"))
        if cur:
            self.number.setText(str(cur.get("number", "")))
            self.number.show()
            self.matter.setText(
                m.matter_name(cur.get("department"), cur.get("matter")) or t(lang, "no_matter")
            )
            self.dept.setText(m.department_name(cur.get("department")))
            waited = m.waited_s()
            self.waited.setText(
                t(lang, "waited", time=duration(lang, waited, with_seconds=False))
                if waited is not None
                else ""
            )
            left = m.recalls_left or 0
            self.recalls.setText(
                t(lang, "recalls_left", left=left, limit=m.recall_limit)
                if left
                else t(lang, "no_recalls_left")
            )
            _repolish(self.recalls, warn="false" if left else "true")
            self.badges["priority"].setText(t(lang, "priority"))
            self.badges["priority"].setVisible(cur.get("priority") == "priority")
            self.badges["appointment"].setText(t(lang, "appointment"))
            self.badges["appointment"].setVisible(cur.get("source") == "appointment")
            n_tr = int(cur.get("transfers") or 0)
            self.badges["transferred"].setText(t(lang, "transferred", n=n_tr))
            self.badges["transferred"].setVisible(n_tr > 0)
            for shown in (
                self.matter,
                self.dept,
                self.waited,
                self.recalls,
                self.timer,
                self.timer_bar,
            ):
                shown.show()
            self.hint.hide()
        else:
            self.number.hide()
            for hidden in (
                self.matter,
                self.dept,
                self.waited,
                self.recalls,
                self.timer,
                self.timer_bar,
                *self.badges.values(),
            ):
                hidden.hide()
            _repolish(self.hint, paused="true" if m.status == "paused" else "false")
            if m.status == "paused":
                self.hint.setText(
                    t(
                        lang,
                        "paused_hint",
                        reason=reason_label(lang, (m.window or {}).get("pause_reason")),
                    )
                )
            else:
                blocked = m.why_not(Action.NEXT) if m.in_flight is None else None
                if blocked is not None and blocked.key in ("err_offline", "err_server_down"):
                    self.hint.setText(t(lang, "idle_offline"))
                elif blocked is not None and blocked.key == "err_flex_unassigned":
                    self.hint.setText(blocked.text(lang))
                else:
                    self.hint.setText(t(lang, "idle_hint"))
            self.hint.show()
        self._render_timer()

        # waiting per department
        self.w_title.setText(t(lang, "waiting_title"))
        waiting = m.waiting()
        ids = [w.department for w in waiting]
        if ids != self._dep_ids:
            self._rebuild_dep_rows(ids)
        for w, (_dep, name, count, meta) in zip(waiting, self._dep_rows):
            name.setText(w.name)
            count.setText(str(w.waiting))
            parts = []
            if w.priority_waiting:
                parts.append(t(lang, "waiting_priority", n=w.priority_waiting))
            if w.waiting:
                parts.append(t(lang, "waiting_estimate", m=max(1, round(w.estimated_wait_s / 60))))
            meta.setText(" · ".join(parts))

        # who visitors see
        self.c_title.setText(t(lang, "shown_title"))
        staff = m.staff or {}
        self.c_name.setText(f"{m.staff_name()} · {t(lang, 'post', post=staff.get('post', ''))}")
        meta_parts = [m.department_name(staff.get("department"))]
        if staff.get("contact"):
            meta_parts.append(t(lang, "contact", contact=staff["contact"]))
        self.c_meta.setText(" · ".join(x for x in meta_parts if x))

        # served today, last finished, rating
        self.s_title.setText(t(lang, "served_today"))
        unit = t(lang, "served_unit")
        self.served.setText(f"{m.served_today}" + (f" {unit}" if unit else ""))
        self.f_title.setText(t(lang, "last_finished"))
        last = m.last_finished
        if last:
            self.last_line.setText(
                f"{last.get('number', '')} · {t(lang, 'outcome_' + str(last.get('outcome')))}"
            )
            self._render_rating()
        else:
            self.last_line.setText(t(lang, "none_yet"))
            self.rating.setText("")
        self._render_notice()

        # buttons and panels
        b = self.buttons
        b["next"].set_title(t(lang, "btn_next"))
        recalls_left = m.recalls_left
        b["recall"].set_title(
            t(lang, "btn_recall_left", left=recalls_left)
            if cur and recalls_left is not None
            else t(lang, "btn_recall")
        )
        b["no_show"].set_title(t(lang, "btn_no_show"))
        b["transfer"].set_title(t(lang, "btn_transfer"))
        b["done"].set_title(t(lang, "btn_done"))
        b["returned"].set_title(t(lang, "btn_returned"))
        b["needs_documents"].set_title(t(lang, "btn_needs_documents"))
        paused = m.status == "paused"
        b["pause"].set_title(t(lang, "btn_resume") if paused else t(lang, "btn_pause"))
        b["next"].setEnabled(m.can(Action.NEXT))
        b["recall"].setEnabled(m.can(Action.RECALL))
        b["no_show"].setEnabled(m.can(Action.NO_SHOW))
        b["transfer"].setEnabled(m.can(Action.TRANSFER))
        for outcome in OUTCOMES:
            b[outcome].setEnabled(m.can(Action.FINISH))
        b["pause"].setEnabled(m.can(Action.RESUME) if paused else m.can(Action.PAUSE))

        self.bottom.setCurrentIndex(
            {"transfer": 1, "pause": 2, "confirm": 3, "missing": 4}.get(self._panel or "", 0)
        )
        if self._panel == "confirm" and self._asking is not None:
            self.cf_text.setText(self._asking[2].text(lang))
            self.cf_yes.setText(t(lang, "confirm_yes"))
            self.cf_cancel.setText(t(lang, "cancel_button"))
            self.cf_yes.setEnabled(m.can(self._asking[0]))
        elif self._panel == "missing":
            self.mi_title.setText(
                t(lang, "missing_title", number=(cur or {}).get("number", ""))
                + ("" if self._material_boxes else "\n" + t(lang, "missing_no_guide"))
            )
            for box, material in zip(self._material_boxes, m.guide_materials()):
                box.setText(m.local(material))
            self.mi_confirm.setText(t(lang, "missing_confirm"))
            self.mi_cancel.setText(t(lang, "cancel_button"))
            self.mi_confirm.setEnabled(m.can(Action.FINISH))
        if self._panel == "transfer":
            self.tr_title.setText(t(lang, "transfer_title", number=(cur or {}).get("number", "")))
            self.tr_matter_label.setText(t(lang, "transfer_matter"))
            self.tr_confirm.setText(t(lang, "transfer_confirm"))
            self.tr_cancel.setText(t(lang, "cancel_button"))
            self.tr_confirm.setEnabled(m.can(Action.TRANSFER))
        elif self._panel == "pause":
            self.pa_title.setText(t(lang, "pause_title"))
            for reason, button in self.pa_buttons.items():
                button.setText(reason_label(lang, reason))
            self.pa_other.setPlaceholderText(t(lang, "pause_other_placeholder"))
            self.pa_confirm.setText(t(lang, "pause_confirm"))
            self.pa_cancel.setText(t(lang, "cancel_button"))
            self.pa_confirm.setEnabled(m.can(Action.PAUSE))

    def _render_rating(self) -> None:
        m = self.model
        if not m.last_finished:
            return
        text = ("✓ " if m.rated else "") + m.rating_text(self.now())
        if self.rating.text() != text:
            self.rating.setText(text)
        _repolish(self.rating, rated="true" if m.rated else "false")

    def _render_notice(self) -> None:
        """The visitor's list of missing materials: both languages, whatever the clerk's is."""
        notice = self.model.missing_notice
        if not notice or self.model.current:
            self.notice.hide()
            return
        self.notice_title.setText(f"{notice.get('number', '')}  {VISITOR_MISSING_TITLE}")
        lines = []
        for i, material in enumerate(notice.get("materials") or [], 1):
            zh, en = material.get("zh"), material.get("en")
            lines.append(f"{i}. " + " · ".join(x for x in (zh, en) if x))
        self.notice_items.setText("\n".join(lines))
        self.notice_footer.setText(VISITOR_MISSING_FOOTER)
        self.notice_close.setText(t(self.model.lang, "missing_notice_close"))
        self.notice.show()

    def _fill_transfer(self) -> None:
        for button in self.tr_buttons.values():
            self.tr_group.removeButton(button)
            self.tr_deps.removeWidget(button)
            _discard(button)
        self.tr_buttons = {}
        for dep in self.model.transfer_targets():
            name = self.model.local(dep["name"])
            if self.model.open_windows(dep["id"]) == 0:
                name += "\n" + t(self.model.lang, "no_window_open")
            b = QPushButton(name.replace("&", "&&"))
            b.setObjectName("choice")
            b.setCheckable(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            b.clicked.connect(lambda _=False, d=dep["id"]: self.choose_transfer_department(d))
            self.tr_group.addButton(b)
            self.tr_buttons[dep["id"]] = b
            self.tr_deps.addWidget(b)
        self.tr_matter.clear()
        self.tr_matter.addItem(t(self.model.lang, "any_matter"), None)
        if self._transfer_dep in self.tr_buttons:
            self.choose_transfer_department(self._transfer_dep)

    def _rebuild_dep_rows(self, ids: list[str]) -> None:
        while self.dep_box.count():
            item = self.dep_box.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                _discard(widget)
        self._dep_rows = []
        for dep in ids:
            row = QWidget()
            lay = QGridLayout(row)
            lay.setContentsMargins(0, 4, 0, 4)
            lay.setHorizontalSpacing(12)
            lay.setVerticalSpacing(0)
            name = _label("depName", wrap=True)
            meta = _label("depMeta")
            count = _label("depCount")
            count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            lay.addWidget(name, 0, 0)
            lay.addWidget(meta, 1, 0)
            lay.addWidget(count, 0, 1, 2, 1)
            lay.setColumnStretch(0, 1)
            self.dep_box.addWidget(row)
            self._dep_rows.append((dep, name, count, meta))
        self._dep_ids = ids

    def _render_timer(self) -> None:
        m, lang = self.model, self.model.lang
        if self.pages.currentWidget() is self.main_page:
            self._render_rating()  # 'waiting for rating' ends with the pad's timeout
        if not m.current:
            return
        now = self.now()
        elapsed = m.service_elapsed_s(now) or 0.0
        limit = m.service_limit_s()
        level = m.timer_level(now)
        text = t(lang, "service_time", time=duration(lang, elapsed))
        if limit:
            text += "  /  " + t(
                lang, "service_limit", time=duration(lang, limit, with_seconds=False)
            )
        else:
            text += "  ·  " + t(lang, "no_limit")
        self.timer.setText(text)
        _repolish(self.timer, level=level.value)
        self.timer_bar.setValue(int(min(1.0, elapsed / limit) * 1000) if limit else 0)
        _repolish(self.timer_bar, level=level.value if level is not TimerLevel.NONE else "normal")

    # ================================================================== lifecycle
    def closeEvent(self, event) -> None:
        self._ticker.stop()
        super().closeEvent(event)
