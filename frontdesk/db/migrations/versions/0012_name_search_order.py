"""name search order: each name token carries its visitor's updated_at

Finding a visitor by a name fragment shows the most recently changed visitors first. A
broad fragment ("Toma", "de") matches 400-3,000 visitors, and to order them the search
read every one of those visitor rows. With a copy of the visitor's
``updated_at`` beside each token, the index (token, visitor_updated_at, visitor_id)
yields the matches and their order without touching the visitors table; only the 20
shown are read.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 07:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "visitor_name_tokens",
        sa.Column("visitor_updated_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.execute(
        "UPDATE visitor_name_tokens SET visitor_updated_at = "
        "(SELECT v.updated_at FROM visitors v WHERE v.id = visitor_name_tokens.visitor_id)"
    )
    with op.batch_alter_table("visitor_name_tokens", schema=None) as batch_op:
        batch_op.alter_column(
            "visitor_updated_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch_op.create_index(
            "ix_visitor_name_tokens_search", ["token", "visitor_updated_at", "visitor_id"]
        )
    # On PostgreSQL the UPDATE leaves a dead copy of every token row until a vacuum (with
    # autovacuum off, a name search became markedly slower until then). VACUUM
    # cannot run inside this migration's transaction: frontdesk.db.migrate runs it once the
    # upgrade has committed (VACUUM_AFTER).


def downgrade() -> None:
    with op.batch_alter_table("visitor_name_tokens", schema=None) as batch_op:
        batch_op.drop_index("ix_visitor_name_tokens_search")
        batch_op.drop_column("visitor_updated_at")
