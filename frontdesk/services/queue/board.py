"""What the waiting room and the desks' waiting strip show: counts, estimated waits, and
the tickets being served with their desks. Ticket numbers only, never a name."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.clock import Clock
from frontdesk.services.queue import statements as sql
from frontdesk.services.queue.records import BoardCall, BoardState, ServiceLoad

# How many of today's most recent service times the wait estimate looks at.
RECENT_SERVICES = 10


def waiting_strip(session: Session, clock: Clock) -> tuple[ServiceLoad, ...]:
    """Per active service: how many wait, and the wait of someone joining now (the median
    of the latest service times, divided over the desks that called it in the last hour)."""
    today = clock.today()
    stmts = sql.load()
    services = session.execute(stmts["services"], {"today": today}).all()
    recent = session.execute(
        stmts["recent"], {"today": today, "n": RECENT_SERVICES * max(1, len(services))}
    ).all()
    desks_by_service: dict[int, set[int]] = {}
    hour_ago = clock.now() - timedelta(hours=1)
    for service_id, desk in session.execute(stmts["desks"], {"today": today, "hour_ago": hour_ago}):
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
        count = int(s.waiting or 0)
        out.append(ServiceLoad(s.code, s.name, s.prefix, count, round(count * per_visit / desks)))
    return tuple(out)


def board_state(session: Session, clock: Clock, recent: int) -> BoardState:
    today = clock.today()
    t, e = sql.TICKETS.c, sql.EVENTS.c
    serving = session.execute(
        select(t.label, t.desk, t.called_at, t.language)
        .where(t.day == today, t.status == "called")
        .order_by(t.called_at.desc())
    ).all()
    last = session.execute(
        select(t.label, e.desk, e.at)
        .join(sql.TICKETS, t.id == e.ticket_id)
        .where(t.day == today, e.action.in_(("called", "recalled")), e.desk.is_not(None))
        .order_by(e.id.desc())
        .limit(recent)
    ).all()
    version = int(session.execute(sql.version()).scalar() or 0)
    return BoardState(
        serving=tuple(
            BoardCall(label, desk or 0, at or clock.now(), language)
            for label, desk, at, language in serving
        ),
        recent=tuple(BoardCall(label, desk or 0, at) for label, desk, at in last),
        load=waiting_strip(session, clock),
        version=version,
    )


def wait_after_issue(load: Sequence[ServiceLoad], service_code: str) -> int | None:
    """The wait for a ticket just issued: those ahead of it, not the ticket itself (what
    the desk and the kiosk tell the visitor)."""
    for item in load:
        if item.code == service_code:
            return item.wait_of_last
    return None
