"""Rectification cases (差评整改) of one hall: list, callback, fix, appeal, decide, close.

A case is opened by the queue broker in the same transaction as the bad rating that opens it
(`domain.rectification`, `ev.CaseOpened`); this book follows it up, as `ComplaintBook` does a
complaint. Every step is the domain's (`Case`); a refused step changes nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hallcall.broker.domain.rectification import Case, CaseError
from hallcall.broker.domain.upload import CaseOutcome, UploadRecord, case_outcome_record
from hallcall.broker.storage.orm import CaseRow, RatingRow
from hallcall.broker.storage.outbox import add_records
from hallcall.config.schema import HallConfig

__all__ = ["Case", "CaseBook", "CaseError"]

_FIELDS = [f.name for f in dataclasses.fields(Case)]


def _case(r: CaseRow) -> Case:
    return Case(**{name: getattr(r, name) for name in _FIELDS})


class CaseBook:
    """The cases of one hall (`config.hall.id`): it neither sees nor changes another's."""

    def __init__(self, config: HallConfig, engine: Engine):
        self.config, self.engine = config, engine
        self.hall_id = config.hall.id
        self.zone = ZoneInfo(config.hall.timezone)

    def local_day(self, at: datetime) -> date:
        return at.astimezone(self.zone).date()

    def get(self, case_id: int) -> Case:
        with Session(self.engine) as s:
            return _case(self._row(s, case_id))

    def reasons(self, case: Case) -> list[str]:
        """The reasons the visitor gave with the bad rating ("what went wrong?")."""
        with Session(self.engine) as s:
            rating = s.get(RatingRow, (self.hall_id, case.ticket_id))
            return list(rating.reasons or []) if rating is not None else []

    def _row(self, s: Session, case_id: int) -> CaseRow:
        row = s.get(CaseRow, case_id)
        if row is None or row.hall_id != self.hall_id:
            raise CaseError(f"no case #{case_id}")
        return row

    def _step(self, case_id: int, step: Callable[[Case], Case]) -> Case:
        """Apply one domain step to a case and keep it; on CaseError nothing is written. An
        outcome (closed, appeal decided) goes to the upload outbox in the same transaction."""
        with Session(self.engine) as s, s.begin():
            row = self._row(s, case_id)
            before = _case(row)
            case = step(before)
            for name in _FIELDS:
                if name != "id":
                    setattr(row, name, getattr(case, name))
            if self.config.upload.enabled:
                add_records(s.connection(), self._outcomes(before, case))
            return case

    def _outcomes(self, before: Case, after: Case) -> list[UploadRecord]:
        """The upload records of what this step decided: an appeal's decision, a closing."""
        found: list[tuple[CaseOutcome, datetime, str | None]] = []
        if before.appeal_decision is None and after.appeal_decided_at is not None:
            outcome: CaseOutcome = (
                "appeal_upheld" if after.appeal_decision == "upheld" else "appeal_rejected"
            )
            found.append((outcome, after.appeal_decided_at, after.appeal_decision_reason))
        if before.is_open and after.closed_at is not None:
            found.append(("closed", after.closed_at, after.fix))
        return [
            case_outcome_record(
                self.config,
                at,
                after.id,
                outcome,
                after.ticket_id,
                after.number,
                after.department,
                after.matter,
                after.window,
                after.staff,
                after.due_on,
                self.local_day(at) if outcome == "closed" else None,
                reason,
            )
            for outcome, at, reason in found
        ]

    def callback(self, case_id: int, by: str, outcome: str, now: datetime) -> Case:
        return self._step(case_id, lambda c: c.record_callback(by, now, outcome))

    def fix(self, case_id: int, text: str, now: datetime) -> Case:
        return self._step(case_id, lambda c: c.record_fix(text, now))

    def appeal(self, case_id: int, reason: str, now: datetime) -> Case:
        return self._step(case_id, lambda c: c.appeal(reason, now))

    def decide(self, case_id: int, decision: str, by: str, reason: str, now: datetime) -> Case:
        return self._step(case_id, lambda c: c.decide(decision, by, reason, now))

    def close(self, case_id: int, by: str, now: datetime) -> Case:
        return self._step(case_id, lambda c: c.close(by, now))

    def list(
        self,
        open_only: bool = False,
        overdue_on: date | None = None,
        start: date | None = None,
        end: date | None = None,
    ) -> list[Case]:
        """The hall's cases by opening time; `overdue_on`: only those overdue that day;
        `start`/`end`: opened in that period (the hall's local days)."""
        with Session(self.engine) as s:
            q = (
                select(CaseRow)
                .where(CaseRow.hall_id == self.hall_id)
                .order_by(CaseRow.opened_at, CaseRow.id)
            )
            if open_only or overdue_on is not None:
                q = q.where(CaseRow.closed_at.is_(None))
            cases = [_case(r) for r in s.scalars(q)]
        return [
            c
            for c in cases
            if (overdue_on is None or c.overdue(overdue_on))
            and (start is None or self.local_day(c.opened_at) >= start)
            and (end is None or self.local_day(c.opened_at) <= end)
        ]


#: The counts of the report's cases table, per department and per clerk.
CASE_COUNTS = ("opened", "closed", "on_time", "late", "overdue", "appealed", "upheld")


def case_counts(cases: list[Case], local_day: Callable[[datetime], date], today: date) -> dict:
    """How many of `cases` were opened, closed (by now), closed on time (by their due day) or
    late, are open past their due day (overdue), were appealed, and had the appeal upheld."""
    n = dict.fromkeys(CASE_COUNTS, 0)
    for c in cases:
        closed_on = local_day(c.closed_at) if c.closed_at else None
        n["opened"] += 1
        n["closed"] += closed_on is not None
        n["on_time"] += c.closed_on_time(closed_on)
        n["late"] += closed_on is not None and not c.closed_on_time(closed_on)
        n["overdue"] += c.overdue(today)
        n["appealed"] += c.appealed
        n["upheld"] += c.appeal_decision == "upheld"
    return n


def case_rows(
    book: CaseBook,
    start: date,
    end: date,
    today: date,
    label: Callable[[str, str], str],
    by_department: str = "部门",
    by_clerk: str = "工作人员",
) -> list[dict]:
    """The report's rows: one per department, then one per clerk, of the cases opened in the
    period (`label(dim, key)` names a department or clerk)."""
    cases = book.list(start=start, end=end)
    rows = []
    for dim, scope, key_of in (
        ("department", by_department, lambda c: c.department or ""),
        ("clerk", by_clerk, lambda c: c.staff or ""),
    ):
        groups: dict[str, list[Case]] = {}
        for c in cases:
            groups.setdefault(key_of(c), []).append(c)
        for key in sorted(groups):
            name = label(dim, key) if key else "-"
            rows.append(
                {"scope": scope, "key": key, "name": name}
                | case_counts(groups[key], book.local_day, today)
            )
    return rows
