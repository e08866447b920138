"""BSN registration appointments: the book, check-in, documents, the BSN outcome, fees.

One appointment covers a household (a main visitor, a partner, children): everyone being
registered attends. The lifecycle is ``booked -> checked_in -> in_progress -> completed``,
or ``no_show``, ``cancelled``, ``rejected_missing_documents``; every change is an
:class:`AppointmentEvent` with time and staff member.

The BSN is special. Data returned from here carries it masked (``******123``); the whole
number comes only from :meth:`AppointmentService.reveal_bsn`, with a reason that goes to
the audit log, and never to an intern. With the policy ``bsn_storage = "issued_flag"`` no
number is stored at all, only whether one was issued.

:class:`AppointmentBook` holds the book (booking, changes, cancelling) and what the
reads share; :class:`~frontdesk.services.appointments.service.AppointmentService` adds
the work at the desk and the employer invoices.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from frontdesk.clock import Clock
from frontdesk.config import WEEKDAYS, Hours, Settings
from frontdesk.db import Database
from frontdesk.db.models import (
    Appointment,
    AppointmentEvent,
    AppointmentPerson,
    Staff,
    Ticket,
    TicketEvent,
    Visitor,
)
from frontdesk.services.appointments.batch import book_households
from frontdesk.services.appointments.records import (
    AppointmentInfo,
    AppointmentInput,
    DocumentItem,
    EventInfo,
    PersonInfo,
    PersonInput,
    _Checked,
)
from frontdesk.services.appointments.rules import (
    _VERBS,
    DOCUMENTS,
    KINDS,
    RELATIONS,
    STATUSES,
    TICKET_END,
    TICKET_OPEN,
    TRANSITIONS,
    married_refused,
    mask_bsn,
    parse_time_of_day,
    required_documents,
)
from frontdesk.services.auth import Actor, require
from frontdesk.services.capacity import (
    capacity_in,
    full_slot,
    lock_day,
    nearest_free,
    slot_words,
)
from frontdesk.services.dml import rowcount
from frontdesk.services.employers import apply as canonical_employer
from frontdesk.services.employers import employer_index
from frontdesk.services.errors import Conflict, NotFound, ValidationError, check_id
from frontdesk.services.fields import parse_date
from frontdesk.services.mail import queue_appointment_mail
from frontdesk.services.mail.compose import household
from frontdesk.services.queue import QueueService
from frontdesk.services.queue.sync import announce
from frontdesk.services.records import record_of
from frontdesk.services.rows import live_visitor
from frontdesk.services.rules import CentreRulesService, hours_in
from frontdesk.services.text import clean_text, fold
from frontdesk.services.visitors import VisitorInput, VisitorService, check_visitor


class _OutsideBsnHours(ValidationError):
    """A time outside the BSN hours, with the moment asked for (local): a move adds the
    nearest free slot to the message."""

    def __init__(self, message: str, start: datetime, minutes: int) -> None:
        super().__init__("time", message)
        self.start, self.minutes = start, minutes


class AppointmentBook:
    """The appointment book: the rules in force, booking, changes, reads."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        clock: Clock,
        visitors: VisitorService,
        queue: QueueService,
        rules: CentreRulesService,
    ) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.visitors = visitors
        self.queue = queue
        self.rules = rules

    # -- settings-derived rules ------------------------------------------------------
    def is_exempt(self, employer: str | None) -> bool:
        if not employer:
            return False
        return fold(employer) in {fold(e) for e in self.settings.exempt_employers}

    def person_fee(self, kind: str, relation: str, employer: str | None) -> int:
        if kind != "first_registration" or self.is_exempt(employer):
            return 0
        key = {"main": "first"}.get(relation, relation)
        return round(float(self.settings.fees.get(key, 0.0)) * 100)

    # The BSN hours are the lead's (services.rules): the config's until the lead changes them.
    def bsn_hours(self, hours: Sequence[Hours] | None = None) -> str:
        spans = [
            f"{WEEKDAYS[h.weekday].capitalize()} {h.start:%H:%M}-{h.end:%H:%M}"
            for h in sorted(
                self.rules.hours() if hours is None else hours, key=lambda h: (h.weekday, h.start)
            )
            if h.kind == "bsn_appointments"
        ]
        return ", ".join(spans) or "none set"

    def hours_on(self, day: date) -> list[Hours]:
        """The BSN appointment blocks of one day, earliest first."""
        return sorted(
            (
                h
                for h in self.rules.hours()
                if h.kind == "bsn_appointments" and h.weekday == day.weekday()
            ),
            key=lambda h: h.start,
        )

    def _in_bsn_hours(self, day: date, start: time, minutes: int, hours: Sequence[Hours]) -> bool:
        begin = datetime.combine(day, start)
        end = begin + timedelta(minutes=minutes)
        for h in hours:
            if h.kind != "bsn_appointments" or h.weekday != day.weekday():
                continue
            if datetime.combine(day, h.start) <= begin and end <= datetime.combine(day, h.end):
                return True
        return False

    def _outside_bsn_hours(
        self, hours: Sequence[Hours], start: datetime, minutes: int
    ) -> _OutsideBsnHours:
        return _OutsideBsnHours(
            f"this is outside the BSN appointment hours ({self.bsn_hours(hours)})", start, minutes
        )

    def _nearest_instead(
        self, session: Session, error: _OutsideBsnHours, appointment_id: int
    ) -> ValidationError:
        """A refused move (outside the BSN hours) with the nearest free slot added."""
        nearest = nearest_free(
            session,
            hours_in(session, self.settings),
            self.clock.tz,
            error.start,
            error.minutes,
            capacity_in(session),
            now=self.clock.now(),
            leave_out=appointment_id,
        )
        return ValidationError("time", f"{error.message}; {slot_words(nearest)}")

    def slots(self, day: date, minutes: int = 30) -> list[time]:
        """The slot start times in the BSN hours of a day."""
        out: list[time] = []
        for h in self.hours_on(day):
            moment = datetime.combine(day, h.start)
            while moment + timedelta(minutes=minutes) <= datetime.combine(day, h.end):
                out.append(moment.time())
                moment += timedelta(minutes=minutes)
        return out

    # -- checking input ----------------------------------------------------------------
    def check(
        self,
        data: AppointmentInput,
        hours: Sequence[Hours] | None = None,
        employers: Mapping[str, str] | None = None,
        known: Mapping[VisitorInput, dict[str, Any]] | None = None,
    ) -> _Checked:
        """Validate a whole booking; the first problem raises, naming its field.

        ``hours``, ``employers``: the BSN hours and the lead's employer spellings, when the
        caller has read them already (an import checks thousands of households against one
        reading). Employer names come out in the lead's spelling. ``known``: persons'
        details the caller has checked already (:func:`check_visitor`, today)."""
        if data.kind not in KINDS:
            raise ValidationError(
                "kind", "pick the type: first registration, BSN collection or other"
            )
        day = parse_date(data.day, "day", "The date")
        if day is None:
            raise ValidationError("day", "type the date of the appointment")
        start = parse_time_of_day(data.time)
        try:
            minutes = int(data.minutes if data.minutes not in (None, "") else 30)
        except (TypeError, ValueError):
            raise ValidationError(
                "minutes", "the slot length must be a number of minutes"
            ) from None
        if not 5 <= minutes <= 240:
            raise ValidationError("minutes", "the slot length must be between 5 and 240 minutes")
        if data.kind in ("first_registration", "bsn_collection"):
            if hours is None:
                hours = self.rules.hours()
            if not self._in_bsn_hours(day, start, minutes, hours):
                moment = datetime.combine(day, start, tzinfo=self.clock.tz)
                raise self._outside_bsn_hours(hours, moment, minutes)
        start_at = datetime.combine(day, start, tzinfo=self.clock.tz)
        employer = clean_text(data.employer, "employer", label="The employer", max_length=200)
        if employer is not None and fold(employer) in ("private", "self", "-"):
            employer = None
        if employers is None:
            employers = employer_index(self.db)
        employer = canonical_employer(employers, employer)
        notes = clean_text(data.notes, "notes", label="The notes", max_length=2000, multiline=True)
        reference = clean_text(data.reference, "reference", label="The reference", max_length=60)
        if not data.people:
            raise ValidationError("p0_given_names", "type the main person's name")
        people: list[tuple[PersonInput, dict[str, Any]]] = []
        today = self.clock.today()
        partners = 0
        for i, person in enumerate(data.people):
            if (i == 0) != (person.relation == "main"):
                raise ValidationError(
                    f"p{i}_relation",
                    "the household needs exactly one main person, first"
                    if i == 0
                    else "only one main person per household; pick partner or child",
                )
            if person.relation not in RELATIONS:
                raise ValidationError(f"p{i}_relation", "pick partner or child")
            partners += person.relation == "partner"
            if partners > 1:
                raise ValidationError(f"p{i}_relation", "a household has at most one partner")
            try:
                done = known.get(person.data) if known is not None else None
                values = dict(done) if done is not None else check_visitor(person.data, today)
            except ValidationError as exc:
                raise ValidationError(f"p{i}_{exc.field}", exc.message) from None
            if data.kind == "first_registration" and values["birth_date"] is None:
                raise ValidationError(
                    f"p{i}_birth_date", "the date of birth is needed for a registration"
                )
            values["employer"] = canonical_employer(employers, values["employer"])
            why = married_refused(values["birth_date"], day) if person.married else None
            if why:
                raise ValidationError(f"p{i}_married", why + "; untick Married")
            people.append((person, values))
        return _Checked(
            data.kind, day, start_at.astimezone(UTC), minutes, employer, notes, reference, people
        )

    # -- reading -----------------------------------------------------------------------
    def _person_info(self, ap: Appointment, p: AppointmentPerson, v: Visitor) -> PersonInfo:
        ticked = {c for c in p.documents.split(",") if c}
        codes = required_documents(ap.kind, p.relation, v.nationality, p.married, bool(v.employer))
        return PersonInfo(
            id=p.id,
            visitor_id=v.id,
            name=" ".join(x for x in (v.given_names, v.family_name) if x),
            relation=p.relation,
            birth_date=v.birth_date,
            nationality=v.nationality,
            married=p.married,
            fee_cents=p.fee_cents,
            documents=tuple(DocumentItem(c, DOCUMENTS[c], c in ticked) for c in codes),
            bsn_outcome=p.bsn_outcome,
            bsn_masked=mask_bsn(p.bsn),
            welcome_bag=p.welcome_bag,
        )

    def _info(self, session: Session, ap: Appointment) -> AppointmentInfo:
        session.flush()
        rows = household(session, ap.id)
        label = (
            session.scalar(select(Ticket.label).where(Ticket.id == ap.ticket_id))
            if ap.ticket_id
            else None
        )
        return record_of(
            AppointmentInfo,
            ap,
            exempt=self.is_exempt(ap.employer),
            persons=tuple(self._person_info(ap, p, v) for p, v in rows),
            ticket_label=label,
        )

    def day(self, actor: Actor, day: date) -> list[AppointmentInfo]:
        """The appointments of a local day, by start time."""
        require(actor, "appointment.view")
        with self.db.read() as session:
            rows = session.scalars(
                select(Appointment)
                .where(Appointment.day == day)
                .order_by(Appointment.start_at, Appointment.id)
            )
            return [self._info(session, a) for a in rows]

    def get(self, actor: Actor, appointment_id: int) -> AppointmentInfo:
        require(actor, "appointment.view")
        appointment_id = check_id(appointment_id, "this appointment does not exist (any more)")
        with self.db.read() as session:
            return self._info(session, self._row(session, appointment_id))

    def history(self, actor: Actor, appointment_id: int) -> list[EventInfo]:
        require(actor, "appointment.view")
        appointment_id = check_id(appointment_id, "this appointment does not exist (any more)")
        with self.db.read() as session:
            rows = session.execute(
                select(AppointmentEvent, Staff.name)
                .outerjoin(Staff, Staff.id == AppointmentEvent.staff_id)
                .where(AppointmentEvent.appointment_id == appointment_id)
                .order_by(AppointmentEvent.at, AppointmentEvent.id)
            )
            return [EventInfo(e.at, e.action, e.status, name, e.detail) for e, name in rows]

    # -- writing helpers ---------------------------------------------------------------
    def _row(self, session: Session, appointment_id: int, *, lock: bool = False) -> Appointment:
        stmt = select(Appointment).where(Appointment.id == appointment_id)
        if lock and session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        row = session.scalar(stmt)
        if row is None:
            raise NotFound("this appointment does not exist (any more)")
        return row

    def _event(
        self,
        session: Session,
        ap: Appointment,
        action: str,
        actor: Actor | None,
        detail: str | None = None,
    ) -> None:
        session.add(
            AppointmentEvent(
                appointment_id=ap.id,
                at=self.clock.now(),
                action=action,
                status=ap.status,
                staff_id=(actor.staff_id or None) if actor else None,
                detail=detail[:300] if detail else None,
            )
        )

    def _move(
        self, session: Session, ap: Appointment, to: str, actor: Actor, detail: str | None = None
    ) -> None:
        if to not in TRANSITIONS[ap.status]:
            raise Conflict(
                f"This appointment is {STATUSES[ap.status]}; it cannot be {_VERBS[to]}. "
                "Nothing was changed."
            )
        ap.status = to
        ap.updated_at = self.clock.now()
        self._event(session, ap, to, actor, detail)
        if to in TICKET_END:
            self._end_ticket(session, ap, to, actor)

    def _end_ticket(self, session: Session, ap: Appointment, to: str, actor: Actor) -> None:
        """End the household's queue ticket with its appointment, so a completed (or
        cancelled, no-show) household leaves the desk's queue and cannot be called.

        One conditional UPDATE: only a ticket still waiting, called or on hold changes (a
        desk that finished it meanwhile is not overwritten); an event row when it did.
        """
        if ap.ticket_id is None:
            return
        status, action = TICKET_END[to]
        now = self.clock.now()
        changed = session.execute(
            update(Ticket)
            .where(Ticket.id == ap.ticket_id, Ticket.status.in_(TICKET_OPEN))
            .values(status=status, finished_at=now)
            .execution_options(synchronize_session=False)
        )
        if rowcount(changed) != 1:
            return
        session.execute(
            insert(TicketEvent).values(
                ticket_id=ap.ticket_id,
                at=now,
                action=action,
                staff_id=actor.staff_id or None,
                desk=actor.desk,
                detail=f"appointment {STATUSES[to]}",
            )
        )
        announce(session)  # the desks and boards show it at once (services/queue/sync.py)

    def _visitor_for(
        self, session: Session, person: PersonInput, values: dict[str, Any], *, update: bool
    ) -> tuple[Visitor, bool]:
        """The visitor this person is: the one named, the same name and birth date, or new."""
        row: Visitor | None = None
        if person.visitor_id is not None:
            gone = "one of the visitors of this household no longer exists"
            row = live_visitor(session, check_id(person.visitor_id, gone), gone)
        elif values["birth_date"] is not None:
            row = session.scalar(
                select(Visitor)
                .where(
                    Visitor.search_key == values["search_key"],
                    Visitor.birth_date == values["birth_date"],
                    Visitor.anonymised_at.is_(None),
                )
                .order_by(Visitor.id)
                .limit(1)
            )
        if row is None:
            return self.visitors.create_in(session, values), True
        return row, self._fill(row, values) if update else False

    def _fill(self, row: Visitor, values: dict[str, Any]) -> bool:
        """Fill and correct a visitor from checked values; True when anything changed.
        An import or a form does not blank what the desk knows."""
        changed = False
        for key, value in values.items():
            if value is not None and value != "" and getattr(row, key) != value:
                setattr(row, key, value)
                changed = True
        if changed:
            row.updated_at = self.clock.now()
        return changed

    def _set_people(self, session: Session, ap: Appointment, checked: _Checked) -> bool:
        """Make the household's persons match the input; True when anything changed."""
        existing = list(
            session.scalars(
                select(AppointmentPerson)
                .where(AppointmentPerson.appointment_id == ap.id)
                .order_by(AppointmentPerson.position, AppointmentPerson.id)
            )
        )
        by_visitor = {p.visitor_id: p for p in existing}
        changed = False
        keep: set[int] = set()
        total = 0
        for position, (person, values) in enumerate(checked.people):
            visitor, visitor_changed = self._visitor_for(session, person, values, update=True)
            changed |= visitor_changed
            fee = self.person_fee(checked.kind, person.relation, checked.employer)
            total += fee
            row = by_visitor.get(visitor.id)
            if row is None or row.id in keep:
                row = AppointmentPerson(
                    appointment_id=ap.id,
                    visitor_id=visitor.id,
                    relation=person.relation,
                    position=position,
                    married=bool(person.married),
                    fee_cents=fee,
                    documents="",
                    welcome_bag=False,
                )
                session.add(row)
                session.flush()
                changed = True
            else:
                married = row.married if person.married is None else person.married
                new = (person.relation, position, married, fee)
                if (row.relation, row.position, row.married, row.fee_cents) != new:
                    row.relation, row.position, row.married, row.fee_cents = new
                    changed = True
            keep.add(row.id)
        for row in existing:
            if row.id not in keep:
                session.delete(row)
                changed = True
        ap.fee_cents = total
        return changed

    # -- the book ----------------------------------------------------------------------
    def book_in(self, session: Session, actor: Actor, checked: _Checked) -> Appointment:
        now = self.clock.now()
        ap = Appointment(
            reference=checked.reference,
            kind=checked.kind,
            day=checked.day,
            start_at=checked.start_at,
            minutes=checked.minutes,
            employer=checked.employer,
            fee_cents=0,
            status="booked",
            notes=checked.notes,
            created_at=now,
            updated_at=now,
        )
        session.add(ap)
        session.flush()
        self._set_people(session, ap, checked)
        self._event(session, ap, "booked", actor, f"{len(checked.people)} person(s)")
        queue_appointment_mail(session, self.clock, self.settings, ap.id, "booked")
        return ap

    def book_many_in(self, session: Session, actor: Actor, households: Sequence[_Checked]) -> None:
        """Book new households at once, as :meth:`book_in` books each (an import's chunk):
        see :func:`~frontdesk.services.appointments.batch.book_households`."""
        book_households(self, session, actor, households)

    def book(self, actor: Actor, data: AppointmentInput) -> AppointmentInfo:
        require(actor, "appointment.book")
        checked = self.check(data)
        with self.db.write() as session:
            if checked.reference and session.scalar(
                select(Appointment.id).where(Appointment.reference == checked.reference)
            ):
                raise ValidationError("reference", "another appointment has this reference")
            self._check_room(session, checked.kind, checked.start_at, checked.minutes)
            return self._info(session, self.book_in(session, actor, checked))

    def _check_room(
        self,
        session: Session,
        kind: str,
        start_at: datetime,
        minutes: int,
        leave_out: int | None = None,
    ) -> None:
        """Refuse a full slot, naming the next free one (services/capacity.py)."""
        lock_day(session, self.clock.to_local(start_at).date())
        hours = hours_in(session, self.settings)
        full = full_slot(
            session, hours, self.clock.tz, kind, start_at, minutes, leave_out=leave_out
        )
        if full is None:
            return
        if leave_out is None:  # a new booking: the next free slot
            raise ValidationError("time", full.message)
        nearest = nearest_free(  # a move: the nearest free slot, earlier or later
            session,
            hours,
            self.clock.tz,
            self.clock.to_local(start_at),
            minutes,
            full.capacity,
            now=self.clock.now(),
            leave_out=leave_out,
        )
        raise ValidationError("time", full.message_with(slot_words(nearest)))

    def update_in(self, session: Session, actor: Actor, ap: Appointment, checked: _Checked) -> bool:
        """Apply a changed booking; True when anything changed (then an event is written)."""
        if ap.status not in ("booked", "no_show"):
            raise Conflict(
                f"This appointment is {STATUSES[ap.status]}; only a booked one can be changed."
            )
        fields_new = (checked.kind, checked.start_at, checked.minutes, checked.employer)
        moved = ap.start_at != checked.start_at
        changed = (ap.kind, ap.start_at, ap.minutes, ap.employer) != fields_new
        ap.kind, ap.start_at, ap.minutes, ap.employer = fields_new
        ap.day = checked.day
        if checked.notes is not None and checked.notes != ap.notes:
            ap.notes = checked.notes
            changed = True
        changed |= self._set_people(session, ap, checked)
        if changed:
            ap.updated_at = self.clock.now()
            if moved and ap.status == "no_show":
                ap.status = "booked"
            self._event(session, ap, "rescheduled" if moved else "changed", actor)
            if moved:
                queue_appointment_mail(session, self.clock, self.settings, ap.id, "moved")
        return changed

    def update(self, actor: Actor, appointment_id: int, data: AppointmentInput) -> AppointmentInfo:
        require(actor, "appointment.book")
        appointment_id = check_id(appointment_id, "this appointment does not exist (any more)")
        try:
            checked = self.check(data)
        except _OutsideBsnHours as error:
            with self.db.read() as session:
                raise self._nearest_instead(session, error, appointment_id) from None
        with self.db.write() as session:
            ap = self._row(session, appointment_id, lock=True)
            if (ap.kind, ap.start_at, ap.minutes) != (
                checked.kind,
                checked.start_at,
                checked.minutes,
            ):
                self._check_room(
                    session, checked.kind, checked.start_at, checked.minutes, leave_out=ap.id
                )
            self.update_in(session, actor, ap, checked)
            return self._info(session, ap)

    def reschedule(
        self, actor: Actor, appointment_id: int, day: str | date, at: str | time
    ) -> AppointmentInfo:
        require(actor, "appointment.book")
        appointment_id = check_id(appointment_id, "this appointment does not exist (any more)")
        new_day = parse_date(day, "day", "The date")
        if new_day is None:
            raise ValidationError("day", "type the new date")
        start = parse_time_of_day(at)
        hours = self.rules.hours()
        with self.db.write() as session:
            ap = self._row(session, appointment_id, lock=True)
            if ap.status not in ("booked", "no_show"):
                raise Conflict(
                    f"This appointment is {STATUSES[ap.status]}; only a booked one can be moved."
                )
            if ap.kind != "other" and not self._in_bsn_hours(new_day, start, ap.minutes, hours):
                moment = datetime.combine(new_day, start, tzinfo=self.clock.tz)
                refused = self._outside_bsn_hours(hours, moment, ap.minutes)
                raise self._nearest_instead(session, refused, ap.id)
            old = self.clock.to_local(ap.start_at)
            new_start = datetime.combine(new_day, start, tzinfo=self.clock.tz).astimezone(UTC)
            if new_start != ap.start_at:
                self._check_room(session, ap.kind, new_start, ap.minutes, leave_out=ap.id)
            ap.start_at = datetime.combine(new_day, start, tzinfo=self.clock.tz)
            ap.day = new_day
            ap.status = "booked"
            ap.updated_at = self.clock.now()
            self._event(
                session,
                ap,
                "rescheduled",
                actor,
                f"from {old:%Y-%m-%d %H:%M} to {new_day} {start:%H:%M}",
            )
            queue_appointment_mail(session, self.clock, self.settings, ap.id, "moved")
            return self._info(session, ap)

    def cancel(self, actor: Actor, appointment_id: int, reason: str | None) -> AppointmentInfo:
        """Cancel with a reason (required: it is what the next clerk reads)."""
        require(actor, "appointment.book")
        appointment_id = check_id(appointment_id, "this appointment does not exist (any more)")
        why = clean_text(reason, "reason", label="The reason", max_length=300)
        if not why:
            raise ValidationError("reason", "say why the appointment is cancelled")
        with self.db.write() as session:
            ap = self._row(session, appointment_id, lock=True)
            self._move(session, ap, "cancelled", actor, why)
            queue_appointment_mail(session, self.clock, self.settings, ap.id, "cancelled")
            return self._info(session, ap)
