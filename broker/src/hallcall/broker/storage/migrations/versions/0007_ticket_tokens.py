"""tickets.token: the unguessable status token a ticket's QR code carries (issue #14), unique;
every ticket already kept gets one, so a page can be asked about any ticket the same way

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-10
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

#: As the hall aggregate makes them (hallcall.broker.domain.hall.TOKEN_BYTES); a migration keeps
#: its own copy so that it does not change when the code does.
TOKEN_BYTES = 16
#: Rows given their tokens per statement.
CHUNK = 1000


def upgrade() -> None:
    # Added in place, nullable: a NOT NULL column would make SQLite copy `tickets`, which its
    # history's foreign keys forbid once there are tickets (see 0006).
    with op.batch_alter_table("tickets", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("token", sa.String(length=32), nullable=True))
    tickets = sa.table(
        "tickets", sa.column("hall_id", sa.String), sa.column("id", sa.String), sa.column("token")
    )
    conn = op.get_bind()
    keys = conn.execute(sa.select(tickets.c.hall_id, tickets.c.id)).all()
    given = sa.update(tickets).where(
        tickets.c.hall_id == sa.bindparam("k_hall"), tickets.c.id == sa.bindparam("k_id")
    )
    seen: set[str] = set()
    for start in range(0, len(keys), CHUNK):
        rows = []
        for hall_id, ticket_id in keys[start : start + CHUNK]:
            token = secrets.token_urlsafe(TOKEN_BYTES)
            while token in seen:
                token = secrets.token_urlsafe(TOKEN_BYTES)
            seen.add(token)
            rows.append({"k_hall": hall_id, "k_id": ticket_id, "token": token})
        conn.execute(given.values(token=sa.bindparam("token")), rows)
    op.create_index("ux_tickets_token", "tickets", ["token"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_tickets_token", table_name="tickets")
    with op.batch_alter_table("tickets", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("token")
