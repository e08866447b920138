"""Welcome packs: the kinds on the shelf, every stock movement, and every pack handed out."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.db.models.base import Base
from frontdesk.db.types import UTCDateTime

# Why stock changed. The stock of a kind is the sum of its movements' quantities.
MOVEMENT_KINDS = ("received", "correction", "issue")


class PackType(Base):
    """A kind of pack (welcome bag, student pack...). Its row is the lock for its stock."""

    __tablename__ = "pack_types"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    name_key: Mapped[str] = mapped_column(String(100), unique=True)
    low_threshold: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StockMovement(Base):
    __tablename__ = "stock_movements"
    # The quantity is in the index so that the stock totals are summed from the index alone.
    __table_args__ = (Index("ix_stock_movements_type_at", "pack_type_id", "at", "quantity"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pack_type_id: Mapped[int] = mapped_column(ForeignKey("pack_types.id"))
    quantity: Mapped[int] = mapped_column(Integer)  # + received, - issued, either for a correction
    reason: Mapped[str] = mapped_column(String(12))  # one of MOVEMENT_KINDS
    note: Mapped[str | None] = mapped_column(Text)  # supplier note or correction reason
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class PackIssue(Base):
    __tablename__ = "pack_issues"
    __table_args__ = (
        Index("ix_pack_issues_visitor", "visitor_id", "pack_type_id"),
        Index("ix_pack_issues_type_at", "pack_type_id", "at"),
        Index("ix_pack_issues_at", "at", "pack_type_id"),  # the period report, covering
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pack_type_id: Mapped[int] = mapped_column(ForeignKey("pack_types.id"))
    visitor_id: Mapped[int] = mapped_column(ForeignKey("visitors.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set when the visitor already had a pack of this kind and the clerk gave another.
    override_reason: Mapped[str | None] = mapped_column(Text)
    movement_id: Mapped[int] = mapped_column(ForeignKey("stock_movements.id"), unique=True)
