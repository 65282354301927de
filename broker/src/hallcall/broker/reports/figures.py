"""The numbers of a report, computed from visit records with no I/O.

Where a ticket counts, when it moved between departments (docs/reports.md is the reference):
- issued: in the department it was taken for (not per window, clerk or matter: nobody there
  issued it);
- transferred in / out: in the receiving / the sending department (and the window and clerk
  that sent it), so issued + in = served + no-show + closed at day end + out + still open;
- called, waiting and service time: per leg, in the department, window and clerk of each
  leg: a transferred ticket waits in each queue and is served at each window;
- how the visit ended (served, outcome, no-show, matter kind, over-time, rating): in the
  department, window, clerk and matter that ended it.
Percentiles use the nearest-rank method: p90 is the ceil(0.9 n)-th smallest value.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from hallcall.broker.reports.records import VisitRecord
from hallcall.config.schema import HallConfig
from hallcall.protocol.ratings import is_bad_rating, is_good_rating, rating_labels


def summary_stats(values: list[float]) -> tuple[float | None, float | None, float | None]:
    """Mean, median and p90 (nearest rank), sorting once."""
    if not values:
        return None, None, None
    ordered = sorted(values)
    n = len(ordered)
    mid = n // 2
    med = ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    return math.fsum(ordered) / n, med, ordered[max(0, math.ceil(0.9 * n) - 1)]


def is_bad(score: int, scale: int) -> bool:
    """Dissatisfied (差评): the lowest level of three, or the two lowest of five (不满意 and
    非常不满意 with the national labels)."""
    return is_bad_rating(score, scale)


def is_satisfied(score: int, scale: int, label_set: str = "default") -> bool:
    """Satisfied: the highest of three, the two highest of five; with the national labels the
    three highest (好评: 非常满意, 满意, 基本满意)."""
    return is_good_rating(score, scale, label_set)


@dataclass
class Metrics:
    issued: int = 0
    served: int = 0
    done: int = 0
    returned: int = 0
    needs_documents: int = 0
    no_show: int = 0
    closed_by_system: int = 0
    transferred_in: int = 0
    transferred_out: int = 0
    open: int = 0
    called: int = 0
    recalled: int = 0
    immediate: int = 0
    time_limited: int = 0
    no_matter: int = 0
    overtime: int = 0
    rated: int = 0
    not_rated: int = 0
    bad: int = 0
    satisfied: int = 0
    levels: Counter = field(default_factory=Counter)
    waits: list[float] = field(default_factory=list)
    services: list[float] = field(default_factory=list)
    recall_waits: list[float] = field(default_factory=list)

    def row(self, scale: int) -> dict:
        wait = summary_stats(self.waits)
        service = summary_stats(self.services)
        row = {
            "issued": self.issued,
            "served": self.served,
            "done": self.done,
            "returned": self.returned,
            "needs_documents": self.needs_documents,
            "no_show": self.no_show,
            "closed_by_system": self.closed_by_system,
            "transferred_in": self.transferred_in,
            "transferred_out": self.transferred_out,
            "open": self.open,
            "called": self.called,
            "recalled": self.recalled,
            "recall_wait_mean_s": math.fsum(self.recall_waits) / len(self.recall_waits)
            if self.recall_waits
            else None,
            "immediate": self.immediate,
            "time_limited": self.time_limited,
            "no_matter": self.no_matter,
            "wait_mean_s": wait[0],
            "wait_median_s": wait[1],
            "wait_p90_s": wait[2],
            "service_mean_s": service[0],
            "service_median_s": service[1],
            "service_p90_s": service[2],
            "overtime": self.overtime,
            "overtime_rate": self.overtime / self.served if self.served else None,
            "rated": self.rated,
            "not_rated": self.not_rated,
        }
        for level in range(1, scale + 1):
            row[f"rating_{level}"] = self.levels.get(level, 0)
        row["satisfaction_rate"] = self.satisfied / self.rated if self.rated else None
        row["bad_rating_rate"] = self.bad / self.rated if self.rated else None
        row["bad_ratings"] = self.bad
        return row


Key = Callable[[VisitRecord], str | None]


LegKey = Callable[[VisitRecord, int], str | None]


@dataclass(frozen=True)
class Dimension:
    """How a grouping picks its key for each way a ticket can count."""

    name: str
    issued: Key
    #: The key of leg i (its wait, call and service), None where the leg does not count.
    leg: LegKey
    transferred: Callable[[VisitRecord, int], str | None]
    ended: Key
    #: The key a transfer into leg i (i >= 1) counts in.
    received: LegKey = lambda r, i: None


def _matter_key(r: VisitRecord) -> str:
    return f"{r.department}/{r.matter}" if r.matter else f"{r.department}/-"


def _served_matter(r: VisitRecord) -> str | None:
    """A matter's key, or None for a pickup ticket (出件: handing over is not the matter)."""
    return None if r.queue == "pickup" else _matter_key(r)


def _window_matter(window: str | None, r: VisitRecord) -> str | None:
    """(general windows) "window|department/matter", or "window|pickup" for a pickup ticket."""
    if window is None:
        return None
    return f"{window}|pickup" if r.queue == "pickup" else f"{window}|{_matter_key(r)}"


DIMENSIONS = {
    "hall": Dimension(
        "hall",
        lambda r: "all",
        lambda r, i: "all",
        lambda r, i: "all",
        lambda r: "all",
        lambda r, i: "all",
    ),
    "department": Dimension(
        "department",
        lambda r: r.issued_department,
        lambda r, i: r.legs[i].department,
        lambda r, i: r.transferred_from[i],
        lambda r: r.department,
        lambda r, i: r.legs[i].department,
    ),
    "window": Dimension(
        "window",
        lambda r: None,
        lambda r, i: r.legs[i].window,
        lambda r, i: r.transferred_by[i][0],
        lambda r: r.window,
    ),
    "clerk": Dimension(
        "clerk",
        lambda r: None,
        lambda r, i: r.legs[i].staff,
        lambda r, i: r.transferred_by[i][1],
        lambda r: r.staff,
    ),
    # A transfer records no matter for the leg it ends: only the last leg has one.
    "matter": Dimension(
        "matter",
        lambda r: None,
        lambda r, i: _served_matter(r) if i == len(r.legs) - 1 else None,
        lambda r, i: None,
        _served_matter,
    ),
    # General windows: each window's matters (the last leg, as for matters).
    "window_matter": Dimension(
        "window_matter",
        lambda r: None,
        lambda r, i: _window_matter(r.legs[i].window, r) if i == len(r.legs) - 1 else None,
        lambda r, i: None,
        lambda r: _window_matter(r.window, r),
    ),
    "day": Dimension(
        "day",
        lambda r: r.service_date.isoformat(),
        lambda r, i: r.service_date.isoformat(),
        lambda r, i: r.service_date.isoformat(),
        lambda r: r.service_date.isoformat(),
        lambda r, i: r.service_date.isoformat(),
    ),
}


class Calculator:
    def __init__(self, config: HallConfig):
        self.config = config
        self.scale = config.hall.rating_scale
        self.label_set = config.hall.rating_label_set
        self._fact_cache: dict[str, tuple] = {}
        # (department, matter) -> (matter kind, service limit in seconds)
        self._matters: dict[tuple[str, str | None], tuple[str | None, float | None]] = {
            (d.id, m.id): (m.kind, m.service_limit_min * 60)
            for d in config.departments
            for m in d.matters
        }

    def matter_kind_and_limit(self, r: VisitRecord) -> tuple[str | None, float | None]:
        return self._matters.get((r.department, r.matter), (None, None))

    def _facts(self, r: VisitRecord) -> tuple:
        """What a record contributes, worked out once for every grouping."""
        kind, limit = self.matter_kind_and_limit(r)
        service = r.service_s
        scale = r.scale or self.scale
        score = r.score
        return (
            r.wait_s,
            r.served,
            service,
            kind,
            service is not None and limit is not None and service > limit,
            score,
            score is not None and is_bad(score, scale),
            score is not None and is_satisfied(score, scale, self.label_set),
        )

    def group(self, records: Iterable[VisitRecord], dim: Dimension) -> dict[str, Metrics]:
        groups: dict[str, Metrics] = defaultdict(Metrics)
        cache = self._fact_cache
        for r in records:
            facts = cache.get(r.id)
            if facts is None:
                facts = cache[r.id] = self._facts(r)
            wait, served, service, kind, over, score, bad, satisfied = facts
            if (k := dim.issued(r)) is not None:
                groups[k].issued += 1
            for i, leg in enumerate(r.legs):
                if i and (k := dim.received(r, i)) is not None:
                    groups[k].transferred_in += 1
                if leg.called_at is None or (k := dim.leg(r, i)) is None:
                    continue
                m = groups[k]
                m.called += 1
                if (leg_wait := leg.wait_s) is not None:  # always: the leg was called
                    m.waits.append(leg_wait)
                if leg.recalls:
                    m.recalled += 1
                    if (recall_wait := leg.recall_wait_s) is not None:  # always: called, recalled
                        m.recall_waits.append(recall_wait)
                if (leg_s := leg.service_s) is not None:
                    m.services.append(leg_s)
            for i in range(len(r.transferred_from)):
                if (k := dim.transferred(r, i)) is not None:
                    groups[k].transferred_out += 1
            status = r.status
            if status != "finished" and status != "no_show":
                if (k := dim.ended(r)) is not None:
                    groups[k].open += 1
                continue
            k = dim.ended(r)
            if k is None:
                continue
            m = groups[k]
            if r.closed_by_system:
                m.closed_by_system += 1
                continue
            if status == "no_show":
                m.no_show += 1
                continue
            m.served += 1
            outcome = r.outcome
            if outcome == "done":
                m.done += 1
            elif outcome == "returned":
                m.returned += 1
            elif outcome == "needs_documents":
                m.needs_documents += 1
            if kind == "immediate":
                m.immediate += 1
            elif kind == "time_limited":
                m.time_limited += 1
            else:
                m.no_matter += 1
            if service is not None:
                m.overtime += over
            if score is None:
                m.not_rated += 1
            else:
                m.rated += 1
                m.levels[score] += 1
                m.bad += bad
                m.satisfied += satisfied
        return dict(groups)

    def table_rows(self, records: list[VisitRecord], dim_name: str) -> list[dict]:
        groups = self.group(records, DIMENSIONS[dim_name])
        rows = []
        for key in sorted(groups, key=lambda k: self.order(dim_name, k)):
            rows.append(
                {"key": key, "name": self.label(dim_name, key), **groups[key].row(self.scale)}
            )
        return rows

    def order(self, dim_name: str, key: str) -> tuple:
        """The hall file's order (departments, windows by number, staff), then by key."""
        c = self.config
        position: int | None = None
        if dim_name == "department":
            position = next((i for i, d in enumerate(c.departments) if d.id == key), None)
        elif dim_name == "window":
            w = c.window(key)
            position = w.number if w else None
        elif dim_name == "clerk":
            position = next((i for i, s in enumerate(c.staff) if s.id == key), None)
        elif dim_name == "window_matter":
            window, _, matter = key.partition("|")
            w = c.window(window)
            inner = self.order("matter", matter)
            return (w is None, w.number if w else 0, matter == "pickup", inner[1], key)
        elif dim_name == "matter":
            dep_id, _, matter_id = key.partition("/")
            dep_pos = next((i for i, d in enumerate(c.departments) if d.id == dep_id), 999)
            dep = c.department(dep_id)
            m_pos = (
                next((i for i, m in enumerate(dep.matters) if m.id == matter_id), 999)
                if dep
                else 999
            )
            position = dep_pos * 1000 + m_pos
        return (position is None, position or 0, key)

    def label(self, dim_name: str, key: str, lang: str | None = None) -> str:
        lang = lang or self.config.hall.default_language
        c = self.config
        if dim_name == "department" and (d := c.department(key)):
            return d.name.get(lang)
        if dim_name == "window" and (w := c.window(key)):
            return f"{w.number}"
        if dim_name == "clerk" and (s := c.staff_member(key)):
            return s.name.get(lang)
        if dim_name == "window_matter":
            window, _, served = key.partition("|")
            w = c.window(window)
            name = (
                c.pickup.name.get(lang)
                if served == "pickup"
                else self.label("matter", served, lang)
            )
            return f"{w.number if w else window} · {name}"
        if dim_name == "matter":
            dep_id, _, matter_id = key.partition("/")
            dep = c.department(dep_id)
            matter = dep.matter(matter_id) if dep else None
            if matter is not None:
                return matter.name.get(lang)
            return (dep.name.get(lang) if dep else dep_id) + (" · -")
        if dim_name == "hall":
            return c.hall.name.get(lang)
        return key

    def hours(self, records: list[VisitRecord]) -> list[dict]:
        zone = ZoneInfo(self.config.hall.timezone)
        issued: Counter = Counter()
        waits: dict[int, list[float]] = defaultdict(list)
        for r in records:
            hour = r.issued_at.astimezone(zone).hour
            issued[hour] += 1
            for leg in r.legs:
                if leg.wait_s is not None:
                    waits[leg.queued_at.astimezone(zone).hour].append(leg.wait_s)
        return [
            {
                "hour": f"{h:02d}:00",
                "issued": issued[h],
                "wait_mean_s": math.fsum(waits[h]) / len(waits[h]) if waits[h] else None,
            }
            for h in range(24)
            if issued[h] or waits[h]
        ]

    def transfer_rows(self, records: list[VisitRecord], lang: str | None = None) -> list[dict]:
        """One row per (from, to) pair of departments: the legs either side of each transfer, so
        the first clerk's work and the wait in the next queue can be seen."""
        pairs: dict[tuple[str, str], dict] = {}
        for r in records:
            for before, after in zip(r.legs, r.legs[1:]):
                p = pairs.setdefault(
                    (before.department, after.department),
                    {"work": [], "wait": [], "count": 0, "served_after": 0},
                )
                p["count"] += 1
                if before.service_s is not None:
                    p["work"].append(before.service_s)
                if after.wait_s is not None:
                    p["wait"].append(after.wait_s)
                if after.end == "finished" and not after.by_system:
                    p["served_after"] += 1
        rows = []
        for (a, b), p in sorted(
            pairs.items(),
            key=lambda kv: (self.order("department", kv[0][0]), self.order("department", kv[0][1])),
        ):
            work, wait = summary_stats(p["work"]), summary_stats(p["wait"])
            rows.append(
                {
                    "from": self.label("department", a, lang),
                    "to": self.label("department", b, lang),
                    "from_key": a,
                    "to_key": b,
                    "transfers": p["count"],
                    "work_mean_s": work[0],
                    "work_p90_s": work[2],
                    "wait_mean_s": wait[0],
                    "wait_p90_s": wait[2],
                    "served_after": p["served_after"],
                }
            )
        return rows

    def rating_labels(self, lang: str) -> list[str]:
        return rating_labels(self.scale, self.label_set)[lang]
