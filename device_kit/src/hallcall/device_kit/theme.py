"""One look for the four Qt device apps: every colour they draw, by role, and their shared sizes.

The kiosk, the clerk terminal and the rating pad are light screens; the lobby display is a dark
one. All four take their colours from `PALETTE` and nowhere else (tests/device_kit/test_theme.py
reads their widget files for colour literals). Roles used by more than one app have plain names
(`text`, `surface`, `danger`, ...); a role only one app draws is named after that app
(`kiosk_`, `terminal_`, `pad_`, `lobby_`), so the shared part of the look is visible at a glance.

    STYLE = "QLabel#title { color: $text; background: $surface; min-height: ${touch_min}px; }"
    widget.setStyleSheet(qss(STYLE))

`qss` fills a Qt style sheet template (`string.Template`: `$role`, `${role}`) from the palette
and the sizes; an unknown name is an error, not an empty colour. QPainter code takes
`hallcall.device_kit.qt_theme.qcolor(PALETTE.role)`. This module is plain Python (no Qt).

Text must stay readable from a distance by elderly visitors: `TEXT_ON` lists each text role on
each background it is drawn on, and the test holds every pair to WCAG's 4.5:1
(`contrast_ratio`). Disabled controls and closed windows are exempt, as WCAG exempts inactive
components; `INACTIVE_TEXT_ON` lists those pairs so they are not mistaken for forgotten ones.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from string import Template

_HEX = re.compile(r"#[0-9A-F]{6}")


@dataclass(frozen=True)
class Palette:
    """Colours by role, as #RRGGBB."""

    # ---------------------------------------------------------------- the light apps share
    background: str = "#F2F4F7"  # the page behind everything
    surface: str = "#FFFFFF"  # cards, tiles, fields, plain buttons
    surface_tint: str = "#E8EEF5"  # a quiet blue-grey box: notices, info lines, keypad actions
    track: str = "#E2E8F0"  # progress tracks, scroll grooves, neutral chips, photo placeholder
    pressed: str = "#D6E2F0"  # a light button or tile while a finger is on it
    border: str = "#D3DCE6"  # card and section edges
    border_control: str = "#B8C4D2"  # buttons, fields, combo boxes
    border_strong: str = "#9FB0C3"  # keypad keys, empty code box, reason chips
    text: str = "#1F2937"  # body text
    text_secondary: str = "#334155"  # subtitles, details
    muted: str = "#5B6B7F"  # captions, keys, small print
    muted_dark: str = "#4A5B6D"  # status lines, captions that must read a little stronger
    on_primary: str = "#FFFFFF"  # text and marks on deep colours
    disabled_surface: str = "#ECEFF2"
    disabled_border: str = "#D3D9E0"
    disabled_text: str = "#98A3B3"  # also the fill of a disabled deep button (kiosk)
    success: str = "#2E7D32"
    warning: str = "#B45309"  # paused; the lobby's "connecting"
    danger: str = "#B3261E"  # not printed, errors, warnings in text, "service unavailable"
    danger_surface: str = "#FDECEA"
    closed: str = "#64748B"  # closed: the terminal's window pill, a kiosk department's letter
    success_bright: str = "#22C55E"  # a bar or a dot, never behind text
    warning_bright: str = "#F59E0B"  # a bar or a dot, never behind text
    danger_bright: str = "#DC2626"  # overdue timer, the lobby's "offline"
    notice_surface: str = "#FFF7E6"  # materials still missing (需补件)
    notice_border: str = "#F0B44C"
    notice_text: str = "#7C2D12"

    # ---------------------------------------------------------------- the kiosk
    kiosk_brand: str = "#0B3D6E"  # header, outlines, the ticket number, appointment tiles
    kiosk_brand_pressed: str = "#072A4C"
    kiosk_primary: str = "#1558B0"  # the main action, department letters
    kiosk_primary_pressed: str = "#0E3F80"
    kiosk_on_disabled: str = "#EEF2F6"  # the label of a disabled primary button
    kiosk_priority: str = "#17703A"  # priority tiles, banners, "take your ticket"
    kiosk_priority_pressed: str = "#0F5129"
    kiosk_late: str = "#8A5A00"  # the late-ticket note and the "please wait" mark
    kiosk_late_surface: str = "#FFF3D6"
    kiosk_ink: str = "#0D1B2A"  # titles, department names, numbers
    kiosk_tile_detail: str = "#3A4D61"
    kiosk_tile_detail_light: str = "#E3EFE6"  # a detail line on a deep tile
    kiosk_tile_border: str = "#C3CFDD"
    kiosk_footer: str = "#E6EAEF"
    kiosk_scroll_handle: str = "#8EA0B4"
    kiosk_disabled_text: str = "#8896A5"  # a disabled button
    kiosk_disabled_faint: str = "#AAB5C1"  # a disabled page button

    # ---------------------------------------------------------------- the clerk terminal
    terminal_header: str = "#1E3A5F"  # header bar; the "busy" line's text
    terminal_header_text: str = "#C8D6E8"  # the subtitle on the header
    terminal_header_border: str = "#7D96B8"
    terminal_header_border_disabled: str = "#4B6587"
    terminal_online: str = "#BFE3C6"  # on the header
    terminal_offline: str = "#FFB4AB"  # on the header
    terminal_heading: str = "#0F2A4A"  # the ticket number, counts, the login title
    terminal_primary: str = "#1D4ED8"
    terminal_primary_disabled: str = "#C9D4E5"
    terminal_finish: str = "#1E7B34"  # the finish button, "rated"
    terminal_error_text: str = "#8C1D18"
    terminal_error_border: str = "#E5A19B"
    terminal_info_surface: str = "#E7F3EA"
    terminal_info_text: str = "#1E5631"
    terminal_info_border: str = "#A8D5B3"
    terminal_busy_border: str = "#B6C7DE"
    terminal_priority: str = "#7C3AED"  # the priority badge
    terminal_appointment: str = "#0E7490"  # the appointment badge
    terminal_timer_ok_text: str = "#14532D"
    terminal_timer_ok: str = "#DCFCE7"
    terminal_timer_amber: str = "#FDE68A"
    terminal_notice_footer: str = "#7C5A2D"

    # ---------------------------------------------------------------- the rating pad
    pad_header: str = "#1F4E79"  # header, submit button, countdown, "sending" dots
    pad_header_pressed: str = "#163A5A"
    pad_level_worst: str = "#C62828"  # the rating levels, worst first; best is `success`
    pad_level_low: str = "#EF6C00"  # five levels only
    pad_level_middle: str = "#F9A825"  # also the warning sign and the note's edge
    pad_level_high: str = "#7CB342"  # five levels only
    pad_ink_on_light: str = "#2B1D0E"  # face and label on the light levels, the warning sign
    pad_open_surface: str = "#E3F2E6"  # "please rate" box of an open window
    pad_open_text: str = "#1B5E20"
    pad_note_surface: str = "#FFF3C4"
    pad_note_text: str = "#5C3900"
    pad_unticked: str = "#7B8794"  # the box of a reason not ticked

    # ---------------------------------------------------------------- the lobby display (dark)
    lobby_background: str = "#0A1020"
    lobby_band: str = "#0D1629"  # the header and the marquee
    lobby_panel: str = "#121B2E"
    lobby_panel_edge: str = "#24324D"
    lobby_cell: str = "#0E1626"  # a row of the latest calls, a waiting department
    lobby_closed_tile: str = "#0E1422"
    lobby_badge: str = "#1F2D48"  # a department's letter in the waiting panel
    lobby_text: str = "#F4F6FB"
    lobby_muted: str = "#9AABC6"
    lobby_dim: str = "#5F6F8A"  # closed windows, the empty list, page dots
    lobby_accent: str = "#FFB020"  # the newest call
    lobby_on_accent: str = "#1A1204"
    lobby_accent_soft: str = "#3B2A06"  # a second line on the accent, the recall badge on it
    lobby_lit_tile: str = "#2A1F08"  # the called window's tile while it flashes
    lobby_open: str = "#38BDF8"
    lobby_closed: str = "#4B5563"
    lobby_closed_badge: str = "#374151"
    lobby_alert_edge: str = "#FECACA"  # the edge of the "offline" banner

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, str) or not _HEX.fullmatch(value):
                raise ValueError(f"palette role {f.name}: {value!r} is not #RRGGBB")

    def roles(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class Metrics:
    """Sizes in pixels that a style sheet repeats."""

    touch_min: int = 96  # the smallest touch target (kiosk: read and touched from 60 cm)

    def values(self) -> dict[str, str]:
        return {name: str(value) for name, value in asdict(self).items()}


PALETTE = Palette()
METRICS = Metrics()


def qss(template: str, palette: Palette = PALETTE, metrics: Metrics = METRICS, **extra: str) -> str:
    """A Qt style sheet: `$role` and `${size}` filled from the palette and sizes, then `extra`."""
    return Template(template).substitute({**palette.roles(), **metrics.values(), **extra})


# ---------------------------------------------------------------------------- contrast
def relative_luminance(color: str) -> float:
    """WCAG 2.x relative luminance of a #RRGGBB colour, 0.0 (black) .. 1.0 (white)."""
    channels = []
    for i in (1, 3, 5):
        c = int(color[i : i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2.x contrast ratio of two colours, 1.0 .. 21.0 (order does not matter)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


#: Text role -> the background roles it is drawn on. Each pair is held to 4.5:1.
#: Where the lobby draws its text: the page, its bands and panels, cells, badges, lit tiles.
_LOBBY_SURFACES = (
    "lobby_background",
    "lobby_band",
    "lobby_panel",
    "lobby_cell",
    "lobby_badge",
    "lobby_lit_tile",
)

TEXT_ON: dict[str, tuple[str, ...]] = {
    # shared
    "text": ("background", "surface", "danger_surface", "notice_surface"),
    "text_secondary": ("background", "surface", "surface_tint", "track"),
    "muted": ("background", "surface"),  # and the kiosk's empty code box
    "muted_dark": ("background", "surface", "kiosk_footer", "disabled_surface"),
    "on_primary": (
        "kiosk_brand",
        "kiosk_brand_pressed",
        "kiosk_primary",
        "kiosk_primary_pressed",
        "kiosk_priority",
        "kiosk_priority_pressed",
        "kiosk_late",
        "danger",
        "danger_bright",  # also the lobby's "offline" banner
        "success",
        "warning",  # also the lobby's "connecting" banner
        "terminal_header",
        "closed",
        "terminal_primary",
        "terminal_finish",
        "terminal_priority",
        "terminal_appointment",
        "pad_header",
        "pad_header_pressed",
        "pad_level_worst",
    ),
    "danger": ("background", "surface"),
    "warning": ("background", "surface"),
    "success": ("background", "surface"),
    "notice_text": ("notice_surface", "terminal_timer_amber", "surface", "background"),
    # kiosk
    "kiosk_brand": ("surface", "background", "pressed", "surface_tint"),
    "kiosk_primary": ("surface", "background"),
    "kiosk_priority": ("surface", "background"),
    "kiosk_late": ("kiosk_late_surface",),
    "kiosk_ink": ("background", "surface", "pressed"),
    "kiosk_tile_detail": ("surface", "pressed"),
    "kiosk_tile_detail_light": ("kiosk_priority", "kiosk_brand"),
    # terminal
    "terminal_header": ("surface_tint",),
    "terminal_header_text": ("terminal_header",),
    "terminal_online": ("terminal_header",),
    "terminal_offline": ("terminal_header",),
    "terminal_heading": ("background", "surface"),
    "terminal_finish": ("surface",),
    "terminal_error_text": ("danger_surface",),
    "terminal_info_text": ("terminal_info_surface",),
    "terminal_timer_ok_text": ("terminal_timer_ok",),
    "terminal_notice_footer": ("notice_surface",),
    # pad
    "pad_ink_on_light": ("pad_level_low", "pad_level_middle", "pad_level_high"),
    "pad_open_text": ("pad_open_surface",),
    "pad_note_text": ("pad_note_surface",),
    # lobby
    "lobby_text": _LOBBY_SURFACES,
    "lobby_muted": _LOBBY_SURFACES[:4],  # not on badges or lit tiles
    "lobby_accent": (*_LOBBY_SURFACES, "lobby_accent_soft"),
    "lobby_on_accent": ("lobby_accent",),
    "lobby_accent_soft": ("lobby_accent",),
    "lobby_background": ("success_bright", "lobby_open", "warning_bright"),  # window numbers
    "success_bright": ("lobby_panel", "lobby_lit_tile"),  # a window's status word
    "lobby_open": ("lobby_panel", "lobby_lit_tile"),
    "warning_bright": ("lobby_panel", "lobby_lit_tile"),
}

#: Text of disabled controls and closed windows, on its background: exempt from 4.5:1.
INACTIVE_TEXT_ON: dict[str, tuple[str, ...]] = {
    "kiosk_disabled_text": ("disabled_surface",),
    "kiosk_disabled_faint": ("disabled_surface",),
    "on_primary": ("terminal_primary_disabled",),  # a disabled "confirm"
    "kiosk_on_disabled": ("disabled_text",),
    "disabled_text": ("disabled_surface",),
    "terminal_header_border": ("terminal_header",),
    "lobby_dim": ("lobby_background", "lobby_panel", "lobby_cell", "lobby_closed_tile"),
    "lobby_muted": ("lobby_closed_tile", "lobby_closed_badge"),
}
