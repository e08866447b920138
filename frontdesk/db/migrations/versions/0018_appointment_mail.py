"""appointment e-mails: the outbox, and a visitor's opt-out

Confirmations, reminders and cancellation notices are written to an outbox table in the
same transaction as the appointment change; ``frontdesk mail send`` delivers them. A
visitor who asks for no e-mails has ``mail_opt_out`` set (null: never asked).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 06:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("visitor_id", sa.Integer(), nullable=True),
        sa.Column("to_address", sa.String(length=254), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("ics", sa.Text(), nullable=True),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("interrupted", sa.Integer(), nullable=False),
        sa.Column("next_try_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_outbox_appointment_id_appointments"),
        ),
        sa.ForeignKeyConstraint(
            ["visitor_id"], ["visitors.id"], name=op.f("fk_outbox_visitor_id_visitors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outbox_message_id")),
    )
    op.create_index("ix_outbox_appointment_id", "outbox", ["appointment_id"])
    op.create_index("ix_outbox_due", "outbox", ["status", "next_try_at"])
    op.create_index("ix_outbox_visitor_id", "outbox", ["visitor_id"])
    # A plain ADD COLUMN: a batch copy of visitors would fail under the rows pointing at it.
    op.add_column("visitors", sa.Column("mail_opt_out", sa.Boolean(), nullable=True))


def downgrade() -> None:
    op.drop_column("visitors", "mail_opt_out")
    op.drop_index("ix_outbox_visitor_id", table_name="outbox")
    op.drop_index("ix_outbox_due", table_name="outbox")
    op.drop_index("ix_outbox_appointment_id", table_name="outbox")
    op.drop_table("outbox")
