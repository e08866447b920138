"""The daily queue: tickets, numbering, calling, serving, and what the board shows.

Several desks work one queue. Two rules keep that safe:
- ticket numbers come from a per-day, per-prefix counter that is bumped with one
  ``INSERT .. ON CONFLICT DO UPDATE .. RETURNING`` inside the write transaction, and a
  unique (day, label) constraint backs it up;
- "call next" picks and claims the ticket in one write transaction: SQLite serialises
  writers (``BEGIN IMMEDIATE``), PostgreSQL locks the row (``FOR UPDATE SKIP LOCKED``) so
  two desks never get the same visitor.
"""

from __future__ import annotations

import functools
import json
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    Integer,
    Table,
    Text,
    and_,
    bindparam,
    case,
    false,
    func,
    insert,
    literal,
    literal_column,
    null,
    or_,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from frontdesk.clock import Clock
from frontdesk.config import ServiceDefault, Settings
from frontdesk.db import Database
from frontdesk.db.models import (
    ClosedDay,
    ContactMoment,
    Service,
    Ticket,
    TicketCounter,
    TicketEvent,
    Visitor,
)
from frontdesk.db.prepared import Prepared
from frontdesk.services import audit
from frontdesk.services.auth import Actor, require
from frontdesk.services.errors import Conflict, NotFound, ValidationError
from frontdesk.services.text import clean_text, has_control_chars
from frontdesk.services.visitors import (
    VisitorInput,
    VisitorRecord,
    VisitorService,
    check_visitor,
    to_record,
)

OPEN_STATUSES = ("waiting", "called", "on_hold")
# changed_since() reads this many events before the given version again (late commits).
CHANGES_OVERLAP = 20
CLOSED_STATUSES = ("done", "no_show", "cancelled", "not_served")
CHANNELS = {"walk_in": "Walk-in", "email": "E-mail", "phone": "Phone", "video": "Video call"}
# How many of today's most recent service times the wait estimate looks at.
RECENT_SERVICES = 10
# Built once: building a statement costs more than SQLite running it.
_SERVICE_BY_CODE = select(Service).where(Service.code == bindparam("code"))
# Not read yet (None is a key: no active services).
_UNKNOWN = object()
# The tables, for the Core statements of the busiest writes (call next, finish).
_TICKETS = cast(Table, Ticket.__table__)
_EVENTS = cast(Table, TicketEvent.__table__)


@dataclass(frozen=True)
class ServiceInfo:
    id: int
    code: str
    name: str
    prefix: str
    minutes: int
    by_appointment: bool
    active: bool
    desks: tuple[int, ...]


@dataclass(frozen=True)
class TicketInfo:
    id: int
    label: str
    day: date
    service_code: str
    service_name: str
    status: str
    priority: bool
    source: str
    arrived_at: datetime
    appointment_at: datetime | None
    called_at: datetime | None
    finished_at: datetime | None
    desk: int | None
    staff_name: str | None
    visitor_id: int | None
    visitor_name: str | None
    recalls: int
    notes: str | None
    outcome: str | None

    def minutes_waiting(self, now: datetime) -> int:
        end = self.called_at if self.status != "waiting" and self.called_at else now
        return max(0, int((end - self.arrived_at).total_seconds() // 60))


@dataclass(frozen=True)
class QueueChanges:
    """What changed in today's queue after a version (see QueueService.changed_since)."""

    version: int
    tickets: tuple[TicketInfo, ...]  # today's tickets with a newer event, in no order


@dataclass(frozen=True)
class ServiceLoad:
    code: str
    name: str
    prefix: str
    waiting: int
    estimated_wait: int  # minutes for someone joining now


@dataclass(frozen=True)
class BoardCall:
    label: str
    desk: int
    called_at: datetime


@dataclass(frozen=True)
class BoardState:
    """What the waiting room sees: ticket numbers and desks, never a name."""

    serving: tuple[BoardCall, ...]
    recent: tuple[BoardCall, ...]
    load: tuple[ServiceLoad, ...]
    version: int


@dataclass(frozen=True)
class VisitRecord:
    """One past visit of a visitor, for the visitor card."""

    day: date
    label: str
    service_name: str
    status: str
    staff_name: str | None
    outcome: str | None


@dataclass(frozen=True)
class ContactInfo:
    id: int
    at: datetime
    channel: str
    topic: str
    minutes: int
    visitor_id: int | None


def _desks(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(",") if p.strip().isdigit())


def _service_info(row: Service) -> ServiceInfo:
    return ServiceInfo(
        row.id,
        row.code,
        row.name,
        row.prefix,
        row.minutes,
        row.by_appointment,
        row.active,
        _desks(row.desks),
    )


class QueueService:
    def __init__(
        self, db: Database, settings: Settings, clock: Clock, visitors: VisitorService
    ) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.visitors = visitors
        # The services' key and the services each desk calls (see _desk_allowed).
        self._services_key: object = _UNKNOWN
        self._allowed: dict[tuple[str | None, int], tuple[int, ...]] = {}

    # -- services ----------------------------------------------------------------------
    def sync_services(self, defaults: Iterable[ServiceDefault]) -> int:
        """Add configured services that the database does not have yet (never overwrites)."""
        added = 0
        with self.db.write() as session:
            known = set(session.scalars(select(Service.code)))
            for item in defaults:
                if item.code not in known:
                    session.add(
                        Service(
                            code=item.code,
                            name=item.name,
                            prefix=item.prefix,
                            minutes=item.minutes,
                            by_appointment=item.by_appointment,
                            active=True,
                            desks="",
                        )
                    )
                    added += 1
        return added

    def services(self, *, active_only: bool = True) -> list[ServiceInfo]:
        with self.db.read() as session:
            stmt = select(Service).order_by(Service.id)
            if active_only:
                stmt = stmt.where(Service.active)
            return [_service_info(r) for r in session.scalars(stmt)]

    def _service(self, session: Session, code: str, field: str = "service") -> Service:
        if not isinstance(code, str) or len(code) > 40 or has_control_chars(code):
            raise ValidationError(field, "pick a service from the list")  # PostgreSQL: no NUL
        row = session.scalar(_SERVICE_BY_CODE, {"code": code})
        if row is None or not row.active:
            raise ValidationError(field, "pick a service from the list")
        return row

    # -- issuing -----------------------------------------------------------------------
    def _next_label(self, session: Session, day: date, prefix: str) -> str:
        conn = session.connection()
        stmt = _statements(conn.dialect.name)["next_number"]
        number = conn.execute(stmt, {"day": day, "prefix": prefix}).scalar_one()
        return f"{prefix}{number:03d}"

    def _event(
        self,
        session: Session,
        ticket: Ticket,
        action: str,
        actor: Actor | None,
        detail: str | None = None,
    ) -> None:
        session.add(
            TicketEvent(
                ticket_id=ticket.id,
                at=self.clock.now(),
                action=action,
                staff_id=(actor.staff_id or None) if actor else None,
                desk=actor.desk if actor else None,
                detail=detail,
            )
        )

    def issue_in(
        self,
        session: Session,
        actor: Actor,
        service_code: str,
        *,
        visitor_id: int | None = None,
        priority: bool = False,
        source: str = "walk_in",
        appointment_at: datetime | None = None,
        notes: str | None = None,
        service: Service | None = None,
    ) -> Ticket:
        """Issue a ticket inside the caller's transaction (registration, appointment check-in).

        ``service``: the row for ``service_code`` when the caller has checked it already in
        this transaction (saves reading it twice).
        """
        if service is None or service.code != service_code:
            service = self._service(session, service_code)
        day = self.clock.today()
        now = self.clock.now()
        ticket = Ticket(
            day=day,
            label=self._next_label(session, day, service.prefix),
            service_id=service.id,
            visitor_id=visitor_id,
            source=source,
            priority=priority,
            appointment_at=appointment_at,
            status="waiting",
            arrived_at=now,
            recalls=0,
            notes=notes,
        )
        session.add(ticket)
        session.flush()
        self._event(session, ticket, "issued", actor, service.code)
        return ticket

    def issue(
        self,
        actor: Actor,
        service_code: str,
        *,
        visitor_id: int | None = None,
        priority: bool = False,
        notes: str | None = None,
    ) -> TicketInfo:
        require(actor, "queue.issue")
        clean_notes = clean_text(notes, "notes", label="The notes", max_length=500, multiline=True)
        with self.db.write() as session:
            if visitor_id is not None and session.get(Visitor, visitor_id) is None:
                raise NotFound("this visitor no longer exists")
            ticket = self.issue_in(
                session,
                actor,
                service_code,
                visitor_id=visitor_id,
                priority=priority,
                notes=clean_notes,
            )
            return self._info(session, ticket)

    def register_walk_in(
        self,
        actor: Actor,
        data: VisitorInput | None,
        *,
        visitor_id: int | None = None,
        service_code: str = "info",
        priority: bool = False,
    ) -> tuple[VisitorRecord, TicketInfo]:
        """Save a new visitor (or reuse one) and issue the ticket, in one transaction."""
        require(actor, "visitor.register")
        require(actor, "queue.issue")
        values = check_visitor(data, self.clock.today()) if data is not None else None
        if values is None and visitor_id is None:
            raise ValidationError("given_names", "type the visitor's name")
        with self.db.write() as session:
            if values is not None and visitor_id is None:
                # The desk's everyday case, in Core: a new visitor and a walk-in ticket.
                return self._register_new(session, actor, values, service_code, priority)
            service = self._service(session, service_code)
            visitor = session.get(Visitor, visitor_id)
            if visitor is None or visitor.anonymised_at is not None:
                raise NotFound("this visitor no longer exists")
            if values is not None:  # the clerk corrected the returning visitor's details
                self.visitors.apply_in(session, visitor, values)
            ticket = self.issue_in(
                session,
                actor,
                service_code,
                visitor_id=visitor.id,
                priority=priority,
                service=service,
            )
            return to_record(visitor), self._info(session, ticket)

    def _register_new(
        self,
        session: Session,
        actor: Actor,
        values: dict[str, Any],
        service_code: str,
        priority: bool,
    ) -> tuple[VisitorRecord, TicketInfo]:
        if (
            not isinstance(service_code, str)
            or len(service_code) > 40
            or has_control_chars(service_code)
        ):
            raise ValidationError("service", "pick a service from the list")
        conn = session.connection()
        stmts = _statements(conn.dialect.name)
        service = conn.execute(stmts["service"], {"code": service_code}).one_or_none()
        if service is None or not service.active:
            raise ValidationError("service", "pick a service from the list")
        visitor = self.visitors.create_row_in(session, values)
        day = self.clock.today()
        row: Any = conn.execute(
            stmts["issue"],
            {
                "day": day,
                "label": self._next_label(session, day, service.prefix),
                "service_id": service.id,
                "visitor_id": visitor.id,
                "source": "walk_in",
                "priority": priority,
                "appointment_at": None,
                "status": "waiting",
                "arrived_at": self.clock.now(),
                "recalls": 0,
                "notes": None,
            },
        ).one()
        self._core_event(conn, row.id, "issued", actor, service.code)
        name = " ".join(p for p in (visitor.given_names, visitor.family_name) if p) or None
        return to_record(visitor), self._make_info(row, service.code, service.name, name, None)

    # -- reading the queue -------------------------------------------------------------
    def _rows(self, stmt: Any) -> list[TicketInfo]:
        """A _ticket_rows() statement with its WHERE, read as plain rows (no ORM objects:
        the rows are read, never changed)."""
        with self.db.read() as session:
            return [self._row_info(row) for row in session.connection().execute(stmt)]

    @staticmethod
    def _make_info(
        t: Ticket, code: str, sname: str, visitor_name: str | None, staff_name: str | None
    ) -> TicketInfo:
        return TicketInfo(
            id=t.id,
            label=t.label,
            day=t.day,
            service_code=code,
            service_name=sname,
            status=t.status,
            priority=t.priority,
            source=t.source,
            arrived_at=t.arrived_at,
            appointment_at=t.appointment_at,
            called_at=t.called_at,
            finished_at=t.finished_at,
            desk=t.desk,
            staff_name=staff_name,
            visitor_id=t.visitor_id,
            visitor_name=visitor_name,
            recalls=t.recalls,
            notes=t.notes,
            outcome=t.outcome,
        )

    def _info(self, session: Session, ticket: Ticket) -> TicketInfo:
        """The ticket as the screens see it, built from the objects the session holds.

        After a transition the service, the visitor and the staff member are usually in the
        session already (session.get is then a dictionary look-up); re-selecting the ticket
        with three joins after every call and finish cost a third of the transaction.
        """
        from frontdesk.db.models import Staff

        session.flush()
        held = session.identity_map
        service = held.get(identity_key(Service, ticket.service_id))
        visitor = (
            held.get(identity_key(Visitor, ticket.visitor_id))
            if ticket.visitor_id is not None
            else None
        )
        staff = held.get(identity_key(Staff, ticket.staff_id)) if ticket.staff_id else None
        if (
            service is None
            or (ticket.visitor_id is not None and visitor is None)
            or (ticket.staff_id is not None and staff is None)
        ):
            # Not in the session (a call or a finish): one SELECT instead of three gets.
            # Scalar subqueries: each is a primary-key look-up (a join on bound values made
            # SQLite scan the visitors).
            row = session.execute(
                select(
                    Service.code,
                    Service.name,
                    select(Visitor.given_names)
                    .where(Visitor.id == ticket.visitor_id)
                    .scalar_subquery(),
                    select(Visitor.family_name)
                    .where(Visitor.id == ticket.visitor_id)
                    .scalar_subquery(),
                    select(Staff.name).where(Staff.id == ticket.staff_id).scalar_subquery(),
                ).where(Service.id == ticket.service_id)
            ).one()
            code, sname, given, family, staff_name = row
        else:
            code, sname = service.code, service.name
            given, family = (visitor.given_names, visitor.family_name) if visitor else (None, None)
            staff_name = staff.name if staff is not None else None
        name = " ".join(p for p in (given, family) if p) or None
        return self._make_info(ticket, code, sname, name, staff_name)

    def _call_order(self) -> list[Any]:
        now = self.clock.now()
        is_due = and_(Ticket.appointment_at.is_not(None), Ticket.appointment_at <= now)
        due = case((is_due, 0), else_=1)
        due_time = case((is_due, Ticket.appointment_at), else_=None)
        # Appointments not yet due simply wait their turn in arrival order.
        return [
            Ticket.priority.desc(),
            due,
            due_time.asc().nulls_last(),
            Ticket.arrived_at,
            Ticket.id,
        ]

    def today(self, actor: Actor) -> list[TicketInfo]:
        """Today's open tickets in the order "call next" would take the waiting ones."""
        require(actor, "queue.view")
        t = _TICKETS.c
        return self._rows(
            _ticket_rows()
            .where(t.day == self.clock.today(), t.status.in_(OPEN_STATUSES))
            .order_by(*self._call_order())
        )

    def ticket(self, actor: Actor, ticket_id: int) -> TicketInfo:
        require(actor, "queue.view")
        rows = self._rows(_ticket_rows().where(_TICKETS.c.id == ticket_id))
        if not rows:
            raise NotFound("this ticket does not exist")
        return rows[0]

    def current(self, actor: Actor, desk: int) -> TicketInfo | None:
        """The visitor this desk is serving now (called, not finished)."""
        require(actor, "queue.view")
        t = _TICKETS.c
        rows = self._rows(
            _ticket_rows()
            .where(t.day == self.clock.today(), t.status == "called", t.desk == desk)
            .order_by(t.called_at.desc())
            .limit(1)
        )
        return rows[0] if rows else None

    def find_ticket(self, actor: Actor, label: str) -> TicketInfo | None:
        """Today's ticket by its number ("b7", "B007")."""
        require(actor, "queue.view")
        text = label.strip().upper()
        letters = "".join(ch for ch in text if ch.isalpha())
        digits = "".join(ch for ch in text if ch.isascii() and ch.isdigit())  # not "²"
        if not letters or not digits or len(letters) > 2 or len(digits) > 4:
            return None
        wanted = f"{letters}{int(digits):03d}"
        params = {"day": self.clock.today(), "label": wanted}
        rows = self.db.read_rows(_find_ticket_statement(), params)
        return self._row_info(rows[0]) if rows else None

    def warm(self, desk: int) -> None:
        """Build and compile call next's, finish's and the desk refresh's statements now.

        A desk calls this in a worker once its first queue is shown. Otherwise the first
        F4 of the day built and compiled them while the clerk waited (+15-50 ms). A dry
        run: call next and finish run for ticket 0 on a day without tickets, so nothing
        matches, in a read transaction that is rolled back, which puts them in
        SQLAlchemy's compiled cache; on SQLite they are only compiled for the driver
        (see _run), as a write statement would take SQLite's write lock.
        """
        dialect = self.db.dialect
        _changed_statement()
        _visits_statement()
        stmts = _statements(dialect)
        nobody = {"now": self.clock.now(), "event_staff_id": None, "event_desk": desk}
        with self.db.read_core() as conn:
            key = conn.scalar(stmts["services_key"])
            calls = _call_statements(dialect, self._desk_allowed(key, desk))
            claim = {"today": date(2000, 1, 1), "desk": desk, "staff_id": None, "detail": ""}
            finish = {"tid": 0, "outcome": None, "actor_desk": desk}
            _run(conn, calls, "claim_next", {**nobody, **claim, "services_key": key}, dry=True)
            _run(conn, stmts, "finish", {**nobody, **finish}, dry=True)
            conn.rollback()

    def version(self) -> int:
        """Changes whenever any ticket changes: desks poll this to refresh live."""
        with self.db.read() as session:
            return int(session.scalar(select(func.max(TicketEvent.id))) or 0)

    def changed_since(self, actor: Actor, version: int) -> QueueChanges:
        """Today's tickets with an event after ``version`` (any status), and the new version.

        The desk keeps today's queue and asks only for what moved since it last looked:
        reading all open tickets with their joins after every call took 20-35 ms with 500
        waiting. Closed tickets come back too, so the reader can drop them. The last
        ``CHANGES_OVERLAP`` events before ``version`` are read again: on PostgreSQL an
        event can become visible after one with a higher id.
        """
        require(actor, "queue.view")
        # Core statements built once, read as plain rows (read_rows): building the ORM
        # statement with its joins and compiling it again took longer than running it.
        last = int(self.db.read_rows(_version_statement(), {})[0][0] or 0)
        if last == version:
            return QueueChanges(last, ())
        params = {"after": version - CHANGES_OVERLAP, "last": last, "day": self.clock.today()}
        rows = self.db.read_rows(_changed_statement(), params)
        return QueueChanges(last, tuple(self._row_info(row) for row in rows))

    def call_order_key(self, now: datetime) -> Callable[[TicketInfo], tuple[Any, ...]]:
        """today()'s order as a sort key, for a queue kept up to date with changed_since()."""

        def key(t: TicketInfo) -> tuple[Any, ...]:
            due = t.appointment_at is not None and t.appointment_at <= now
            # priority first; then appointments that are due, by time; then arrival.
            return (not t.priority, not due, (t.appointment_at,) if due else (), t.arrived_at, t.id)

        return key

    def visits(self, actor: Actor, visitor_id: int, limit: int = 20) -> list[VisitRecord]:
        require(actor, "visitor.view")
        params = {"visitor": visitor_id, "n": limit}
        return self.db.read_rows(_visits_statement(), params, VisitRecord)

    # -- transitions -------------------------------------------------------------------
    def _desk_allowed(self, key: str | None, desk: int) -> tuple[int, ...]:
        """The services this desk calls, from the services' key (see _services_key): the
        service's desks (empty: every desk) and this desk's ``desk_services`` setting.
        Worked out once per key (kept by key: a thread with an older key never mixes its
        answer into a newer one's)."""
        allowed = self._allowed.get((key, desk))
        if allowed is None:
            wanted = set(self.settings.desk_services)
            ids = []
            for service_id, code, desks_text in json.loads(key) if key else ():
                if wanted and code not in wanted:
                    continue
                desks = _desks(desks_text)
                if desks and desk not in desks:
                    continue
                ids.append(int(service_id))
            allowed = tuple(ids)
            if key != self._services_key:
                self._allowed = {}
            self._allowed[(key, desk)] = allowed
            self._services_key = key
        return allowed

    def _row_info(self, row: Any) -> TicketInfo:
        """A ticket row as the screens see it: the claim's or finish's RETURNING, which
        carries the service's code and name, the visitor's and the staff member's names
        too (subqueries in RETURNING: no second statement while holding the write lock)."""
        name = " ".join(p for p in (row.given_names, row.family_name) if p) or None
        return self._make_info(row, row.code, row.service_name, name, row.staff_name)

    def _core_event(
        self,
        conn: Any,
        ticket_id: int,
        action: str,
        actor: Actor,
        detail: str | None = None,
        now: datetime | None = None,
    ) -> None:
        _run(
            conn,
            _statements(conn.dialect.name),
            "event",
            {
                "ticket_id": ticket_id,
                "at": now or self.clock.now(),
                "action": action,
                "staff_id": actor.staff_id or None,
                "desk": actor.desk,
                "detail": detail,
            },
        )

    def _claim(self, session: Session, ticket: Ticket, actor: Actor, desk: int) -> None:
        now = self.clock.now()
        ticket.status = "called"
        ticket.desk = desk
        ticket.staff_id = actor.staff_id or None
        ticket.called_at = now
        if ticket.first_called_at is None:
            ticket.first_called_at = now
        self._event(session, ticket, "called", actor, f"desk {desk}")

    def _busy_check(self, session: Session, desk: int) -> None:
        conn = session.connection()
        busy = conn.scalar(
            _statements(conn.dialect.name)["busy"], {"day": self.clock.today(), "desk": desk}
        )
        self._refuse_busy(busy, desk)

    @staticmethod
    def _refuse_busy(busy: str | None, desk: int) -> None:
        if busy:
            raise Conflict(
                f"Desk {desk} is still serving {busy}: finish it (F8), mark it a "
                "no-show (F7) or put it on hold first."
            )

    def call_next(self, actor: Actor, desk: int) -> TicketInfo | None:
        """Claim the next waiting ticket for this desk; None when nobody is waiting.

        The busiest write of the day, so every statement counts (SQLite holds its one
        write lock throughout): usually ONE UPDATE .. RETURNING finds, checks and claims
        the ticket (see _call_statements), then its event is written (on PostgreSQL in the
        same statement). Only when it claims nothing is the reason read: the desk is still
        serving someone, nobody is waiting, or the lead changed the services.
        """
        require(actor, "queue.call")
        now = self.clock.now()
        params = {
            "today": self.clock.today(),
            "now": now,
            "desk": desk,
            "staff_id": actor.staff_id or None,
            "event_staff_id": actor.staff_id or None,
            "event_desk": actor.desk,
            "detail": f"desk {desk}",
        }
        with self.db.write_core() as conn:
            dialect = conn.dialect.name
            postgres = dialect == "postgresql"
            if self._services_key is _UNKNOWN:
                self._desk_allowed(conn.scalar(_statements(dialect)["services_key"]), desk)
            key = cast(str | None, self._services_key)
            stmts = _call_statements(dialect, self._desk_allowed(key, desk))
            row = _run(conn, stmts, "claim_next", {**params, "services_key": key})
            if row is None:
                busy, ticket_id, new_key = conn.execute(stmts["pick"], params).one()
                if new_key != key:  # the lead changed the services: look again
                    stmts = _call_statements(dialect, self._desk_allowed(new_key, desk))
                    busy, ticket_id, _key = conn.execute(stmts["pick"], params).one()
                self._refuse_busy(busy, desk)
                if ticket_id is None:
                    return None
                row = conn.execute(
                    _statements(dialect)["claim"],
                    {"tid": ticket_id, "desk": desk, "staff_id": params["staff_id"], "now": now},
                ).one()
                postgres = False  # "claim" has no event in it
            if not postgres:
                self._core_event(conn, row.id, "called", actor, f"desk {desk}", now)
        return self._row_info(row)  # after the commit: SQLite's write lock is free again

    def _locked(self, session: Session, ticket_id: int) -> Ticket:
        stmt = select(Ticket).where(Ticket.id == ticket_id)
        if session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        ticket = session.scalar(stmt)
        if ticket is None:
            raise NotFound("this ticket does not exist")
        return ticket

    def call_ticket(self, actor: Actor, ticket_id: int, desk: int) -> TicketInfo:
        """Call a specific waiting (or on-hold) ticket out of order."""
        require(actor, "queue.call")
        with self.db.write() as session:
            self._busy_check(session, desk)
            ticket = self._locked(session, ticket_id)
            if ticket.status not in ("waiting", "on_hold"):
                raise Conflict(f"{ticket.label} is no longer waiting ({_STATUS[ticket.status]}).")
            if ticket.day != self.clock.today():
                raise Conflict(f"{ticket.label} is from another day.")
            self._claim(session, ticket, actor, desk)
            return self._info(session, ticket)

    def _mine(
        self, session: Session, actor: Actor, ticket_id: int, statuses: Sequence[str] = ("called",)
    ) -> Ticket:
        ticket = self._locked(session, ticket_id)
        self._check_mine(ticket, actor, statuses)
        return ticket

    @staticmethod
    def _check_mine(ticket: Any, actor: Actor, statuses: Sequence[str]) -> None:
        if ticket.status not in statuses:
            raise Conflict(f"{ticket.label} is {_STATUS[ticket.status]}; nothing was changed.")
        if ticket.status == "called" and actor.desk and ticket.desk and actor.desk != ticket.desk:
            # Another desk is serving this visitor: finishing or moving it from here would
            # pull the ticket from under that clerk.
            raise Conflict(
                f"{ticket.label} is being served at desk {ticket.desk}, not at yours "
                f"(desk {actor.desk}); nothing was changed."
            )

    def recall(self, actor: Actor, ticket_id: int) -> TicketInfo:
        require(actor, "queue.call")
        with self.db.write() as session:
            ticket = self._mine(session, actor, ticket_id)
            ticket.recalls += 1
            ticket.called_at = self.clock.now()
            self._event(session, ticket, "recalled", actor, f"desk {ticket.desk}")
            return self._info(session, ticket)

    def transfer(self, actor: Actor, ticket_id: int, service_code: str) -> TicketInfo:
        """Send the visitor to another service's queue; number and arrival time stay."""
        require(actor, "queue.call")
        with self.db.write() as session:
            ticket = self._mine(session, actor, ticket_id, ("called", "waiting", "on_hold"))
            service = self._service(session, service_code)
            if service.id == ticket.service_id:
                raise ValidationError("service", "the ticket is already for this service")
            old = session.get(Service, ticket.service_id)
            ticket.service_id = service.id
            ticket.status = "waiting"
            ticket.desk = None
            ticket.called_at = None
            self._event(
                session,
                ticket,
                "transferred",
                actor,
                f"{old.code if old else '?'} -> {service.code}",
            )
            return self._info(session, ticket)

    def hold(self, actor: Actor, ticket_id: int) -> TicketInfo:
        require(actor, "queue.call")
        with self.db.write() as session:
            ticket = self._mine(session, actor, ticket_id)
            ticket.status = "on_hold"
            self._event(session, ticket, "on_hold", actor)
            return self._info(session, ticket)

    def resume(self, actor: Actor, ticket_id: int, desk: int) -> TicketInfo:
        """Take an on-hold ticket back to this desk."""
        return self.call_ticket(actor, ticket_id, desk)

    def no_show(self, actor: Actor, ticket_id: int) -> TicketInfo:
        require(actor, "queue.call")
        with self.db.write() as session:
            ticket = self._mine(session, actor, ticket_id, ("called", "on_hold"))
            ticket.status = "no_show"
            ticket.finished_at = self.clock.now()
            self._event(session, ticket, "no_show", actor)
            return self._info(session, ticket)

    def finish(self, actor: Actor, ticket_id: int, outcome: str | None = None) -> TicketInfo:
        require(actor, "queue.call")
        note = clean_text(
            outcome, "outcome", label="The outcome note", max_length=1000, multiline=True
        )
        with self.db.write_core() as conn:
            stmts = _statements(conn.dialect.name)
            # One UPDATE that finishes the ticket only if it is being served at this desk
            # (the rule of _check_mine); only when it finishes nothing, read why.
            now = self.clock.now()
            row = _run(
                conn,
                stmts,
                "finish",
                {
                    "tid": ticket_id,
                    "now": now,
                    "outcome": note,
                    "actor_desk": actor.desk or None,
                    "event_staff_id": actor.staff_id or None,
                    "event_desk": actor.desk,
                },
            )
            if row is None:
                found = conn.execute(stmts["ticket"], {"tid": ticket_id}).one_or_none()
                if found is None:
                    raise NotFound("this ticket does not exist")
                self._check_mine(found, actor, ("called",))
                raise Conflict(f"{found.label} changed meanwhile; nothing was changed.")
            if conn.dialect.name != "postgresql":  # there, "finish" wrote the event
                self._core_event(conn, row.id, "finished", actor, now=now)
        return self._row_info(row)

    def cancel(self, actor: Actor, ticket_id: int) -> TicketInfo:
        """The visitor left before being called (or the ticket was issued by mistake)."""
        require(actor, "queue.call")
        with self.db.write() as session:
            ticket = self._mine(session, actor, ticket_id, ("waiting", "on_hold"))
            ticket.status = "cancelled"
            ticket.finished_at = self.clock.now()
            self._event(session, ticket, "cancelled", actor)
            return self._info(session, ticket)

    # -- the end of the day ------------------------------------------------------------
    def _close(self, session: Session, day: date, actor: Actor | None) -> int:
        now = self.clock.now()
        open_tickets = list(
            session.scalars(
                select(Ticket).where(Ticket.day == day, Ticket.status.in_(OPEN_STATUSES))
            )
        )
        for ticket in open_tickets:
            ticket.status = "not_served"
            ticket.finished_at = now
            self._event(session, ticket, "not_served", actor, "day closed")
        if session.get(ClosedDay, day) is None:
            session.add(
                ClosedDay(
                    day=day,
                    closed_at=now,
                    closed_by=(actor.staff_id or None) if actor else None,
                    not_served=len(open_tickets),
                )
            )
        return len(open_tickets)

    def close_day(self, actor: Actor, day: date | None = None) -> int:
        """Close a day: tickets still open become "not served". Returns how many."""
        require(actor, "queue.close_day")
        day = day or self.clock.today()
        with self.db.write() as session:
            count = self._close(session, day, actor)
            audit.record(
                session,
                self.clock,
                action="day.close",
                actor=actor,
                object_type="day",
                object_id=day.isoformat(),
                reason=f"{count} not served",
            )
        return count

    def close_past_days(self) -> int:
        """On start: tickets left open on earlier days never leak into today's queue."""
        today = self.clock.today()
        with self.db.write() as session:
            days = set(session.scalars(_open_past_days(today)))
            total = 0
            for day in sorted(days):
                total += self._close(session, day, None)
                audit.record(
                    session,
                    self.clock,
                    action="day.close",
                    origin="automatic",
                    object_type="day",
                    object_id=day.isoformat(),
                    reason="closed on the first start of a later day",
                )
            return total

    # -- waits and the board -----------------------------------------------------------
    def _load(self, session: Session) -> tuple[ServiceLoad, ...]:
        today = self.clock.today()
        now = self.clock.now()
        # Built once with bound parameters: building the four statements cost about as
        # much as running them (the desk reads the load after every queue change).
        stmts = _load_statements()
        conn = session.connection()
        services = conn.execute(stmts["services"]).all()
        waiting = dict(conn.execute(stmts["waiting"], {"today": today}).all())
        recent = conn.execute(
            stmts["recent"], {"today": today, "n": RECENT_SERVICES * max(1, len(services))}
        ).all()
        desks_by_service: dict[int, set[int]] = {}
        hour_ago = now - timedelta(hours=1)
        for service_id, desk in conn.execute(
            stmts["desks"], {"today": today, "hour_ago": hour_ago}
        ):
            if desk is not None:
                desks_by_service.setdefault(service_id, set()).add(desk)
        out = []
        for s in services:
            durations = [
                (end - start).total_seconds() / 60
                for sid, start, end in recent
                if sid == s.id and end and start
            ][:RECENT_SERVICES]
            per_visit = statistics.median(durations) if durations else float(s.minutes)
            desks = max(1, len(desks_by_service.get(s.id, ())))
            count = int(waiting.get(s.id, 0))
            out.append(
                ServiceLoad(s.code, s.name, s.prefix, count, round(count * per_visit / desks))
            )
        return tuple(out)

    def load(self) -> tuple[ServiceLoad, ...]:
        with self.db.read() as session:
            return self._load(session)

    def board(self, recent: int = 6) -> BoardState:
        """The waiting-room board: no names, no personal data, ever."""
        today = self.clock.today()
        with self.db.read() as session:
            serving = session.execute(
                select(Ticket.label, Ticket.desk, Ticket.called_at)
                .where(Ticket.day == today, Ticket.status == "called")
                .order_by(Ticket.called_at.desc())
            ).all()
            last = session.execute(
                select(Ticket.label, TicketEvent.desk, TicketEvent.at)
                .join(Ticket, Ticket.id == TicketEvent.ticket_id)
                .where(
                    Ticket.day == today,
                    TicketEvent.action.in_(("called", "recalled")),
                    TicketEvent.desk.is_not(None),
                )
                .order_by(TicketEvent.id.desc())
                .limit(recent)
            ).all()
            version = int(session.scalar(select(func.max(TicketEvent.id))) or 0)
            return BoardState(
                serving=tuple(
                    BoardCall(label, desk or 0, at or self.clock.now())
                    for label, desk, at in serving
                ),
                recent=tuple(BoardCall(label, desk or 0, at) for label, desk, at in last),
                load=self._load(session),
                version=version,
            )

    # -- contacts that did not come in person ------------------------------------------
    def log_contact(
        self, actor: Actor, channel: str, topic: str, minutes: object, visitor_id: int | None = None
    ) -> ContactInfo:
        require(actor, "contact.log")
        if channel not in CHANNELS:
            raise ValidationError("channel", "pick e-mail, phone, video call or walk-in")
        clean_topic = clean_text(topic, "topic", label="The topic", max_length=200, required=True)
        try:
            mins = int(str(minutes).strip())
        except ValueError:
            raise ValidationError("minutes", "type the minutes as a whole number") from None
        if not 1 <= mins <= 480:
            raise ValidationError("minutes", "the minutes must be between 1 and 480")
        with self.db.write() as session:
            if visitor_id is not None and session.get(Visitor, visitor_id) is None:
                raise NotFound("this visitor no longer exists")
            row = ContactMoment(
                at=self.clock.now(),
                channel=channel,
                topic=clean_topic or "",
                visitor_id=visitor_id,
                staff_id=actor.staff_id or None,
                minutes=mins,
            )
            session.add(row)
            session.flush()
            return ContactInfo(row.id, row.at, row.channel, row.topic, row.minutes, row.visitor_id)

    def update_notes(self, actor: Actor, ticket_id: int, notes: str) -> None:
        require(actor, "queue.call")
        clean = clean_text(notes, "notes", label="The notes", max_length=500, multiline=True)
        with self.db.write() as session:
            session.execute(update(Ticket).where(Ticket.id == ticket_id).values(notes=clean))


@functools.cache
def _load_statements() -> dict[str, Any]:
    """The statements of QueueService._load (the waiting strip), built once."""
    today = bindparam("today", type_=Ticket.day.type)
    return {
        "services": select(Service.id, Service.code, Service.name, Service.prefix, Service.minutes)
        .where(Service.active)
        .order_by(Service.id),
        "waiting": select(Ticket.service_id, func.count())
        .where(Ticket.day == today, Ticket.status == "waiting")
        .group_by(Ticket.service_id),
        # The latest served tickets by their first call: the (day, first call) index gives
        # them newest first, so only these rows are read. By finish time the database
        # sorted every ticket finished that day (~3 ms of a desk refresh on a day of
        # 5,000); an index in finish order cost call next + finish a third of its rate.
        "recent": select(Ticket.service_id, Ticket.first_called_at, Ticket.finished_at)
        .where(
            Ticket.day == today,
            Ticket.status == "done",
            Ticket.first_called_at.is_not(None),
        )
        .order_by(Ticket.first_called_at.desc())
        .limit(bindparam("n", type_=Integer)),
        "desks": select(Ticket.service_id, Ticket.desk)
        .where(
            Ticket.day == today,
            Ticket.desk.is_not(None),
            Ticket.first_called_at >= bindparam("hour_ago", type_=Ticket.first_called_at.type),
        )
        .distinct(),
    }


def _names() -> tuple[Any, ...]:
    """What a claimed or finished ticket is shown with, read in its UPDATE's RETURNING."""
    from frontdesk.db.models import Staff

    t = _TICKETS.c
    return (
        select(Service.code).where(Service.id == t.service_id).scalar_subquery().label("code"),
        select(Service.name)
        .where(Service.id == t.service_id)
        .scalar_subquery()
        .label("service_name"),
        select(Visitor.given_names)
        .where(Visitor.id == t.visitor_id)
        .scalar_subquery()
        .label("given_names"),
        select(Visitor.family_name)
        .where(Visitor.id == t.visitor_id)
        .scalar_subquery()
        .label("family_name"),
        select(Staff.name).where(Staff.id == t.staff_id).scalar_subquery().label("staff_name"),
    )


def _services_key(postgres: bool) -> Any:
    """The active services' ids, codes and desks as one JSON text: what decides which
    services a desk calls. Desks keep it (see QueueService._desk_allowed) and each call
    next checks it in its own statement, so a change by the lead counts at once."""
    s = cast(Table, Service.__table__).c
    if postgres:
        from sqlalchemy.dialects.postgresql import aggregate_order_by

        row = func.json_build_array(s.id, s.code, s.desks)
        agg: Any = func.json_agg(aggregate_order_by(row, s.id))
    else:
        agg = func.json_group_array(func.json_array(s.id, s.code, s.desks))
    return select(agg.cast(Text)).where(s.active).scalar_subquery()


def _claimed(now: Any) -> dict[str, Any]:
    """What claiming a ticket for a desk sets: by call next and by "call this"."""
    return {
        "status": "called",
        "desk": bindparam("desk"),
        "staff_id": bindparam("staff_id", type_=Integer),
        "called_at": now,
        "first_called_at": func.coalesce(_TICKETS.c.first_called_at, now),
    }


def _with_event(dml: Any, event: dict[str, Any]) -> Any:
    """PostgreSQL: the UPDATE .. RETURNING and the ticket's event in ONE statement (a
    data-modifying WITH), one round trip instead of two."""
    done = dml.cte("done")
    e = _EVENTS.c
    values = select(
        done.c.id,
        bindparam("now", type_=TicketEvent.at.type),
        literal(event["action"], Text),
        bindparam("event_staff_id", type_=Integer),
        bindparam("event_desk", type_=Integer),
        bindparam("detail", type_=Text) if event.get("detail") else null(),
    )
    insert_event = insert(_EVENTS).from_select(
        [e.ticket_id, e.at, e.action, e.staff_id, e.desk, e.detail], values
    )
    return select(done).add_cte(insert_event.cte("event"))


@functools.lru_cache(maxsize=64)
def _call_statements(dialect: str, allowed: tuple[int, ...]) -> dict[str, Any]:
    """Call next for a desk that calls the services ``allowed``, built once per list.

    The ids are written into the SQL (they are our own integers): an expanding IN
    parameter made SQLAlchemy render the statement again on every call.

    - "claim_next": the whole call in one UPDATE .. RETURNING: the next ticket in the
      order of QueueService._call_order, claimed only if the desk is not still serving
      someone and the services are still those of ``services_key`` (on PostgreSQL with
      the "called" event in the same statement). No row: see "pick".
    - "pick": the desk's current ticket, the next ticket's id and the services' key,
      to learn why "claim_next" claimed nothing.
    """
    t = _TICKETS.c
    postgres = dialect == "postgresql"
    now = bindparam("now", type_=Ticket.appointment_at.type)
    day = bindparam("today", type_=t.day.type)  # "day" is the column's, in an UPDATE
    mine: Any = t.service_id.in_([literal_column(str(int(i)), Integer) for i in allowed])
    if not allowed:
        mine = false()
    is_due = and_(t.appointment_at.is_not(None), t.appointment_at <= now)
    # A UNION of two index look-ups (an OR here made SQLite read every waiting ticket).
    jumping = union_all(
        select(t.id).where(t.day == day, t.status == "waiting", t.priority == true()),
        select(t.id).where(t.day == day, t.status == "waiting", t.appointment_at <= now),
    )
    # Sorting every waiting ticket costs milliseconds when hundreds wait. Instead: first
    # the few that jump the line (priority, or an appointment that is due), sorted in
    # full; when there are none, the first of the rest in arrival order, which the index
    # (day, status, priority, arrived_at) gives without sorting.
    ahead = (
        select(t.id)
        .where(t.id.in_(jumping), mine)
        .order_by(  # the same order as QueueService._call_order
            t.priority.desc(),
            case((is_due, 0), else_=1),
            case((is_due, t.appointment_at), else_=None).asc().nulls_last(),
            t.arrived_at,
            t.id,
        )
        .limit(1)
    )
    rest = (
        select(t.id)
        .where(
            t.day == day,
            t.status == "waiting",
            mine,
            t.priority == false(),
            or_(t.appointment_at.is_(None), t.appointment_at > now),
        )
        .order_by(t.arrived_at, t.id)
        .limit(1)
    )
    if postgres:  # two desks never wait for each other's next ticket: they skip it
        ahead = ahead.with_for_update(skip_locked=True)
        rest = rest.with_for_update(skip_locked=True)
    busy = select(t.label).where(t.day == day, t.status == "called", t.desk == bindparam("desk"))
    # coalesce looks for "rest" only when nobody jumps the line.
    next_id = func.coalesce(ahead.scalar_subquery(), rest.scalar_subquery())
    key = _services_key(postgres)
    claim_next = (
        update(_TICKETS)
        .where(
            t.id
            == select(next_id)
            .where(~busy.exists(), key == bindparam("services_key", type_=Text))
            .scalar_subquery()
        )
        .values(_claimed(now))
        .returning(*_TICKETS.c, *_names())
    )
    if postgres:
        claim_next = _with_event(claim_next, {"action": "called", "detail": True})
    return {
        "claim_next": claim_next,
        "pick": select(
            busy.limit(1).scalar_subquery(),
            select(next_id).where(~busy.exists()).scalar_subquery(),
            key,
        ),
    }


@functools.cache
def _statements(dialect: str) -> dict[str, Any]:
    """The Core statements of issuing, calling and finishing, built once per dialect.

    Building a statement and its cache key costs more than running it on SQLite; these
    are built once with bound parameters and reused (their cache key is memoised).
    """
    t = _TICKETS.c
    postgres = dialect == "postgresql"
    now = bindparam("now", type_=Ticket.appointment_at.type)
    day = bindparam("day", type_=t.day.type)
    ticket = select(*_TICKETS.c).where(t.id == bindparam("tid"))
    busy = select(t.label).where(t.day == day, t.status == "called", t.desk == bindparam("desk"))
    if postgres:
        ticket = ticket.with_for_update()
    actor_desk = bindparam("actor_desk", type_=Integer)
    names = _names()
    # Only this database's dialect: importing the other one cost 14-20 ms.
    upsert: Any
    if postgres:
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    finish = (
        update(_TICKETS)
        .where(
            t.id == bindparam("tid"),
            t.status == "called",
            or_(
                actor_desk.is_(None),
                func.coalesce(t.desk, 0) == 0,
                t.desk == actor_desk,
            ),
        )
        .values(status="done", finished_at=now, outcome=bindparam("outcome", type_=Text))
        .returning(*_TICKETS.c, *names)
    )
    if postgres:
        finish = _with_event(finish, {"action": "finished"})
    return {
        "service": select(
            Service.id, Service.code, Service.name, Service.prefix, Service.active
        ).where(Service.code == bindparam("code")),
        "issue": insert(_TICKETS).returning(*_TICKETS.c),
        # Ticket numbers: one atomic bump of the per-day, per-prefix counter.
        "next_number": upsert(TicketCounter)
        .values(day=day, prefix=bindparam("prefix", type_=Text), last=1)
        .on_conflict_do_update(
            index_elements=["day", "prefix"], set_={"last": TicketCounter.last + 1}
        )
        .returning(TicketCounter.last),
        "busy": busy,
        "services_key": select(_services_key(postgres)),
        "ticket": ticket,
        "claim": update(_TICKETS)
        .where(t.id == bindparam("tid"))
        .values(_claimed(now))
        .returning(*_TICKETS.c, *names),
        # On PostgreSQL the finish's event is part of "finish" (see _with_event).
        "finish": finish,
        "event": insert(_EVENTS).values({c: bindparam(c.key) for c in _EVENTS.c if c.key != "id"}),
    }


def _run(
    conn: Any, stmts: dict[str, Any], name: str, params: dict[str, Any], dry: bool = False
) -> Any:
    """Run one of the busiest writes: the UPDATE's RETURNING row (or None), or nothing
    for an INSERT. On SQLite, compiled once and run on the driver (see Prepared): these
    run while holding the one write lock, where SQLAlchemy's own work per statement was
    more than SQLite's. ``dry`` (QueueService.warm): on SQLite compile only, don't run."""
    if conn.dialect.name != "sqlite":
        result = conn.execute(stmts[name], params)
        return result.one_or_none() if result.returns_rows else None
    key = f"{name} (prepared)"
    prepared = stmts.get(key)
    if prepared is None:
        prepared = stmts[key] = Prepared(stmts[name], conn.dialect)
    return None if dry else prepared.one_or_none(conn, params)


_STATUS = {
    "waiting": "waiting",
    "called": "being served",
    "on_hold": "on hold",
    "done": "finished",
    "no_show": "a no-show",
    "cancelled": "cancelled",
    "not_served": "closed as not served",
}
STATUS_LABELS = {
    "waiting": "Waiting",
    "called": "Called",
    "on_hold": "On hold",
    "done": "Done",
    "no_show": "No-show",
    "cancelled": "Cancelled",
    "not_served": "Not served",
}


@cache
def _find_ticket_statement() -> Any:
    """One ticket of a day by its label with its names, as plain rows (a Core
    statement built once: a lookup at the desk should cost about one indexed SELECT)."""
    t = _TICKETS.c
    return _ticket_rows().where(t.day == bindparam("day"), t.label == bindparam("label")).limit(1)


@cache
def _version_statement() -> Any:
    """The queue's version: the newest ticket event (see QueueService.changed_since)."""
    return select(func.max(TicketEvent.__table__.c.id).label("version"))


@cache
def _changed_statement() -> Any:
    """The day's tickets with an event in (after, last], as _ticket_rows() rows."""
    t, e = _TICKETS.c, TicketEvent.__table__.c
    changed = select(e.ticket_id).where(e.id > bindparam("after"), e.id <= bindparam("last"))
    return _ticket_rows().where(t.id.in_(changed), t.day == bindparam("day", type_=t.day.type))


@cache
def _visits_statement() -> Any:
    """A visitor's last visits, newest first, as VisitRecord's fields."""
    from frontdesk.db.models import Staff

    t, sv, st = _TICKETS.c, Service.__table__.c, Staff.__table__.c
    return (
        select(
            t.day,
            t.label,
            sv.name.label("service_name"),
            t.status,
            st.name.label("staff_name"),
            t.outcome,
        )
        .select_from(_TICKETS)
        .join(Service.__table__, sv.id == t.service_id)
        .outerjoin(Staff.__table__, st.id == t.staff_id)
        .where(t.visitor_id == bindparam("visitor"))
        .order_by(t.arrived_at.desc())
        .limit(bindparam("n", type_=Integer))
    )


@cache
def _ticket_rows() -> Any:
    """Tickets with their service's code and name and the visitor's and staff member's
    names, the columns QueueService._row_info reads; the callers add the WHERE."""
    from frontdesk.db.models import Staff

    t, sv = Ticket.__table__.c, Service.__table__.c
    v, st = Visitor.__table__.c, Staff.__table__.c
    return (
        select(
            t.id,
            t.label,
            t.day,
            sv.code,
            sv.name.label("service_name"),
            t.status,
            t.priority,
            t.source,
            t.arrived_at,
            t.appointment_at,
            t.called_at,
            t.finished_at,
            t.desk,
            st.name.label("staff_name"),
            t.visitor_id,
            t.recalls,
            t.notes,
            t.outcome,
            v.given_names,
            v.family_name,
        )
        .select_from(Ticket.__table__)
        .join(Service.__table__, sv.id == t.service_id)
        .outerjoin(Visitor.__table__, v.id == t.visitor_id)
        .outerjoin(Staff.__table__, st.id == t.staff_id)
    )


def _open_past_days(today: date) -> Any:
    """The days before ``today`` that still have open tickets, read day by day through the
    (day, status) index: from the latest earlier day, each step seeks the day before it and
    each day is one seek for an open status. Selecting "day < today AND status IN (...)"
    read the whole index instead (400,000 entries on a decade: ~40 ms under the write lock
    on every start; this is ~10 ms and grows with the days open, not the tickets)."""
    t = Ticket.__table__
    before, open_ = t.alias("before"), t.alias("open")
    past = select(func.max(t.c.day).label("day")).where(t.c.day < today).cte("past", recursive=True)
    earlier = select(func.max(before.c.day)).where(before.c.day < past.c.day).scalar_subquery()
    past = past.union_all(select(earlier).where(past.c.day.is_not(None)))
    has_open = (
        select(open_.c.id)
        .where(open_.c.day == past.c.day, open_.c.status.in_(OPEN_STATUSES))
        .exists()
    )
    return select(past.c.day).where(past.c.day.is_not(None), has_open)
