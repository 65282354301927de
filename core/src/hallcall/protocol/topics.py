"""Topic names under `hallcall/v1/{hall}/`, built and parsed in one place."""

from __future__ import annotations

import re
from dataclasses import dataclass

ID_PATTERN = r"[a-z0-9][a-z0-9-]{0,31}"
ID_RE = re.compile(rf"^{ID_PATTERN}$")
#: `web`: the hall's web part (a visitor's phone page, the lobby page, the dashboard), one
#: more client of the contract (issue #14).
DEVICE_KINDS = ("kiosk", "window", "display", "sign", "rating", "admin", "web")
MAX_PAYLOAD_BYTES = 16 * 1024

EVENT_TYPES = (
    "ticket.issued",
    "ticket.called",
    "ticket.recalled",
    "ticket.finished",
    "ticket.transferred",
    "ticket.no_show",
    "rating.requested",
    "rating.recorded",
    "window.changed",
    "day.closed",
)


@dataclass(frozen=True)
class Sender:
    """Who sent a command: taken from the topic `cmd/{kind}/{id}`, never from the payload."""

    kind: str
    id: str

    def __str__(self) -> str:
        return f"{self.kind}/{self.id}"


def valid_id(value: str) -> bool:
    return bool(ID_RE.match(value))


@dataclass(frozen=True)
class Topics:
    hall: str

    def __post_init__(self) -> None:
        if not valid_id(self.hall):
            raise ValueError(f"hall id {self.hall!r} must match {ID_PATTERN}")

    @property
    def root(self) -> str:
        return f"hallcall/v1/{self.hall}/"

    @property
    def server_status(self) -> str:
        return self.root + "server/status"

    def device_status(self, kind: str, device_id: str) -> str:
        return self.root + f"device/{kind}/{device_id}/status"

    def command(self, kind: str, device_id: str) -> str:
        return self.root + f"cmd/{kind}/{device_id}"

    def reply(self, kind: str, device_id: str) -> str:
        return self.root + f"reply/{kind}/{device_id}"

    @property
    def catalog(self) -> str:
        return self.root + "state/catalog"

    def window_state(self, window: str) -> str:
        return self.root + f"state/window/{window}"

    def queue_state(self, department: str) -> str:
        return self.root + f"state/queue/{department}"

    @property
    def calls(self) -> str:
        return self.root + "state/calls"

    def event(self, event_type: str) -> str:
        return self.root + f"event/{event_type}"

    # Subscriptions
    @property
    def all_commands(self) -> str:
        return self.root + "cmd/+/+"

    def relative(self, topic: str) -> str | None:
        """The part of `topic` under this hall's root, or None for another hall's topic."""
        return topic[len(self.root) :] if topic.startswith(self.root) else None

    def parse_command(self, topic: str) -> Sender | None:
        """The sender of a command topic, or None when the topic is not a well-formed command."""
        rel = self.relative(topic)
        if rel is None:
            return None
        parts = rel.split("/")
        if len(parts) != 3 or parts[0] != "cmd":
            return None
        kind, device_id = parts[1], parts[2]
        if kind not in DEVICE_KINDS or not valid_id(device_id):
            return None
        return Sender(kind, device_id)
