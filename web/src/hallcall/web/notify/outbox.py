"""The contacts and the notifications outbox in the web part's database (SQLAlchemy Core).

Marking a contact told and queueing its notification is one transaction, so a restart (or two
answers racing) can neither lose nor double a message; a queued one is sent until the service
takes it or its attempts run out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, delete, insert, select, update

from hallcall.web.storage.tables import contacts, notifications

KIND_FLAG = {"near": contacts.c.near_sent, "called": contacts.c.called_sent}


@dataclass(frozen=True)
class Due:
    id: int
    url: str
    title: str
    body: str
    attempts: int


class Outbox:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # ------------------------------------------------------------------ contacts
    def add_contact(
        self,
        *,
        token: str,
        ticket_id: str,
        number: str,
        channel: str,
        address: str,
        lang: str,
        now: datetime,
    ) -> int:
        """Store (or replace) the contact of a ticket; returns its id."""
        with self.engine.begin() as conn:
            conn.execute(delete(contacts).where(contacts.c.token == token))
            result = conn.execute(
                insert(contacts).values(
                    token=token,
                    ticket_id=ticket_id,
                    number=number,
                    channel=channel,
                    address=address,
                    lang=lang,
                    created_at=now,
                    near_sent=False,
                    called_sent=False,
                    ended=False,
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def contact(self, contact_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(contacts).where(contacts.c.id == contact_id)).first()
        return dict(row._mapping) if row else None

    def by_token(self, token: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(contacts).where(contacts.c.token == token)).first()
        return dict(row._mapping) if row else None

    def active(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(contacts).where(contacts.c.ended.is_(False))).all()
        return [dict(r._mapping) for r in rows]

    def end(self, contact_id: int, purge_after: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(contacts)
                .where(contacts.c.id == contact_id)
                .values(ended=True, purge_after=purge_after)
            )

    def purge(self, now: datetime) -> int:
        """Delete the contacts (and their notifications) whose retention is over."""
        with self.engine.begin() as conn:
            gone = select(contacts.c.id).where(contacts.c.purge_after <= now)
            conn.execute(delete(notifications).where(notifications.c.contact_id.in_(gone)))
            return conn.execute(delete(contacts).where(contacts.c.purge_after <= now)).rowcount

    # ------------------------------------------------------------------ the outbox
    def tell(
        self, contact_id: int, kind: str, url: str, title: str, body: str, now: datetime
    ) -> bool:
        """Queue `kind` for a contact unless it was queued before; True if queued now."""
        with self.engine.begin() as conn:
            flag = KIND_FLAG[kind]
            marked = conn.execute(
                update(contacts)
                .where(and_(contacts.c.id == contact_id, flag.is_(False)))
                .values({flag.name: True})
            ).rowcount
            if marked != 1:
                return False
            conn.execute(
                insert(notifications).values(
                    contact_id=contact_id,
                    kind=kind,
                    url=url,
                    title=title,
                    body=body,
                    attempts=0,
                    next_try_at=now,
                )
            )
            return True

    def queue(self, kind: str, url: str, title: str, body: str, now: datetime) -> None:
        """Queue a notification that belongs to no visitor (an alarm)."""
        with self.engine.begin() as conn:
            conn.execute(
                insert(notifications).values(
                    kind=kind, url=url, title=title, body=body, attempts=0, next_try_at=now
                )
            )

    def due(self, now: datetime, limit: int = 50) -> list[Due]:
        n = notifications.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(n.id, n.url, n.title, n.body, n.attempts)
                .where(n.sent_at.is_(None), n.failed_at.is_(None), n.next_try_at <= now)
                .order_by(n.next_try_at, n.id)
                .limit(limit)
            ).all()
        return [Due(r.id, r.url, r.title, r.body, r.attempts) for r in rows]

    def next_due_at(self) -> datetime | None:
        n = notifications.c
        with self.engine.connect() as conn:
            return conn.execute(
                select(n.next_try_at)
                .where(n.sent_at.is_(None), n.failed_at.is_(None))
                .order_by(n.next_try_at)
                .limit(1)
            ).scalar()

    def sent(self, notification_id: int, now: datetime) -> None:
        self._set(notification_id, sent_at=now)

    def retry(self, notification_id: int, attempts: int, at: datetime, error: str) -> None:
        self._set(notification_id, attempts=attempts, next_try_at=at, last_error=error[:200])

    def failed(self, notification_id: int, attempts: int, now: datetime, error: str) -> None:
        self._set(notification_id, attempts=attempts, failed_at=now, last_error=error[:200])

    def _set(self, notification_id: int, **values: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(notifications).where(notifications.c.id == notification_id).values(**values)
            )

    def all_notifications(self) -> list[dict[str, Any]]:
        """Every notification kept (tests and the dashboard)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(notifications).order_by(notifications.c.id)).all()
        return [dict(r._mapping) for r in rows]
