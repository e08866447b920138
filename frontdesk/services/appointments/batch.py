"""Booking an import's new households together: the same visitors matched or made, rows,
events and e-mails as :meth:`AppointmentBook.book_in` makes one by one, in a few statements
per chunk (the import's pace is what a team lead waits on; docs/performance.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from frontdesk.db.models import (
    Appointment,
    AppointmentEvent,
    AppointmentPerson,
    Visitor,
    VisitorNameToken,
)
from frontdesk.services.appointments.records import _Checked
from frontdesk.services.auth import Actor
from frontdesk.services.mail import queue_booked_mail
from frontdesk.services.visitors import name_tokens

if TYPE_CHECKING:
    from frontdesk.services.appointments.book import AppointmentBook

_VISITORS = cast(Table, Visitor.__table__)
_TOKENS = cast(Table, VisitorNameToken.__table__)
_APPOINTMENTS = cast(Table, Appointment.__table__)
_PERSONS = cast(Table, AppointmentPerson.__table__)
_EVENTS = cast(Table, AppointmentEvent.__table__)


def book_households(
    book: AppointmentBook, session: Session, actor: Actor, households: Sequence[_Checked]
) -> None:
    """Book new households at once (an import's chunk), as
    :meth:`AppointmentBook.book_in` books each: the same visitors matched or made, rows,
    events and e-mails, in a few statements.

    The references must be new (the caller has looked them up). A person is matched to a
    visitor by name and birth date, as ``AppointmentBook._visitor_for`` does, among the
    visitors already stored and those made earlier in the same call."""
    if not households:
        return
    session.flush()  # what the unit of work holds goes in before the statements below
    now = book.clock.now()
    keys = {
        values["search_key"]
        for checked in households
        for person, values in checked.people
        if person.visitor_id is None and values["birth_date"] is not None
    }
    found: dict[tuple[str, date], Visitor | _NewVisitor] = {}
    if keys:
        for row in session.scalars(
            select(Visitor)
            .where(Visitor.search_key.in_(keys), Visitor.anonymised_at.is_(None))
            .order_by(Visitor.id)
        ):
            if row.birth_date is not None:  # only a name and a birth date make a match
                found.setdefault((row.search_key, row.birth_date), row)
    made: list[_NewVisitor] = []  # not yet inserted
    people: list[list[tuple[_Member, Visitor | _NewVisitor]]] = []
    for checked in households:
        persons: list[tuple[_Member, Visitor | _NewVisitor]] = []
        for position, (person, values) in enumerate(checked.people):
            visitor: Visitor | _NewVisitor
            if person.visitor_id is not None:
                visitor, _ = book._visitor_for(session, person, values, update=True)
            else:
                key = (values["search_key"], values["birth_date"])
                match = found.get(key) if values["birth_date"] is not None else None
                if match is None:
                    visitor = _NewVisitor.of(values)
                    made.append(visitor)
                    if values["birth_date"] is not None:
                        found[key] = visitor
                else:
                    visitor = match
                    if isinstance(match, Visitor):
                        book._fill(match, values)
                    else:
                        match.fill(values)
            fee = book.person_fee(checked.kind, person.relation, checked.employer)
            persons.append((_Member(person.relation, position, bool(person.married), fee), visitor))
        people.append(persons)
    session.flush()  # the matched visitors' corrections
    if made:
        columns = sorted({c for visitor in made for c in visitor.values})
        ids = _insert_ids(
            session,
            _VISITORS,
            [
                {
                    **{c: visitor.values.get(c) for c in columns},
                    "created_at": now,
                    "updated_at": now,
                }
                for visitor in made
            ],
            ("search_key", "birth_date"),
        )
        for visitor, visitor_id in zip(made, ids, strict=True):
            visitor.id = visitor_id
        tokens = [
            {"token": t, "visitor_id": visitor.id, "visitor_updated_at": now}
            for visitor in made
            for t in name_tokens(f"{visitor.given_names} {visitor.family_name}")
        ]
        if tokens:
            session.execute(insert(_TOKENS), tokens)
    ap_ids = _insert_ids(
        session,
        _APPOINTMENTS,
        [
            {
                "reference": c.reference,
                "kind": c.kind,
                "day": c.day,
                "start_at": c.start_at,
                "minutes": c.minutes,
                "employer": c.employer,
                "fee_cents": sum(p.fee_cents for p, _ in persons),
                "status": "booked",
                "notes": c.notes,
                "created_at": now,
                "updated_at": now,
            }
            for c, persons in zip(households, people, strict=True)
        ],
        ("reference",),
    )
    booked = [
        (_Booked(ap_id, c.kind, c.start_at, c.minutes, c.reference), persons)
        for c, persons, ap_id in zip(households, people, ap_ids, strict=True)
    ]
    session.execute(
        insert(_PERSONS),
        [
            {
                "appointment_id": ap.id,
                "visitor_id": visitor.id,
                "relation": p.relation,
                "position": p.position,
                "married": p.married,
                "fee_cents": p.fee_cents,
                "documents": "",
                "welcome_bag": False,
            }
            for ap, persons in booked
            for p, visitor in persons
        ],
    )
    session.execute(
        insert(_EVENTS),
        [
            {
                "appointment_id": ap.id,
                "at": now,
                "action": "booked",
                "status": "booked",
                "staff_id": actor.staff_id or None,
                "detail": f"{len(persons)} person(s)",
            }
            for ap, persons in booked
        ],
    )
    queue_booked_mail(session, book.clock, book.settings, booked)


def _insert_ids(
    session: Session, table: Table, rows: list[dict[str, Any]], key: tuple[str, ...]
) -> list[int]:
    """Insert ``rows``; their new ids, in the order of ``rows``.

    The rows go in as multi-row INSERTs, their ids matched by ``key``'s values when those
    are unique among the rows (a new visitor's name and birth date, an appointment's
    reference). Otherwise in order by SQLAlchemy, which on SQLite means one INSERT a row."""
    keys = [tuple(row[k] for k in key) for row in rows]
    if None in (v for k in keys for v in k) or len(set(keys)) != len(keys):
        stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list(session.execute(stmt, rows).scalars())
    returned = session.execute(
        insert(table).returning(table.c.id, *(table.c[k] for k in key)), rows
    )
    ids = {tuple(r[1:]): r[0] for r in returned}
    return [ids[k] for k in keys]


@dataclass(slots=True)
class _NewVisitor:
    """A visitor this call inserts: its checked values, and its id once inserted. Plain
    data, as e-mails read it: an ORM object per person cost more than the statements."""

    values: dict[str, Any]
    id: int = 0
    anonymised_at: None = None

    @classmethod
    def of(cls, values: dict[str, Any]) -> _NewVisitor:
        return cls(dict(values))  # its own copy: a later household's row may fill it

    def fill(self, values: dict[str, Any]) -> None:
        """As ``AppointmentBook._fill``: what a later row knows that this one did not."""
        self.values.update((k, v) for k, v in values.items() if v is not None and v != "")

    @property
    def given_names(self) -> str:
        return str(self.values["given_names"])

    @property
    def family_name(self) -> str:
        return str(self.values["family_name"])

    @property
    def nationality(self) -> str | None:
        return self.values.get("nationality")

    @property
    def employer(self) -> str | None:
        return self.values.get("employer")

    @property
    def language(self) -> str | None:
        return self.values.get("language")

    @property
    def email(self) -> str | None:
        return self.values.get("email")

    @property
    def mail_opt_out(self) -> bool | None:
        return self.values.get("mail_opt_out")


@dataclass(frozen=True, slots=True)
class _Member:
    """A household member's place in the appointment (a row of appointment_persons)."""

    relation: str
    position: int
    married: bool
    fee_cents: int


@dataclass(frozen=True, slots=True)
class _Booked:
    """An appointment just inserted, as its e-mails need it."""

    id: int
    kind: str
    start_at: datetime
    minutes: int
    reference: str | None
