"""Remote tickets per phone and day (hashed), and the web part's kept keys.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_remote_phones",
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("phone", sa.String(64), primary_key=True),
        sa.Column("taken", sa.Integer, nullable=False),
    )
    op.create_table(
        "web_secrets",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(128), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("web_secrets")
    op.drop_table("web_remote_phones")
