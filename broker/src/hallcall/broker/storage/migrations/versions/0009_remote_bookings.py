"""appointments.remote and appointments.token: a remote ticket (线上取号, issue #14) that joins
the queue on check-in is kept as an appointment booked when it was taken, with the status token
of its phone page (unique; the ticket issued at check-in takes it)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-14
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Added in place: SQLite may not copy `appointments`, which tickets refer to (see 0006).
    with op.batch_alter_table("appointments", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("remote", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("token", sa.String(length=32), nullable=True))
    op.create_index("ux_appointments_token", "appointments", ["token"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_appointments_token", table_name="appointments")
    with op.batch_alter_table("appointments", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("token")
        batch_op.drop_column("remote")
