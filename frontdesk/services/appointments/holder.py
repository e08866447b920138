"""Privacy: what the appointment book holds about a visitor, for retention, access and
erasure requests.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import Session

from frontdesk.db.models import (
    Appointment,
    AppointmentEvent,
    AppointmentPerson,
)
from frontdesk.services.appointments.rules import (
    BSN_OUTCOMES,
    KINDS,
    RELATIONS,
    STATUSES,
    euro,
)
from frontdesk.services.dml import rowcount
from frontdesk.services.privacy import ERASED_TEXT, json_value, staff_names

if TYPE_CHECKING:
    from frontdesk.services.appointments.service import AppointmentService


OPEN_APPOINTMENT = ("booked", "checked_in", "in_progress")


class AppointmentHolder:
    """The appointment book's personal data, for retention, access and erasure requests.

    A visitor is in an appointment as its main person or as a member of the household
    (an :class:`AppointmentPerson` row). Anonymising clears the stored BSN and the free
    text; fee, status, kind, day, documents seen and the BSN outcome stay for the invoices
    and the reports.
    """

    name = "appointments"

    def __init__(self, service: AppointmentService) -> None:
        self.service = service

    def keep_ids(self, cutoff: datetime) -> Select[int]:
        return (
            select(AppointmentPerson.visitor_id)
            .join(Appointment, Appointment.id == AppointmentPerson.appointment_id)
            .where(
                or_(
                    Appointment.start_at >= cutoff,  # recent, or in the future
                    Appointment.updated_at >= cutoff,
                    Appointment.status.in_(OPEN_APPOINTMENT),  # not finished yet
                )
            )
        )

    def _appointments(self, session: Session, visitor_id: int) -> list[Appointment]:
        mine = select(AppointmentPerson.appointment_id).where(
            AppointmentPerson.visitor_id == visitor_id
        )
        return list(
            session.scalars(
                select(Appointment)
                .where(Appointment.id.in_(mine))
                .order_by(Appointment.start_at, Appointment.id)
            )
        )

    def last_activity(self, session: Session, visitor_id: int) -> datetime | None:
        return session.scalar(
            select(func.max(Appointment.updated_at))
            .join(AppointmentPerson, AppointmentPerson.appointment_id == Appointment.id)
            .where(AppointmentPerson.visitor_id == visitor_id)
        )

    def export(self, session: Session, visitor_id: int) -> list[dict[str, Any]]:
        """Every appointment with the household, checklist, outcome and history.

        The BSN appears masked only, as everywhere else: the whole number is shown
        solely through :meth:`AppointmentService.reveal_bsn`, with an audited reason.
        Of the other persons of the household only their relation and name are listed.
        """
        staff = staff_names(session)
        out: list[dict[str, Any]] = []
        for ap in self._appointments(session, visitor_id):
            info = self.service._info(session, ap)
            persons: list[dict[str, Any]] = []
            relation = None
            for p in info.persons:
                if p.visitor_id != visitor_id:
                    persons.append({"person": RELATIONS[p.relation], "name": p.name})
                    continue
                relation = RELATIONS[p.relation]
                persons.append(
                    {
                        "person": RELATIONS[p.relation] + " (this visitor)",
                        "name": p.name,
                        "married": p.married,
                        "fee": euro(p.fee_cents),
                        "documents_seen": ", ".join(d.short for d in p.documents if d.ticked),
                        "documents_missing": ", ".join(d.short for d in p.missing),
                        "bsn_outcome": BSN_OUTCOMES.get(p.bsn_outcome or ""),
                        "bsn": p.bsn_masked,
                        "welcome_bag": p.welcome_bag,
                    }
                )
            events = session.scalars(
                select(AppointmentEvent)
                .where(AppointmentEvent.appointment_id == ap.id)
                .order_by(AppointmentEvent.at, AppointmentEvent.id)
            )
            out.append(
                {
                    "appointment": info.reference or f"#{info.id}",
                    "kind": KINDS.get(info.kind, info.kind),
                    "day": json_value(info.day),
                    "start_at": json_value(info.start_at),
                    "minutes": info.minutes,
                    "status": STATUSES.get(info.status, info.status),
                    "as": relation,
                    "payer": info.payer,
                    "fee": euro(info.fee_cents),
                    "arrived_at": json_value(info.arrived_at),
                    "started_at": json_value(info.started_at),
                    "finished_at": json_value(info.finished_at),
                    "letter_collected_at": json_value(info.letter_collected_at),
                    "bring_next_time": info.bring_next_time,
                    "notes": info.notes,
                    "persons": persons,
                    "history": [
                        {
                            "at": json_value(e.at),
                            "action": e.action,
                            "status": STATUSES.get(e.status, e.status),
                            "staff": staff.get(e.staff_id) if e.staff_id else None,
                            "detail": e.detail,
                        }
                        for e in events
                    ],
                }
            )
        return out

    def anonymise(self, session: Session, visitor_id: int) -> int:
        """The BSN goes, and the household's free text.

        The notes and the "bring next time" list are cleared whenever the visitor is any
        person of the household, not only its main person: the list names every person
        by name, and notes about a household may too. A cancellation reason (the only
        free-text event detail) becomes ``(removed)``; the other event details are
        structured (person ids, document codes, times) and stay.
        """
        changed = rowcount(
            session.execute(
                update(AppointmentPerson)
                .where(
                    AppointmentPerson.visitor_id == visitor_id, AppointmentPerson.bsn.is_not(None)
                )
                .values(bsn=None)
            )
        )
        mine = select(AppointmentPerson.appointment_id).where(
            AppointmentPerson.visitor_id == visitor_id
        )
        changed += rowcount(
            session.execute(
                update(Appointment)
                .where(
                    Appointment.id.in_(mine),
                    or_(Appointment.notes.is_not(None), Appointment.bring_next_time.is_not(None)),
                )
                .values(notes=None, bring_next_time=None)
            )
        )
        changed += rowcount(
            session.execute(
                update(AppointmentEvent)
                .where(
                    AppointmentEvent.appointment_id.in_(mine),
                    AppointmentEvent.action == "cancelled",
                    AppointmentEvent.detail.is_not(None),
                    AppointmentEvent.detail != ERASED_TEXT,
                )
                .values(detail=ERASED_TEXT)
            )
        )
        return int(changed or 0)

    def blocks_erasure(self, session: Session, visitor_id: int, today: date) -> str | None:
        """A registration under way today must be finished: a legal duty, so no erasure yet."""
        row = session.execute(
            select(Appointment.id, Appointment.reference, Appointment.status)
            .join(AppointmentPerson, AppointmentPerson.appointment_id == Appointment.id)
            .where(
                AppointmentPerson.visitor_id == visitor_id,
                Appointment.day == today,
                Appointment.status.in_(("checked_in", "in_progress")),
            )
            .limit(1)
        ).first()
        if row is None:
            return None
        label = row.reference or f"#{row.id}"
        return (
            f"an appointment is in progress (BSN appointment {label}, {STATUSES[row.status]} "
            "today); the registration must be finished first: complete it, or reject it "
            "for missing documents, then erase"
        )
