"""report indexes: referral outcomes and packs handed out, by moment

The period report counts referral outcomes by ``outcome_at`` and packs by ``at``;
without these indexes each count read the whole table (twice: the period and the
one before it).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 05:35:00
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_referrals_outcome_at", "referrals", ["outcome_at"])
    op.create_index("ix_pack_issues_at", "pack_issues", ["at"])


def downgrade() -> None:
    op.drop_index("ix_pack_issues_at", table_name="pack_issues")
    op.drop_index("ix_referrals_outcome_at", table_name="referrals")
