"""complaints

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
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
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_complaints_received_at"), ["received_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_complaints_staff"), ["staff"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaints_staff"))
        batch_op.drop_index(batch_op.f("ix_complaints_received_at"))

    op.drop_table("complaints")
