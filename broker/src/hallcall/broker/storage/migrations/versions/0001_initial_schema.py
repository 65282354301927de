"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
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
        "hall",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hall")),
    )
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
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_sessions_staff"), ["staff"], unique=False)

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
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tickets_queue", ["service_date", "status", "department"], unique=False
        )
        batch_op.create_index("ix_tickets_window_finished", ["window", "finished_at"], unique=False)

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
    with op.batch_alter_table("window_pauses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_window_pauses_window"), ["window"], unique=False)

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
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appointments_phone"), ["phone"], unique=False)

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
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ratings_staff"), ["staff"], unique=False)

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
    with op.batch_alter_table("ticket_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ticket_events_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_ticket_events_ticket_id"), ["ticket_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ticket_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_events_ticket_id"))
        batch_op.drop_index(batch_op.f("ix_ticket_events_at"))

    op.drop_table("ticket_events")
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ratings_staff"))

    op.drop_table("ratings")
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appointments_phone"))

    op.drop_table("appointments")
    op.drop_table("windows")
    with op.batch_alter_table("window_pauses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_window_pauses_window"))

    op.drop_table("window_pauses")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_window_finished")
        batch_op.drop_index("ix_tickets_queue")

    op.drop_table("tickets")
    op.drop_table("ticket_counters")
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_sessions_staff"))

    op.drop_table("staff_sessions")
    op.drop_table("hall")
    op.drop_table("commands")
    op.drop_table("closed_days")
