"""What a window serves (general windows, 综合窗口) and which queue a ticket waits in.

A window serves a skill set: whole departments, single matters of any department
("department.matter"), and the pickup queue. A ticket waits in one queue: its matter group's
if its matter is in one, the pickup queue for a pickup ticket, else its department's. Inside
the hall each queue is split into lanes, one per (queue, department, matter), so that "next"
at a window is the earliest head among the lanes it serves (or the whole queue's head where
it serves all of a queue), each head O(log n): never a scan of the waiting tickets.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hallcall.broker.domain.model import Ticket
from hallcall.config.schema import HallConfig

#: The id of the document pickup queue (出件).
PICKUP = "pickup"

#: A lane: (queue, department, matter or None for a ticket without a matter).
Lane = tuple[str, str, str | None]


@dataclass(frozen=True)
class Skills:
    """A window's skill set, resolved against the hall file."""

    whole: frozenset[str] = frozenset()  # departments served whole
    matters: frozenset[tuple[str, str]] = frozenset()  # (department, matter)
    pickup: bool = False

    def serves(self, t: Ticket) -> bool:
        """The rule (the brute force the lanes keep): may this window call `t`?"""
        if t.queue == PICKUP:
            return self.pickup
        return t.department in self.whole or (
            t.matter is not None and (t.department, t.matter) in self.matters
        )

    @property
    def departments(self) -> list[str]:
        """Every department it serves something of (for clerks' log-in and older devices)."""
        return sorted(self.whole | {d for d, _ in self.matters})


def resolve(refs: Iterable[str]) -> Skills:
    """Skill refs ("social", "tax.deed", "pickup") as a skill set; unknown ones are kept out by
    the hall file's checks (`HallConfig._general_window_problems`)."""
    whole, matters, pickup = set(), set(), False
    for ref in refs:
        if ref == PICKUP:
            pickup = True
        elif "." in ref:
            dep, _, matter = ref.partition(".")
            matters.add((dep, matter))
        else:
            whole.add(ref)
    matters = {(d, m) for d, m in matters if d not in whole}
    return Skills(frozenset(whole), frozenset(matters), pickup)


class QueueMap:
    """The hall file's queues: each department's, each matter group's, the pickup queue."""

    def __init__(self, config: HallConfig):
        self.config = config
        self.group_of: dict[tuple[str, str], str] = {}
        for g in config.matter_groups:
            for ref in g.matters:
                dep, _, matter = ref.partition(".")
                self.group_of[(dep, matter)] = g.id
        self.ids: list[str] = [d.id for d in config.departments]
        self.ids += [g.id for g in config.matter_groups]
        if config.pickup.enabled:
            self.ids.append(PICKUP)
        #: The configured lanes of each queue (a lane of a matter the file no longer has is
        #: made when a ticket needs it, and reached through its whole queue).
        self.lanes: dict[str, list[Lane]] = {q: [] for q in self.ids}
        for d in config.departments:
            self.lanes[d.id].append((d.id, d.id, None))
            for m in d.matters:
                q = self.queue_of(d.id, m.id)
                self.lanes[q].append((q, d.id, m.id))

    def queue_of(self, department: str, matter: str | None) -> str:
        if matter is None:
            return department
        return self.group_of.get((department, matter), department)

    def sources(self, skills: Skills) -> tuple[list[str], list[Lane]]:
        """What a window with `skills` calls from: whole queues (all their lanes served) and
        single lanes of the others."""
        departments = {d.id for d in self.config.departments}
        wanted = {
            lane
            for lanes in self.lanes.values()
            for lane in lanes
            if lane[1] in skills.whole
            or (lane[2] is not None and (lane[1], lane[2]) in skills.matters)
        }
        # A department served whole is its queue whole; a matter group all of whose matters
        # are served is too (one head instead of one a matter).
        whole_queues = [d for d in sorted(skills.whole) if d in departments]
        whole_queues += [
            q
            for q in self.ids
            if q not in departments
            and q != PICKUP
            and self.lanes[q]
            and all(lane in wanted for lane in self.lanes[q])
        ]
        if skills.pickup and PICKUP in self.lanes:
            whole_queues.append(PICKUP)
        lanes = sorted(
            (lane for lane in wanted if lane[0] not in whole_queues),
            key=lambda lane: (lane[0], lane[1], lane[2] or ""),
        )
        return whole_queues, lanes
