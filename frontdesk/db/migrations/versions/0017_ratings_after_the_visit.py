"""ratings after the visit

The tablet facing the visitor at a desk asks "How was your visit?" once the desk finishes
it. One rating per ticket: a face (1..4) and an optional reason; the desk and the service
so the lead's report can count per desk and per service. Nothing about the person.

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-06 06:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("desk", sa.Integer(), nullable=True),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 4", name=op.f("ck_ratings_score")),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_ratings_service_id_services")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_ratings_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ratings")),
        sa.UniqueConstraint("ticket_id", name=op.f("uq_ratings_ticket_id")),
    )
    op.create_index("ix_ratings_at", "ratings", ["at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_ratings_at", table_name="ratings")
    op.drop_table("ratings")
