"""The lobby's picture, built only from retained state (Qt-free, so it is tested without a screen).

Feed it every message a display hears, parsed with the contract's models (`heard(relative_topic,
view)`, as the device kit's `DeviceApp` does; `apply(relative_topic, payload)` parses a raw one
first): `state/catalog`, `state/window/*`, `state/queue/*`, `state/calls` and `server/status`.
It keeps one entry per
window, department and topic, plus the broker's own list of latest calls, so its size depends
on the hall, never on how many calls the day had.

New calls (and recalls) are found by comparing the broker's retained call list with the one
held before: the new list is "fresh calls + the old list shifted down". The first list seen
after start-up is only remembered, never announced, so a display that reboots at noon does not
call the whole morning again. `heard` keeps the fresh calls, oldest first, in `fresh` for the
flash and the voice (`apply` returns them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from hallcall.device_kit.device_model import DeviceModel
from hallcall.device_kit.i18n import TextTable, localized
from hallcall.protocol.pause_reasons import reason_label
from hallcall.protocol.payloads import (
    CallsStateView,
    CallView,
    CatalogView,
    Payload,
    QueueStateView,
    ServerStatus,
    WindowStateView,
    parse_view,
)

#: Upper bounds that keep memory flat whatever arrives (the contract allows up to 100 calls).
MAX_WINDOWS = 256
MAX_DEPARTMENTS = 128
MAX_CALLS = 100

#: The lobby's own words: how a window's status and a clerk's post read, per language.
WORDING = TextTable.by_key(
    {
        "status_serving": {"zh": "办理中", "en": "Serving"},
        "status_open": {"zh": "空闲", "en": "Available"},
        "status_paused": {"zh": "暂停服务", "en": "Paused"},
        "status_closed": {"zh": "未开放", "en": "Closed"},
        "post_A": {"zh": "A岗", "en": "Post A"},
        "post_B": {"zh": "B岗", "en": "Post B"},
    }
)


@dataclass(frozen=True)
class Call:
    """One entry of `state/calls`: a call or a recall of a ticket to a window."""

    ticket_id: str
    number: str
    department: str
    window: str
    window_number: int
    at: datetime | None
    recall: bool

    @property
    def key(self) -> tuple:
        """Identity of this call: the same ticket called again (a recall) is a new call."""
        return (self.ticket_id, self.window, self.at, self.recall)

    @classmethod
    def from_view(cls, view: CallView) -> Call:
        return cls(
            ticket_id=view.ticket_id,
            number=view.number,
            department=view.department,
            window=view.window,
            window_number=view.window_number,
            at=view.at,
            recall=view.recall,
        )


@dataclass(frozen=True)
class CallRow:
    """A call as shown: texts already in the display's languages (one entry per language)."""

    number: str
    window_number: int
    department: tuple[str, ...]
    recall: bool
    at: str | None


@dataclass(frozen=True)
class WindowRow:
    id: str
    number: int
    status: str  # "serving" | "open" | "paused" | "closed"
    status_text: tuple[str, ...]
    current: str | None  # the ticket number shown to visitors
    department: tuple[str, ...]  # the departments it serves, joined, one entry per language
    clerk: tuple[str, ...]
    post: tuple[str, ...]
    pause_reason: str | None
    flex: bool


@dataclass(frozen=True)
class QueueRow:
    department: str
    prefix: str
    name: tuple[str, ...]
    waiting: int
    priority_waiting: int
    estimated_wait_s: int
    last_called: str | None
    open_windows: int
    closed: bool


@dataclass(frozen=True)
class Snapshot:
    """Everything the lobby shows except the clock: two equal snapshots draw the same picture."""

    languages: tuple[str, ...]
    hall_name: tuple[str, ...]
    notice: tuple[str, ...]
    timezone: str
    online: bool
    connected: bool
    server_state: str  # "online" | "offline" | "unknown"
    newest: CallRow | None
    recent: tuple[CallRow, ...]
    windows: tuple[WindowRow, ...]
    queues: tuple[QueueRow, ...]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class LobbyModel(DeviceModel):
    """The lobby's state. Not thread-safe: call it from one thread (the GUI thread)."""

    def __init__(self, languages: Sequence[str] = ("zh", "en"), recent: int = 8):
        if not languages:
            raise ValueError("at least one language")
        self.languages = tuple(languages)
        self.recent_count = max(1, min(recent, MAX_CALLS))
        self._catalog: CatalogView | None = None
        self._windows: dict[str, WindowStateView] = {}
        self._queues: dict[str, QueueStateView] = {}
        self._calls_seq = -1
        self._calls: tuple[Call, ...] = ()
        self._calls_seen = False
        self.server_state = "unknown"
        self.connected = False
        self._snapshot: Snapshot | None = None
        # Rows are rebuilt only when their own state (or the catalog) changed: a call touches
        # one window, one queue and the call list, not the whole hall.
        self._row_cache: dict[tuple[str, str], tuple[tuple[int, int], Any]] = {}
        self._call_rows: dict[tuple, CallRow] = {}
        self._call_rows_catalog = -1
        self._catalog_cache: tuple[int, dict, dict] = (-2, {}, {})
        #: Counters (tests, bench, logs): messages applied and calls found new.
        self.applied = 0
        self.new_calls = 0
        #: The calls the last `heard` made new, oldest first (for the flash and the voice).
        self.fresh: list[Call] = []

    # ------------------------------------------------------------------ input
    def set_connected(self, up: bool) -> None:
        """The display's own MQTT connection; while it is down nothing shown can be trusted."""
        if up != self.connected:
            self.connected = up
            self._snapshot = None

    def connection_changed(self, connected: bool) -> None:
        self.set_connected(connected)

    def apply(self, topic: str, payload: dict[str, Any]) -> list[Call]:
        """Parse one raw message with its contract model and take it (a bad one changes
        nothing); return the calls it made new (oldest first)."""
        try:
            view = parse_view(topic, payload)
        except (ValidationError, ValueError):
            return []
        self.heard(topic, view)
        return self.fresh

    def heard(self, topic: str, view: Payload) -> None:
        """Take one retained message; `fresh` = the calls it made new (oldest first)."""
        self.fresh = []
        self.applied += 1
        if isinstance(view, ServerStatus):
            self.server_state = view.state
            self._snapshot = None
        elif isinstance(view, CatalogView):
            if self._catalog is None or view.seq >= self._catalog.seq:
                self._catalog = view
                self._snapshot = None
        elif isinstance(view, WindowStateView):
            self._hold(self._windows, topic.removeprefix("state/window/"), view, MAX_WINDOWS)
        elif isinstance(view, QueueStateView):
            self._hold(self._queues, topic.removeprefix("state/queue/"), view, MAX_DEPARTMENTS)
        elif isinstance(view, CallsStateView):
            self.fresh = self._apply_calls(view)

    def _hold(self, table: dict[str, Any], key: str, view: Any, limit: int) -> None:
        held = table.get(key)
        if held is not None and view.seq < held.seq:
            return  # older than what is shown: never move the screen backwards
        if held is None and len(table) >= limit:
            return  # a hall has a fixed set of windows and departments: refuse to grow
        table[key] = view
        self._snapshot = None

    def _apply_calls(self, view: CallsStateView) -> list[Call]:
        if view.seq < self._calls_seq:
            return []
        calls = tuple(Call.from_view(c) for c in view.calls[:MAX_CALLS])
        old, first = self._calls, not self._calls_seen
        self._calls_seq, self._calls, self._calls_seen = view.seq, calls, True
        self._snapshot = None
        if first:
            return []  # what was called before this display started is history, not news
        fresh = fresh_calls(old, calls)
        self.new_calls += len(fresh)
        return list(reversed(fresh))

    # ------------------------------------------------------------------ output
    @property
    def online(self) -> bool:
        """True when what is shown is live: connected and the queue broker says it is online."""
        return self.connected and self.server_state == "online"

    @property
    def calls(self) -> tuple[Call, ...]:
        return self._calls

    def snapshot(self) -> Snapshot:
        """The picture to draw (cached until the next change)."""
        if self._snapshot is None:
            self._snapshot = self._build()
        return self._snapshot

    def _tr(self, value: Any) -> tuple[str, ...]:
        return tuple(localized(value, lang) for lang in self.languages)

    def _departments(self) -> dict[str, dict[str, Any]]:
        if self._catalog is None:
            return {}
        deps = {
            str(d["id"]): d for d in self._catalog.departments if isinstance(d, dict) and "id" in d
        }
        # General windows: a matter group's queue and the pickup queue show as rows of their
        # own, named and prefixed as the catalog's `queues` says (an older catalog has none).
        for q in getattr(self._catalog, "queues", None) or []:
            if (
                isinstance(q, dict)
                and isinstance(q.get("id"), str)
                and q.get("kind") != "department"
            ):
                deps.setdefault(q["id"], q)
        return deps

    def _dep_names(self, ids: Sequence[str], deps: dict[str, dict[str, Any]]) -> tuple[str, ...]:
        out = []
        for lang in self.languages:
            sep = "、" if lang == "zh" else " / "
            out.append(sep.join(localized(deps[d]["name"], lang) if d in deps else d for d in ids))
        return tuple(out)

    def _call_row(self, call: Call, deps: dict[str, dict[str, Any]]) -> CallRow:
        dep = deps.get(call.department)
        return CallRow(
            number=call.number,
            window_number=call.window_number,
            department=self._tr(dep["name"])
            if dep
            else tuple(call.department for _ in self.languages),
            recall=call.recall,
            at=call.at.isoformat() if call.at else None,
        )

    def _build(self) -> Snapshot:
        hall = self._catalog.hall if self._catalog else {}
        cat_seq = self._catalog.seq if self._catalog else -1
        if self._catalog_cache[0] != cat_seq:
            catalog_windows = {
                str(w["id"]): w
                for w in (self._catalog.windows if self._catalog else [])
                if isinstance(w, dict) and "id" in w
            }
            self._catalog_cache = (cat_seq, self._departments(), catalog_windows)
        _, deps, catalog_windows = self._catalog_cache

        # Windows: the catalog's order, then any window known only from its state.
        order = list(catalog_windows)
        order += sorted(w for w in self._windows if w not in catalog_windows)
        rows = []
        for wid in order:
            held = self._windows.get(wid)
            version = (held.seq if held else -1, cat_seq)
            cached = self._row_cache.get(("w", wid))
            if cached is None or cached[0] != version:
                conf = catalog_windows.get(wid, {})
                row = self._window_row(wid, held, conf, deps)
                cached = self._row_cache[("w", wid)] = (version, row)
            rows.append(cached[1])
        rows.sort(key=lambda r: (r.number, r.id))

        queues = []
        dep_order = list(deps) + sorted(d for d in self._queues if d not in deps)
        for dep_id in dep_order:
            queue = self._queues.get(dep_id)
            version = (queue.seq if queue else -1, cat_seq)
            cached = self._row_cache.get(("q", dep_id))
            if cached is not None and cached[0] == version:
                queues.append(cached[1])
                continue
            dep = deps.get(dep_id, {})
            queues.append(
                QueueRow(
                    department=dep_id,
                    prefix=str(dep.get("prefix") or ""),
                    name=self._tr(dep.get("name"))
                    if dep
                    else tuple(dep_id for _ in self.languages),
                    waiting=queue.waiting if queue else 0,
                    priority_waiting=queue.priority_waiting if queue else 0,
                    estimated_wait_s=queue.estimated_wait_s if queue else 0,
                    last_called=queue.last_called if queue else None,
                    open_windows=queue.open_windows if queue else 0,
                    closed=queue.closed if queue else False,
                )
            )
            self._row_cache[("q", dep_id)] = (version, queues[-1])
        if len(self._row_cache) > 2 * (MAX_WINDOWS + MAX_DEPARTMENTS):
            self._row_cache.clear()  # cannot happen with the table limits; a guard all the same

        shown = self._calls[: self.recent_count + 1]
        old_rows = self._call_rows if self._call_rows_catalog == cat_seq else {}
        self._call_rows = {c.key: old_rows.get(c.key) or self._call_row(c, deps) for c in shown}
        self._call_rows_catalog = cat_seq
        recent = tuple(self._call_rows[c.key] for c in shown)
        # The newest call stays big only while its window still serves that ticket: not after it
        # was finished, nor while the window is paused or after the day closed (issue #12).
        head = shown[0] if shown else None
        live = head is not None and (
            head.window not in self._windows
            or next((r.current for r in rows if r.id == head.window), None) == head.number
        )
        newest, earlier = (recent[0], recent[1:]) if live else (None, recent[: self.recent_count])
        return Snapshot(
            languages=self.languages,
            hall_name=self._tr(hall.get("name")),
            notice=self._tr(hall.get("notice")),
            timezone=str(hall.get("timezone") or "Asia/Shanghai"),
            online=self.online,
            connected=self.connected,
            server_state=self.server_state,
            newest=newest,
            recent=earlier,
            windows=tuple(rows),
            queues=tuple(queues),
        )

    def _window_row(
        self,
        wid: str,
        state: WindowStateView | None,
        conf: dict[str, Any],
        deps: dict[str, dict[str, Any]],
    ) -> WindowRow:
        raw_status = state.status if state else "closed"
        current = state.current if state else None
        serving = raw_status == "open" and current is not None and current.status == "called"
        status = "serving" if serving else raw_status
        staff = state.staff if state and status != "closed" else None
        dep_ids = [
            str(d) for d in ((state.departments if state else []) or conf.get("departments") or [])
        ]
        no_text = tuple("" for _ in self.languages)
        reason = state.pause_reason if state else None
        return WindowRow(
            id=wid,
            number=(state.number if state else 0) or int(conf.get("number") or 0),
            status=status,
            status_text=tuple(WORDING(lang, f"status_{status}") for lang in self.languages),
            current=current.number if serving and current is not None else None,
            department=self._dep_names(dep_ids, deps),
            clerk=self._tr(staff.name) if staff else no_text,
            post=tuple(WORDING.get(lang, f"post_{staff.post}") or "" for lang in self.languages)
            if staff
            else no_text,
            pause_reason=" · ".join(
                dict.fromkeys(reason_label(lang, reason) for lang in self.languages)
            )
            if status == "paused" and reason
            else None,
            flex=state.flex if state else bool(conf.get("flex", False)),
        )


def fresh_calls(old: Sequence[Call], new: Sequence[Call]) -> list[Call]:
    """The calls at the head of `new` (newest first) that `old` did not have.

    The broker's list is a sliding window, newest first: new == fresh + old[:len(new)-k]. The
    smallest such k is the number of fresh calls. A list with no overlap at all (the display
    was away for a long burst, or the day was reset) counts only calls later than the newest
    call held, so a reconnect never replays old calls.
    """
    n = len(new)
    if not old:
        return list(new)
    old_keys = [c.key for c in old]
    new_keys = [c.key for c in new]
    for k in range(n + 1):
        tail = new_keys[k:]
        if tail == old_keys[: len(tail)] and (tail or k == n):
            if not tail and k == n and n > 0:
                break  # no overlap: fall through to the time rule
            return list(new[:k])
    newest = old[0].at
    if newest is None:
        return []
    return [c for c in new if c.at is not None and c.at > newest]
