"""Partners the centre refers visitors to, the referrals, and each referral's history."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.db.models.base import Base
from frontdesk.db.types import UTCDateTime


class Partner(Base):
    __tablename__ = "partners"
    __table_args__ = (Index("ix_partners_category", "category"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Folded name (lower case, no diacritics): one partner per name, and the import's match key.
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    category: Mapped[str] = mapped_column(String(60))
    contact: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    website: Mapped[str | None] = mapped_column(String(300))
    languages: Mapped[str | None] = mapped_column(String(300))  # "Dutch, English"
    notes: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Referral(Base):
    __tablename__ = "referrals"
    __table_args__ = (
        Index("ix_referrals_status_follow_up", "status", "follow_up_on"),
        Index("ix_referrals_assignee_id", "assignee_id"),
        Index("ix_referrals_partner_id", "partner_id"),
        Index("ix_referrals_visitor_id", "visitor_id"),
        # The period report counts from these alone (covering, migration 0011).
        Index("ix_referrals_created_at", "created_at", "partner_id", "status"),
        Index("ix_referrals_outcome_at", "outcome_at", "outcome"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visitor_id: Mapped[int] = mapped_column(ForeignKey("visitors.id"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    reason: Mapped[str] = mapped_column(Text)
    consent_given: Mapped[bool] = mapped_column(Boolean)
    consent_how: Mapped[str | None] = mapped_column(String(10))  # verbal, written, email
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    status: Mapped[str] = mapped_column(String(12))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(30))
    outcome_text: Mapped[str | None] = mapped_column(Text)
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReferralEvent(Base):
    """One change to a referral: who, when, from which status to which, and a note."""

    __tablename__ = "referral_events"
    __table_args__ = (Index("ix_referral_events_referral_id", "referral_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(Text)
