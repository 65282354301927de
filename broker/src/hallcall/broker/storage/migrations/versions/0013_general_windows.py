"""General windows (issue #15): tickets.queue (a matter group's or the pickup queue),
tickets.pickup_code, and the pickup codes (出件) of finished time-limited matters

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Added in place: SQLite may not copy `tickets`, which others refer to.
    with op.batch_alter_table("tickets", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("queue", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("pickup_code", sa.String(length=16), nullable=True))
    op.create_table(
        "pickup_codes",
        sa.Column("hall_id", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("ticket_id", sa.String(length=40), nullable=False),
        sa.Column("department", sa.String(length=32), nullable=False),
        sa.Column("matter", sa.String(length=32), nullable=True),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id_hash", sa.String(length=64), nullable=True),
        sa.Column("pickup_ticket_id", sa.String(length=40), nullable=True),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["hall_id", "ticket_id"],
            ["tickets.hall_id", "tickets.id"],
            name=op.f("fk_pickup_codes_hall_id_tickets"),
        ),
        sa.PrimaryKeyConstraint("hall_id", "code", name=op.f("pk_pickup_codes")),
    )
    op.create_index("ix_pickup_codes_hall_collected", "pickup_codes", ["hall_id", "collected_at"])
    op.create_index("ix_pickup_codes_hall_id_hash", "pickup_codes", ["hall_id", "id_hash"])


def downgrade() -> None:
    op.drop_index("ix_pickup_codes_hall_id_hash", table_name="pickup_codes")
    op.drop_index("ix_pickup_codes_hall_collected", table_name="pickup_codes")
    op.drop_table("pickup_codes")
    with op.batch_alter_table("tickets", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("pickup_code")
        batch_op.drop_column("queue")
