"""A realistic month in the example hall, run through the real queue service with a fake clock.

The simulation keeps its own record of what it did (who was called when, by whom, how it
ended, what score was given, and each leg: every queue a ticket waited in and every window that
served it, with recalls), so tests can compute the expected figures independently of the
report code.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from tests.support.hall import SHANGHAI, Hall

# Window -> (A clerk, B clerk) of the example hall.
CLERKS = {
    "w01": ("s101", "s102"),
    "w03": ("s201", "s202"),
    "w05": ("s301", "s302"),
    "w06": ("s401", "s401"),
}


@dataclass
class Truth:
    id: str
    number: str
    day: date
    issued_at: datetime
    issued_department: str
    department: str
    matter: str | None
    status: str = "waiting"
    outcome: str | None = None
    first_called_at: datetime | None = None
    first_window: str | None = None
    first_staff: str | None = None
    called_at: datetime | None = None
    finished_at: datetime | None = None
    window: str | None = None
    staff: str | None = None
    transfers: list[tuple[str, str, str]] = field(default_factory=list)  # (from dep, window, staff)
    score: int | None = None
    closed_by_system: bool = False
    #: One dict per queue the ticket waited in: department, queued_at, called_at (first call
    #: there), answered_at (last call or recall), window, staff, recalls, ended_at, end, by_system.
    legs: list[dict] = field(default_factory=list)

    def leg(self) -> dict:
        return self.legs[-1]


def working_days(start: date, count: int) -> list[date]:
    days, d = [], start
    while len(days) < count:
        if d.weekday() < 5:
            days.append(d)
        d += timedelta(days=1)
    return days


def new_leg(department: str, at: datetime) -> dict:
    return {
        "department": department,
        "queued_at": at,
        "called_at": None,
        "answered_at": None,
        "window": None,
        "staff": None,
        "recalls": 0,
        "ended_at": None,
        "end": None,
        "by_system": False,
    }


def simulate_month(
    hall: Hall, clock, days: list[date], seed: int = 2026, per_day: int = 36
) -> list[Truth]:
    rng = random.Random(seed)
    recall_rng = random.Random(seed + 1)  # who does not come at the first call
    cfg = hall.service.config
    truths: dict[str, Truth] = {}
    departments = [d for d in cfg.departments]
    serves = {w: cfg.window(w).departments for w in CLERKS}
    waiting: dict[str, int] = {d.id: 0 for d in departments}  # to press "next" only when useful
    for day in days:
        clock.current = datetime(day.year, day.month, day.day, 8, 50, tzinfo=SHANGHAI)
        current: dict[str, tuple[Truth, datetime]] = {}
        recall_at: dict[str, datetime] = {}
        staff_on = {}
        for w, (a, b) in CLERKS.items():
            use_b = rng.random() < 0.25
            staff_on[w] = b if use_b else a
            hall.login(w, staff_on[w], "B" if use_b else "A")
        arrivals = sorted(rng.randint(0, 300) for _ in range(per_day))  # minutes after 09:00
        start = datetime(day.year, day.month, day.day, 9, 0, tzinfo=SHANGHAI)
        for minute in range(0, 420):
            now = start + timedelta(minutes=minute)
            clock.current = now
            for _ in range(arrivals.count(minute)):
                dep = rng.choice(departments)
                matter = rng.choice(dep.matters).id if rng.random() < 0.9 else None
                prio = "priority" if rng.random() < 0.08 else "normal"
                t = hall.issue(dep.id, matter=matter, priority=prio)
                truths[t["id"]] = Truth(t["id"], t["number"], day, now, dep.id, dep.id, matter)
                truths[t["id"]].legs.append(new_leg(dep.id, now))
                waiting[dep.id] += 1
            for w in CLERKS:
                if w in current:
                    truth, ends = current[w]
                    if w in recall_at and now >= recall_at[w]:
                        del recall_at[w]
                        hall.ok("window", w, "call.recall")
                        truth.leg()["answered_at"] = now
                        truth.leg()["recalls"] += 1
                    if now < ends:
                        continue
                    del current[w]
                    roll = rng.random()
                    leg = truth.leg()
                    leg["ended_at"] = now
                    if roll < 0.07:
                        hall.ok("window", w, "ticket.no_show")
                        truth.status, truth.finished_at = "no_show", now
                        truth.window, truth.staff = w, staff_on[w]
                        leg["end"] = "no_show"
                    elif roll < 0.14:
                        target = rng.choice([d.id for d in departments if d.id != truth.department])
                        hall.ok("window", w, "ticket.transfer", department=target)
                        truth.transfers.append((truth.department, w, staff_on[w]))
                        truth.department, truth.matter, truth.status = target, None, "waiting"
                        waiting[target] += 1
                        truth.window = truth.staff = truth.called_at = None
                        leg["end"] = "transferred"
                        truth.legs.append(new_leg(target, now))
                    else:
                        outcome = rng.choices(
                            ["done", "returned", "needs_documents"], [0.8, 0.08, 0.12]
                        )[0]
                        hall.ok("window", w, "ticket.finish", outcome=outcome)
                        truth.status, truth.outcome, truth.finished_at = "finished", outcome, now
                        leg["end"] = "finished"
                        truth.window, truth.staff = w, staff_on[w]
                        if rng.random() < 0.85:
                            score = rng.choices([3, 2, 1], [0.75, 0.15, 0.10])[0]
                            pad = f"pad-{w}"
                            hall.ok("rating", pad, "rating.submit", ticket_id=truth.id, score=score)
                            truth.score = score
                if w not in current and any(waiting[d] for d in serves[w]):
                    reply = hall.window(w, "call.next")
                    if reply["ok"]:
                        t = reply["data"]["ticket"]
                        truth = truths[t["id"]]
                        waiting[truth.department] -= 1
                        truth.status, truth.called_at = "called", now
                        truth.window, truth.staff = w, staff_on[w]
                        if truth.first_called_at is None:
                            truth.first_called_at, truth.first_window, truth.first_staff = (
                                now,
                                w,
                                staff_on[w],
                            )
                        leg = truth.leg()
                        if leg["called_at"] is None:
                            leg["called_at"] = now
                        leg.update(answered_at=now, window=w, staff=staff_on[w])
                        late = 0
                        if recall_rng.random() < 0.1:  # not there: recalled a minute or two later
                            late = recall_rng.choice([1, 2])
                            recall_at[w] = now + timedelta(minutes=late)
                        current[w] = (
                            truth,
                            now + timedelta(minutes=late + rng.choice([2, 3, 5, 8, 12, 20, 35])),
                        )
        clock.current = start + timedelta(hours=8, minutes=30)
        summary = hall.ok("admin", "office", "day.close")["summary"]
        closed_at = clock.current
        waiting = dict.fromkeys(waiting, 0)
        for number in summary["finished_by_system"] + summary["no_show_by_system"]:
            truth = next(t for t in truths.values() if t.day == day and t.number == number)
            truth.closed_by_system = True
            truth.leg().update(
                ended_at=closed_at,
                by_system=True,
                end="finished" if truth.status == "called" else "no_show",
            )
            if truth.status == "called":
                truth.status, truth.outcome = "finished", "done"
            else:
                truth.status = "no_show"
    return list(truths.values())
