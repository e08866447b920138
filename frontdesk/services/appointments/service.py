"""The appointments at the desk: check-in, documents, the BSN outcome, the end of an
appointment, and the employer invoices of a quarter.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from frontdesk.db.models import (
    Appointment,
    AppointmentPerson,
    Ticket,
    Visitor,
)
from frontdesk.services import audit
from frontdesk.services.appointments.book import AppointmentBook
from frontdesk.services.appointments.invoices import (
    invoice_bytes,
    invoice_lines,
    invoice_rows,
    invoice_totals,
    parse_quarter,
)
from frontdesk.services.appointments.records import (
    AppointmentInfo,
    InvoiceExport,
    InvoiceLine,
    bring_next_time_text,
)
from frontdesk.services.appointments.rules import (
    BSN_OUTCOMES,
    DOCUMENTS,
    SERVICE_FOR_KIND,
    STATUSES,
    TRANSITIONS,
    check_bsn,
    married_refused,
    mask_bsn,
)
from frontdesk.services.auth import Actor, require
from frontdesk.services.errors import Conflict, NotFound, ValidationError, check_id
from frontdesk.services.exports import (
    Target,
    check_target,
    deliver_audited,
)
from frontdesk.services.rows import row_or_refuse
from frontdesk.services.text import clean_text

# Recording a BSN number: one at a time across desks on PostgreSQL (transaction-scoped
# advisory lock), so two desks cannot give the same number to two people at once.
BSN_LOCK = 0x62736E


class AppointmentService(AppointmentBook):
    """The book, and the work at the desk: check-in, documents, the BSN, the end of an
    appointment; the employer invoices."""

    # -- at the desk -------------------------------------------------------------------
    def check_in(self, actor: Actor, appointment_id: int) -> AppointmentInfo:
        """The household has arrived: one ticket in the BSN queue, ordered by appointment time."""
        require(actor, "appointment.work")
        require(actor, "queue.issue")
        appointment_id = check_id(appointment_id, "this appointment does not exist (any more)")
        with self.db.write() as session:
            ap = self._row(session, appointment_id, lock=True)
            self.check_in_in(session, actor, ap)
            return self._info(session, ap)

    def check_in_in(self, session: Session, actor: Actor, ap: Appointment) -> Ticket:
        """Check a household in inside the caller's transaction (the desk, the kiosk): the
        caller has checked the actor's permission and read ``ap`` with a row lock."""
        if "checked_in" not in TRANSITIONS[ap.status]:
            self._move(session, ap, "checked_in", actor)  # raises with the reason
        if ap.day != self.clock.today():
            raise Conflict(
                f"This appointment is on {ap.day:%a %d %b %Y}, not today; "
                "reschedule it to check the household in."
            )
        main = session.scalar(
            select(AppointmentPerson.visitor_id)
            .where(AppointmentPerson.appointment_id == ap.id)
            .order_by(AppointmentPerson.position, AppointmentPerson.id)
            .limit(1)
        )
        if main is None:
            raise ValidationError("p0_given_names", "this appointment has nobody in it")
        ticket = self.queue.issue_in(
            session,
            actor,
            SERVICE_FOR_KIND[ap.kind],
            visitor_id=main,
            source="appointment",
            appointment_at=ap.start_at,
            notes=f"appointment {ap.reference or ap.id}",
        )
        ap.ticket_id = ticket.id
        ap.arrived_at = self.clock.now()
        late = max(0, int((ap.arrived_at - ap.start_at).total_seconds() // 60))
        self._move(
            session,
            ap,
            "checked_in",
            actor,
            f"ticket {ticket.label}" + (f", {late} min late" if late else ""),
        )
        return ticket

    def start(self, actor: Actor, appointment_id: int) -> AppointmentInfo:
        require(actor, "appointment.work")
        appointment_id = check_id(appointment_id, "this appointment does not exist (any more)")
        with self.db.write() as session:
            ap = self._row(session, appointment_id, lock=True)
            self._move(session, ap, "in_progress", actor)
            ap.started_at = self.clock.now()
            return self._info(session, ap)

    def start_from_ticket(self, actor: Actor, ticket_id: int) -> AppointmentInfo | None:
        """The desk called an appointment's ticket: the household is now being served.

        Moves a checked-in appointment to in progress. None when no appointment holds this
        ticket, or it is past checked-in already (a recall, or a resume after a hold).
        """
        require(actor, "appointment.work")
        ticket_id = check_id(ticket_id, "this ticket does not exist")
        with self.db.write() as session:
            found = session.scalar(select(Appointment.id).where(Appointment.ticket_id == ticket_id))
            if found is None:
                return None
            ap = self._row(session, found, lock=True)
            if ap.status != "checked_in":
                return None
            desk = f"called to desk {actor.desk}" if actor.desk else "called"
            self._move(session, ap, "in_progress", actor, desk)
            ap.started_at = self.clock.now()
            return self._info(session, ap)

    def welcome_bag_given(self, actor: Actor, person_id: int) -> AppointmentInfo:
        """Mark that a registered person received their welcome bag (after the pack was
        handed out through the packs service), so the flag follows the real pack issues."""
        require(actor, "appointment.work")
        person_id = check_id(person_id, "this person is no longer on the appointment")
        with self.db.write() as session:
            person, ap = self._person(session, person_id)
            if ap.kind != "first_registration" or ap.status not in ("in_progress", "completed"):
                raise Conflict("A welcome bag goes with a first registration being completed.")
            if not person.welcome_bag:
                person.welcome_bag = True
                ap.updated_at = self.clock.now()
                self._event(session, ap, "welcome_bag", actor, f"person {person.id}")
            return self._info(session, ap)

    def no_show(self, actor: Actor, appointment_id: int) -> AppointmentInfo:
        require(actor, "appointment.work")
        appointment_id = check_id(appointment_id, "this appointment does not exist (any more)")
        with self.db.write() as session:
            ap = self._row(session, appointment_id, lock=True)
            if "no_show" in TRANSITIONS[ap.status] and self.clock.now() < ap.start_at:
                raise Conflict("This appointment has not started yet; it cannot be a no-show.")
            self._move(session, ap, "no_show", actor)
            return self._info(session, ap)

    def _person(self, session: Session, person_id: int) -> tuple[AppointmentPerson, Appointment]:
        person = row_or_refuse(
            session, AppointmentPerson, person_id, "this person is no longer on the appointment"
        )
        return person, self._row(session, person.appointment_id, lock=True)

    @staticmethod
    def _working(ap: Appointment, what: str) -> None:
        if ap.status not in ("checked_in", "in_progress"):
            raise Conflict(
                f"This appointment is {STATUSES[ap.status]}; {what} only once the "
                "household is checked in."
            )

    def tick_document(
        self, actor: Actor, person_id: int, code: str, seen: bool = True
    ) -> AppointmentInfo:
        require(actor, "appointment.work")
        person_id = check_id(person_id, "this person is no longer on the appointment")
        if code not in DOCUMENTS:
            raise ValidationError("document", "pick a document from the checklist")
        with self.db.write() as session:
            person, ap = self._person(session, person_id)
            self._working(ap, "documents can be ticked")
            ticked = {c for c in person.documents.split(",") if c}
            if seen:
                ticked.add(code)
            else:
                ticked.discard(code)
            person.documents = ",".join(sorted(ticked))
            ap.updated_at = self.clock.now()
            self._event(
                session,
                ap,
                "document_seen" if seen else "document_unticked",
                actor,
                f"person {person.id}: {code}",
            )
            return self._info(session, ap)

    def set_married(self, actor: Actor, person_id: int, married: bool) -> AppointmentInfo:
        require(actor, "appointment.work")
        person_id = check_id(person_id, "this person is no longer on the appointment")
        with self.db.write() as session:
            person, ap = self._person(session, person_id)
            if ap.status in ("completed", "cancelled", "rejected_missing_documents"):
                raise Conflict(f"This appointment is {STATUSES[ap.status]}; nothing was changed.")
            if married:
                birth = session.scalar(
                    select(Visitor.birth_date).where(Visitor.id == person.visitor_id)
                )
                why = married_refused(birth, ap.day)
                if why:
                    raise ValidationError("married", why + "; nothing was changed")
            person.married = married
            self._event(session, ap, "married_flag", actor, f"person {person.id}: {married}")
            return self._info(session, ap)

    def record_bsn(
        self, actor: Actor, person_id: int, outcome: str, number: str | None = None
    ) -> AppointmentInfo:
        """Issued at the desk (the number typed, checked), or to follow by post."""
        require(actor, "appointment.work")
        person_id = check_id(person_id, "this person is no longer on the appointment")
        if outcome not in BSN_OUTCOMES:
            raise ValidationError("bsn_outcome", "pick: issued at the desk, or to follow by post")
        store: str | None = None
        if outcome == "issued" and self.settings.bsn_storage == "number":
            store = check_bsn(number)
        with self.db.write() as session:
            person, ap = self._person(session, person_id)
            self._working(ap, "a BSN can be recorded")
            if ap.kind != "first_registration":
                raise Conflict("Only a first registration issues a BSN.")
            if store is not None:
                self._check_bsn_free(session, person, store)
            person.bsn_outcome = outcome
            person.bsn = store
            ap.updated_at = self.clock.now()
            self._event(session, ap, "bsn_" + outcome, actor, f"person {person.id}")
            audit.record(
                session,
                self.clock,
                action="bsn.record",
                actor=actor,
                object_type="appointment_person",
                object_id=person.id,
                reason=BSN_OUTCOMES[outcome],
            )
            return self._info(session, ap)

    def _check_bsn_free(self, session: Session, person: AppointmentPerson, number: str) -> None:
        """A BSN belongs to one person: refuse it when another visitor has it already,
        pointing at that record with the number masked (never the whole BSN)."""
        if session.get_bind().dialect.name == "postgresql":
            session.execute(select(func.pg_advisory_xact_lock(BSN_LOCK)))
        other = session.execute(
            select(
                AppointmentPerson.visitor_id, Appointment.reference, Appointment.id, Appointment.day
            )
            .join(Appointment, Appointment.id == AppointmentPerson.appointment_id)
            .where(
                AppointmentPerson.bsn == number,
                AppointmentPerson.visitor_id != person.visitor_id,
            )
            .order_by(AppointmentPerson.id)
            .limit(1)
        ).first()
        if other is None:
            return
        raise ValidationError(
            "bsn",
            f"this BSN ({mask_bsn(number)}) is already recorded for another person: visitor "
            f"record {other.visitor_id}, appointment {other.reference or other.id} of "
            f"{other.day:%d-%m-%Y}. Check the number; the team lead can resolve a mix-up",
        )

    def reveal_bsn(self, actor: Actor, person_id: int, reason: str) -> str:
        """The whole BSN, for a stated reason that goes into the audit log."""
        require(actor, "appointment.reveal_bsn")
        person_id = check_id(person_id, "this person is no longer on the appointment")
        why = clean_text(reason, "reason", label="The reason", max_length=300)
        if not why:
            raise ValidationError("reason", "say why you need to see the BSN")
        with self.db.write() as session:
            person = row_or_refuse(
                session, AppointmentPerson, person_id, "this person is no longer on the appointment"
            )
            if not person.bsn:
                raise NotFound(
                    "no BSN number is stored for this person"
                    + (
                        " (this centre keeps only 'BSN issued: yes/no')"
                        if self.settings.bsn_storage == "issued_flag"
                        else ""
                    )
                )
            audit.record(
                session,
                self.clock,
                action="bsn.reveal",
                actor=actor,
                object_type="appointment_person",
                object_id=person.id,
                reason=why,
            )
            return person.bsn

    def letter_collected(self, actor: Actor, appointment_id: int) -> AppointmentInfo:
        """A BSN collection: the person picked up their BSN letter."""
        require(actor, "appointment.work")
        appointment_id = check_id(appointment_id, "this appointment does not exist (any more)")
        with self.db.write() as session:
            ap = self._row(session, appointment_id, lock=True)
            if ap.kind != "bsn_collection":
                raise Conflict("Only a BSN collection appointment hands out a BSN letter.")
            self._working(ap, "the letter can be recorded")
            ap.letter_collected_at = self.clock.now()
            self._event(session, ap, "letter_collected", actor)
            return self._info(session, ap)

    def complete(
        self, actor: Actor, appointment_id: int, welcome_bags: Iterable[int] | None = None
    ) -> AppointmentInfo:
        """Finish: every document seen and every BSN outcome recorded. ``welcome_bags``
        names the persons given a welcome bag (default: every registered person)."""
        require(actor, "appointment.work")
        appointment_id = check_id(appointment_id, "this appointment does not exist (any more)")
        with self.db.write() as session:
            ap = self._row(session, appointment_id, lock=True)
            info = self._info(session, ap)
            if "completed" not in TRANSITIONS[ap.status]:
                self._move(session, ap, "completed", actor)  # raises with the reason
            if any(p.missing for p in info.persons):
                raise ValidationError(
                    "documents",
                    "some documents are not ticked yet: tick them, or reject the appointment "
                    "for missing documents",
                )
            if ap.kind == "first_registration" and any(p.bsn_outcome is None for p in info.persons):
                raise ValidationError(
                    "bsn_outcome",
                    "record the BSN outcome (issued or by post) for every person first",
                )
            if ap.kind == "bsn_collection" and ap.letter_collected_at is None:
                raise ValidationError("letter", "record that the BSN letter was collected first")
            gone = "this person is no longer on the appointment"
            bags = (
                {check_id(person_id, gone) for person_id in welcome_bags}
                if welcome_bags is not None
                else {p.id for p in info.persons}
            )
            if ap.kind == "first_registration":
                for person in session.scalars(
                    select(AppointmentPerson).where(AppointmentPerson.appointment_id == ap.id)
                ):
                    person.welcome_bag = person.id in bags
            ap.finished_at = self.clock.now()
            self._move(session, ap, "completed", actor)
            return self._info(session, ap)

    def reject_missing_documents(self, actor: Actor, appointment_id: int) -> AppointmentInfo:
        """End the appointment; the visitor gets the list of what to bring next time."""
        require(actor, "appointment.work")
        appointment_id = check_id(appointment_id, "this appointment does not exist (any more)")
        with self.db.write() as session:
            ap = self._row(session, appointment_id, lock=True)
            info = self._info(session, ap)
            if "rejected_missing_documents" not in TRANSITIONS[ap.status]:
                self._move(session, ap, "rejected_missing_documents", actor)  # raises
            if not any(p.missing for p in info.persons):
                raise ValidationError(
                    "documents", "every document is ticked; complete the appointment instead"
                )
            ap.bring_next_time = bring_next_time_text(info)
            ap.finished_at = self.clock.now()
            missing = sum(len(p.missing) for p in info.persons)
            self._move(
                session, ap, "rejected_missing_documents", actor, f"{missing} document(s) missing"
            )
            return self._info(session, ap)

    # -- employer invoices -------------------------------------------------------------
    def invoices(self, actor: Actor, quarter: str) -> list[InvoiceLine]:
        """Completed registrations paid by an employer, per person, in a quarter (audited:
        the caller holds the names)."""
        require(actor, "appointment.invoices")
        start, end = parse_quarter(quarter)
        with self.db.write() as session:
            lines = invoice_lines(session, start, end, self.is_exempt)
            audit.record(
                session,
                self.clock,
                action="export.invoices",
                actor=actor,
                object_type="quarter",
                object_id=quarter.strip().upper(),
            )
        return lines

    def export_invoices(self, actor: Actor, quarter: str, fmt: str, to: Target) -> InvoiceExport:
        """Write the invoice list of a quarter as CSV or XLSX ``to`` a file (private,
        atomic) or a callable; audited once written."""
        require(actor, "appointment.invoices")
        if fmt not in ("csv", "xlsx"):
            raise ValidationError("format", "the format is csv or xlsx")
        start, end = parse_quarter(quarter)
        if isinstance(to, Path):
            check_target(to)
        with self.db.read() as session:
            lines = invoice_lines(session, start, end, self.is_exempt)
        rows = invoice_rows(lines)
        deliver_audited(
            self.db,
            self.clock,
            actor,
            invoice_bytes(rows, fmt, invoice_totals(lines), self.settings.csv_delimiter),
            to,
            action="export.invoices",
            object_type="quarter",
            object_id=quarter.strip().upper(),
            reason=fmt,
        )
        employers = len({line.employer for line in lines})
        return InvoiceExport(persons=len(lines), employers=employers)
