"""What the clerk terminal knows and may do, without Qt or MQTT.

The model is built only from what the queue broker publishes (retained `state/...`, the
`rating.recorded` event, `server/status`) and from the replies to the terminal's own commands,
so a restarted terminal shows the same picture at once, without calling anybody again.

It decides which actions are possible now (`can`, `why_not`), holds the in-flight lock (one
command at a time: a double press never calls two visitors), turns replies into plain-word
messages in the clerk's language, and computes the service timer's colour against the
matter's time limit. Widgets, the serial keypad and GPIO buttons only render or drive it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from hallcall.device_kit.i18n import localized, parse_time
from hallcall.window_terminal.texts import OUTCOMES, reason_label, t

#: The service timer turns amber at this share of the matter's time limit, red at the limit.
AMBER_AT = 0.8
RED_AT = 1.0


class Action(StrEnum):
    LOGIN = "login"
    LOGOUT = "logout"
    NEXT = "next"
    RECALL = "recall"
    NO_SHOW = "no_show"
    TRANSFER = "transfer"
    FINISH = "finish"
    PAUSE = "pause"
    RESUME = "resume"


#: The MQTT op of each action (docs/asyncapi.yaml).
OPS: dict[Action, str] = {
    Action.LOGIN: "window.login",
    Action.LOGOUT: "window.logout",
    Action.NEXT: "call.next",
    Action.RECALL: "call.recall",
    Action.NO_SHOW: "ticket.no_show",
    Action.TRANSFER: "ticket.transfer",
    Action.FINISH: "ticket.finish",
    Action.PAUSE: "window.pause",
    Action.RESUME: "window.resume",
}

#: Ops whose good reply is the window's new state.
WINDOW_REPLY_OPS = {"window.login", "window.logout", "window.pause", "window.resume"}


class TimerLevel(StrEnum):
    NONE = "none"  # no ticket, or a matter without a time limit
    NORMAL = "normal"
    AMBER = "amber"
    RED = "red"


def timer_level(elapsed_s: float, limit_s: float | None) -> TimerLevel:
    if limit_s is None or limit_s <= 0:
        return TimerLevel.NONE
    share = elapsed_s / limit_s
    if share >= RED_AT:
        return TimerLevel.RED
    if share >= AMBER_AT:
        return TimerLevel.AMBER
    return TimerLevel.NORMAL


@dataclass(frozen=True)
class Message:
    """A line for the clerk: `kind` is "error" or "info"; the text is made in the clerk's language."""

    kind: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str) -> str:
        return t(lang, self.key, **self.params)


@dataclass(frozen=True)
class Waiting:
    department: str
    name: str
    waiting: int
    priority_waiting: int
    estimated_wait_s: int


def command(action: Action, **args: Any) -> tuple[str, dict[str, Any]]:
    """The op and arguments an action sends (checked here, so a bad press never leaves)."""
    op = OPS[Action(action)]
    if action is Action.LOGIN:
        staff = str(args.get("staff", "")).strip().lower()
        post = args.get("post", "A")
        if post not in ("A", "B"):
            raise ValueError(f"post must be A or B, not {post!r}")
        out: dict[str, Any] = {"staff": staff, "post": post}
        pin = str(args.get("pin") or "").strip()
        if pin:
            out["pin"] = pin  # sent once, never shown or kept
        return op, out
    if action is Action.TRANSFER:
        out = {"department": args["department"]}
        if args.get("matter"):
            out["matter"] = args["matter"]
        return op, out
    if action is Action.FINISH:
        outcome = args.get("outcome", "done")
        if outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {OUTCOMES}, not {outcome!r}")
        out = {"outcome": outcome}
        missing = sorted({int(i) for i in args.get("missing") or ()})
        if missing:
            if outcome != "needs_documents":
                raise ValueError("only needs_documents lists missing materials")
            out["missing"] = missing
        return op, out
    if action is Action.PAUSE:
        reason = str(args.get("reason") or "").strip()
        if not reason:
            raise ValueError("a pause needs a reason")
        return op, {"reason": reason[:200]}
    return op, {}


class TerminalModel:
    def __init__(self, window_id: str, lang: str = "zh"):
        self.window_id = window_id
        self.lang = lang
        self.catalog: dict[str, Any] | None = None
        self.window: dict[str, Any] | None = None
        self.queues: dict[str, dict[str, Any]] = {}
        self.connected = False
        self.server_online = False
        self.in_flight: Action | None = None
        #: Grows with every command sent; a reply carries the token of its command.
        self.token = 0
        self.message: Message | None = None
        #: The last `rating.recorded` for this window: {"ticket_id", "score"?}.
        self.rating: dict[str, Any] | None = None
        #: After a needs_documents finish: {"number", "materials": [{zh, en}]} for the visitor.
        self.missing_notice: dict[str, Any] | None = None
        self._seqs: dict[str, int] = {}

    # ------------------------------------------------------------------ input
    def apply_state(self, topic: str, payload: dict[str, Any]) -> bool:
        """A retained state (or server/status); returns True if anything shown changed."""
        if topic == "server/status":
            online = payload.get("state") == "online"
            changed = online != self.server_online
            self.server_online = online
            if online and self.message and self.message.key in ("err_server_down", "err_offline"):
                self.message = None
            return changed
        seq = payload.get("seq")
        if not isinstance(seq, int):
            return False
        if seq < self._seqs.get(topic, -1):
            return False  # older than what is shown
        self._seqs[topic] = seq
        if topic == "state/catalog":
            self.catalog = payload
        elif topic == f"state/window/{self.window_id}":
            self.window = payload
            self._drop_stale_message()
        elif topic.startswith("state/queue/"):
            self.queues[topic.removeprefix("state/queue/")] = payload
        else:
            return False
        return True

    def apply_event(self, topic: str, payload: dict[str, Any]) -> bool:
        if topic == "event/rating.recorded" and payload.get("window") == self.window_id:
            self.rating = {"ticket_id": payload.get("ticket_id")}
            if isinstance(payload.get("score"), int):
                self.rating["score"] = payload["score"]
            return True
        return False

    def _drop_stale_message(self) -> None:
        """'Called A005.' is news only while A005 is still served here: the close of day (or a
        clerk elsewhere) may end it, and the banner must not outlive it."""
        msg = self.message
        if msg is None or msg.key not in ("ok_next", "ok_recall", "ok_login"):
            return
        if msg.key == "ok_login":
            if self.status == "closed":
                self.message = None
            return
        if (self.current or {}).get("number") != msg.params.get("number"):
            self.message = Message("info", "info_day_closed") if self.status == "closed" else None

    def set_connected(self, up: bool) -> None:
        self.connected = up
        if up and self.message and self.message.key == "err_offline":
            self.message = None

    # ------------------------------------------------------------------ what is shown
    @property
    def status(self) -> str:
        return (self.window or {}).get("status", "closed")

    @property
    def staff(self) -> dict[str, Any] | None:
        return (self.window or {}).get("staff")

    @property
    def current(self) -> dict[str, Any] | None:
        return (self.window or {}).get("current")

    @property
    def last_finished(self) -> dict[str, Any] | None:
        return (self.window or {}).get("last_finished")

    @property
    def served_today(self) -> int:
        return int((self.window or {}).get("served_today") or 0)

    @property
    def window_number(self) -> int | None:
        if self.window:
            return self.window.get("number")
        for w in (self.catalog or {}).get("windows", []):
            if w.get("id") == self.window_id:
                return w.get("number")
        return None

    @property
    def departments(self) -> list[str]:
        if self.window is not None:
            return list(self.window.get("departments") or [])
        for w in (self.catalog or {}).get("windows", []):
            if w.get("id") == self.window_id:
                return list(w.get("departments") or [])
        return []

    @property
    def queue_ids(self) -> list[str]:
        """The queues it calls from: its departments' and (general windows) a matter group's
        or the pickup queue, from its state's `queues` (an older broker sends none)."""
        deps = self.departments
        queues = (self.window or {}).get("queues")
        if not isinstance(queues, list) or not queues:
            return deps
        return [d for d in deps if d in queues] + [q for q in queues if q not in deps]

    @property
    def has_skills(self) -> bool:
        """A general window (the catalog gives it skills or pickup): it may call before any
        department is assigned."""
        for w in (self.catalog or {}).get("windows", []):
            if w.get("id") == self.window_id:
                return bool(w.get("skills") or w.get("pickup"))
        return False

    def queue_name(self, queue_id: str) -> str:
        """A department's name, or a matter group's or the pickup queue's from the catalog."""
        if self.department(queue_id) is not None:
            return self.department_name(queue_id)
        for q in (self.catalog or {}).get("queues") or []:
            if isinstance(q, dict) and q.get("id") == queue_id:
                return self.local(q.get("name")) or queue_id
        return queue_id

    @property
    def recall_limit(self) -> int:
        return int(((self.catalog or {}).get("hall") or {}).get("recall_limit") or 0)

    @property
    def recalls_left(self) -> int | None:
        cur = self.current
        if cur is None:
            return None
        left = cur.get("recalls_left")
        if isinstance(left, int):
            return left
        return max(0, self.recall_limit - int(cur.get("recalls") or 0))

    @property
    def hall_languages(self) -> list[str]:
        return list(((self.catalog or {}).get("hall") or {}).get("languages") or ["zh", "en"])

    @property
    def default_language(self) -> str | None:
        return ((self.catalog or {}).get("hall") or {}).get("default_language")

    def local(self, text: dict[str, str] | str | None) -> str:
        """A {zh, en} text in the clerk's language (or the other one if it is missing)."""
        return localized(text, self.lang)

    def department(self, dep_id: str) -> dict[str, Any] | None:
        return next(
            (d for d in (self.catalog or {}).get("departments", []) if d["id"] == dep_id), None
        )

    def department_name(self, dep_id: str | None) -> str:
        dep = self.department(dep_id) if dep_id else None
        return self.local(dep["name"]) if dep else (dep_id or "")

    def matter(self, dep_id: str | None, matter_id: str | None) -> dict[str, Any] | None:
        dep = self.department(dep_id) if dep_id else None
        if dep is None or matter_id is None:
            return None
        return next((m for m in dep.get("matters", []) if m["id"] == matter_id), None)

    def matter_name(self, dep_id: str | None, matter_id: str | None) -> str:
        m = self.matter(dep_id, matter_id)
        return self.local(m["name"]) if m else (matter_id or "")

    def staff_name(self) -> str:
        staff = self.staff
        return self.local(staff.get("name")) if staff else ""

    @property
    def require_pin(self) -> bool:
        return bool(((self.catalog or {}).get("hall") or {}).get("require_pin", True))

    def open_windows(self, dep_id: str) -> int | None:
        """Windows open now for a department (its queue state), None if not known yet."""
        value = self.queues.get(dep_id, {}).get("open_windows")
        return value if isinstance(value, int) else None

    def guide_materials(self) -> list[dict[str, str]]:
        """The materials the current ticket's matter's guide lists (what 需补件 picks from)."""
        cur = self.current or {}
        m = self.matter(cur.get("department"), cur.get("matter")) or {}
        return list((m.get("guide") or {}).get("materials") or [])

    def confirmation(self, action: Action, **args: Any) -> Message | None:
        """A question to ask before sending `action`, or None to send it at once.

        No-show before any recall (the visitor may not have heard the first call) and a
        transfer to a department with no open window (the visitor would wait for nobody)."""
        action = Action(action)
        cur = self.current or {}
        number = cur.get("number", "")
        if (
            action is Action.NO_SHOW
            and cur
            and not int(cur.get("recalls") or 0)
            and self.recalls_left
        ):
            return Message("confirm", "confirm_no_show", {"number": number})
        if (
            action is Action.TRANSFER
            and args.get("department")
            and self.open_windows(args["department"]) == 0
        ):
            return Message(
                "confirm",
                "confirm_transfer_closed",
                {"number": number, "department": _Deferred(self, "department", args["department"])},
            )
        return None

    def transfer_targets(self) -> list[dict[str, Any]]:
        here = (self.current or {}).get("department")
        return [d for d in (self.catalog or {}).get("departments", []) if d["id"] != here]

    def waiting(self) -> list[Waiting]:
        """Waiting counts for each department this window serves (flex windows follow the admin)."""
        out = []
        for dep in self.queue_ids:
            q = self.queues.get(dep, {})
            out.append(
                Waiting(
                    dep,
                    self.queue_name(dep),
                    int(q.get("waiting") or 0),
                    int(q.get("priority_waiting") or 0),
                    int(q.get("estimated_wait_s") or 0),
                )
            )
        return out

    # ------------------------------------------------------------------ timers
    def service_limit_s(self) -> int | None:
        cur = self.current
        if cur is None:
            return None
        if isinstance(cur.get("service_limit_s"), int):
            return cur["service_limit_s"]
        m = self.matter(cur.get("department"), cur.get("matter"))
        if m and m.get("service_limit_min"):
            return round(float(m["service_limit_min"]) * 60)
        return None

    def service_elapsed_s(self, now: datetime) -> float | None:
        called = parse_time((self.current or {}).get("called_at"))
        if called is None:
            return None
        return max(0.0, (now - called).total_seconds())

    def waited_s(self) -> float | None:
        cur = self.current or {}
        issued, called = parse_time(cur.get("issued_at")), parse_time(cur.get("called_at"))
        if issued is None or called is None:
            return None
        return max(0.0, (called - issued).total_seconds())

    def timer_level(self, now: datetime) -> TimerLevel:
        elapsed = self.service_elapsed_s(now)
        if elapsed is None:
            return TimerLevel.NONE
        return timer_level(elapsed, self.service_limit_s())

    # ------------------------------------------------------------------ what may be done
    def why_not(self, action: Action) -> Message | None:
        """None if `action` may be sent now, else the plain-word reason it may not."""
        action = Action(action)
        if not self.connected:
            return Message("error", "err_offline")
        if not self.server_online:
            return Message("error", "err_server_down")
        if self.in_flight is not None:
            return Message("error", "err_busy")
        if action is Action.LOGIN:
            return None
        if self.status == "closed":
            return Message("error", "err_closed_window")
        cur = self.current
        number = (cur or {}).get("number", "")
        if action is Action.LOGOUT:
            return Message("error", "err_serving", {"number": number}) if cur else None
        if action is Action.NEXT:
            if self.status == "paused":
                return Message("error", "err_paused")
            if cur:
                return Message("error", "err_serving", {"number": number})
            if not self.queue_ids and not self.has_skills:
                return Message("error", "err_flex_unassigned")
            return None
        if action is Action.PAUSE:
            if self.status == "paused":
                return Message("error", "err_paused")
            return Message("error", "err_serving", {"number": number}) if cur else None
        if action is Action.RESUME:
            return None if self.status == "paused" else Message("error", "err_not_paused")
        # the rest act on the ticket being served
        if not cur:
            return Message("error", "err_no_ticket")
        if action is Action.RECALL and not self.recalls_left:
            return Message(
                "error", "err_recall_limit", {"number": number, "limit": self.recall_limit}
            )
        return None

    def can(self, action: Action) -> bool:
        return self.why_not(action) is None

    def begin(self, action: Action) -> bool:
        """Take the in-flight lock for `action`; False (and a message) if it may not run now."""
        reason = self.why_not(action)
        if reason is not None:
            if reason.key != "err_busy":  # a double press is silently swallowed
                self.message = reason
            return False
        self.in_flight = Action(action)
        self.token += 1
        self.message = None
        return True

    def end(
        self,
        action: Action,
        reply: dict[str, Any],
        args: dict[str, Any] | None = None,
        token: int | None = None,
    ) -> None:
        """The reply to the command in flight: release the lock and say what happened.

        `token` is `self.token` as it was when the command began; a reply for an older command
        (one already ended some other way) is ignored.
        """
        action = Action(action)
        if token is not None and token != self.token:
            return
        if self.in_flight is action:
            self.in_flight = None
        args = args or {}
        if reply.get("ok"):
            data = reply.get("data") or {}
            if OPS[action] in WINDOW_REPLY_OPS and isinstance(data.get("seq"), int):
                self.apply_state(f"state/window/{self.window_id}", data)
            self.message = self._success(action, data, args)
            ticket = data.get("ticket") or {}
            if action is Action.FINISH and ticket.get("missing_materials"):
                self.missing_notice = {
                    "number": ticket.get("number", ""),
                    "materials": ticket["missing_materials"],
                }
            elif action in (Action.NEXT, Action.LOGOUT, Action.LOGIN):
                self.missing_notice = None
        else:
            error = reply.get("error") or {}
            self.message = self.error_message(
                action,
                str(error.get("code")),
                str(error.get("message", "")),
                args,
                error.get("detail") or {},
            )

    def late_reply(self, reply: dict[str, Any]) -> None:
        """A reply no request waits for: an answer after a timeout, or a failure the broker
        could not tie to its command (no request_id): that one ends the command in flight."""
        if reply.get("request_id") is None and not reply.get("ok") and self.in_flight is not None:
            error = reply.get("error") or {}
            action, self.in_flight = self.in_flight, None
            self.token += 1  # the pending wait for the real reply is over
            self.message = self.error_message(
                action, str(error.get("code")), str(error.get("message", ""))
            )
            return
        self.message = Message("info", "info_late_reply")

    def _success(self, action: Action, data: dict[str, Any], args: dict[str, Any]) -> Message:
        ticket = data.get("ticket") or {}
        number = ticket.get("number", "")
        if action is Action.LOGIN:
            return Message(
                "info",
                "ok_login",
                {
                    "name": _Deferred(self, "staff", args.get("staff", "")),
                    "post": args.get("post", ""),
                },
            )
        if action is Action.LOGOUT:
            return Message("info", "ok_logout")
        if action is Action.NEXT:
            return Message("info", "ok_next", {"number": number})
        if action is Action.RECALL:
            return Message(
                "info", "ok_recall", {"number": number, "left": ticket.get("recalls_left", 0)}
            )
        if action is Action.NO_SHOW:
            return Message("info", "ok_no_show", {"number": number})
        if action is Action.TRANSFER:
            return Message(
                "info",
                "ok_transfer",
                {
                    "number": number,
                    "department": _Deferred(self, "department", args.get("department")),
                },
            )
        if action is Action.FINISH:
            if ticket.get(
                "pickup_code"
            ):  # general windows: the code the documents are collected with
                return Message(
                    "info", "ok_finish_pickup", {"number": number, "code": ticket["pickup_code"]}
                )
            return Message("info", f"ok_finish_{args.get('outcome', 'done')}", {"number": number})
        if action is Action.PAUSE:
            return Message(
                "info", "ok_pause", {"reason": _Deferred(self, "reason", args.get("reason"))}
            )
        return Message("info", "ok_resume")

    def error_message(
        self,
        action: Action,
        code: str,
        detail: str = "",
        args: dict[str, Any] | None = None,
        facts: dict[str, Any] | None = None,
    ) -> Message:
        """A refusal or failure in plain words, as specific as the situation allows (`facts`:
        the reply's error.detail, e.g. when a PIN lock ends)."""
        args, facts = args or {}, facts or {}
        reason = facts.get("reason")
        number = (self.current or {}).get("number", "")
        staff = args.get("staff", "")
        if code == "timeout":
            return Message("error", "err_timeout")
        if code == "offline":
            return Message("error", "err_offline")
        if code == "unavailable":
            return Message("error", "err_unavailable")
        if code == "empty":
            return Message("error", "err_empty")
        if code == "closed":
            return Message("error", "err_hall_closed")
        if action is Action.LOGIN:
            if code == "not_found":
                return Message("error", "err_unknown_staff", {"staff": staff})
            if reason == "pin_locked":
                return Message(
                    "error", "err_pin_locked", {"staff": staff, "until": facts.get("until", "?")}
                )
            if reason == "wrong_pin":
                return Message("error", "err_wrong_pin", {"left": facts.get("tries_left", "?")})
            if reason == "no_pin":
                return Message("error", "err_no_pin", {"staff": staff})
            if reason == "pin_needed":
                return Message("error", "err_pin_needed")
            if code == "forbidden":
                return Message("error", "err_staff_department", {"staff": staff})
            if code == "conflict":
                if "already on duty" in detail:
                    return Message("error", "err_staff_elsewhere", {"staff": staff})
                return Message("error", "err_takeover_serving")
        if code == "conflict":
            local = self.why_not(action) if self.in_flight is None else None
            if local is not None and local.key not in ("err_busy",):
                return local
            if action is Action.RECALL:
                return Message(
                    "error", "err_recall_limit", {"number": number, "limit": self.recall_limit}
                )
            if action in (Action.NEXT, Action.PAUSE, Action.LOGOUT) and number:
                return Message("error", "err_serving", {"number": number})
        if action is Action.TRANSFER and code == "invalid":
            return Message("error", "err_same_department")
        return Message("error", "err_refused", {"detail": detail or code})

    def message_text(self) -> str:
        return self.message.text(self.lang) if self.message else ""

    # ------------------------------------------------------------------ words
    def status_text(self) -> str:
        if self.status == "paused":
            return t(
                self.lang,
                "status_paused",
                reason=reason_label(self.lang, (self.window or {}).get("pause_reason")),
            )
        return t(self.lang, f"status_{self.status}")

    def rating_text(self, now: datetime | None = None) -> str:
        """'Rating received' for the last finished ticket once it is rated (with the score only
        when the hall lets clerks see it); 'waiting for rating' until the pad gives up after
        the hall's rating_timeout_s, then 'not rated' (the pad records nothing after that)."""
        last = self.last_finished
        if not last:
            return ""
        rating = (
            self.rating if (self.rating or {}).get("ticket_id") == last.get("ticket_id") else None
        )
        if not last.get("rated") and rating is None:
            finished = parse_time(last.get("finished_at"))
            timeout = ((self.catalog or {}).get("hall") or {}).get("rating_timeout_s")
            if now is not None and finished is not None and isinstance(timeout, int | float):
                if now >= finished + timedelta(seconds=timeout):
                    return t(self.lang, "rating_none")
            return t(self.lang, "rating_waiting")
        if rating is not None and "score" in rating:
            labels = (((self.catalog or {}).get("hall") or {}).get("rating_labels") or {}).get(
                self.lang
            )
            score = rating["score"]
            label = labels[score - 1] if labels and 0 < score <= len(labels) else str(score)
            return t(self.lang, "rating_received_score", label=label)
        return t(self.lang, "rating_received")

    @property
    def rated(self) -> bool:
        last = self.last_finished or {}
        return bool(last.get("rated")) or (
            last.get("ticket_id") is not None
            and (self.rating or {}).get("ticket_id") == last.get("ticket_id")
        )

    def display_text(self) -> str:
        """What a keypad's small display shows: the number served, else the window's state."""
        if self.current:
            return str(self.current.get("number", ""))
        if self.status == "paused":
            return "PAUSE"
        if self.status == "closed" or self.window is None:
            return "----"
        total = sum(w.waiting for w in self.waiting())
        return f"WAIT {total}"


class _Deferred:
    """A message parameter rendered in the language current when the message is shown."""

    def __init__(self, model: TerminalModel, kind: str, value: Any):
        self.model, self.kind, self.value = model, kind, value

    def __format__(self, spec: str) -> str:
        m = self.model
        if self.kind == "department":
            text = m.department_name(self.value)
        elif self.kind == "staff":
            text = m.staff_name() or str(self.value)
        elif self.kind == "outcome":
            text = t(m.lang, f"outcome_{self.value}")
        else:
            text = reason_label(m.lang, self.value)
        return format(text, spec)

    def __str__(self) -> str:
        return self.__format__("")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Deferred) and (self.kind, self.value) == (other.kind, other.value)

    def __hash__(self) -> int:
        return hash((self.kind, self.value))
