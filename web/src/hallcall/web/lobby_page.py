"""The lobby page's fields: the Qt lobby's own `Snapshot`, with the page's few words added.

The same model (`hallcall.display.model.LobbyModel`) decides what the lobby shows, so a smart
TV's browser shows what a lobby Pi shows: the newest call big, the recent calls, every window
and every queue, in the hall's languages.
"""

from __future__ import annotations

from typing import Any

from hallcall.device_kit.i18n import TextTable
from hallcall.display.model import Snapshot

WORDS = TextTable.by_key(
    {
        "call_to": {"zh": "请到 {n} 号窗口", "en": "Please go to window {n}"},
        "window_n": {"zh": "{n} 号窗口", "en": "Window {n}"},
        "recent": {"zh": "最近叫号", "en": "Recent calls"},
        "windows": {"zh": "窗口", "en": "Windows"},
        "queues": {"zh": "排队", "en": "Queues"},
        "waiting_n": {"zh": "等候 {n} 人", "en": "{n} waiting"},
        "offline": {
            "zh": "叫号系统暂时离线，显示的信息可能已过时",
            "en": "The queue system is offline; what is shown may be out of date",
        },
        "none": {"zh": "暂无叫号", "en": "No calls yet"},
    }
)


def lobby_page(snap: Snapshot) -> dict[str, Any]:
    page = snap.as_dict()
    page["words"] = {
        lang: {key: WORDS(lang, key) for key in WORDS.by_language["en"]} for lang in snap.languages
    }
    return page
