"""ratings.channel: where the visitor rated, "pad" (the window's rating pad) or "web" (the
ticket's phone page, issue #14); the ratings kept before it were all given on a pad

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-14
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Added in place with a server default: SQLite may not copy `ratings` (see 0006, 0007).
    with op.batch_alter_table("ratings", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("channel", sa.String(length=8), nullable=False, server_default="pad")
        )


def downgrade() -> None:
    with op.batch_alter_table("ratings", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("channel")
