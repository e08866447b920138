"""The audit log: one row for every sensitive act. Rows are only ever added."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from frontdesk.clock import Clock
from frontdesk.db import Database
from frontdesk.db.models import AuditEvent, Staff
from frontdesk.services.auth import Actor, require
from frontdesk.services.errors import ValidationError
from frontdesk.services.fields import parse_date
from frontdesk.services.records import record_of
from frontdesk.services.text import clean_text, fold, has_control_chars


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str | None
    action: str
    object_type: str | None
    object_id: str | None
    result: str
    origin: str
    reason: str | None


def record(
    session: Session,
    clock: Clock,
    *,
    action: str,
    actor: Actor | None = None,
    actor_id: int | None = None,
    object_type: str | None = None,
    object_id: object = None,
    result: str = "ok",
    origin: str = "",
    reason: str | None = None,
) -> None:
    """Add an audit event inside the caller's transaction (it commits or fails with it)."""
    session.add(
        AuditEvent(
            at=clock.now(),
            actor_id=(actor.staff_id or None) if actor else actor_id,
            action=action,
            object_type=object_type,
            object_id=None if object_id is None else str(object_id),
            result=result,
            origin=(actor.where if actor else origin)[:100],
            reason=reason,
        )
    )


@dataclass(frozen=True)
class Trail:
    """The audit rows of one type of object (``"staff"``, ``"partner"``): the acts of the
    people who change them."""

    clock: Clock
    object_type: str

    def add(
        self,
        session: Session,
        actor: Actor,
        action: str,
        object_id: object,
        reason: str | None = None,
    ) -> None:
        """The audit row of ``actor``'s ``action`` on the object ``object_id``."""
        record(
            session,
            self.clock,
            action=action,
            actor=actor,
            object_type=self.object_type,
            object_id=object_id,
            reason=reason,
        )


class AuditService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def recent(
        self,
        actor: Actor,
        *,
        action: str | None = None,
        object_type: str | None = None,
        object_id: object = None,
        actor_name: str | None = None,
        since: date | str | None = None,
        until: date | str | None = None,
        limit: int = 200,
    ) -> Sequence[AuditEntry]:
        """The latest events, newest first, filtered.

        ``action`` matches the action or its group ("privacy" finds "privacy.erase");
        ``actor_name`` is a case/diacritic-blind part of the staff member's name;
        ``since``/``until`` are local days, both included.
        """
        require(actor, "audit.view")
        action = clean_text(action, "action", label="The action", max_length=50)
        actor_name = clean_text(actor_name, "actor_name", label="The staff name", max_length=100)
        object_type = clean_text(object_type, "object_type", label="The object", max_length=30)
        first = parse_date(since, "since", "The first day")
        last = parse_date(until, "until", "The last day")
        if first and last and last < first:
            raise ValidationError("until", "the last day is before the first day")
        stmt = (
            select(AuditEvent, Staff.name)
            .outerjoin(Staff, Staff.id == AuditEvent.actor_id)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
        if action:
            wanted = action.casefold()
            stmt = stmt.where(
                or_(
                    AuditEvent.action == wanted,
                    AuditEvent.action.startswith(f"{wanted}.", autoescape=True),
                )
            )
        if actor_name:
            stmt = stmt.where(Staff.name_key.contains(fold(actor_name), autoescape=True))
        if first:
            stmt = stmt.where(AuditEvent.at >= self.clock.day_bounds(first)[0])
        if last:
            stmt = stmt.where(AuditEvent.at < self.clock.day_bounds(last)[1])
        if object_type:
            stmt = stmt.where(AuditEvent.object_type == object_type)
        if object_id is not None:
            wanted_id = str(object_id)
            if len(wanted_id) > 40 or has_control_chars(wanted_id):
                raise ValidationError("object_id", "this is not the number of anything")
            stmt = stmt.where(AuditEvent.object_id == wanted_id)
        with self.db.read() as session:
            return [record_of(AuditEntry, e, actor=name) for e, name in session.execute(stmt)]
