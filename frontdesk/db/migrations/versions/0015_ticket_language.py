"""the language a visitor chose for their ticket

A visitor who takes a ticket at the kiosk picks a language first. The ticket keeps that
choice (and nothing else about the visitor) so the desk, the board's spoken call and the
rating tablet after the visit can speak to them in it. Null: no choice was made.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 06:35:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: SQLite adds a nullable column in place (a batch copy would
    # recreate the table under the ticket events that point at it).
    op.add_column("tickets", sa.Column("language", sa.String(8), nullable=True))


def downgrade() -> None:
    op.drop_column("tickets", "language")
