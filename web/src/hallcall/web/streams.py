"""How many live pages may be open at once: per ticket, per client, in all.

Every open page of a ticket asks the queue broker again when its queue moves, so one visitor
opening a thousand streams on their own ticket would spend the web device's rate limit for
everyone. A page over a limit is refused (429) and its script falls back to polling. The limit per
client is generous: a hall's Wi-Fi may put every phone behind one address, and the pages of
one ticket already share one question (`WebHub.ticket_status`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class StreamLimits:
    per_ticket: int = 5
    per_client: int = 300
    total: int = 5000
    _tickets: Counter[str] = field(default_factory=Counter)
    _clients: Counter[str] = field(default_factory=Counter)
    _open: int = 0

    def open(self, ticket: str, client: str) -> bool:
        """Count one more stream, or False (nothing counted) when a limit is reached."""
        if (
            self._tickets[ticket] >= self.per_ticket
            or self._clients[client] >= self.per_client
            or self._open >= self.total
        ):
            return False
        self._tickets[ticket] += 1
        self._clients[client] += 1
        self._open += 1
        return True

    def close(self, ticket: str, client: str) -> None:
        for counter, key in ((self._tickets, ticket), (self._clients, client)):
            counter[key] -= 1
            if counter[key] <= 0:
                del counter[key]
        self._open -= 1
