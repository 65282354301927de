"""pin_failures (the wrong-PIN lock-out survives a restart) and tickets.missing_materials
(what a needs_documents visitor was told to bring: the one-time notification)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pin_failures",
        sa.Column("hall_id", sa.String(length=32), nullable=False),
        sa.Column("staff", sa.String(length=32), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("hall_id", "staff", name=op.f("pk_pin_failures")),
    )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("missing_materials", sa.JSON(), nullable=True))


def downgrade() -> None:
    # Not a table copy: on SQLite that drops `tickets`, which its history's foreign keys forbid
    # once there are tickets; SQLite >= 3.35 drops a column in place.
    with op.batch_alter_table("tickets", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("missing_materials")
    op.drop_table("pin_failures")
