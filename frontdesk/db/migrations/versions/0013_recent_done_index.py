"""the waiting strip's recent service times: an index of today's finished tickets

After every queue change each desk reads the last finished tickets of the day, newest
first, to estimate the wait per service. Without an index in finish order the database
sorted every ticket finished that day (the bench's day: 5,000, ~3 ms of a desk refresh on
SQLite). A partial index holds the finished tickets only, by (day, finish time): one more
index entry when a ticket is finished, none for a call.

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


def downgrade() -> None:
    op.drop_index("ix_tickets_done_recent", table_name="tickets")
