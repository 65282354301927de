"""rectification_cases: a case (差评整改) opened by each bad rating, with its deadline in working
days, callback (回访), fix and appeal (申诉), issue #15

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _at(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "rectification_cases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("hall_id", sa.String(length=32), nullable=False),
        sa.Column("ticket_id", sa.String(length=40), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=True),
        sa.Column("department", sa.String(length=32), nullable=True),
        sa.Column("matter", sa.String(length=32), nullable=True),
        sa.Column("window", sa.String(length=32), nullable=False),
        sa.Column("staff", sa.String(length=32), nullable=True),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("scale", sa.Integer(), nullable=False),
        _at("opened_at", nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("callback_by", sa.String(length=80), nullable=True),
        _at("callback_at"),
        sa.Column("callback_outcome", sa.String(length=2000), nullable=True),
        sa.Column("fix", sa.String(length=2000), nullable=True),
        _at("fixed_at"),
        sa.Column("appeal_reason", sa.String(length=2000), nullable=True),
        _at("appealed_at"),
        sa.Column("appeal_decision", sa.String(length=8), nullable=True),
        sa.Column("appeal_decided_by", sa.String(length=80), nullable=True),
        sa.Column("appeal_decision_reason", sa.String(length=2000), nullable=True),
        _at("appeal_decided_at"),
        _at("closed_at"),
        sa.Column("closed_by", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(
            ["hall_id", "ticket_id"],
            ["tickets.hall_id", "tickets.id"],
            name=op.f("fk_rectification_cases_hall_id_tickets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification_cases")),
    )
    op.create_index(
        "ux_rectification_cases_ticket",
        "rectification_cases",
        ["hall_id", "ticket_id"],
        unique=True,
    )
    op.create_index(
        "ix_rectification_cases_hall_opened", "rectification_cases", ["hall_id", "opened_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_rectification_cases_hall_opened", table_name="rectification_cases")
    op.drop_index("ux_rectification_cases_ticket", table_name="rectification_cases")
    op.drop_table("rectification_cases")
