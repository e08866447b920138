"""write path indexes: "call next" and re-indexing a visitor's name without a table scan

- tickets (day, status, priority, arrived_at): "call next" walks today's waiting tickets
  in call order and stops at the first one, instead of sorting every waiting ticket;
- tickets (day, status, appointment_at): the appointments that are due, found directly;
- visitor_name_tokens (visitor_id): replacing one visitor's name tokens read the whole
  token table (the primary key starts with the token).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 05:20:00
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_tickets_call_order", "tickets", ["day", "status", "priority", "arrived_at"])
    op.create_index("ix_tickets_due", "tickets", ["day", "status", "appointment_at"])
    op.create_index("ix_visitor_name_tokens_visitor_id", "visitor_name_tokens", ["visitor_id"])


def downgrade() -> None:
    op.drop_index("ix_visitor_name_tokens_visitor_id", table_name="visitor_name_tokens")
    op.drop_index("ix_tickets_due", table_name="tickets")
    op.drop_index("ix_tickets_call_order", table_name="tickets")
