"""The daily queue: issuing tickets, calling, serving, closing the day, the board's view.

Several desks, the board and the team lead act on one queue at once, on SQLite (one
writer at a time: every write transaction starts with BEGIN IMMEDIATE) and on PostgreSQL
(many writers). Every state change follows one plain pattern that a reviewer can check:

1. inside one write transaction, read the ticket with a row lock (``FOR UPDATE`` on
   PostgreSQL; on SQLite the transaction already holds the database's write lock);
2. check its state in Python and refuse with a message for the desk;
3. change it with an UPDATE that repeats the check in its WHERE (``status = <what was
   read>``) and counts only if it changed one row; then write the ticket's event.

"Call next" finds its candidate with ``FOR UPDATE SKIP LOCKED`` (two desks never wait for
each other's next visitor) and claims it the same way. Ticket numbers come from a per-day,
per-prefix counter bumped with one atomic upsert. Closing a day and issuing into it are
ordered by the day's lock (PostgreSQL advisory lock, exclusive to close, shared to issue),
so no ticket slips into a closed day and a ticket a desk finished meanwhile stays finished.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Row, func, select, update
from sqlalchemy.orm import Session

from frontdesk.db.models import ContactMoment, Service, Ticket, TicketCounter, Visitor
from frontdesk.services.auth import Actor, require
from frontdesk.services.dml import rowcount
from frontdesk.services.errors import (
    AlreadyWaiting,
    Conflict,
    NotFound,
    OutsideWalkInHours,
    ValidationError,
    check_id,
)
from frontdesk.services.queue import statements as sql
from frontdesk.services.queue.board import board_state, waiting_strip
from frontdesk.services.queue.core import (
    _DESK_LOCK,
    CHANGES_OVERLAP,
    UNDO_MINUTES,
    T,
    _check_mine,
    _desk_number,
    _ticket_id,
)
from frontdesk.services.queue.day import QueueDay
from frontdesk.services.queue.records import (
    CHANNELS,
    OPEN_STATUSES,
    STATUS_IN_A_SENTENCE,
    BoardState,
    ContactInfo,
    QueueChanges,
    ServiceLoad,
    TicketInfo,
    VisitRecord,
    ticket_info,
)
from frontdesk.services.rows import live_visitor
from frontdesk.services.rules import hours_in, is_open, todays_hours_text
from frontdesk.services.text import clean_text
from frontdesk.services.visitors import VisitorInput, VisitorRecord, check_visitor
from frontdesk.services.visitors import to_record as visitor_record


class QueueService(QueueDay):
    """Issuing, reading, calling and serving tickets; the board's view; contacts."""

    # -- issuing -----------------------------------------------------------------------
    def _next_label(self, session: Session, day: date, prefix: str) -> str:
        """The next number for this prefix today: one atomic upsert of its counter."""
        upsert: Any
        if session.get_bind().dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as upsert
        else:
            from sqlalchemy.dialects.sqlite import insert as upsert
        number = session.execute(
            upsert(TicketCounter)
            .values(day=day, prefix=prefix, last=1)
            .on_conflict_do_update(
                index_elements=["day", "prefix"], set_={"last": TicketCounter.last + 1}
            )
            .returning(TicketCounter.last)
        ).scalar_one()
        return f"{prefix}{number:03d}"

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

        ``service``: the row for ``service_code`` when the caller has read it already.
        """
        if service is None or service.code != service_code:
            service = self._service(session, service_code)
        day = self.clock.today()
        self._refuse_closed_day(session, day)
        ticket = Ticket(
            day=day,
            label=self._next_label(session, day, service.prefix),
            service_id=service.id,
            visitor_id=visitor_id,
            source=source,
            priority=priority,
            appointment_at=appointment_at,
            status="waiting",
            arrived_at=self.clock.now(),
            recalls=0,
            notes=notes,
        )
        session.add(ticket)
        session.flush()
        self._event(session, ticket.id, "issued", actor, service.code)
        return ticket

    def issue(
        self,
        actor: Actor,
        service_code: str,
        *,
        visitor_id: int | None = None,
        priority: bool = False,
        notes: str | None = None,
        second_ticket: bool = False,
        out_of_hours: bool = False,
    ) -> TicketInfo:
        """A walk-in ticket, for a known visitor or nobody. A visitor who already has an open
        ticket today gets no second one unless ``second_ticket`` (AlreadyWaiting says which);
        outside the walk-in hours none is issued unless ``out_of_hours`` (the desk asked)."""
        require(actor, "queue.issue")
        clean_notes = clean_text(notes, "notes", label="The notes", max_length=500, multiline=True)
        with self.db.write() as session:
            if not out_of_hours:
                self._refuse_out_of_hours(session)
            if visitor_id is not None:
                if session.get(Visitor, _visitor_id(visitor_id)) is None:
                    raise NotFound("this visitor no longer exists")
                if not second_ticket:
                    self._refuse_second(session, visitor_id)
            ticket = self.issue_in(
                session,
                actor,
                service_code,
                visitor_id=visitor_id,
                priority=priority,
                notes=clean_notes,
            )
            return self._ticket_info(session, ticket.id)

    def register_walk_in(
        self,
        actor: Actor,
        data: VisitorInput | None,
        *,
        visitor_id: int | None = None,
        service_code: str = "info",
        priority: bool = False,
        second_ticket: bool = False,
        out_of_hours: bool = False,
    ) -> tuple[VisitorRecord, TicketInfo]:
        """Save a new visitor (or reuse one) and issue the walk-in ticket, in one transaction.
        A returning visitor with an open ticket today, or outside the walk-in hours: see
        issue()."""
        require(actor, "visitor.register")
        require(actor, "queue.issue")
        values = check_visitor(data, self.clock.today()) if data is not None else None
        if values is None and visitor_id is None:
            raise ValidationError("given_names", "type the visitor's name")
        with self.db.write() as session:
            service = self._service(session, service_code)
            if not out_of_hours:
                self._refuse_out_of_hours(session)
            if visitor_id is None:
                visitor = self.visitors.create_row_in(session, values or {})
            else:
                visitor = live_visitor(session, _visitor_id(visitor_id))
                if not second_ticket:
                    self._refuse_second(session, visitor.id)
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
            return visitor_record(visitor), self._ticket_info(session, ticket.id)

    def _refuse_out_of_hours(self, session: Session) -> None:
        """Refuse a walk-in ticket while the walk-in hours (the ones in force) are closed."""
        hours = hours_in(session, self.settings)
        if not is_open(self.clock, hours, "walk_in"):
            raise OutsideWalkInHours(todays_hours_text(self.clock, hours, "walk_in"))

    def _refuse_second(self, session: Session, visitor_id: int) -> None:
        open_label = session.scalar(
            select(T.label)
            .where(
                T.day == self.clock.today(),
                T.visitor_id == visitor_id,
                T.status.in_(OPEN_STATUSES),
            )
            .limit(1)
        )
        if open_label is not None:
            raise AlreadyWaiting(open_label)

    def attach_visitor(
        self,
        actor: Actor,
        ticket_id: int,
        data: VisitorInput | None,
        *,
        visitor_id: int | None = None,
    ) -> tuple[VisitorRecord, TicketInfo]:
        """Give an anonymous ticket its visitor: a new record from ``data``, or the returning
        visitor ``visitor_id`` (corrected with ``data`` if given). Number and place stay."""
        require(actor, "visitor.register")
        require(actor, "queue.call")
        values = check_visitor(data, self.clock.today()) if data is not None else None
        if values is None and visitor_id is None:
            raise ValidationError("given_names", "type the visitor's name")
        with self.db.write() as session:
            ticket = self._locked(session, ticket_id)
            _check_mine(ticket, actor, OPEN_STATUSES)
            if session.scalar(select(T.visitor_id).where(T.id == ticket.id)) is not None:
                raise Conflict(f"{ticket.label} has a visitor record already; nothing was changed.")
            if visitor_id is None:
                visitor = self.visitors.create_row_in(session, values or {})
            else:
                visitor = live_visitor(session, _visitor_id(visitor_id))
                if values is not None:
                    self.visitors.apply_in(session, visitor, values)
            self._change(session, ticket, visitor_id=visitor.id)
            self._event(session, ticket.id, "visitor_added", actor)
            return visitor_record(visitor), self._ticket_info(session, ticket.id)

    # -- reading the queue -------------------------------------------------------------
    def _rows(self, stmt: Any, params: dict[str, Any] | None = None) -> list[TicketInfo]:
        with self.db.read() as session:
            return [ticket_info(row) for row in session.execute(stmt, params or {})]

    def today(self, actor: Actor) -> list[TicketInfo]:
        """Today's open tickets in the order "call next" would take the waiting ones."""
        require(actor, "queue.view")
        return self._rows(
            sql.ticket_rows()
            .where(T.day == self.clock.today(), T.status.in_(OPEN_STATUSES))
            .order_by(*sql.call_order(self.clock.now()))
        )

    def ticket(self, actor: Actor, ticket_id: int) -> TicketInfo:
        require(actor, "queue.view")
        rows = self._rows(sql.ticket_rows().where(T.id == _ticket_id(ticket_id)))
        if not rows:
            raise NotFound("this ticket does not exist")
        return rows[0]

    def current(self, actor: Actor, desk: int) -> TicketInfo | None:
        """The visitor this desk is serving now (called, not finished)."""
        require(actor, "queue.view")
        rows = self._rows(
            sql.ticket_rows()
            .where(T.day == self.clock.today(), T.status == "called", T.desk == desk)
            .order_by(T.called_at.desc())
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
        rows = self._rows(sql.find_ticket(), {"day": self.clock.today(), "label": wanted})
        return rows[0] if rows else None

    def version(self) -> int:
        """Changes whenever any ticket changes: desks poll this to refresh live."""
        with self.db.read() as session:
            return int(session.execute(sql.version()).scalar() or 0)

    def changed_since(self, actor: Actor, version: int) -> QueueChanges:
        """Today's tickets with an event after ``version`` (any status), and the new version.

        The desk keeps today's queue and asks only for what moved since it last looked.
        Closed tickets come back too, so the reader can drop them.
        """
        require(actor, "queue.view")
        with self.db.read() as session:
            last = int(session.execute(sql.version()).scalar() or 0)
            if last == version:
                return QueueChanges(last, ())
            params = {"after": version - CHANGES_OVERLAP, "last": last, "day": self.clock.today()}
            rows = session.execute(sql.changed(), params)
            return QueueChanges(last, tuple(ticket_info(row) for row in rows))

    def call_order_key(self, now: datetime) -> Callable[[TicketInfo], tuple[Any, ...]]:
        """today()'s order as a sort key, for a queue kept up to date with changed_since()."""

        def key(t: TicketInfo) -> tuple[Any, ...]:
            due = t.appointment_at is not None and t.appointment_at <= now
            # priority first; then appointments that are due, by time; then arrival.
            return (not t.priority, not due, (t.appointment_at,) if due else (), t.arrived_at, t.id)

        return key

    def visits(self, actor: Actor, visitor_id: int, limit: int = 20) -> list[VisitRecord]:
        require(actor, "visitor.view")
        with self.db.read() as session:
            rows = session.execute(sql.visits(), {"visitor": _visitor_id(visitor_id), "n": limit})
            return [VisitRecord(*row) for row in rows]

    # -- calling -----------------------------------------------------------------------
    def _refuse_busy(self, session: Session, desk: int) -> None:
        busy = session.scalar(
            select(T.label)
            .where(T.day == self.clock.today(), T.status == "called", T.desk == desk)
            .limit(1)
        )
        if busy:
            raise Conflict(
                f"Desk {desk} is still serving {busy}: finish it (F8), mark it a "
                "no-show (F7) or put it on hold first."
            )

    def _claim(
        self, session: Session, ticket: Row[Any], actor: Actor, desk: int, now: datetime
    ) -> None:
        self._change(
            session,
            ticket,
            status="called",
            desk=desk,
            staff_id=actor.staff_id or None,
            called_at=now,
            first_called_at=func.coalesce(T.first_called_at, now),
        )
        self._event(session, ticket.id, "called", actor, f"desk {desk}")

    def call_next(self, actor: Actor, desk: int) -> TicketInfo | None:
        """Claim the next waiting ticket for this desk; None when nobody is waiting.

        The candidate is the first in call order that no other desk is claiming right now
        (``SKIP LOCKED``); it is claimed only if it is still waiting. One call at a time
        per desk (the desk's lock), so a desk never serves two visitors at once.
        """
        require(actor, "queue.call")
        desk = _desk_number(desk)
        now, today = self.clock.now(), self.clock.today()
        with self.db.write() as session:
            self._lock(session, _DESK_LOCK, desk)
            self._refuse_busy(session, desk)
            allowed = self._desk_services(session, desk)
            if not allowed:
                return None
            candidate = (
                select(T.id, T.label, T.day, T.status, T.desk, T.service_id, T.finished_at)
                .where(T.day == today, T.status == "waiting", T.service_id.in_(allowed))
                .order_by(*sql.call_order(now))
                .limit(1)
            )
            ticket = session.execute(
                self._for_update(session, candidate, skip_locked=True)
            ).one_or_none()
            if ticket is None:
                return None
            self._claim(session, ticket, actor, desk, now)
            return self._ticket_info(session, ticket.id)

    def call_ticket(self, actor: Actor, ticket_id: int, desk: int) -> TicketInfo:
        """Call a specific waiting (or on-hold) ticket out of order."""
        require(actor, "queue.call")
        desk = _desk_number(desk)
        with self.db.write() as session:
            self._lock(session, _DESK_LOCK, desk)
            self._refuse_busy(session, desk)
            ticket = self._locked(session, ticket_id)
            if ticket.status not in ("waiting", "on_hold"):
                raise Conflict(
                    f"{ticket.label} is no longer waiting ({STATUS_IN_A_SENTENCE[ticket.status]})."
                )
            if ticket.day != self.clock.today():
                raise Conflict(f"{ticket.label} is from another day.")
            self._claim(session, ticket, actor, desk, self.clock.now())
            return self._ticket_info(session, ticket.id)

    def resume(self, actor: Actor, ticket_id: int, desk: int) -> TicketInfo:
        """Take an on-hold ticket back to this desk."""
        return self.call_ticket(actor, ticket_id, desk)

    # -- serving -----------------------------------------------------------------------
    def _transition(
        self,
        actor: Actor,
        ticket_id: int,
        expected: Sequence[str],
        action: str,
        detail: str | None = None,
        **values: Any,
    ) -> TicketInfo:
        """The pattern of every change of a ticket being served (see the module's doc)."""
        require(actor, "queue.call")
        with self.db.write() as session:
            ticket = self._locked(session, ticket_id)
            _check_mine(ticket, actor, expected)
            self._change(session, ticket, **values)
            self._event(session, ticket.id, action, actor, detail)
            return self._ticket_info(session, ticket.id)

    def recall(self, actor: Actor, ticket_id: int) -> TicketInfo:
        return self._transition(
            actor,
            ticket_id,
            ("called",),
            "recalled",
            f"desk {actor.desk}" if actor.desk else None,
            recalls=T.recalls + 1,
            called_at=self.clock.now(),
        )

    def transfer(self, actor: Actor, ticket_id: int, service_code: str) -> TicketInfo:
        """Send the visitor to another service's queue; number and arrival time stay."""
        require(actor, "queue.call")
        with self.db.write() as session:
            ticket = self._locked(session, ticket_id)
            _check_mine(ticket, actor, ("called", "waiting", "on_hold"))
            service = self._service(session, service_code)
            if service.id == ticket.service_id:
                raise ValidationError("service", "the ticket is already for this service")
            old = session.scalar(select(Service.code).where(Service.id == ticket.service_id))
            self._change(
                session, ticket, service_id=service.id, status="waiting", desk=None, called_at=None
            )
            self._event(session, ticket.id, "transferred", actor, f"{old} -> {service.code}")
            return self._ticket_info(session, ticket.id)

    def hold(self, actor: Actor, ticket_id: int) -> TicketInfo:
        return self._transition(actor, ticket_id, ("called",), "on_hold", status="on_hold")

    def no_show(self, actor: Actor, ticket_id: int) -> TicketInfo:
        return self._transition(
            actor,
            ticket_id,
            ("called", "on_hold"),
            "no_show",
            status="no_show",
            finished_at=self.clock.now(),
        )

    def finish(self, actor: Actor, ticket_id: int, outcome: str | None = None) -> TicketInfo:
        note = clean_text(
            outcome, "outcome", label="The outcome note", max_length=1000, multiline=True
        )
        return self._transition(
            actor,
            ticket_id,
            ("called",),
            "finished",
            status="done",
            finished_at=self.clock.now(),
            outcome=note,
        )

    def cancel(self, actor: Actor, ticket_id: int) -> TicketInfo:
        """The visitor left before being called (or the ticket was issued by mistake)."""
        return self._transition(
            actor,
            ticket_id,
            ("waiting", "on_hold"),
            "cancelled",
            status="cancelled",
            finished_at=self.clock.now(),
        )

    def undo(self, actor: Actor, ticket_id: int) -> TicketInfo:
        """Take back a finish or a no-show: the visitor is at this desk again.

        Only the desk that did it, within UNDO_MINUTES, on a day still open, and while the
        desk serves nobody else.
        """
        require(actor, "queue.call")
        now = self.clock.now()
        with self.db.write() as session:
            ticket = self._locked(session, ticket_id)
            _check_mine(ticket, actor, ("done", "no_show"))
            if actor.desk and ticket.desk != actor.desk:
                raise Conflict(
                    f"{ticket.label} was served at desk {ticket.desk}; only that desk can "
                    "take it back."
                )
            finished = ticket.finished_at
            if finished is None or now - finished > timedelta(minutes=UNDO_MINUTES):
                raise Conflict(
                    f"{ticket.label} was closed more than {UNDO_MINUTES} minutes ago; "
                    "it can no longer be taken back."
                )
            self._refuse_closed_day(session, ticket.day)
            self._refuse_busy(session, ticket.desk)
            self._change(session, ticket, status="called", finished_at=None)
            self._event(session, ticket.id, "undone", actor, f"{ticket.status} -> called")
            return self._ticket_info(session, ticket.id)

    def update_notes(self, actor: Actor, ticket_id: int, notes: str) -> None:
        require(actor, "queue.call")
        clean = clean_text(notes, "notes", label="The notes", max_length=500, multiline=True)
        with self.db.write() as session:
            changed = session.execute(
                update(sql.TICKETS).where(T.id == _ticket_id(ticket_id)).values(notes=clean)
            )
            if rowcount(changed) != 1:
                raise NotFound("this ticket does not exist")

    # -- waits and the board -----------------------------------------------------------
    def load(self) -> tuple[ServiceLoad, ...]:
        with self.db.read() as session:
            return waiting_strip(session, self.clock)

    def board(self, recent: int = 6) -> BoardState:
        """The waiting-room board: no names, no personal data, ever."""
        with self.db.read() as session:
            return board_state(session, self.clock, recent)

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
            if visitor_id is not None and session.get(Visitor, _visitor_id(visitor_id)) is None:
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


def _visitor_id(value: object) -> int:
    return check_id(value, "this visitor no longer exists")
