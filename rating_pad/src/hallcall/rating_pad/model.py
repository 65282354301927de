"""What a rating pad shows and sends, in plain Python (no Qt, no MQTT): tested without a screen.

The pad is bound to one window (the catalog's `devices` list says which). It is idle, showing
the window's clerk, until that window finishes a ticket; then it asks for a rating of *that*
ticket until the hall's `rating_timeout_s` runs out. Two inputs start a question:

- the `rating.requested` event, sent when the clerk finishes a ticket (a live question);
- the retained `state/window/{w}` whose `last_finished` is not rated yet and finished less than
  `rating_timeout_s` ago, so a pad that reboots in the middle of a question still asks, and a pad
  that boots hours later does not.

A rating is handed out once, as `rating.submit` with a fixed request_id, and the device kit's
request style does the rest: it keeps the command until the broker answers and sends it again
(same request_id: the broker records it once) on reconnect, when the broker is back and every
few seconds, so no rating is lost silently. The model keeps it in `pending` until its reply, for
the footer's count and the screen's "sent later". A question that times out is simply dropped:
a finished ticket without a rating counts as "not rated" in reports, no message is needed.

Every input is a method call; `take_outbox()` returns the new commands to publish. All time comes
from the injected `now()` (an aware datetime), so tests move time by hand.
"""

from __future__ import annotations

import logging
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

from hallcall.device_kit.device_model import DeviceModel, as_json
from hallcall.device_kit.i18n import TextTable, parse_time
from hallcall.protocol.payloads import (
    CatalogView,
    EventView,
    Payload,
    ServerStatus,
    WindowStateView,
)
from hallcall.protocol.ratings import RATING_LABELS

log = logging.getLogger(__name__)

LANGUAGES = ("zh", "en")


@dataclass(frozen=True)
class Reason:
    """A reason chip offered after a low rating; `code` is what is sent and stored."""

    code: str
    zh: str
    en: str

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


DEFAULT_REASONS: tuple[Reason, ...] = (
    Reason("waited_long", "等候时间太长", "Waited too long"),
    Reason("attitude", "服务态度不好", "Unfriendly attitude"),
    Reason("unclear", "解释不清楚", "Unclear explanation"),
    Reason("not_solved", "问题没有解决", "Problem not solved"),
    Reason("slow", "办理速度慢", "Service too slow"),
    Reason("come_back", "要求多次跑", "Asked to come back again"),
)

#: Every text a pad shows, in both languages.
TEXTS: dict[str, dict[str, str]] = {
    "window": {"zh": "{n}号窗口", "en": "Window {n}"},
    "please_rate": {"zh": "请对我们的服务进行评价", "en": "Please rate our service"},
    "rate_after": {
        "zh": "办理结束后，请在此评价本次服务",
        "en": "When your service is finished, please rate it here",
    },
    "post_A": {"zh": "A岗 · 主办", "en": "Main clerk (post A)"},
    "post_B": {"zh": "B岗 · 协办", "en": "Backup clerk (post B)"},
    "contact": {"zh": "监督电话 {c}", "en": "Contact {c}"},
    "no_clerk": {"zh": "本窗口暂无工作人员", "en": "No clerk at this window"},
    "closed": {"zh": "本窗口暂未开放", "en": "This window is not open"},
    "paused": {"zh": "暂停服务：{r}", "en": "Paused: {r}"},
    "paused_plain": {"zh": "暂停服务", "en": "Paused"},
    "ask_title": {"zh": "请您对本次服务进行评价", "en": "How was your service?"},
    "ask_ticket": {
        "zh": "票号 {number} · 经办人 {name}",
        "en": "Ticket {number} · served by {name}",
    },
    "ask_ticket_plain": {"zh": "票号 {number}", "en": "Ticket {number}"},
    "anonymous": {"zh": "匿名评价 · 剩余 {s} 秒", "en": "Anonymous · {s} s left"},
    "follow_title": {"zh": "哪里让您不满意？（可多选）", "en": "What went wrong? (choose any)"},
    "follow_hint": {"zh": "您的选择将帮助我们改进", "en": "Your answer helps us improve"},
    "submit": {"zh": "提交", "en": "Submit"},
    "skip": {"zh": "跳过", "en": "Skip"},
    "sending": {"zh": "正在提交…", "en": "Sending…"},
    "thanks": {"zh": "谢谢您的评价！", "en": "Thank you for your rating!"},
    "thanks_sub": {"zh": "祝您生活愉快", "en": "Have a nice day"},
    "queued": {
        "zh": "服务暂不可用：评价已保存在本机，恢复后自动提交",
        "en": "Service unavailable: your rating is kept here and sent when it is back",
    },
    "unavailable": {"zh": "服务暂不可用", "en": "Service unavailable"},
    "unavailable_ask": {
        "zh": "服务暂不可用 · 您的评价将保存在本机，恢复后自动提交",
        "en": "Service unavailable · your rating will be kept and sent when it is back",
    },
    "unavailable_idle": {
        "zh": "服务暂不可用，请稍候",
        "en": "Service unavailable, please wait",
    },
    "pending": {"zh": "待提交的评价：{n}", "en": "Ratings waiting to be sent: {n}"},
    "connecting": {"zh": "正在连接服务…", "en": "Connecting to the service…"},
    "unconfigured": {
        "zh": "评价器 {pad} 未在大厅配置中登记",
        "en": "Rating pad {pad} is not in the hall configuration",
    },
    "not_recorded": {"zh": "评价未能记录", "en": "The rating was not recorded"},
    "err_conflict": {
        "zh": "此次服务已评价或已不能评价",
        "en": "This service was already rated or can no longer be rated",
    },
    "err_forbidden": {"zh": "本评价器不能评价该业务", "en": "This pad may not rate that ticket"},
    "err_not_found": {"zh": "找不到该业务", "en": "Ticket not found"},
    "err_invalid": {"zh": "评价无效", "en": "Invalid rating"},
    "err_other": {"zh": "请稍后再试", "en": "Please try again later"},
}
WORDING = TextTable.by_key(TEXTS)


class Phase(str, Enum):
    CONNECTING = "connecting"  # no catalog yet: which window is this pad at?
    UNCONFIGURED = "unconfigured"  # the catalog does not list this pad
    IDLE = "idle"
    ASKING = "asking"
    FOLLOW_UP = "follow_up"  # a low score was chosen: which reasons?
    SENDING = "sending"
    THANKS = "thanks"
    NOTICE = "notice"  # the broker refused the rating: say so


@dataclass(frozen=True)
class Clerk:
    id: str
    name: dict[str, str]
    post: str | None = None
    contact: str | None = None
    photo: str | None = None

    def display_name(self, lang: str) -> str:
        return self.name.get(lang) or next(iter(self.name.values()), self.id)


@dataclass
class Question:
    """The ticket being rated."""

    ticket_id: str
    number: str
    scale: int
    deadline: datetime
    clerk: Clerk | None = None
    #: The live `rating.requested` event was seen (not only the retained window state).
    live: bool = False
    #: 需补件: the materials the visitor must still bring, each {"zh", "en"}, shown while asking.
    missing: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Submission:
    """A rating to send; the device kit re-sends it with the same request_id until answered."""

    request_id: str
    ticket_id: str
    number: str
    score: int
    reasons: list[str]

    def command(self) -> dict[str, Any]:
        return {"ticket_id": self.ticket_id, "score": self.score, "reasons": list(self.reasons)}


@dataclass
class Outcome:
    """What became of one question, for logs and tests."""

    ticket_id: str
    result: str  # "recorded", "not_rated", "refused", "superseded"
    score: int | None = None
    reasons: list[str] = field(default_factory=list)
    error: str | None = None


def default_follow_up(scale: int) -> frozenset[int]:
    """Scores that open the reasons: the lowest level (3 levels) or the lowest two (5)."""
    return frozenset({1}) if scale == 3 else frozenset({1, 2})


def key_to_score(key: int, keys: int, scale: int) -> int:
    """A physical key's number as a score of the hall's scale, keeping the label's meaning.

    Three keys on a five-level hall give 2 (dissatisfied), 3 (average), 4 (satisfied); five keys
    on a three-level hall give 1, 1, 2, 3, 3.
    """
    if keys == scale:
        return key
    if keys == 3 and scale == 5:
        return {1: 2, 2: 3, 3: 4}[key]
    if keys == 5 and scale == 3:
        return {1: 1, 2: 1, 3: 2, 4: 3, 5: 3}[key]
    raise ValueError(f"cannot map a {keys}-key pad onto a {scale}-level scale")


def _clerk(staff: Any) -> Clerk | None:
    if not isinstance(staff, dict) or not isinstance(staff.get("id"), str):
        return None
    raw_name = staff.get("name")
    name = raw_name if isinstance(raw_name, dict) else {}
    return Clerk(
        id=staff["id"],
        name={k: v for k, v in name.items() if isinstance(v, str)},
        post=staff.get("post"),
        contact=staff.get("contact"),
        photo=staff.get("photo"),
    )


class RatingPadModel(DeviceModel):
    def __init__(
        self,
        pad_id: str,
        now: Callable[[], datetime] | None = None,
        *,
        language: str | None = None,
        follow_up_on: list[int] | None = None,
        reasons: tuple[Reason, ...] | list[Reason] = DEFAULT_REASONS,
        follow_up_s: float = 20.0,
        thanks_s: float = 4.0,
        notice_s: float = 6.0,
        reply_timeout_s: float = 5.0,
        new_id: Callable[[], str] | None = None,
    ):
        self.pad_id = pad_id
        self._now = now or (lambda: datetime.now(UTC))
        self._new_id = new_id or (lambda: uuid.uuid4().hex)
        self._language_setting = language
        self._follow_up_setting = follow_up_on
        self.reasons = tuple(reasons)
        self.follow_up_s, self.thanks_s, self.notice_s = follow_up_s, thanks_s, notice_s
        self.reply_timeout_s = reply_timeout_s

        # What the catalog says.
        self.window: str | None = None
        self.window_number: int | None = None
        self.scale = 3
        self.labels: dict[str, list[str]] = RATING_LABELS[3]
        self.timeout_s = 30
        self.languages: list[str] = list(LANGUAGES)
        self.lang: str = language or "zh"
        self._catalog_seen = False
        # What the window's retained state says.
        self.clerk: Clerk | None = None
        self.window_status: str | None = None
        self._window_states: dict[str, dict[str, Any]] = {}  # every window's newest state
        self.pause_reason: str | None = None
        # Connection.
        self.connected = False
        self.server_online = False
        # The question in hand.
        self.phase = Phase.CONNECTING
        self.question: Question | None = None
        self.score: int | None = None
        self.selected: list[str] = []
        self.queued = False  # the thank-you says "kept here, sent later"
        self.error: str | None = None
        self._phase_until: datetime | None = None
        self._sending: str | None = None  # request_id of the submission the screen waits for
        # Ratings not yet answered by the broker, by request_id (oldest first).
        self.pending: OrderedDict[str, Submission] = OrderedDict()
        self._outbox: list[Submission] = []
        self._done: OrderedDict[str, None] = OrderedDict()  # tickets not to ask about again
        self.outcomes: list[Outcome] = []
        self.recorded_count = 0  # grows with each recorded rating (physical pads thank on it)
        self.version = 0  # grows with every change a screen should redraw

    # ------------------------------------------------------------------ derived
    def now(self) -> datetime:
        return self._now()

    @property
    def available(self) -> bool:
        """The queue broker can be reached: MQTT is up and the broker says it is online."""
        return self.connected and self.server_online

    @property
    def prompt_active(self) -> bool:
        """A physical pad lights up: the visitor is asked to choose a score."""
        return self.phase is Phase.ASKING

    @property
    def follow_up_scores(self) -> frozenset[int]:
        if self._follow_up_setting is not None:
            return frozenset(self._follow_up_setting)
        return default_follow_up(self.scale)

    def level_labels(self, lang: str | None = None) -> list[str]:
        lang = lang or self.lang
        scale = self.question.scale if self.question else self.scale
        labels = self.labels.get(lang) if scale == self.scale else None
        if not labels or len(labels) != scale:
            labels = RATING_LABELS[scale].get(lang) or RATING_LABELS[scale]["en"]
        return list(labels)

    def remaining_s(self) -> int:
        """Whole seconds left to answer the question (0 when not asking)."""
        if self.phase is Phase.ASKING and self.question is not None:
            left = (self.question.deadline - self.now()).total_seconds()
        elif self.phase is Phase.FOLLOW_UP and self._phase_until is not None:
            left = (self._phase_until - self.now()).total_seconds()
        else:
            return 0
        return max(0, int(left + 0.999))

    def progress(self) -> float:
        """The share of the answering time left, 1.0 .. 0.0 (for a countdown bar)."""
        total = self.timeout_s if self.phase is Phase.ASKING else self.follow_up_s
        if total <= 0:
            return 0.0
        if self.phase is Phase.ASKING and self.question is not None:
            left = (self.question.deadline - self.now()).total_seconds()
        elif self.phase is Phase.FOLLOW_UP and self._phase_until is not None:
            left = (self._phase_until - self.now()).total_seconds()
        else:
            return 0.0
        return max(0.0, min(1.0, left / total))

    def t(self, key: str, **values: Any) -> str:
        return WORDING(self.lang, key, **values)

    def error_text(self) -> str:
        key = f"err_{self.error}" if f"err_{self.error}" in TEXTS else "err_other"
        return self.t(key)

    # ------------------------------------------------------------------ inputs: MQTT
    def heard(self, topic: str, view: Payload) -> None:
        """What the device kit heard, parsed with the contract's model (see DeviceModel)."""
        if isinstance(view, ServerStatus):
            self.set_server_online(view.state == "online")
        elif isinstance(view, CatalogView):
            self.on_catalog(as_json(view))
        elif isinstance(view, WindowStateView):
            self.on_window_state(as_json(view))
        elif isinstance(view, EventView):
            self.on_event(topic.removeprefix("event/"), as_json(view))

    def connection_changed(self, connected: bool) -> None:
        self.set_connected(connected)
        if not connected:
            self.set_server_online(False)  # the retained status comes again on reconnect

    def late_reply(self, reply: dict[str, Any]) -> None:
        if not self.on_reply(reply):
            log.debug("reply for nothing pending: %s", reply.get("request_id"))

    def set_connected(self, up: bool) -> None:
        if up != self.connected:
            self.connected = up
            self._changed()

    def set_server_online(self, online: bool) -> None:
        if online != self.server_online:
            self.server_online = online
            self._changed()

    def on_catalog(self, catalog: dict[str, Any]) -> None:
        hall = catalog.get("hall") or {}
        devices = catalog.get("devices") or []
        me = next(
            (
                d
                for d in devices
                if isinstance(d, dict) and d.get("kind") == "rating" and d.get("id") == self.pad_id
            ),
            None,
        )
        if hall.get("rating_scale") in (3, 5):
            self.scale = hall["rating_scale"]
        labels = hall.get("rating_labels")
        if isinstance(labels, dict) and all(
            isinstance(v, list) and len(v) == self.scale for v in labels.values()
        ):
            self.labels = {k: [str(x) for x in v] for k, v in labels.items()}
        else:
            self.labels = RATING_LABELS[self.scale]
        if isinstance(hall.get("rating_timeout_s"), int) and hall["rating_timeout_s"] > 0:
            self.timeout_s = hall["rating_timeout_s"]
        langs = [lang for lang in hall.get("languages") or [] if lang in LANGUAGES]
        if langs:
            self.languages = langs
        if not self._catalog_seen:
            preferred = self._language_setting or hall.get("default_language")
            self.lang = preferred if preferred in self.languages else self.languages[0]
        elif self.lang not in self.languages:
            self.lang = self.languages[0]
        self._catalog_seen = True
        window = me.get("window") if me else None
        if window is None:
            self.window = None
            self._leave_question()
            self.phase = Phase.UNCONFIGURED
        else:
            if window != self.window:
                self.clerk = None
                self.window_status = None
                self._leave_question()
            self.window = window
            number = next(
                (
                    w.get("number")
                    for w in catalog.get("windows") or []
                    if isinstance(w, dict) and w.get("id") == window
                ),
                None,
            )
            self.window_number = number if isinstance(number, int) else None
            if self.phase in (Phase.CONNECTING, Phase.UNCONFIGURED):
                self.phase = Phase.IDLE
            if window in self._window_states:  # the window's state may have come first
                self.on_window_state(self._window_states[window])
        self._changed()

    def on_window_state(self, state: dict[str, Any]) -> None:
        if isinstance(state.get("window"), str):
            self._window_states[state["window"]] = state
        if self.window is None or state.get("window") != self.window:
            return
        if isinstance(state.get("number"), int):
            self.window_number = state["number"]
        self.clerk = _clerk(state.get("staff"))
        self.window_status = state.get("status")
        self.pause_reason = state.get("pause_reason")
        last = state.get("last_finished")
        if isinstance(last, dict) and isinstance(last.get("ticket_id"), str):
            tid = last["ticket_id"]
            if last.get("rated"):
                self._rated_elsewhere(tid)
            else:
                finished = parse_time(last.get("finished_at"))
                if finished is not None:
                    deadline = min(finished, self.now()) + timedelta(seconds=self.timeout_s)
                    self._ask(tid, str(last.get("number") or ""), self.scale, deadline, self.clerk)
        self._changed()

    def on_event(self, event_type: str, event: dict[str, Any]) -> None:
        if self.window is None or event.get("window") != self.window:
            return
        if event_type == "rating.requested" and isinstance(event.get("ticket_id"), str):
            scale = event["scale"] if event.get("scale") in (3, 5) else self.scale
            timeout = (
                event["timeout_s"] if isinstance(event.get("timeout_s"), int) else self.timeout_s
            )
            clerk = self.clerk if (self.clerk and self.clerk.id == event.get("staff")) else None
            # The event's `at` is the broker's time of the finish, as in the retained state.
            now = self.now()
            at = parse_time(event.get("at"))
            deadline = (
                min(at, now) + timedelta(seconds=timeout)
                if at
                else now + timedelta(seconds=timeout)
            )
            if deadline <= now:  # a live event is fresh: the pad's clock must be ahead
                deadline = now + timedelta(seconds=timeout)
            missing = event.get("missing_materials")
            self._ask(
                event["ticket_id"],
                str(event.get("number") or ""),
                scale,
                deadline,
                clerk,
                live=True,
                missing=[m for m in missing if isinstance(m, dict)]
                if isinstance(missing, list)
                else [],
            )
        elif event_type == "rating.recorded" and isinstance(event.get("ticket_id"), str):
            self._rated_elsewhere(event["ticket_id"])
        self._changed()

    def on_reply(self, reply: dict[str, Any]) -> bool:
        """A reply on the pad's reply topic; False when it is not for a rating this pad sent."""
        request_id = reply.get("request_id")
        sub = self.pending.pop(request_id, None) if isinstance(request_id, str) else None
        if sub is None:
            return False
        waiting_screen = self._sending == sub.request_id
        if reply.get("ok"):
            self.recorded_count += 1
            self.outcomes.append(Outcome(sub.ticket_id, "recorded", sub.score, list(sub.reasons)))
            log.info("rating of %s recorded: %d %s", sub.number, sub.score, sub.reasons)
            if waiting_screen:
                self._sending = None
                self._enter(Phase.THANKS, self.thanks_s)
        else:
            error = reply.get("error") or {}
            code = error.get("code") if isinstance(error, dict) else None
            self.outcomes.append(
                Outcome(sub.ticket_id, "refused", sub.score, list(sub.reasons), code)
            )
            log.warning(
                "rating of %s (score %d) was refused: %s %s",
                sub.number,
                sub.score,
                code,
                error.get("message") if isinstance(error, dict) else "",
            )
            if waiting_screen:
                self._sending = None
                self.error = code or "other"
                self._enter(Phase.NOTICE, self.notice_s)
        self._changed()
        return True

    # ------------------------------------------------------------------ inputs: the visitor
    def choose(self, score: int, follow_up: bool = True) -> bool:
        """The visitor chose a score; False when nothing is being asked or the score is off scale."""
        q = self.question
        if self.phase is not Phase.ASKING or q is None or not 1 <= score <= q.scale:
            return False
        self.score = score
        self.selected = []
        if follow_up and score in self.follow_up_scores and self.reasons:
            self._enter(Phase.FOLLOW_UP, self.follow_up_s)
        else:
            self._submit()
        self._changed()
        return True

    def toggle_reason(self, code: str) -> None:
        if self.phase is not Phase.FOLLOW_UP or code not in {r.code for r in self.reasons}:
            return
        if code in self.selected:
            self.selected.remove(code)
        elif len(self.selected) < 8:
            self.selected.append(code)
        self._changed()

    def confirm_reasons(self) -> None:
        if self.phase is Phase.FOLLOW_UP:
            self._submit()
            self._changed()

    def skip_reasons(self) -> None:
        if self.phase is Phase.FOLLOW_UP:
            self.selected = []
            self._submit()
            self._changed()

    def set_language(self, lang: str) -> None:
        if lang in self.languages and lang != self.lang:
            self.lang = lang
            self._changed()

    def next_language(self) -> str:
        i = self.languages.index(self.lang) if self.lang in self.languages else -1
        return self.languages[(i + 1) % len(self.languages)]

    # ------------------------------------------------------------------ time
    def tick(self) -> None:
        """Call often (a few times a second): timeouts and re-sends."""
        now = self.now()
        changed = False
        if self.phase is Phase.ASKING and self.question and now >= self.question.deadline:
            q = self.question
            log.info("no rating for %s within %d s: not rated", q.number, self.timeout_s)
            self.outcomes.append(Outcome(q.ticket_id, "not_rated"))
            self._leave_question()
            changed = True
        elif self.phase is Phase.FOLLOW_UP and self._phase_until and now >= self._phase_until:
            self._submit()  # the score counts even if no reason was chosen in time
            changed = True
        elif self.phase is Phase.SENDING and self._phase_until and now >= self._phase_until:
            self.queued = True  # no answer: keep it, show thanks, send again later
            self._sending = None
            self._enter(Phase.THANKS, self.thanks_s)
            changed = True
        elif (
            self.phase in (Phase.THANKS, Phase.NOTICE)
            and self._phase_until
            and now >= self._phase_until
        ):
            self._to_idle()
            changed = True
        if changed:
            self._changed()

    def take_outbox(self) -> list[Submission]:
        """The new `rating.submit` commands to publish (each once: the device kit re-sends)."""
        out, self._outbox = self._outbox, []
        return out

    # ------------------------------------------------------------------ internals
    def _changed(self) -> None:
        self.version += 1

    def _enter(self, phase: Phase, seconds: float | None) -> None:
        self.phase = phase
        self._phase_until = self.now() + timedelta(seconds=seconds) if seconds else None

    def _to_idle(self) -> None:
        self.question = None
        self.score = None
        self.selected = []
        self.queued = False
        self.error = None
        self._sending = None
        self._phase_until = None
        self.phase = (
            Phase.IDLE
            if self.window
            else (Phase.UNCONFIGURED if self._catalog_seen else Phase.CONNECTING)
        )

    def _leave_question(self) -> None:
        """Drop the question in hand (timed out, superseded, rated elsewhere)."""
        if self.question is not None:
            self._remember(self.question.ticket_id)
        if self.phase in (Phase.ASKING, Phase.FOLLOW_UP):
            self._to_idle()
        elif self.phase not in (Phase.SENDING, Phase.THANKS, Phase.NOTICE):
            self.question = None

    def _remember(self, ticket_id: str) -> None:
        self._done[ticket_id] = None
        while len(self._done) > 200:
            self._done.popitem(last=False)

    def _ask(
        self,
        ticket_id: str,
        number: str,
        scale: int,
        deadline: datetime,
        clerk: Clerk | None,
        live: bool = False,
        missing: list[dict[str, str]] | None = None,
    ) -> None:
        if ticket_id in self._done or any(s.ticket_id == ticket_id for s in self.pending.values()):
            return
        q = self.question
        if q is not None and q.ticket_id == ticket_id:
            if self.phase is Phase.ASKING and live and not q.live:
                q.live = True
                q.deadline = max(q.deadline, deadline)  # the retained state may have come first
            if q.clerk is None and clerk is not None:
                q.clerk = clerk
            if missing and not q.missing:
                q.missing = list(missing)
            return
        if deadline <= self.now():
            self._remember(ticket_id)  # finished too long ago (a pad booting late): do not ask
            return
        if q is not None and self.phase in (Phase.ASKING, Phase.FOLLOW_UP):
            # A newer ticket finished: only the last finished one can be rated.
            log.info("rating of %s superseded by %s", q.number, number)
            self.outcomes.append(Outcome(q.ticket_id, "superseded", self.score))
            self._remember(q.ticket_id)
        self.question = Question(
            ticket_id, number, scale, deadline, clerk or self.clerk, live, list(missing or [])
        )
        self.score = None
        self.selected = []
        self.queued = False
        self.error = None
        self._sending = None
        self._enter(Phase.ASKING, None)

    def _rated_elsewhere(self, ticket_id: str) -> None:
        self._remember(ticket_id)
        q = self.question
        if (
            q is not None
            and q.ticket_id == ticket_id
            and self.phase in (Phase.ASKING, Phase.FOLLOW_UP)
        ):
            self._to_idle()

    def _submit(self) -> None:
        q = self.question
        assert q is not None and self.score is not None
        sub = Submission(self._new_id(), q.ticket_id, q.number, self.score, list(self.selected))
        self.pending[sub.request_id] = sub
        self._remember(q.ticket_id)
        self._outbox.append(sub)
        if self.available:
            self._sending = sub.request_id
            self._enter(Phase.SENDING, self.reply_timeout_s)
        else:
            log.warning("queue broker unreachable: rating of %s kept to send later", q.number)
            self.queued = True
            self._enter(Phase.THANKS, self.thanks_s)


#: What the pad says above the faces after 需补件, in both languages at once (the visitor
#: reads it here, the clerk's screen faces the clerk).
MISSING_TITLE = "请补齐以下材料后再来办理 · Please bring the following and come back"


def missing_text(missing: list[dict[str, str]]) -> str:
    """The missing materials, one numbered line each, Chinese then English."""
    lines = [MISSING_TITLE]
    for i, m in enumerate(missing, 1):
        lines.append(f"{i}. " + " · ".join(x for x in (m.get("zh"), m.get("en")) if x))
    return "\n".join(lines)
