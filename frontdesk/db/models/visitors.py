"""Visitors: the people the desk serves."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.db.models.base import Base
from frontdesk.db.types import UTCDateTime


class Visitor(Base):
    __tablename__ = "visitors"
    __table_args__ = (
        Index("ix_visitors_search_key", "search_key"),
        Index("ix_visitors_family_key", "family_key"),
        Index("ix_visitors_phone", "phone"),
        Index("ix_visitors_email_key", "email_key"),
        Index("ix_visitors_birth_date", "birth_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    given_names: Mapped[str] = mapped_column(String(200))
    family_name: Mapped[str] = mapped_column(String(200))
    # Folded "given family" (lower case, no diacritics) for case/diacritic-blind search.
    search_key: Mapped[str] = mapped_column(String(401))
    family_key: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date | None] = mapped_column(Date)
    nationality: Mapped[str | None] = mapped_column(String(2))
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    email: Mapped[str | None] = mapped_column(String(254))
    email_key: Mapped[str | None] = mapped_column(String(254))
    category: Mapped[str | None] = mapped_column(String(20))
    employer: Mapped[str | None] = mapped_column(String(200))
    municipality: Mapped[str | None] = mapped_column(String(100))
    language: Mapped[str | None] = mapped_column(String(40))
    notes: Mapped[str | None] = mapped_column(Text)
    # True: the visitor asked for no appointment e-mails (None: never asked, so they get them).
    mail_opt_out: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class VisitorNameToken(Base):
    """One folded word of a visitor's name: "Ødegård" -> "odegard".

    Name search is a prefix range scan on this index (``token >= 'ode' AND token < 'ode\uffff'``),
    so finding "ode" among 100,000 visitors reads a handful of index entries instead of
    every row. The services keep it in step with the visitor's name.

    Each token carries a copy of its visitor's ``updated_at``: the search shows the most
    recently changed visitors first, and with the copy in the index it can pick the first
    20 of ~3,000 matches from index entries alone, reading 20 visitor rows, not 3,000.
    """

    __tablename__ = "visitor_name_tokens"
    __table_args__ = (
        # Replacing one visitor's tokens finds them without reading the whole table.
        Index("ix_visitor_name_tokens_visitor_id", "visitor_id"),
        # Name search: the matches of a prefix with their order, from the index alone.
        Index("ix_visitor_name_tokens_search", "token", "visitor_updated_at", "visitor_id"),
    )

    # Byte order ("C") on PostgreSQL, so the prefix range means "starts with" there too.
    token: Mapped[str] = mapped_column(
        String(100).with_variant(String(100, collation="C"), "postgresql"), primary_key=True
    )
    visitor_id: Mapped[int] = mapped_column(
        ForeignKey("visitors.id", ondelete="CASCADE"), primary_key=True
    )
    # Visitor.updated_at, copied whenever the tokens are written (see above).
    visitor_updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
