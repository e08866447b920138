"""BSN registration appointments: the book, check-in, documents, the BSN outcome, fees.

One appointment covers a household (a main visitor, a partner, children): everyone being
registered attends. The lifecycle is ``booked -> checked_in -> in_progress -> completed``,
or ``no_show``, ``cancelled``, ``rejected_missing_documents``; every change is an
:class:`AppointmentEvent` with time and staff member.

The BSN is special. Data returned from here carries it masked (``******123``); the whole
number comes only from :meth:`AppointmentService.reveal_bsn`, with a reason that goes to
the audit log, and never to an intern. With the policy ``bsn_storage = "issued_flag"`` no
number is stored at all, only whether one was issued.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Select, func, insert, or_, select, update
from sqlalchemy.orm import Session
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.nl import bsn as stdnum_bsn

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
from frontdesk.services import audit
from frontdesk.services.auth import Actor, require
from frontdesk.services.dml import rowcount
from frontdesk.services.errors import Conflict, NotFound, ValidationError, check_id
from frontdesk.services.exports import (
    Target,
    append_row,
    check_target,
    csv_text,
    deliver_audited,
    workbook_bytes,
    write_private,
)
from frontdesk.services.fields import parse_date
from frontdesk.services.mail import queue_appointment_mail
from frontdesk.services.privacy import ERASED_TEXT, json_value, staff_names
from frontdesk.services.queue import QueueService
from frontdesk.services.rules import CentreRulesService
from frontdesk.services.text import clean_text, fold
from frontdesk.services.visitors import VisitorInput, VisitorService, check_visitor

KINDS: dict[str, str] = {
    "first_registration": "First registration",
    "bsn_collection": "BSN collection",
    "other": "Other",
}
RELATIONS: dict[str, str] = {"main": "Main person", "partner": "Partner", "child": "Child"}
STATUSES: dict[str, str] = {
    "booked": "booked",
    "checked_in": "checked in",
    "in_progress": "in progress",
    "completed": "completed",
    "no_show": "no-show",
    "cancelled": "cancelled",
    "rejected_missing_documents": "rejected: documents missing",
}
# Which status may follow which. A household that was marked no-show and turns up late
# after all may still be checked in.
TRANSITIONS: dict[str, frozenset[str]] = {
    "booked": frozenset({"checked_in", "no_show", "cancelled"}),
    # A checked-in household that leaves before being served is cancelled or a no-show.
    "checked_in": frozenset({"in_progress", "rejected_missing_documents", "cancelled", "no_show"}),
    "in_progress": frozenset({"completed", "rejected_missing_documents"}),
    "no_show": frozenset({"checked_in"}),
    "completed": frozenset(),
    "cancelled": frozenset(),
    "rejected_missing_documents": frozenset(),
}
_VERBS = {
    "checked_in": "checked in",
    "in_progress": "started",
    "completed": "completed",
    "no_show": "marked no-show",
    "cancelled": "cancelled",
    "rejected_missing_documents": "rejected for missing documents",
}
# What the household's queue ticket becomes when the appointment ends: (ticket status,
# ticket event action). The ticket follows its appointment in the same transaction.
TICKET_END: dict[str, tuple[str, str]] = {
    "completed": ("done", "finished"),
    "rejected_missing_documents": ("done", "finished"),
    "cancelled": ("cancelled", "cancelled"),
    "no_show": ("no_show", "no_show"),
}
TICKET_OPEN = ("waiting", "called", "on_hold")
SERVICE_FOR_KIND = {
    "first_registration": "bsn_registration",
    "bsn_collection": "bsn_collection",
    "other": "bsn_registration",
}
BSN_OUTCOMES = {"issued": "issued at the desk", "by_post": "to follow by post"}

# EU and EEA member states, and Switzerland (free movement: no residence permit, no
# legalised birth certificate needed).
_EU = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE"
EU_EEA: frozenset[str] = frozenset((_EU + " IS LI NO CH").split(" "))

DOCUMENTS: dict[str, str] = {
    "id": "Valid passport or EU identity card",
    "birth_certificate": "Full birth certificate",
    "birth_certificate_legalised": "Full birth certificate, legalised or with an apostille",
    "address": "Proof of address (rental contract, owner's declaration or the "
    "employer-address form)",
    "job_letter": "Job letter (employment contract or employer's declaration)",
    "residence_permit": "Residence permit or IND letter",
    "marriage": "Marriage or divorce certificate",
}
# Short names for the screen's checklist (the long ones go on the "bring next time" list).
DOCUMENT_SHORT: dict[str, str] = {
    "id": "Passport or EU ID",
    "birth_certificate": "Birth certificate",
    "birth_certificate_legalised": "Birth certificate, legalised/apostille",
    "address": "Proof of address",
    "job_letter": "Job letter",
    "residence_permit": "Residence permit / IND letter",
    "marriage": "Marriage/divorce certificate",
}
_TIME = re.compile(r"^\s*(\d{1,2})[:.h](\d{2})\s*$")


# -- plain data returned to screens, the CLI and tests --------------------------------
@dataclass(frozen=True)
class DocumentItem:
    code: str
    label: str
    ticked: bool

    @property
    def short(self) -> str:
        return DOCUMENT_SHORT.get(self.code, self.label)


@dataclass(frozen=True)
class PersonInfo:
    """A person of the household. The BSN only ever appears masked here."""

    id: int
    visitor_id: int
    name: str
    relation: str
    birth_date: date | None
    nationality: str | None
    married: bool
    fee_cents: int
    documents: tuple[DocumentItem, ...]
    bsn_outcome: str | None
    bsn_masked: str | None  # "******123"; None when no number is stored
    welcome_bag: bool

    @property
    def missing(self) -> tuple[DocumentItem, ...]:
        return tuple(d for d in self.documents if not d.ticked)

    @property
    def bsn_text(self) -> str:
        """What a screen shows: the masked number, or "issued" / "by post" / "-"."""
        if self.bsn_outcome == "issued":
            return self.bsn_masked or "issued"
        if self.bsn_outcome == "by_post":
            return "by post"
        return "-"


@dataclass(frozen=True)
class AppointmentInfo:
    id: int
    reference: str | None
    kind: str
    day: date
    start_at: datetime
    minutes: int
    employer: str | None
    exempt: bool
    fee_cents: int
    status: str
    persons: tuple[PersonInfo, ...]
    ticket_id: int | None
    ticket_label: str | None
    arrived_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    letter_collected_at: datetime | None
    bring_next_time: str | None
    notes: str | None

    @property
    def main(self) -> PersonInfo | None:
        return self.persons[0] if self.persons else None

    @property
    def late_minutes(self) -> int:
        if self.arrived_at is None or self.arrived_at <= self.start_at:
            return 0
        return int((self.arrived_at - self.start_at).total_seconds() // 60)

    @property
    def payer(self) -> str:
        return self.employer or "private"


@dataclass(frozen=True)
class EventInfo:
    at: datetime
    action: str
    status: str
    staff_name: str | None
    detail: str | None


@dataclass(frozen=True)
class InvoiceLine:
    """One registered person on an employer's quarterly invoice. Never a BSN."""

    employer: str
    day: date
    reference: str
    name: str
    relation: str
    fee_cents: int
    exempt: bool


# -- input -----------------------------------------------------------------------------
@dataclass(frozen=True)
class PersonInput:
    """A person of the household as a form or an import row gives it."""

    relation: str = "main"
    data: VisitorInput = field(default_factory=VisitorInput)
    visitor_id: int | None = None  # an existing visitor (their details may be corrected)
    married: bool | None = False  # None: keep what the desk recorded (imports)


@dataclass(frozen=True)
class AppointmentInput:
    kind: str = "first_registration"
    day: str | date | None = None
    time: str | time | None = None
    minutes: int | str | None = 30
    employer: str | None = None
    notes: str | None = None
    reference: str | None = None
    people: tuple[PersonInput, ...] = ()


@dataclass
class _Checked:
    kind: str
    day: date
    start_at: datetime
    minutes: int
    employer: str | None
    notes: str | None
    reference: str | None
    people: list[tuple[PersonInput, dict[str, Any]]]


# -- helpers ---------------------------------------------------------------------------
def mask_bsn(number: str | None) -> str | None:
    return None if not number else "*" * (len(number) - 3) + number[-3:]


ADULT_AGE = 18


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _married_refused(birth: date | None, day: date) -> str | None:
    """Why marital status does not apply to this person on this day; None if it does."""
    if birth is not None and age_on(birth, day) < ADULT_AGE:
        return "a child (under 18 on the appointment day) has no marital status"
    return None


# Recording a BSN number: one at a time across desks on PostgreSQL (transaction-scoped
# advisory lock), so two desks cannot give the same number to two people at once.
_BSN_LOCK = 0x62736E


def check_bsn(value: object, field: str = "bsn") -> str:
    """8 or 9 digits (8 get a leading zero), the eleven-test, not all zeros (python-stdnum).

    The message never repeats the number typed.
    """
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(field, "type the BSN (9 digits)")
    digits = re.sub(r"[\s.\-]", "", value)
    if not digits.isdigit():
        raise ValidationError(field, "a BSN has only digits")
    if len(digits) not in (8, 9):
        raise ValidationError(field, "a BSN has 9 digits (or 8, without the leading zero)")
    try:
        return str(stdnum_bsn.validate(digits))
    except StdnumError:
        raise ValidationError(
            field, "this is not a valid BSN (the check digit does not match); check the digits"
        ) from None


def parse_time_of_day(value: object, field: str = "time") -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        match = _TIME.match(value)
        if match:
            hour, minute = int(match.group(1)), int(match.group(2))
            if hour < 24 and minute < 60:
                return time(hour, minute)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError(field, "type the time, e.g. 09:30")
    raise ValidationError(field, "this is not a time; write it as 09:30")


def is_eu(nationality: str | None) -> bool:
    return nationality is not None and nationality.upper() in EU_EEA


def required_documents(
    kind: str,
    relation: str,
    nationality: str | None,
    married: bool,
    has_employer: bool,
) -> list[str]:
    """The documents this person must show, derived from who they are."""
    if kind != "first_registration":
        return ["id"]
    codes = ["id", "birth_certificate" if is_eu(nationality) else "birth_certificate_legalised"]
    if relation == "main":
        codes += ["address", "job_letter"]
    elif relation == "partner" and has_employer:
        codes.append("job_letter")
    if not is_eu(nationality):  # unknown nationality: ask, the clerk can tick it
        codes.append("residence_permit")
    if married:
        codes.append("marriage")
    return codes


def euro(cents: int) -> str:
    return f"€{cents // 100},{cents % 100:02d}"


@dataclass(frozen=True)
class InvoiceExport:
    persons: int
    employers: int


def parse_quarter(text: str) -> tuple[date, date]:
    """ "2026Q4" (or "2026-Q4", "q4 2026") -> first day, first day of the next quarter."""
    match = re.fullmatch(r"\s*(\d{4})\s*-?\s*[qQ]([1-4])\s*|\s*[qQ]([1-4])\s*-?\s*(\d{4})\s*", text)
    if not match:
        raise ValidationError("quarter", "write the quarter as 2026Q4")
    year = int(match.group(1) or match.group(4))
    q = int(match.group(2) or match.group(3))
    if not 1900 <= year <= 2999:
        raise ValidationError("quarter", "the quarter's year must be between 1900 and 2999")
    start = date(year, 3 * q - 2, 1)
    end = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return start, end


class AppointmentService:
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

    def _outside_bsn_hours(self, hours: Sequence[Hours]) -> ValidationError:
        return ValidationError(
            "time", f"this is outside the BSN appointment hours ({self.bsn_hours(hours)})"
        )

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
    def check(self, data: AppointmentInput, hours: Sequence[Hours] | None = None) -> _Checked:
        """Validate a whole booking; the first problem raises, naming its field.

        ``hours``: the BSN hours in force, when the caller has read them already (an
        import checks thousands of households against one reading)."""
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
                raise self._outside_bsn_hours(hours)
        start_at = datetime.combine(day, start, tzinfo=self.clock.tz)
        employer = clean_text(data.employer, "employer", label="The employer", max_length=200)
        if employer is not None and fold(employer) in ("private", "self", "-"):
            employer = None
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
                values = check_visitor(person.data, today)
            except ValidationError as exc:
                raise ValidationError(f"p{i}_{exc.field}", exc.message) from None
            if data.kind == "first_registration" and values["birth_date"] is None:
                raise ValidationError(
                    f"p{i}_birth_date", "the date of birth is needed for a registration"
                )
            why = _married_refused(values["birth_date"], day) if person.married else None
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
        rows = session.execute(
            select(AppointmentPerson, Visitor)
            .join(Visitor, Visitor.id == AppointmentPerson.visitor_id)
            .where(AppointmentPerson.appointment_id == ap.id)
            .order_by(AppointmentPerson.position, AppointmentPerson.id)
        ).all()
        label = (
            session.scalar(select(Ticket.label).where(Ticket.id == ap.ticket_id))
            if ap.ticket_id
            else None
        )
        return AppointmentInfo(
            id=ap.id,
            reference=ap.reference,
            kind=ap.kind,
            day=ap.day,
            start_at=ap.start_at,
            minutes=ap.minutes,
            employer=ap.employer,
            exempt=self.is_exempt(ap.employer),
            fee_cents=ap.fee_cents,
            status=ap.status,
            persons=tuple(self._person_info(ap, p, v) for p, v in rows),
            ticket_id=ap.ticket_id,
            ticket_label=label,
            arrived_at=ap.arrived_at,
            started_at=ap.started_at,
            finished_at=ap.finished_at,
            letter_collected_at=ap.letter_collected_at,
            bring_next_time=ap.bring_next_time,
            notes=ap.notes,
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

    def _visitor_for(
        self, session: Session, person: PersonInput, values: dict[str, Any], *, update: bool
    ) -> tuple[Visitor, bool]:
        """The visitor this person is: the one named, the same name and birth date, or new."""
        row: Visitor | None = None
        if person.visitor_id is not None:
            gone = "one of the visitors of this household no longer exists"
            row = session.get(Visitor, check_id(person.visitor_id, gone))
            if row is None or row.anonymised_at is not None:
                raise NotFound("one of the visitors of this household no longer exists")
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
        changed = False
        if update:
            for key, value in values.items():
                # An import or a form fills and corrects; it does not blank what the desk knows.
                if value is not None and value != "" and getattr(row, key) != value:
                    setattr(row, key, value)
                    changed = True
            if changed:
                row.updated_at = self.clock.now()
        return row, changed

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

    def book(self, actor: Actor, data: AppointmentInput) -> AppointmentInfo:
        require(actor, "appointment.book")
        checked = self.check(data)
        with self.db.write() as session:
            if checked.reference and session.scalar(
                select(Appointment.id).where(Appointment.reference == checked.reference)
            ):
                raise ValidationError("reference", "another appointment has this reference")
            return self._info(session, self.book_in(session, actor, checked))

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
        checked = self.check(data)
        with self.db.write() as session:
            ap = self._row(session, appointment_id, lock=True)
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
                raise self._outside_bsn_hours(hours)
            old = self.clock.to_local(ap.start_at)
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

    # -- at the desk -------------------------------------------------------------------
    def check_in(self, actor: Actor, appointment_id: int) -> AppointmentInfo:
        """The household has arrived: one ticket in the BSN queue, ordered by appointment time."""
        require(actor, "appointment.work")
        require(actor, "queue.issue")
        appointment_id = check_id(appointment_id, "this appointment does not exist (any more)")
        with self.db.write() as session:
            ap = self._row(session, appointment_id, lock=True)
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
            return self._info(session, ap)

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
        person = session.get(AppointmentPerson, person_id)
        if person is None:
            raise NotFound("this person is no longer on the appointment")
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
                why = _married_refused(birth, ap.day)
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
            session.execute(select(func.pg_advisory_xact_lock(_BSN_LOCK)))
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
            person = session.get(AppointmentPerson, person_id)
            if person is None:
                raise NotFound("this person is no longer on the appointment")
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
            lines = self._invoice_lines(session, start, end)
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
            lines = self._invoice_lines(session, start, end)
        rows = invoice_rows(lines)
        deliver_audited(
            self.db,
            self.clock,
            actor,
            invoice_bytes(rows, fmt),
            to,
            action="export.invoices",
            object_type="quarter",
            object_id=quarter.strip().upper(),
            reason=fmt,
        )
        employers = len({line.employer for line in lines})
        return InvoiceExport(persons=len(lines), employers=employers)

    def _invoice_lines(self, session: Session, start: date, end: date) -> list[InvoiceLine]:
        rows = session.execute(
            select(Appointment, AppointmentPerson, Visitor)
            .join(AppointmentPerson, AppointmentPerson.appointment_id == Appointment.id)
            .join(Visitor, Visitor.id == AppointmentPerson.visitor_id)
            .where(
                Appointment.status == "completed",
                Appointment.kind == "first_registration",
                Appointment.employer.is_not(None),
                Appointment.day >= start,
                Appointment.day < end,
            )
            .order_by(
                Appointment.employer,
                Appointment.day,
                Appointment.id,
                AppointmentPerson.position,
            )
        ).all()
        return [
            InvoiceLine(
                employer=ap.employer or "",
                day=ap.day,
                reference=ap.reference or f"#{ap.id}",
                name=" ".join(x for x in (v.given_names, v.family_name) if x),
                relation=p.relation,
                fee_cents=0 if self.is_exempt(ap.employer) else p.fee_cents,
                exempt=self.is_exempt(ap.employer),
            )
            for ap, p, v in rows
        ]


def bring_next_time_text(info: AppointmentInfo) -> str:
    """What the visitor must bring next time, per person, to print or copy."""
    lines = ["Please bring these documents to your next appointment:"]
    for person in info.persons:
        if person.missing:
            lines.append("")
            lines.append(f"{person.name} ({RELATIONS[person.relation].lower()}):")
            lines.extend(f"  - {d.label}" for d in person.missing)
    lines.append("")
    lines.append("Everyone being registered must come to the appointment.")
    return "\n".join(lines)


def invoice_rows(lines: Sequence[InvoiceLine]) -> list[list[str]]:
    """The invoice table as text cells: header, a row per person, a total per employer."""
    out = [["employer", "date", "reference", "person", "relation", "fee_eur", "exempt"]]
    totals: dict[str, int] = {}
    for line in lines:
        totals[line.employer] = totals.get(line.employer, 0) + line.fee_cents
    current: str | None = None
    for line in lines:
        if current is not None and line.employer != current:
            out.append([current, "", "", "total", "", f"{totals[current] / 100:.2f}", ""])
        current = line.employer
        out.append(
            [
                line.employer,
                line.day.isoformat(),
                line.reference,
                line.name,
                line.relation,
                f"{line.fee_cents / 100:.2f}",
                "yes" if line.exempt else "",
            ]
        )
    if current is not None:
        out.append([current, "", "", "total", "", f"{totals[current] / 100:.2f}", ""])
    return out


def invoice_bytes(rows: Sequence[Sequence[str]], fmt: str) -> bytes:
    """The invoice table as CSV (UTF-8 with BOM, for spreadsheets) or XLSX bytes."""
    if fmt == "csv":
        return csv_text(rows).encode("utf-8-sig")
    if fmt != "xlsx":
        raise ValidationError("format", "the format is csv or xlsx")
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Employer invoices"
    append_row(sheet, rows[0])
    for row in rows[1:]:
        cells: list[object] = list(row)
        cells[5] = float(row[5])
        append_row(sheet, cells)
    for column, width in zip("ABCDEFG", (28, 12, 14, 30, 10, 10, 8), strict=True):
        sheet.column_dimensions[column].width = width
    return workbook_bytes(book)


def export_invoices(lines: Sequence[InvoiceLine], path: str, fmt: str) -> int:
    """Write the invoice list to a file (0600, atomic); rows written (not audited: see
    AppointmentService.export_invoices)."""
    rows = invoice_rows(lines)
    write_private(Path(path), invoice_bytes(rows, fmt))
    return len(rows) - 1


# -- privacy: what the appointment book holds about a visitor -----------------------------
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
