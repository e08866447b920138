"""The end of the day: closing a day (its open tickets become "not served"), reopening
it, and closing on start the days left open. Issuing into a day checks it is not closed
under the same lock, so no ticket slips into a closed day."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from frontdesk.db.models import ClosedDay
from frontdesk.services import audit
from frontdesk.services.auth import Actor, require
from frontdesk.services.dml import rowcount
from frontdesk.services.errors import Conflict
from frontdesk.services.queue import statements as sql
from frontdesk.services.queue.core import (
    _DAY_LOCK,
    QueueCore,
    T,
)
from frontdesk.services.queue.records import (
    OPEN_STATUSES,
)


class QueueDay(QueueCore):
    """The queue's days: closed, reopened, and the check before a ticket is issued."""

    def _refuse_closed_day(self, session: Session, day: date) -> None:
        """Refuse a ticket for a day the lead has closed. The day's lock, shared here and
        exclusive in _close, orders this check before or after a close, never across it."""
        self._lock(session, _DAY_LOCK, day.toordinal(), shared=True)
        if session.scalar(select(ClosedDay.day).where(ClosedDay.day == day)) is not None:
            raise Conflict(
                "Today's queue has been closed, so no tickets can be issued. "
                "The team lead can reopen the day (Lead screen, Today tab)."
            )

    # -- the end of the day ------------------------------------------------------------
    def _close(self, session: Session, day: date, actor: Actor | None, origin: str) -> int | None:
        """Close ``day``: its open tickets become "not served", one event each, one closed-day
        record, one audit row. None if it was closed already and nothing was left open.

        Under the day's exclusive lock (see _refuse_closed_day). The UPDATE changes only
        tickets still open when it runs: one that a desk finished meanwhile is left alone
        (on PostgreSQL a row a desk is changing is waited for, then checked again).
        """
        self._lock(session, _DAY_LOCK, day.toordinal())
        now = self.clock.now()
        already = session.scalar(select(ClosedDay.day).where(ClosedDay.day == day)) is not None
        closed = list(
            session.scalars(
                update(sql.TICKETS)
                .where(T.day == day, T.status.in_(OPEN_STATUSES))
                .values(status="not_served", finished_at=now)
                .returning(T.id)
            )
        )
        if already and not closed:
            return None
        for ticket_id in closed:
            self._event(session, ticket_id, "not_served", actor, "day closed")
        if not already:
            session.add(
                ClosedDay(
                    day=day,
                    closed_at=now,
                    closed_by=(actor.staff_id or None) if actor else None,
                    not_served=len(closed),
                )
            )
        audit.record(
            session,
            self.clock,
            action="day.close",
            actor=actor,
            origin=origin,
            object_type="day",
            object_id=day.isoformat(),
            reason=f"{len(closed)} not served"
            + ("" if actor else "; closed on the first start of a later day"),
        )
        return len(closed)

    def close_day(self, actor: Actor, day: date | None = None) -> int:
        """Close a day: tickets still open become "not served". Returns how many."""
        require(actor, "queue.close_day")
        day = day or self.clock.today()
        with self.db.write() as session:
            count = self._close(session, day, actor, origin="")
        if count is None:
            raise Conflict("This day is closed already; nothing was changed.")
        return count

    def reopen_day(self, actor: Actor, day: date | None = None) -> None:
        """Let tickets be issued again on a closed day (its not-served tickets stay so)."""
        require(actor, "queue.close_day")
        day = day or self.clock.today()
        with self.db.write() as session:
            self._lock(session, _DAY_LOCK, day.toordinal())
            gone = session.execute(delete(ClosedDay).where(ClosedDay.day == day))
            if rowcount(gone) != 1:
                raise Conflict("This day is not closed; nothing was changed.")
            audit.record(
                session,
                self.clock,
                action="day.reopen",
                actor=actor,
                object_type="day",
                object_id=day.isoformat(),
            )

    def is_closed(self, day: date | None = None) -> bool:
        day = day or self.clock.today()
        with self.db.read() as session:
            return session.scalar(select(ClosedDay.day).where(ClosedDay.day == day)) is not None

    def close_past_days(self) -> int:
        """On start: tickets left open on earlier days never leak into today's queue.

        Each day in its own transaction; several desks starting at once close each day
        once (the day's lock, then the check of what is still open)."""
        with self.db.read() as session:
            days = sorted(set(session.scalars(sql.open_past_days(self.clock.today()))))
        total = 0
        for day in days:
            with self.db.write() as session:
                total += self._close(session, day, None, origin="automatic") or 0
        return total
