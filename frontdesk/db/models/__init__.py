"""ORM models. One module per capability; every table is listed here for Alembic."""

from frontdesk.db.models.appointments import Appointment, AppointmentEvent, AppointmentPerson
from frontdesk.db.models.base import Base
from frontdesk.db.models.core import AuditEvent, Staff
from frontdesk.db.models.feedback import Rating
from frontdesk.db.models.mail import OutboxMessage
from frontdesk.db.models.packs import PackIssue, PackType, StockMovement
from frontdesk.db.models.queue import (
    ClosedDay,
    ContactMoment,
    Service,
    Ticket,
    TicketCounter,
    TicketEvent,
)
from frontdesk.db.models.referrals import Partner, Referral, ReferralEvent
from frontdesk.db.models.rules import CentreRule
from frontdesk.db.models.visitors import Visitor, VisitorNameToken

__all__ = [
    "Appointment",
    "AppointmentEvent",
    "AppointmentPerson",
    "AuditEvent",
    "Base",
    "CentreRule",
    "ClosedDay",
    "ContactMoment",
    "OutboxMessage",
    "PackIssue",
    "PackType",
    "Partner",
    "Rating",
    "Referral",
    "ReferralEvent",
    "Service",
    "Staff",
    "StockMovement",
    "Ticket",
    "TicketCounter",
    "TicketEvent",
    "Visitor",
    "VisitorNameToken",
]
