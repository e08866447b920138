"""stock totals from the index: (pack type, moment, quantity)

The desk shows a LOW warning from the stock of every pack kind, which is the sum of the
kind's movements. The old (pack type, moment) index gave the order but not the quantity, so
the first sum after a start looked up every movement in the table (on SQLite, inside the
desk's first queue read). With the quantity in the index the sum reads the index alone;
the history by period uses it as before.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 07:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_stock_movements_type_at", table_name="stock_movements")
    op.create_index(
        "ix_stock_movements_type_at", "stock_movements", ["pack_type_id", "at", "quantity"]
    )


def downgrade() -> None:
    op.drop_index("ix_stock_movements_type_at", table_name="stock_movements")
    op.create_index("ix_stock_movements_type_at", "stock_movements", ["pack_type_id", "at"])
