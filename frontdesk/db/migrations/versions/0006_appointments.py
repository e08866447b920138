"""appointments: households, documents, BSN outcome, history

Revises 0002 (not 0001): an appointment links the ticket its check-in issued.

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-22 00:07:48.956896
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=60), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("employer", sa.String(length=200), nullable=True),
        sa.Column("fee_cents", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("letter_collected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("bring_next_time", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_appointments_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
        sa.UniqueConstraint("reference", name=op.f("uq_appointments_reference")),
    )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.create_index("ix_appointments_day", ["day"], unique=False)
        batch_op.create_index("ix_appointments_start_at", ["start_at"], unique=False)

    op.create_table(
        "appointment_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_appointment_events_appointment_id_appointments"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_appointment_events_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment_events")),
    )
    with op.batch_alter_table("appointment_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_appointment_events_appointment_id", ["appointment_id"], unique=False
        )

    op.create_table(
        "appointment_persons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("visitor_id", sa.Integer(), nullable=False),
        sa.Column("relation", sa.String(length=10), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("married", sa.Boolean(), nullable=False),
        sa.Column("fee_cents", sa.Integer(), nullable=False),
        sa.Column("documents", sa.String(length=200), nullable=False),
        sa.Column("bsn_outcome", sa.String(length=10), nullable=True),
        sa.Column("bsn", sa.String(length=9), nullable=True),
        sa.Column("welcome_bag", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_appointment_persons_appointment_id_appointments"),
        ),
        sa.ForeignKeyConstraint(
            ["visitor_id"], ["visitors.id"], name=op.f("fk_appointment_persons_visitor_id_visitors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointment_persons")),
    )
    with op.batch_alter_table("appointment_persons", schema=None) as batch_op:
        batch_op.create_index(
            "ix_appointment_persons_appointment_id", ["appointment_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("appointment_persons", schema=None) as batch_op:
        batch_op.drop_index("ix_appointment_persons_appointment_id")

    op.drop_table("appointment_persons")
    with op.batch_alter_table("appointment_events", schema=None) as batch_op:
        batch_op.drop_index("ix_appointment_events_appointment_id")

    op.drop_table("appointment_events")
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_index("ix_appointments_start_at")
        batch_op.drop_index("ix_appointments_day")

    op.drop_table("appointments")
