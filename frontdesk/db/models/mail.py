"""Appointment e-mails: the outbox every message goes through before it is sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.db.models.base import Base
from frontdesk.db.types import UTCDateTime


class OutboxMessage(Base):
    """One e-mail to a visitor: composed when its appointment changes, sent by ``mail send``.

    ``status``: queued -> sending -> sent, or back to queued (the server was down, with a
    later ``next_try_at``), or failed (refused for good, ``last_error`` says why), or
    cancelled (by the lead, or because the appointment moved on). ``message_id`` is made
    once, so a message sent again after an interrupted run carries the same Message-ID.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        # mail send: the due messages, oldest first.
        Index("ix_outbox_due", "status", "next_try_at"),
        Index("ix_outbox_appointment_id", "appointment_id"),
        Index("ix_outbox_visitor_id", "visitor_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # confirmation | reminder | cancellation
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"))
    visitor_id: Mapped[int | None] = mapped_column(ForeignKey("visitors.id"))
    to_address: Mapped[str | None] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)
    ics: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Runs that stopped while this message was `sending` (a second one fails it).
    interrupted: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
