"""the waiting strip's indexes: today's finished tickets, and the last hour's calls

After every queue change each desk reads the waiting strip: the last finished tickets of
the day, newest first (the service times behind each estimate), and the desks that called
each service in the last hour. Both read every ticket of the day (the bench's day: 5,000,
~3 ms each of a desk refresh on SQLite), the first also sorting them. A partial index holds
the finished tickets only, by (day, finish time): one more index entry when a ticket is
finished. The second index, (day, first call, service, desk), gives the last hour's calls
from the index alone: one more entry when a ticket is first called.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 10:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

DONE = sa.text("status = 'done'")


def upgrade() -> None:
    op.create_index(
        "ix_tickets_done_recent",
        "tickets",
        ["day", "finished_at"],
        sqlite_where=DONE,
        postgresql_where=DONE,
    )
    op.create_index(
        "ix_tickets_day_called", "tickets", ["day", "first_called_at", "service_id", "desk"]
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_day_called", table_name="tickets")
    op.drop_index("ix_tickets_done_recent", table_name="tickets")
