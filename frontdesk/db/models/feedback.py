"""Ratings from the tablet facing the visitor at a desk, one per finished visit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.db.models.base import Base
from frontdesk.db.types import UTCDateTime


class Rating(Base):
    """How a visitor rated one visit: a face (1 worst .. 4 best) and an optional reason.

    Nothing about the person: the ticket, its service and the desk are what the reports
    count by. One rating per ticket (the unique ticket_id).
    """

    __tablename__ = "ratings"
    __table_args__ = (
        CheckConstraint("score BETWEEN 1 AND 4", name="score"),
        Index("ix_ratings_at", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    score: Mapped[int] = mapped_column(SmallInteger)
    # "waiting", "explanation", "friendliness", "outcome", or null: the visitor chose none.
    reason: Mapped[str | None] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    desk: Mapped[int | None] = mapped_column(Integer)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
