"""What each role installs: Debian packages, HallCall distributions, unix groups, its command.

One Pi has one role. The distributions are the per-part ones (README, "Layout"); `parts` is
each role's closure of checkout folders (with the extras its part asks for), so an install from
a checkout installs exactly those and pip resolves nothing HallCall-made from an index.
`unneeded` says honestly what a role still pulls in that it does not use.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Every role's venv needs these.
BASE_APT = ("python3-venv", "python3-pip")
#: What PySide6 needs to draw full screen without a desktop: Wayland under `cage`, or eglfs.
SCREEN_APT = (
    "cage",
    "libegl1",
    "libgl1",
    "libgles2",
    "libgbm1",
    "libdrm2",
    "libwayland-client0",
    "libwayland-cursor0",
    "libwayland-egl1",
    "libxkbcommon0",
    "libfontconfig1",
    "libdbus-1-3",
    "fonts-wqy-microhei",
)
#: Groups of a screen app: the GPU (video, render) and the touch screen (input).
SCREEN_GROUPS = ("video", "render", "input")


@dataclass(frozen=True)
class Role:
    name: str
    summary: str
    distribution: str
    #: Checkout folders to pip-install (with extras), dependencies first.
    parts: tuple[str, ...]
    apt: tuple[str, ...]
    groups: tuple[str, ...]
    #: The `hallcall` subcommand and the option that names its file.
    command: str
    file_option: str
    #: The file's name under /etc/hallcall/.
    file_name: str
    screen: bool
    extra_args: tuple[str, ...] = ()
    unneeded: str = ""


ROLES: dict[str, Role] = {
    r.name: r
    for r in (
        Role(
            "broker",
            "the queue broker and the hall's Mosquitto",
            "hallcall-broker",
            ("core", "config", "broker"),
            (*BASE_APT, "mosquitto", "mosquitto-clients"),
            (),
            "broker",
            "--config",
            "hall.toml",
            screen=False,
            extra_args=(
                "--db",
                "sqlite:////var/lib/hallcall/hall.db",
                "--mqtt-host",
                "127.0.0.1",
                "--mqtt-user",
                "queue-broker",
                "--mqtt-password-file",
                "/etc/hallcall/mosquitto/secrets/queue-broker.password",
            ),
            unneeded="httpx (only for the 好差评 upload) and chinesecalendar come always",
        ),
        Role(
            "kiosk",
            "the ticket kiosk: touch screen and thermal printer",
            "hallcall-kiosk",
            ("core", "hardware[printer]", "device_kit[qt]", "kiosk"),
            (*BASE_APT, *SCREEN_APT),
            # dialout: a serial printer; lp: a USB printer (/dev/usb/lp0).
            ("dialout", "lp", *SCREEN_GROUPS),
            "kiosk",
            "--device",
            "kiosk.toml",
            screen=True,
        ),
        Role(
            "window",
            "the clerk terminal at a window (screen, serial or GPIO keypad)",
            "hallcall-window-terminal",
            ("core", "hardware", "device_kit[qt]", "window_terminal"),
            (*BASE_APT, *SCREEN_APT),
            ("dialout", "gpio", *SCREEN_GROUPS),
            "window",
            "--device",
            "window.toml",
            screen=True,
            unneeded="a keypad-only terminal (--headless) still gets PySide6",
        ),
        Role(
            "display",
            "the lobby display (TV) with the voice that calls",
            "hallcall-display",
            ("core", "config", "hardware[voice]", "device_kit[qt]", "display"),
            (*BASE_APT, *SCREEN_APT, "espeak-ng", "alsa-utils"),
            ("audio", *SCREEN_GROUPS),
            "display",
            "--device",
            "display.toml",
            screen=True,
        ),
        Role(
            "sign",
            "the window LED signs on serial ports (no screen)",
            "hallcall-display",
            ("core", "config", "hardware[voice]", "device_kit[qt]", "display"),
            BASE_APT,
            ("dialout",),
            "sign",
            "--device",
            "sign.toml",
            screen=False,
            unneeded="PySide6 and pyttsx3: the signs live in hallcall-display with the lobby",
        ),
        Role(
            "rating-pad",
            "the rating pad at a window (touch screen and/or GPIO keys)",
            "hallcall-rating-pad",
            ("core", "hardware[gpio]", "device_kit[qt]", "rating_pad"),
            (*BASE_APT, *SCREEN_APT),
            ("gpio", "dialout", *SCREEN_GROUPS),
            "rating-pad",
            "--device",
            "rating-pad.toml",
            screen=True,
        ),
        Role(
            "web",
            "the visitors' phone pages, the lobby page and the manager's dashboard",
            "hallcall-web",
            ("core", "config", "hardware[voice]", "device_kit[qt]", "display", "broker", "web"),
            BASE_APT,
            (),
            "web",
            "--config",
            "hall.toml",
            screen=False,
            unneeded="PySide6 and pyttsx3 through hallcall-display (the web uses only the "
            "lobby's Qt-free model); the broker's SQLAlchemy/Alembic/openpyxl are used by /admin",
        ),
    )
}


def roles_table() -> str:
    """The table docs/install.md shows (tests check the two agree)."""
    rows = [
        "| role | distribution | Debian packages | groups | runs | pulls, unused |",
        "|---|---|---|---|---|---|",
    ]
    for r in ROLES.values():
        apt = [p for p in r.apt if p not in BASE_APT and p not in SCREEN_APT]
        if r.screen:
            apt.insert(0, "the screen set (cage, EGL/GBM, Wayland, fonts)")
        rows.append(
            f"| `{r.name}` | {r.distribution} | {', '.join(apt) or '-'} | "
            f"{', '.join(r.groups) or '-'} | `hallcall {r.command} {r.file_option} "
            f"/etc/hallcall/{r.file_name}`{' under cage' if r.screen else ''} | "
            f"{r.unneeded or '-'} |"
        )
    return "\n".join(rows) + "\n"
