"""The daily queue: services, tickets with their history, numbering, contacts, closed days."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.db.models.base import Base
from frontdesk.db.types import UTCDateTime


class Service(Base):
    """What a visitor comes for; each has its own ticket prefix."""

    __tablename__ = "services"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(2))
    minutes: Mapped[int] = mapped_column(Integer)
    by_appointment: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Desk numbers that call this service, comma-separated; empty = every desk.
    desks: Mapped[str] = mapped_column(String(200), default="")


class TicketCounter(Base):
    """The last number handed out per day and prefix (numbers restart each day)."""

    __tablename__ = "ticket_counters"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(2), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("day", "label"),
        # The reports count per day, status and service, and served visitors, from this
        # index alone (migration 0011).
        Index("ix_tickets_day_status", "day", "status", "service_id", "visitor_id"),
        Index("ix_tickets_visitor_id", "visitor_id"),
        # "call next" walks these in call order and stops at the first ticket it may take.
        Index("ix_tickets_call_order", "day", "status", "priority", "arrived_at"),
        Index("ix_tickets_due", "day", "status", "appointment_at"),
        # The waiting strip: the latest calls of the day, newest first, and the desks that
        # called each service in the last hour, from the index alone (migration 0013).
        Index("ix_tickets_day_called", "day", "first_called_at", "service_id", "desk"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    label: Mapped[str] = mapped_column(String(8))  # e.g. "B007"
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    visitor_id: Mapped[int | None] = mapped_column(ForeignKey("visitors.id"))
    source: Mapped[str] = mapped_column(String(12))  # walk_in | appointment
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    appointment_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12))
    desk: Mapped[int | None] = mapped_column(Integer)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime)
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recalls: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notes: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)
    # The language the visitor chose at the kiosk ("en", "nl", ...); null when none was chosen.
    language: Mapped[str | None] = mapped_column(String(8))


class TicketEvent(Base):
    """Every transition of a ticket: who, where, when; the timeline of the day review."""

    __tablename__ = "ticket_events"
    __table_args__ = (Index("ix_ticket_events_ticket_id", "ticket_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    action: Mapped[str] = mapped_column(String(20))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    desk: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str | None] = mapped_column(String(200))


class ContactMoment(Base):
    """A contact: walk-in, e-mail, phone or video call; counted in the reports."""

    __tablename__ = "contact_moments"
    # Covering for the reports' counts per channel (migration 0011).
    __table_args__ = (
        Index("ix_contact_moments_at", "at", "channel", "minutes"),
        # The visitor card: a visitor's latest contacts (migration 0014).
        Index("ix_contact_moments_visitor", "visitor_id", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str] = mapped_column(String(12))
    topic: Mapped[str] = mapped_column(String(200))
    visitor_id: Mapped[int | None] = mapped_column(ForeignKey("visitors.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    minutes: Mapped[int] = mapped_column(Integer)


class ClosedDay(Base):
    __tablename__ = "closed_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    not_served: Mapped[int] = mapped_column(Integer, default=0)
