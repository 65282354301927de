"""upload_outbox: the 好差评 records for the higher (provincial) platform, written in the
rating's or the case step's transaction and sent in order, issue #15

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _at(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "upload_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("hall_id", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        _at("created_at", nullable=False),
        sa.Column("status", sa.String(length=8), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        _at("last_attempt_at"),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        _at("sent_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_upload_outbox")),
    )
    op.create_index(
        "ux_upload_outbox_record", "upload_outbox", ["hall_id", "record_id"], unique=True
    )
    op.create_index("ix_upload_outbox_hall_status", "upload_outbox", ["hall_id", "status", "id"])


def downgrade() -> None:
    op.drop_index("ix_upload_outbox_hall_status", table_name="upload_outbox")
    op.drop_index("ux_upload_outbox_record", table_name="upload_outbox")
    op.drop_table("upload_outbox")
