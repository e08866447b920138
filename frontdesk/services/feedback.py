"""Ratings after the visit: the tablet facing the visitor at a desk, and what they add up to.

When a desk finishes a visit, the tablet at that desk asks "How was your visit?" with four
faces and an optional reason. The tablet acts as the ``feedback`` role (no login, no staff
account): it may see which visit its own desk just finished (the ticket's id and language,
nothing about the person) and record one rating for it.

One rating per ticket: the first tap counts. A second rating for the same ticket (a double
tap, a second tablet) changes nothing and gets the stored rating back (``created`` False);
the unique ticket_id makes that hold between processes too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from frontdesk.clock import Clock
from frontdesk.db import Database
from frontdesk.db.models import Rating, Service, Ticket
from frontdesk.services.auth import Actor, require
from frontdesk.services.errors import NotFound, ValidationError, check_id

SCORES = (1, 2, 3, 4)
SCORE_LABELS = {1: "Bad", 2: "Not so good", 3: "Good", 4: "Very good"}  # as the tablet says
REASONS = ("waiting", "explanation", "friendliness", "outcome")
REASON_LABELS = {
    "waiting": "Waiting time",
    "explanation": "Explanation",
    "friendliness": "Friendliness",
    "outcome": "Outcome",
}
# A visit finished longer ago than this is not asked about any more (the visitor has gone).
ASK_MINUTES = 5


def tablet_actor(desk: int) -> Actor:
    """Who the rating tablet at ``desk`` acts as: the ``feedback`` role, no staff account."""
    return Actor(
        staff_id=0,
        name="rating tablet",
        role="feedback",
        desk=desk,
        origin=f"rating tablet at desk {desk}",
    )


@dataclass(frozen=True)
class FinishedVisit:
    """A visit the tablet may ask about: the ticket and its language, nothing personal."""

    ticket_id: int
    desk: int
    language: str | None
    finished_at: datetime


@dataclass(frozen=True)
class RatingInfo:
    ticket_id: int
    score: int
    reason: str | None
    at: datetime
    desk: int | None
    created: bool  # False: the ticket was rated before; nothing changed


@dataclass(frozen=True)
class SatisfactionRow:
    """Finished visits and their ratings for one service, desk or day."""

    key: Any
    finished: int
    ratings: int
    average: float | None
    faces: tuple[int, int, int, int]  # how many rated 1, 2, 3, 4

    @property
    def response_rate(self) -> float | None:
        return self.ratings / self.finished if self.finished else None


def check_score(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in SCORES:
        raise ValidationError("score", "Pick one of the four faces.")
    return value


def check_reason(value: object) -> str | None:
    if value is None or value == "":
        return None
    if value not in REASONS:
        raise ValidationError("reason", "Pick one of the reasons, or none.")
    return str(value)


class FeedbackService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def to_ask(self, actor: Actor) -> FinishedVisit | None:
        """The visit the actor's desk finished last, in the last few minutes, if unrated."""
        require(actor, "feedback.record")
        if actor.desk is None:
            return None
        since = self.clock.now() - timedelta(minutes=ASK_MINUTES)
        t = Ticket
        stmt = (
            select(t.id, t.desk, t.language, t.finished_at)
            .outerjoin(Rating, Rating.ticket_id == t.id)
            .where(
                t.day == self.clock.today(),
                t.status == "done",
                t.desk == actor.desk,
                t.finished_at >= since,
                Rating.id.is_(None),
            )
            .order_by(t.finished_at.desc(), t.id.desc())
            .limit(1)
        )
        with self.db.read() as session:
            row = session.execute(stmt).first()
        if row is None:
            return None
        return FinishedVisit(int(row.id), int(row.desk), row.language, row.finished_at)

    def record(
        self, actor: Actor, ticket_id: int, score: int, reason: str | None = None
    ) -> RatingInfo:
        """Record the visitor's rating of a finished visit (the first one counts)."""
        require(actor, "feedback.record")
        ticket_id = check_id(ticket_id, "That visit is not known.", field="ticket")
        score = check_score(score)
        reason = check_reason(reason)
        with self.db.write() as session:
            ticket = session.execute(
                select(Ticket.status, Ticket.desk, Ticket.service_id).where(Ticket.id == ticket_id)
            ).first()
            if ticket is None:
                raise NotFound("That visit is not known.")
            if ticket.status != "done":
                raise ValidationError("ticket", "Only a finished visit can be rated.")
            if actor.role == "feedback" and ticket.desk != actor.desk:
                raise ValidationError("ticket", "This tablet rates the visits of its own desk.")
            stored = self._stored(session, ticket_id)
            if stored is not None:
                return stored
            row = Rating(
                ticket_id=ticket_id,
                score=score,
                reason=reason,
                at=self.clock.now(),
                desk=ticket.desk,
                service_id=ticket.service_id,
            )
            try:
                with session.begin_nested():  # another tablet may have rated it just now
                    session.add(row)
            except IntegrityError:
                stored = self._stored(session, ticket_id)
                if stored is None:
                    raise
                return stored
            return RatingInfo(ticket_id, score, reason, row.at, row.desk, created=True)

    @staticmethod
    def _stored(session: Session, ticket_id: int) -> RatingInfo | None:
        old = session.execute(select(Rating).where(Rating.ticket_id == ticket_id)).scalar()
        if old is None:
            return None
        return RatingInfo(ticket_id, old.score, old.reason, old.at, old.desk, created=False)

    def satisfaction(self, actor: Actor, start: date, end: date, by: str) -> list[SatisfactionRow]:
        """Finished visits and ratings from ``start`` to ``end`` (days, inclusive), per
        ``by``: "service" (the service's name), "desk", "day" or "all"."""
        require(actor, "report.view")
        with self.db.read() as session:
            return satisfaction_rows(session, start, end, by)


def _key(by: str) -> Any:
    if by == "service":
        return Service.name
    if by == "desk":
        return Ticket.desk
    if by == "day":
        return Ticket.day
    if by == "reason":
        return Rating.reason
    if by == "all":
        return None
    raise ValueError(by)


def satisfaction_rows(session: Session, start: date, end: date, by: str) -> list[SatisfactionRow]:
    """The figures of :meth:`FeedbackService.satisfaction`, inside a caller's transaction.

    A finished visit is a ticket marked done that day; its rating (if any) is joined by
    the ticket, so the response rate is ratings / finished visits and never above 1.
    """
    key = _key(by)
    faces = [func.sum(case((Rating.score == s, 1), else_=0)) for s in SCORES]
    columns: list[Any] = [
        func.count(Ticket.id),
        func.count(Rating.id),
        func.avg(Rating.score),
        *faces,
    ]
    stmt = (
        select(*([key] if key is not None else []), *columns)
        .select_from(Ticket)
        .outerjoin(Rating, Rating.ticket_id == Ticket.id)
        .where(Ticket.day >= start, Ticket.day <= end, Ticket.status == "done")
    )
    if by == "service":
        stmt = stmt.join(Service, Service.id == Ticket.service_id)
    if by == "reason":
        stmt = stmt.where(Rating.id.is_not(None))
    if key is not None:
        stmt = stmt.group_by(key).order_by(key)
    out: list[SatisfactionRow] = []
    for row in session.execute(stmt):
        values: Sequence[Any] = tuple(row)
        if key is None:
            values = (None, *values)
        k, finished, rated, average, *counts = values
        if key is None and not finished:
            continue
        out.append(
            SatisfactionRow(
                key=k,
                finished=int(finished or 0),
                ratings=int(rated or 0),
                average=float(average) if average is not None else None,
                faces=(
                    int(counts[0] or 0),
                    int(counts[1] or 0),
                    int(counts[2] or 0),
                    int(counts[3] or 0),
                ),
            )
        )
    return out
