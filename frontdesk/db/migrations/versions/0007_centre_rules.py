"""centre rules: opening hours and target wait set by the lead

No row: the config file's value applies; the lead's first save writes one.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 02:20:22.015755
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "centre_rules",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["staff.id"], name=op.f("fk_centre_rules_updated_by_staff")
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_centre_rules")),
    )


def downgrade() -> None:
    op.drop_table("centre_rules")
