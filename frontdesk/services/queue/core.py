"""What every part of the queue service stands on: the services (kinds of visit) and the
desks that serve them, the locks, and reading and changing one ticket so that a change
counts only if the ticket is still in the state that was read."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import Row, func, insert, select, update
from sqlalchemy.orm import Session

from frontdesk.clock import Clock
from frontdesk.config import ServiceDefault, Settings
from frontdesk.db import Database
from frontdesk.db.models import Service
from frontdesk.services.auth import Actor
from frontdesk.services.dml import rowcount
from frontdesk.services.errors import Conflict, NotFound, ValidationError, check_id
from frontdesk.services.queue import statements as sql
from frontdesk.services.queue.records import (
    STATUS_IN_A_SENTENCE,
    ServiceInfo,
    TicketInfo,
    service_desks,
    ticket_info,
)
from frontdesk.services.queue.sync import announce
from frontdesk.services.records import record_of
from frontdesk.services.text import has_control_chars
from frontdesk.services.visitors import VisitorService

# changed_since() reads this many events before the given version again: on PostgreSQL an
# event can become visible after one with a higher id (late commits).
CHANGES_OVERLAP = 20
# How long after a finish or a no-show the desk that did it can take it back.
UNDO_MINUTES = 5
# PostgreSQL advisory lock classes (the first key of pg_advisory_xact_lock(int, int)).
_DAY_LOCK = 46_001  # second key: the day's ordinal; close takes it alone, issuing shared
_DESK_LOCK = 46_002  # second key: the desk: one call at a time per desk

T = sql.TICKETS.c


def service_info(row: Service) -> ServiceInfo:
    return record_of(ServiceInfo, row, desks=service_desks(row.desks))


def _ticket_id(value: object) -> int:
    """A ticket id as the database can hold it; anything else is a ticket that does not exist."""
    return check_id(value, "this ticket does not exist")


def _desk_number(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 99:
        raise ValidationError("desk", "the desk number must be between 1 and 99")
    return value


def _check_mine(ticket: Any, actor: Actor, statuses: Sequence[str]) -> None:
    """Refuse a change of a ticket that is not in one of ``statuses``, or that another desk
    is serving (moving it from here would pull the visitor from under that clerk)."""
    if ticket.status not in statuses:
        raise Conflict(
            f"{ticket.label} is {STATUS_IN_A_SENTENCE[ticket.status]}; nothing was changed."
        )
    if ticket.status == "called" and actor.desk and ticket.desk and actor.desk != ticket.desk:
        raise Conflict(
            f"{ticket.label} is being served at desk {ticket.desk}, not at yours "
            f"(desk {actor.desk}); nothing was changed."
        )


class QueueCore:
    """The database, settings and clock; the services; the locks and one ticket's change."""

    def __init__(
        self, db: Database, settings: Settings, clock: Clock, visitors: VisitorService
    ) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.visitors = visitors

    # -- services ----------------------------------------------------------------------
    def sync_services(self, defaults: Iterable[ServiceDefault]) -> int:
        """Add configured services that the database does not have yet (never overwrites)."""
        added = 0
        with self.db.write() as session:
            known = set(session.scalars(select(Service.code)))
            for item in defaults:
                if item.code not in known:
                    session.add(Service(**asdict(item), active=True, desks=""))
                    added += 1
        return added

    def services(self, *, active_only: bool = True) -> list[ServiceInfo]:
        with self.db.read() as session:
            stmt = select(Service).order_by(Service.id)
            if active_only:
                stmt = stmt.where(Service.active)
            return [service_info(r) for r in session.scalars(stmt)]

    def _service(self, session: Session, code: str, field: str = "service") -> Service:
        if not isinstance(code, str) or len(code) > 40 or has_control_chars(code):
            raise ValidationError(field, "pick a service from the list")  # PostgreSQL: no NUL
        row = session.scalar(select(Service).where(Service.code == code))
        if row is None or not row.active:
            raise ValidationError(field, "pick a service from the list")
        return row

    def _desk_services(self, session: Session, desk: int) -> list[int]:
        """The active services this desk calls: the service's own desks (empty: every
        desk) and this desk's ``desk_services`` setting (empty: every service)."""
        wanted = set(self.settings.desk_services)
        ids = []
        for service_id, code, desks_text in session.execute(
            select(Service.id, Service.code, Service.desks).where(Service.active)
        ):
            desks = service_desks(desks_text)
            if (not wanted or code in wanted) and (not desks or desk in desks):
                ids.append(service_id)
        return ids

    # -- locks -------------------------------------------------------------------------
    @staticmethod
    def _lock(session: Session, kind: int, key: int, *, shared: bool = False) -> None:
        """A PostgreSQL advisory lock held until the transaction ends. On SQLite the write
        transaction holds the whole database's write lock already: nothing to add."""
        if session.get_bind().dialect.name != "postgresql":
            return
        take = func.pg_advisory_xact_lock_shared if shared else func.pg_advisory_xact_lock
        session.execute(select(take(kind, key)))

    @staticmethod
    def _for_update(session: Session, stmt: Any, *, skip_locked: bool = False) -> Any:
        if session.get_bind().dialect.name == "postgresql":
            return stmt.with_for_update(skip_locked=skip_locked)
        return stmt

    def _locked(self, session: Session, ticket_id: int) -> Row[Any]:
        """The ticket's state, locked until the transaction ends."""
        stmt = select(T.id, T.label, T.day, T.status, T.desk, T.service_id, T.finished_at)
        row = session.execute(
            self._for_update(session, stmt.where(T.id == _ticket_id(ticket_id)))
        ).one_or_none()
        if row is None:
            raise NotFound("this ticket does not exist")
        return row

    def _change(self, session: Session, ticket: Row[Any], **values: Any) -> None:
        """Change a ticket read with _locked, only if its status is still the one read."""
        result = session.execute(
            update(sql.TICKETS).where(T.id == ticket.id, T.status == ticket.status).values(**values)
        )
        if rowcount(result) != 1:
            raise Conflict(f"{ticket.label} changed meanwhile; nothing was changed.")

    def _event(
        self,
        session: Session,
        ticket_id: int,
        action: str,
        actor: Actor | None,
        detail: str | None = None,
    ) -> None:
        session.execute(
            insert(sql.EVENTS).values(
                ticket_id=ticket_id,
                at=self.clock.now(),
                action=action,
                staff_id=(actor.staff_id or None) if actor else None,
                desk=actor.desk if actor else None,
                detail=detail,
            )
        )
        announce(session)

    def _ticket_info(self, session: Session, ticket_id: int) -> TicketInfo:
        return ticket_info(session.execute(sql.ticket_rows().where(T.id == ticket_id)).one())
