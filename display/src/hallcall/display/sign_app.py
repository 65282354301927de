"""Window LED signs: one headless process drives one or more signs from retained window state.

Each sign follows `state/window/{its window}`: "A012 请到3号窗口" while its window serves a
ticket, "暂停服务 Paused" when paused, the clerk's name when open and idle, "窗口关闭" when
closed (templates in the device file). A sign's window is given directly, or through the hall
file's `sign` device, which `state/catalog` lists. The text is sent only when it changes; the
serial driver itself shows it again after the sign or the line comes back.
"""

from __future__ import annotations

import logging
import string
import threading
from collections.abc import Callable
from typing import Any

from hallcall.device_kit.i18n import localized
from hallcall.hardware.sign import Sign, SignConfig, open_sign
from hallcall.mqtt.client import DeviceClient

from .settings import SignEntry, SignSettings, SignTemplates

log = logging.getLogger(__name__)


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


_FORMATTER = string.Formatter()


def render(template: str, values: dict[str, Any]) -> str:
    """`template` with its placeholders filled; unknown or missing ones become empty."""
    try:
        text = _FORMATTER.vformat(template, (), _Blank(values))
    except (ValueError, IndexError, AttributeError) as exc:
        log.warning("bad sign template %r: %s", template, exc)
        text = template
    return " ".join(text.split()) if "\n" not in text else text.strip()


def sign_text(
    window: dict[str, Any],
    templates: SignTemplates,
    language: str = "zh",
    departments: dict[str, Any] | None = None,
) -> str:
    """What the sign of a window shows for its retained state."""
    status = window.get("status")
    staff = window.get("staff") if isinstance(window.get("staff"), dict) else {}
    current = window.get("current") if isinstance(window.get("current"), dict) else None
    deps = departments or {}
    dep_ids = [str(d) for d in window.get("departments") or []]

    def dep_names(lang: str) -> str:
        sep = "、" if lang == "zh" else " / "
        return sep.join(localized(deps[d].get("name"), lang) if d in deps else d for d in dep_ids)

    values = {
        "window": window.get("number", ""),
        "number": current.get("number", "") if current else "",
        "clerk": localized(staff.get("name"), language) if staff else "",
        "clerk_zh": localized(staff.get("name"), "zh") if staff else "",
        "clerk_en": localized(staff.get("name"), "en") if staff else "",
        "post": staff.get("post", "") if staff else "",
        "department": dep_names(language),
        "department_zh": dep_names("zh"),
        "department_en": dep_names("en"),
        "reason": window.get("pause_reason") or "",
    }
    if status == "paused":
        return render(templates.paused, values)
    if status == "open":
        if current is not None and current.get("status") == "called":
            return render(templates.serving, values)
        return render(templates.idle, values)
    return render(templates.closed, values)


class _Driven:
    """One sign and what it should show."""

    def __init__(self, entry: SignEntry, templates: SignTemplates, sign: Sign):
        self.entry = entry
        self.templates = templates
        self.sign = sign
        self.window: str | None = entry.window
        self.shown: str | None = None


class SignApp:
    """Connects the signs of one device file to the hall's MQTT server."""

    def __init__(
        self,
        settings: SignSettings,
        opener: Callable[..., Sign] = open_sign,
        client: DeviceClient | None = None,
    ):
        self.settings = settings
        need_all = any(e.window is None for e in settings.signs)
        subs = ["state/catalog"]
        subs += (
            ["state/window/+"]
            if need_all
            else sorted({f"state/window/{e.window}" for e in settings.signs})
        )
        self.client = client or DeviceClient(
            settings.hall, "sign", settings.device, settings.mqtt.settings(), subs, probe=True
        )
        self._lock = threading.Lock()
        self._windows: dict[str, dict[str, Any]] = {}
        self._catalog: dict[str, Any] = {}
        self._health: dict[str, str] = {}
        self.signs: list[_Driven] = []
        for entry in settings.signs:
            sign = opener(entry.sign, on_status=self._status_listener(entry.name))
            self.signs.append(_Driven(entry, settings.templates_for(entry), sign))
            with self._lock:
                self._health.setdefault(entry.name, "online" if sign.online else "offline")
        with self._lock:
            health = dict(self._health)
        self.client.set_health(signs=health)  # sent with the device's status on connect
        self.client.on_state(self._on_state)

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        self.client.start()

    def stop(self) -> None:
        try:
            self.client.stop()
        finally:
            for d in self.signs:
                d.sign.close()

    def run(self, stop: threading.Event) -> None:
        self.start()
        stop.wait()
        self.stop()

    # ------------------------------------------------------------------ state
    def _on_state(self, topic: str, payload: dict[str, Any]) -> None:
        with self._lock:
            if topic == "state/catalog":
                self._catalog = payload
                devices = {
                    str(d.get("id")): d.get("window")
                    for d in payload.get("devices") or []
                    if isinstance(d, dict) and d.get("kind") == "sign"
                }
                for d in self.signs:
                    if d.entry.window is None and d.entry.device is not None:
                        window = devices.get(d.entry.device)
                        if window is None:
                            log.warning("sign device %r is not in the hall file", d.entry.device)
                        d.window = window
                self._refresh_all()
            elif topic.startswith("state/window/"):
                wid = topic[len("state/window/") :]
                if any(d.window == wid or d.entry.device for d in self.signs):
                    self._windows[wid] = payload
                    for d in self.signs:
                        if d.window == wid:
                            self._refresh(d)

    def _departments(self) -> dict[str, Any]:
        return {
            str(d["id"]): d
            for d in self._catalog.get("departments") or []
            if isinstance(d, dict) and "id" in d
        }

    def _refresh_all(self) -> None:
        for d in self.signs:
            self._refresh(d)

    def _refresh(self, d: _Driven) -> None:
        state = self._windows.get(d.window or "")
        if state is None:
            return
        text = sign_text(state, d.templates, d.entry.language, self._departments())
        if text != d.shown:
            d.shown = text
            log.info("sign %s: %r", d.entry.name, text)
            d.sign.show(text)

    def _status_listener(self, name: str) -> Callable[[bool], None]:
        def changed(online: bool) -> None:
            with self._lock:
                self._health[name] = "online" if online else "offline"
                health = dict(self._health)
            try:
                self.client.set_health(signs=health)
            except Exception:  # reporting health must never stop the sign
                log.exception("could not publish sign health")

        return changed

    @property
    def texts(self) -> dict[str, str | None]:
        """What each sign was last told to show, by sign name."""
        return {d.entry.name: d.shown for d in self.signs}


__all__ = ["SignApp", "SignConfig", "render", "sign_text"]
