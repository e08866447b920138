"""a visitor's contacts, newest first: the visitor card reads them at every call

The desk's visitor card lists the visitor's latest e-mail, phone and video contacts. With
no index on the visitor, each call read every contact of every year and sorted them.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 05:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_contact_moments_visitor", "contact_moments", ["visitor_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_contact_moments_visitor", table_name="contact_moments")
