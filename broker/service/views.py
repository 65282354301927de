"""Builds the retained state payloads (`state/...`) and the ticket view from the database.

Retained state is the whole truth a display needs after a reboot, so each payload is complete
rather than a delta.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import case, event, func, select
from sqlalchemy.orm import Session

from hallcall.broker.domain.estimate import estimated_wait_s, typical_service_s
from hallcall.broker.domain.model import Ticket, TicketStatus, WindowState, WindowStatus
from hallcall.broker.domain.ordering import waiting_ahead
from hallcall.broker.service.repository import ticket_from_row, waiting_tickets, window_from_row
from hallcall.broker.storage.orm import (
    ClosedDayRow,
    RatingRow,
    TicketEventRow,
    TicketRow,
    WindowRow,
)
from hallcall.config.schema import RATING_LABELS, HallConfig
from hallcall.protocol import payloads as p

CACHE_KEY = "hallcall.views"


def _cached(session: Session, key: tuple, compute):
    """Memoise a read within one transaction until the next flush (see forget_on_flush).

    One command builds several views of the same queue (the reply, the event, the retained
    state); without this each would read the whole waiting list again.
    """
    cache = session.info.setdefault(CACHE_KEY, {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def forget_on_flush(sessions) -> None:
    """Any write reaches the database through a flush: after one, cached reads are stale."""

    @event.listens_for(sessions, "after_flush")
    def _forget(session, _context):
        session.info.pop(CACHE_KEY, None)


class Views:
    def __init__(self, config: HallConfig):
        self.config = config

    # ------------------------------------------------------------------ tickets
    def ticket(
        self, session: Session, t: Ticket, now: datetime, with_wait: bool = False
    ) -> dict:
        window = self.config.window(t.window) if t.window else None
        dep = self.config.department(t.department)
        matter = dep.matter(t.matter) if (dep and t.matter) else None
        view = p.TicketView(
            id=t.id,
            number=t.number,
            department=t.department,
            matter=t.matter,
            priority=t.priority.value,
            source=t.source.value,
            status=t.status.value,
            lang=t.lang,
            issued_at=t.issued_at,
            booked_at=t.booked_at,
            window=t.window,
            window_number=window.number if window else None,
            called_at=t.called_at,
            recalls=t.recalls,
            recalls_left=t.recalls_left(self.config.hall.recall_limit)
            if t.status is TicketStatus.CALLED
            else None,
            transfers=t.transfers,
            outcome=t.outcome.value if t.outcome else None,
            finished_at=t.finished_at,
            service_limit_s=round(matter.service_limit_min * 60) if matter else None,
        )
        if with_wait and t.status is TicketStatus.WAITING:
            queue = self._waiting(session, t.service_date, t.department)
            ahead = waiting_ahead(t, queue, now)
            view.waiting_ahead = ahead
            view.estimated_wait_s = estimated_wait_s(
                ahead, self._typical_service(session, t.department), self._open_windows(session, t.department)
            )
        return p.dump(view)

    def _waiting(self, session: Session, day: date, department: str) -> list[Ticket]:
        return _cached(session, ("waiting", day, department), lambda: waiting_tickets(session, day, [department]))

    def _typical_service(self, session: Session, department: str) -> float:
        return _cached(session, ("typical", department), lambda: self._typical_service_query(session, department))

    def _typical_service_query(self, session: Session, department: str) -> float:
        rows = session.execute(
            select(TicketRow.called_at, TicketRow.finished_at)
            .where(
                TicketRow.department == department,
                TicketRow.status == TicketStatus.FINISHED.value,
                TicketRow.closed_by_system.is_(False),
                TicketRow.called_at.is_not(None),
            )
            .order_by(TicketRow.finished_at.desc())
            .limit(20)
        ).all()
        durations = [(f - c).total_seconds() for c, f in rows]
        dep = self.config.department(department)
        return typical_service_s(durations, dep.default_service_s if dep else 300)

    def _open_windows(self, session: Session, department: str) -> int:
        rows = session.scalars(select(WindowRow).where(WindowRow.status == WindowStatus.OPEN.value))
        return sum(1 for r in rows if department in (r.departments or []))

    # ------------------------------------------------------------------ states
    def window_state(self, session: Session, window_id: str, day: date, seq: int) -> dict:
        cfg = self.config.window(window_id)
        row = session.get(WindowRow, window_id)
        w: WindowState = window_from_row(row, cfg.number, cfg.flex)
        staff = self.config.staff_member(w.staff) if w.staff else None
        current = None
        if w.current_ticket:
            t = ticket_from_row(session.get(TicketRow, w.current_ticket))
            current = self.ticket(session, t, t.called_at or t.issued_at)
        last = session.scalars(
            select(TicketRow)
            .where(TicketRow.window == window_id, TicketRow.status == TicketStatus.FINISHED.value)
            .order_by(TicketRow.finished_at.desc(), TicketRow.id.desc())
            .limit(1)
        ).first()
        last_finished = None
        if last is not None and not last.closed_by_system:
            rated = session.get(RatingRow, last.id) is not None
            last_finished = p.LastFinished(
                ticket_id=last.id,
                number=last.number,
                finished_at=last.finished_at,
                outcome=last.outcome,
                rated=rated,
            )
        served_today = 0
        if w.staff:
            served_today = session.scalar(
                select(func.count())
                .select_from(TicketRow)
                .where(
                    TicketRow.service_date == day,
                    TicketRow.staff == w.staff,
                    TicketRow.status == TicketStatus.FINISHED.value,
                )
            )
        view = p.WindowStateView(
            seq=seq,
            window=w.id,
            number=w.number,
            flex=w.flex,
            departments=w.departments,
            status=w.status.value,
            staff=p.StaffView(
                id=staff.id,
                name=staff.name.model_dump(exclude_none=True),
                post=(w.post.value if w.post else staff.post),
                department=staff.department,
                contact=staff.contact,
                photo=staff.photo,
            )
            if staff
            else None,
            pause_reason=w.pause_reason,
            current=current,
            last_finished=last_finished,
            served_today=served_today,
            since=w.since,
        )
        return p.dump(view)

    def queue_state(self, session: Session, department: str, day: date, seq: int) -> dict:
        # Counted in SQL: a long queue is not read ticket by ticket on every command.
        waiting, priority_waiting = session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(case((TicketRow.priority == "priority", 1), else_=0)), 0),
            ).where(
                TicketRow.service_date == day,
                TicketRow.department == department,
                TicketRow.status == TicketStatus.WAITING.value,
            )
        ).one()
        last_called = session.scalars(
            select(TicketRow.number)
            .where(
                TicketRow.service_date == day,
                TicketRow.department == department,
                TicketRow.called_at.is_not(None),
            )
            .order_by(TicketRow.called_at.desc())
            .limit(1)
        ).first()
        open_windows = self._open_windows(session, department)
        closed = session.get(ClosedDayRow, day) is not None
        view = p.QueueStateView(
            seq=seq,
            department=department,
            waiting=waiting,
            priority_waiting=priority_waiting,
            estimated_wait_s=estimated_wait_s(
                waiting, self._typical_service(session, department), open_windows
            ),
            last_called=last_called,
            open_windows=open_windows,
            closed=closed,
        )
        return p.dump(view)

    def calls_state(self, session: Session, seq: int) -> dict:
        rows = session.execute(
            select(TicketEventRow, TicketRow)
            .join(TicketRow, TicketRow.id == TicketEventRow.ticket_id)
            .where(TicketEventRow.action.in_(["called", "recalled"]))
            .order_by(TicketEventRow.id.desc())
            .limit(self.config.hall.calls_kept)
        ).all()
        calls = []
        for ev, t in rows:
            window = self.config.window(ev.window)
            calls.append(
                p.CallView(
                    ticket_id=t.id,
                    number=t.number,
                    department=ev.department,
                    window=ev.window,
                    window_number=window.number if window else 0,
                    at=ev.at,
                    recall=ev.action == "recalled",
                    lang=t.lang,
                )
            )
        return p.dump(p.CallsStateView(seq=seq, calls=calls))

    def catalog(self, seq: int) -> dict:
        c = self.config
        hall = c.hall
        return p.dump(
            p.CatalogView(
                seq=seq,
                hall={
                    "id": hall.id,
                    "name": hall.name.model_dump(exclude_none=True),
                    "languages": list(hall.languages),
                    "default_language": hall.default_language,
                    "timezone": hall.timezone,
                    "notice": hall.notice.model_dump(exclude_none=True) if hall.notice else None,
                    "recall_limit": hall.recall_limit,
                    "rating_scale": hall.rating_scale,
                    "rating_labels": RATING_LABELS[hall.rating_scale],
                    "rating_timeout_s": hall.rating_timeout_s,
                    "show_rating_to_clerk": hall.show_rating_to_clerk,
                    "status_url": hall.status_url,
                    "voice": {
                        "languages": hall.voice_languages,
                        "repeat": hall.voice.repeat,
                        "max_age_s": hall.voice.max_age_s,
                        "templates": hall.voice.templates.model_dump(exclude_none=True)
                        if hall.voice.templates
                        else {},
                    },
                },
                departments=[
                    {
                        "id": d.id,
                        "name": d.name.model_dump(exclude_none=True),
                        "prefix": d.prefix,
                        "matters": [m.model_dump(mode="json", exclude_none=True) for m in d.matters],
                    }
                    for d in c.departments
                ],
                windows=[
                    {"id": w.id, "number": w.number, "flex": w.flex, "departments": list(w.departments)}
                    for w in c.windows
                ],
                devices=[
                    {"kind": d.kind, "id": d.id, "window": d.window}
                    for d in c.devices
                    if d.kind in ("sign", "rating", "display", "kiosk")
                ],
            )
        )
