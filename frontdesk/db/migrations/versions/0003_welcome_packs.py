"""welcome packs: kinds, stock movements, issues

Revision ID: 0003
Revises: 0004
Create Date: 2026-11-21 23:52:37.517664
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pack_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_key", sa.String(length=100), nullable=False),
        sa.Column("low_threshold", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pack_types")),
        sa.UniqueConstraint("code", name=op.f("uq_pack_types_code")),
        sa.UniqueConstraint("name_key", name=op.f("uq_pack_types_name_key")),
    )
    op.create_table(
        "stock_movements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pack_type_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=12), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["pack_type_id"],
            ["pack_types.id"],
            name=op.f("fk_stock_movements_pack_type_id_pack_types"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_stock_movements_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_movements")),
    )
    with op.batch_alter_table("stock_movements", schema=None) as batch_op:
        batch_op.create_index("ix_stock_movements_type_at", ["pack_type_id", "at"], unique=False)

    op.create_table(
        "pack_issues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pack_type_id", sa.Integer(), nullable=False),
        sa.Column("visitor_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("movement_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["movement_id"],
            ["stock_movements.id"],
            name=op.f("fk_pack_issues_movement_id_stock_movements"),
        ),
        sa.ForeignKeyConstraint(
            ["pack_type_id"], ["pack_types.id"], name=op.f("fk_pack_issues_pack_type_id_pack_types")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_pack_issues_staff_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["visitor_id"], ["visitors.id"], name=op.f("fk_pack_issues_visitor_id_visitors")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pack_issues")),
        sa.UniqueConstraint("movement_id", name=op.f("uq_pack_issues_movement_id")),
    )
    with op.batch_alter_table("pack_issues", schema=None) as batch_op:
        batch_op.create_index("ix_pack_issues_type_at", ["pack_type_id", "at"], unique=False)
        batch_op.create_index(
            "ix_pack_issues_visitor", ["visitor_id", "pack_type_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("pack_issues", schema=None) as batch_op:
        batch_op.drop_index("ix_pack_issues_visitor")
        batch_op.drop_index("ix_pack_issues_type_at")

    op.drop_table("pack_issues")
    with op.batch_alter_table("stock_movements", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_movements_type_at")

    op.drop_table("stock_movements")
    op.drop_table("pack_types")
