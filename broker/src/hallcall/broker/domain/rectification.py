"""Rectification cases (差评整改): what follows a bad rating (差评), as the 好差评 rules ask.

Every bad rating opens a case bound to its ticket, matter, window and clerk, due in the hall's
working days (`[rectification] deadline_working_days`, 10 unless set). The hall calls the
visitor back (回访: who called, when, the outcome) and records the fix (what was done); a clerk
who thinks the rating mistaken or malicious appeals (申诉, with a reason) and the manager
decides (upheld or rejected, with the reason kept). A case closes after a callback and a fix,
or after an upheld appeal; an open case past its due day is overdue.

Plain Python and no I/O: `Case` is the state, each step returns the new state or raises
`CaseError` (nothing changed).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime

from hallcall.broker.domain.working_days import WorkingCalendar, add_working_days

DEFAULT_DEADLINE_WORKING_DAYS = 10
DECISIONS = ("upheld", "rejected")


class CaseError(ValueError):
    """A step a case cannot take as asked."""


def due_on(opened: date, working_days: int, calendar: WorkingCalendar) -> date:
    """The last day to close a case opened on `opened` (that day does not count)."""
    return add_working_days(opened, working_days, calendar)


@dataclass(frozen=True)
class Case:
    id: int
    ticket_id: str
    number: str | None
    department: str | None
    matter: str | None
    window: str
    staff: str | None
    score: int
    scale: int
    opened_at: datetime
    due_on: date
    callback_by: str | None = None
    callback_at: datetime | None = None
    callback_outcome: str | None = None
    fix: str | None = None
    fixed_at: datetime | None = None
    appeal_reason: str | None = None
    appealed_at: datetime | None = None
    appeal_decision: str | None = None
    appeal_decided_by: str | None = None
    appeal_decision_reason: str | None = None
    appeal_decided_at: datetime | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None

    # ------------------------------------------------------------------ what it is
    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def appealed(self) -> bool:
        return self.appealed_at is not None

    @property
    def appeal_pending(self) -> bool:
        return self.appealed and self.appeal_decision is None

    def overdue(self, today: date) -> bool:
        """Open past its due day."""
        return self.is_open and today > self.due_on

    def closed_on_time(self, closed_on: date | None) -> bool:
        """Closed (on the hall's local day `closed_on`) no later than its due day."""
        return closed_on is not None and closed_on <= self.due_on

    def status(self, today: date) -> str:
        if not self.is_open:
            return "closed"
        if self.appeal_pending:
            return "appealed"
        return "overdue" if self.overdue(today) else "open"

    # ------------------------------------------------------------------ its steps
    def _open(self) -> None:
        if not self.is_open:
            raise CaseError(f"case #{self.id} is closed")

    def record_callback(self, by: str, at: datetime, outcome: str) -> Case:
        self._open()
        by, outcome = by.strip(), outcome.strip()
        if not by:
            raise CaseError("a callback needs who called")
        if not outcome:
            raise CaseError("a callback needs its outcome")
        return dataclasses.replace(self, callback_by=by, callback_at=at, callback_outcome=outcome)

    def record_fix(self, text: str, at: datetime) -> Case:
        self._open()
        if not text.strip():
            raise CaseError("a fix needs what was done")
        return dataclasses.replace(self, fix=text.strip(), fixed_at=at)

    def appeal(self, reason: str, at: datetime) -> Case:
        self._open()
        if self.appealed:
            raise CaseError(f"case #{self.id} was already appealed")
        if not reason.strip():
            raise CaseError("an appeal needs its reason")
        return dataclasses.replace(self, appeal_reason=reason.strip(), appealed_at=at)

    def decide(self, decision: str, by: str, reason: str, at: datetime) -> Case:
        self._open()
        if not self.appealed:
            raise CaseError(f"case #{self.id} has no appeal to decide")
        if self.appeal_decision is not None:
            raise CaseError(
                f"case #{self.id}'s appeal was already decided ({self.appeal_decision})"
            )
        if decision not in DECISIONS:
            raise CaseError(f"decision must be one of: {', '.join(DECISIONS)}")
        if not by.strip():
            raise CaseError("a decision needs the manager who made it")
        if not reason.strip():
            raise CaseError("a decision needs its reason")
        return dataclasses.replace(
            self,
            appeal_decision=decision,
            appeal_decided_by=by.strip(),
            appeal_decision_reason=reason.strip(),
            appeal_decided_at=at,
        )

    def close(self, by: str, at: datetime) -> Case:
        self._open()
        if not by.strip():
            raise CaseError("closing needs who closes it")
        if self.appeal_decision != "upheld":
            missing = [
                what
                for what, done in (("a callback", self.callback_at), ("a fix", self.fixed_at))
                if done is None
            ]
            if missing:
                raise CaseError(
                    f"case #{self.id} needs {' and '.join(missing)} before it closes "
                    "(or an upheld appeal)"
                )
        return dataclasses.replace(self, closed_at=at, closed_by=by.strip())
