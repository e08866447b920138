"""BSN registration appointments: the household, its documents, the BSN outcome, history."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.db.models.base import Base
from frontdesk.db.types import UTCDateTime


class Appointment(Base):
    """One appointment covers a household: a main visitor and the members who attend."""

    __tablename__ = "appointments"
    __table_args__ = (
        Index("ix_appointments_start_at", "start_at"),
        Index("ix_appointments_day", "day", "kind", "status"),  # covering: the period report
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The booking system's reference (imports match on it); None for desk bookings.
    reference: Mapped[str | None] = mapped_column(String(60), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # first_registration | bsn_collection | other
    day: Mapped[date] = mapped_column(Date)  # the local day of start_at, for the day view
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    minutes: Mapped[int] = mapped_column(Integer)
    employer: Mapped[str | None] = mapped_column(String(200))  # None = the household pays
    fee_cents: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(30))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    letter_collected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    bring_next_time: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AppointmentPerson(Base):
    """A person of the household: documents ticked at the desk and their BSN outcome."""

    __tablename__ = "appointment_persons"
    __table_args__ = (
        Index("ix_appointment_persons_appointment_id", "appointment_id", "bsn_outcome"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id"))
    visitor_id: Mapped[int] = mapped_column(ForeignKey("visitors.id"))
    relation: Mapped[str] = mapped_column(String(10))  # main | partner | child
    position: Mapped[int] = mapped_column(Integer, default=0)
    married: Mapped[bool] = mapped_column(Boolean, default=False)
    fee_cents: Mapped[int] = mapped_column(Integer, default=0)
    # Codes of the documents seen at the desk, comma-separated (e.g. "id,address").
    documents: Mapped[str] = mapped_column(String(200), default="")
    bsn_outcome: Mapped[str | None] = mapped_column(String(10))  # issued | by_post
    # The number itself; only when the centre's policy is bsn_storage = "number".
    bsn: Mapped[str | None] = mapped_column(String(9))
    welcome_bag: Mapped[bool] = mapped_column(Boolean, default=False)


class AppointmentEvent(Base):
    """Every change of an appointment: what, when, by whom."""

    __tablename__ = "appointment_events"
    __table_args__ = (Index("ix_appointment_events_appointment_id", "appointment_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    action: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(30))  # the status after the change
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    detail: Mapped[str | None] = mapped_column(String(300))
