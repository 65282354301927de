"""appointments.id_hash and tickets.id_hash: the keyed hash of a resident ID number (never the
number) that an appointment was booked with and a ticket was taken with, issue #15; purged
after the hall's `[idcard] retention_days`

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Added in place: SQLite may not copy `appointments` or `tickets`, which others refer to.
    for table in ("appointments", "tickets"):
        with op.batch_alter_table(table, schema=None, recreate="never") as batch_op:
            batch_op.add_column(sa.Column("id_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    for table in ("tickets", "appointments"):
        with op.batch_alter_table(table, schema=None, recreate="never") as batch_op:
            batch_op.drop_column("id_hash")
