"""every table keyed by hall: one database, any number of halls

A v1 database belonged to one hall (its `hall` row). Every table gets `hall_id`, filled with
that hall's id, and keys that include it; nothing else changes, no row is lost. Each table is
copied aside, rebuilt in the new shape and filled again (the same on SQLite and PostgreSQL).
Going down is refused once the database holds more than one hall.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

#: Parents before children (foreign keys); `hall` itself keeps its shape.
TABLES = [
    "closed_days",
    "commands",
    "complaints",
    "staff_sessions",
    "ticket_counters",
    "tickets",
    "window_pauses",
    "windows",
    "appointments",
    "ratings",
    "ticket_events",
]
SERIAL = ["complaints", "staff_sessions", "window_pauses", "ticket_events"]


def _create_new() -> None:
    op.create_table(
        "closed_days",
        sa.Column("hall_id", sa.String(length=32), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("hall_id", "service_date", name=op.f("pk_closed_days")),
    )
    op.create_table(
        "commands",
        sa.Column("hall_id", sa.String(length=32), nullable=False),
        sa.Column("device_kind", sa.String(length=16), nullable=False),
        sa.Column("device_id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("op", sa.String(length=40), nullable=False),
        sa.Column("reply", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "hall_id", "device_kind", "device_id", "request_id", name=op.f("pk_commands")
        ),
    )
    op.create_index("ix_commands_hall_at", "commands", ["hall_id", "at"], unique=False)
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("hall_id", sa.String(length=32), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=24), nullable=False),
        sa.Column("window", sa.String(length=32), nullable=True),
        sa.Column("staff", sa.String(length=32), nullable=True),
        sa.Column("ticket_id", sa.String(length=40), nullable=True),
        sa.Column("department", sa.String(length=32), nullable=True),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answer", sa.String(length=2000), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
    )
    op.create_index(
        "ix_complaints_hall_received", "complaints", ["hall_id", "received_at"], unique=False
    )
    op.create_index(op.f("ix_complaints_staff"), "complaints", ["staff"], unique=False)
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("hall_id", sa.String(length=32), nullable=False),
        sa.Column("staff", sa.String(length=32), nullable=False),
        sa.Column("window", sa.String(length=32), nullable=False),
        sa.Column("post", sa.String(length=1), nullable=False),
        sa.Column("login_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("logout_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_sessions")),
    )
    op.create_index(
        "ix_staff_sessions_hall_staff", "staff_sessions", ["hall_id", "staff"], unique=False
    )
    op.create_table(
        "ticket_counters",
        sa.Column("hall_id", sa.String(length=32), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.Column("issued", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "hall_id", "department", "service_date", name=op.f("pk_ticket_counters")
        ),
    )
    op.create_table(
        "tickets",
        sa.Column("hall_id", sa.String(length=32), nullable=False),
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("seqno", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=False),
        sa.Column("original_department", sa.String(length=32), nullable=False),
        sa.Column("matter", sa.String(length=32), nullable=True),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("appointment_code", sa.String(length=32), nullable=True),
        sa.Column("booked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window", sa.String(length=32), nullable=True),
        sa.Column("staff", sa.String(length=32), nullable=True),
        sa.Column("post", sa.String(length=1), nullable=True),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recalls", sa.Integer(), nullable=False),
        sa.Column("transfers", sa.Integer(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=24), nullable=True),
        sa.Column("closed_by_system", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("hall_id", "id", name=op.f("pk_tickets")),
        sa.UniqueConstraint(
            "hall_id",
            "original_department",
            "service_date",
            "seqno",
            name=op.f("uq_tickets_hall_id_original_department_service_date_seqno"),
        ),
        sa.UniqueConstraint(
            "hall_id", "service_date", "number", name=op.f("uq_tickets_hall_id_service_date_number")
        ),
    )
    op.create_index(
        "ix_tickets_department_finished",
        "tickets",
        ["hall_id", "department", "status", "finished_at"],
        unique=False,
    )
    op.create_index(
        "ix_tickets_queue",
        "tickets",
        ["hall_id", "service_date", "status", "department"],
        unique=False,
    )
    op.create_index(
        "ix_tickets_window_finished", "tickets", ["hall_id", "window", "finished_at"], unique=False
    )
    op.create_table(
        "window_pauses",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("hall_id", sa.String(length=32), nullable=False),
        sa.Column("window", sa.String(length=32), nullable=False),
        sa.Column("staff", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_window_pauses")),
    )
    op.create_index(
        "ix_window_pauses_hall_window", "window_pauses", ["hall_id", "window"], unique=False
    )
    op.create_table(
        "windows",
        sa.Column("hall_id", sa.String(length=32), nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("departments", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("staff", sa.String(length=32), nullable=True),
        sa.Column("post", sa.String(length=1), nullable=True),
        sa.Column("pause_reason", sa.String(length=200), nullable=True),
        sa.Column("current_ticket", sa.String(length=40), nullable=True),
        sa.Column("since", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("hall_id", "id", name=op.f("pk_windows")),
    )
    op.create_table(
        "appointments",
        sa.Column("hall_id", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=False),
        sa.Column("matter", sa.String(length=32), nullable=True),
        sa.Column("booked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ticket_id", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["hall_id", "ticket_id"],
            ["tickets.hall_id", "tickets.id"],
            name=op.f("fk_appointments_hall_id_tickets"),
        ),
        sa.PrimaryKeyConstraint("hall_id", "code", name=op.f("pk_appointments")),
    )
    op.create_index(
        "ix_appointments_hall_phone", "appointments", ["hall_id", "phone"], unique=False
    )
    op.create_table(
        "ratings",
        sa.Column("hall_id", sa.String(length=32), nullable=False),
        sa.Column("ticket_id", sa.String(length=40), nullable=False),
        sa.Column("window", sa.String(length=32), nullable=False),
        sa.Column("staff", sa.String(length=32), nullable=True),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("scale", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=True),
        sa.Column("pad", sa.String(length=32), nullable=False),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["hall_id", "ticket_id"],
            ["tickets.hall_id", "tickets.id"],
            name=op.f("fk_ratings_hall_id_tickets"),
        ),
        sa.PrimaryKeyConstraint("hall_id", "ticket_id", name=op.f("pk_ratings")),
    )
    op.create_index("ix_ratings_hall_staff", "ratings", ["hall_id", "staff"], unique=False)
    op.create_table(
        "ticket_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("hall_id", sa.String(length=32), nullable=False),
        sa.Column("ticket_id", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=False),
        sa.Column("window", sa.String(length=32), nullable=True),
        sa.Column("staff", sa.String(length=32), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["hall_id", "ticket_id"],
            ["tickets.hall_id", "tickets.id"],
            name=op.f("fk_ticket_events_hall_id_tickets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_events")),
    )
    op.create_index(op.f("ix_ticket_events_at"), "ticket_events", ["at"], unique=False)
    op.create_index(
        "ix_ticket_events_ticket", "ticket_events", ["hall_id", "ticket_id"], unique=False
    )


def _create_old() -> None:
    op.create_table(
        "closed_days",
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("service_date", name=op.f("pk_closed_days")),
    )
    op.create_table(
        "commands",
        sa.Column("device_kind", sa.String(length=16), nullable=False),
        sa.Column("device_id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("op", sa.String(length=40), nullable=False),
        sa.Column("reply", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("device_kind", "device_id", "request_id", name=op.f("pk_commands")),
    )
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=24), nullable=False),
        sa.Column("window", sa.String(length=32), nullable=True),
        sa.Column("staff", sa.String(length=32), nullable=True),
        sa.Column("ticket_id", sa.String(length=40), nullable=True),
        sa.Column("department", sa.String(length=32), nullable=True),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answer", sa.String(length=2000), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
    )
    op.create_index(op.f("ix_complaints_received_at"), "complaints", ["received_at"], unique=False)
    op.create_index(op.f("ix_complaints_staff"), "complaints", ["staff"], unique=False)
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("staff", sa.String(length=32), nullable=False),
        sa.Column("window", sa.String(length=32), nullable=False),
        sa.Column("post", sa.String(length=1), nullable=False),
        sa.Column("login_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("logout_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_sessions")),
    )
    op.create_index(op.f("ix_staff_sessions_staff"), "staff_sessions", ["staff"], unique=False)
    op.create_table(
        "ticket_counters",
        sa.Column("department", sa.String(length=32), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.Column("issued", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("department", "service_date", name=op.f("pk_ticket_counters")),
    )
    op.create_table(
        "tickets",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("seqno", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=False),
        sa.Column("original_department", sa.String(length=32), nullable=False),
        sa.Column("matter", sa.String(length=32), nullable=True),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("appointment_code", sa.String(length=32), nullable=True),
        sa.Column("booked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window", sa.String(length=32), nullable=True),
        sa.Column("staff", sa.String(length=32), nullable=True),
        sa.Column("post", sa.String(length=1), nullable=True),
        sa.Column("called_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recalls", sa.Integer(), nullable=False),
        sa.Column("transfers", sa.Integer(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=24), nullable=True),
        sa.Column("closed_by_system", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
        sa.UniqueConstraint(
            "original_department",
            "service_date",
            "seqno",
            name=op.f("uq_tickets_original_department_service_date_seqno"),
        ),
        sa.UniqueConstraint("service_date", "number", name=op.f("uq_tickets_service_date_number")),
    )
    op.create_index(
        "ix_tickets_department_finished",
        "tickets",
        ["department", "status", "finished_at"],
        unique=False,
    )
    op.create_index(
        "ix_tickets_queue", "tickets", ["service_date", "status", "department"], unique=False
    )
    op.create_index(
        "ix_tickets_window_finished", "tickets", ["window", "finished_at"], unique=False
    )
    op.create_table(
        "window_pauses",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("window", sa.String(length=32), nullable=False),
        sa.Column("staff", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_window_pauses")),
    )
    op.create_index(op.f("ix_window_pauses_window"), "window_pauses", ["window"], unique=False)
    op.create_table(
        "windows",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("departments", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("staff", sa.String(length=32), nullable=True),
        sa.Column("post", sa.String(length=1), nullable=True),
        sa.Column("pause_reason", sa.String(length=200), nullable=True),
        sa.Column("current_ticket", sa.String(length=40), nullable=True),
        sa.Column("since", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_windows")),
    )
    op.create_table(
        "appointments",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=False),
        sa.Column("matter", sa.String(length=32), nullable=True),
        sa.Column("booked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ticket_id", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_appointments_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_appointments")),
    )
    op.create_index(op.f("ix_appointments_phone"), "appointments", ["phone"], unique=False)
    op.create_table(
        "ratings",
        sa.Column("ticket_id", sa.String(length=40), nullable=False),
        sa.Column("window", sa.String(length=32), nullable=False),
        sa.Column("staff", sa.String(length=32), nullable=True),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("scale", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=True),
        sa.Column("pad", sa.String(length=32), nullable=False),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_ratings_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_ratings")),
    )
    op.create_index(op.f("ix_ratings_staff"), "ratings", ["staff"], unique=False)
    op.create_table(
        "ticket_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ticket_id", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=False),
        sa.Column("window", sa.String(length=32), nullable=True),
        sa.Column("staff", sa.String(length=32), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_events_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_events")),
    )
    op.create_index(op.f("ix_ticket_events_at"), "ticket_events", ["at"], unique=False)
    op.create_index(
        op.f("ix_ticket_events_ticket_id"), "ticket_events", ["ticket_id"], unique=False
    )


def _columns(bind, table: str) -> list[str]:
    return [c["name"] for c in sa.inspect(bind).get_columns(table)]


def _rebuild(create, hall_id: str | None) -> None:
    """Copy every table aside, recreate them with `create`, and copy the rows back.

    `hall_id` given: the rows get it (up); None: the column is left out (down).
    """
    bind = op.get_bind()
    keep = {t: [c for c in _columns(bind, t) if c != "hall_id"] for t in TABLES}
    for t in TABLES:
        op.execute(f"CREATE TEMPORARY TABLE v_{t} AS SELECT * FROM {t}")
    for t in reversed(TABLES):
        op.drop_table(t)
    create()
    for t in TABLES:
        cols = ", ".join(f'"{c}"' for c in keep[t])
        if hall_id is None:
            op.execute(f"INSERT INTO {t} ({cols}) SELECT {cols} FROM v_{t}")
        else:
            bind.execute(
                sa.text(f"INSERT INTO {t} (hall_id, {cols}) SELECT :hall, {cols} FROM v_{t}"),
                {"hall": hall_id},
            )
        op.execute(f"DROP TABLE v_{t}")
    if bind.dialect.name == "postgresql":
        for t in SERIAL:  # the copied ids must not be handed out again
            op.execute(
                f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {t}"
            )


def upgrade() -> None:
    bind = op.get_bind()
    halls: Sequence[str] = bind.execute(sa.text("SELECT id FROM hall")).scalars().all()
    if len(halls) > 1:
        raise RuntimeError(f"a v1 database holds one hall, this one holds {len(halls)}")
    has_rows = any(
        bind.execute(sa.text(f"SELECT 1 FROM {t} LIMIT 1")).first() is not None for t in TABLES
    )
    if has_rows and not halls:
        raise RuntimeError("this database has rows but no hall row: cannot tell whose they are")
    _rebuild(_create_new, halls[0] if halls else "")


def downgrade() -> None:
    bind = op.get_bind()
    in_windows: Sequence[str] = (
        bind.execute(sa.text("SELECT DISTINCT hall_id FROM windows")).scalars().all()
    )
    halls: set[str] = set(in_windows) | set(
        bind.execute(sa.text("SELECT id FROM hall")).scalars().all()
    )
    if len(halls) > 1:
        raise RuntimeError(
            f"this database holds {len(halls)} halls; v1 held one: split it before going down"
        )
    _rebuild(_create_old, None)
