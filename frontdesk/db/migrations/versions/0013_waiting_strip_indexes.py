"""the waiting strip's index: the day's tickets by their first call

After every queue change each desk reads the waiting strip: the service times of the
latest served tickets (behind each estimate) and the desks that called each service in the
last hour. Both read every ticket of the day (thousands on a busy day, at every desk
refresh), the first also sorting them by finish time. The index (day, first call,
service, desk) gives the last hour's calls from the index alone and the latest served
tickets newest first, so only those rows are read: one more index entry when a ticket is
first called. (A partial index of the finished tickets in finish order was tried: it cost
call next + finish a third of its rate on SQLite.)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 10:50:00
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_tickets_day_called", "tickets", ["day", "first_called_at", "service_id", "desk"]
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_day_called", table_name="tickets")
