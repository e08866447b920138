"""The queue's Core statements that are read often: built once, with bound parameters.

Each is a plain module-level builder cached with ``functools.cache``; the service adds
nothing to them but parameters. The state changes (call, finish, ...) are not here: they
are written out where they happen, in service.py, so each can be read beside its checks.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any, cast

from sqlalchemy import Integer, Select, Table, and_, bindparam, case, func, select

from frontdesk.db.models import Service, Staff, Ticket, TicketEvent, Visitor
from frontdesk.services.queue.records import OPEN_STATUSES

TICKETS = cast(Table, Ticket.__table__)
EVENTS = cast(Table, TicketEvent.__table__)
_SERVICES = cast(Table, Service.__table__)
_VISITORS = cast(Table, Visitor.__table__)
_STAFF = cast(Table, Staff.__table__)


def call_order(now: Any) -> list[Any]:
    """The order in which "call next" takes waiting tickets: priority first; then
    appointments that are due, by appointment time; then everyone by arrival."""
    t = TICKETS.c
    is_due = and_(t.appointment_at.is_not(None), t.appointment_at <= now)
    return [
        t.priority.desc(),
        case((is_due, 0), else_=1),
        case((is_due, t.appointment_at), else_=None).asc().nulls_last(),
        t.arrived_at,
        t.id,
    ]


@cache
def ticket_rows() -> Select[Any]:
    """Tickets with their service's code and name and the visitor's and staff member's
    names (the columns of a TicketInfo); the callers add the WHERE."""
    t, sv, v, st = TICKETS.c, _SERVICES.c, _VISITORS.c, _STAFF.c
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
            t.language,
            v.given_names,
            v.family_name,
        )
        .select_from(TICKETS)
        .join(_SERVICES, sv.id == t.service_id)
        .outerjoin(_VISITORS, v.id == t.visitor_id)
        .outerjoin(_STAFF, st.id == t.staff_id)
    )


@cache
def find_ticket() -> Select[Any]:
    """One ticket of a day by its label."""
    t = TICKETS.c
    return ticket_rows().where(t.day == bindparam("day"), t.label == bindparam("label")).limit(1)


@cache
def version() -> Select[Any]:
    """The queue's version: the newest ticket event (see QueueService.changed_since)."""
    return select(func.max(EVENTS.c.id).label("version"))


@cache
def changed() -> Select[Any]:
    """The day's tickets with an event in (after, last]."""
    t, e = TICKETS.c, EVENTS.c
    moved = select(e.ticket_id).where(e.id > bindparam("after"), e.id <= bindparam("last"))
    return ticket_rows().where(t.id.in_(moved), t.day == bindparam("day", type_=t.day.type))


@cache
def visits() -> Select[Any]:
    """A visitor's last visits, newest first, as VisitRecord's fields."""
    t, sv, st = TICKETS.c, _SERVICES.c, _STAFF.c
    return (
        select(
            t.day,
            t.label,
            sv.name.label("service_name"),
            t.status,
            st.name.label("staff_name"),
            t.outcome,
        )
        .select_from(TICKETS)
        .join(_SERVICES, sv.id == t.service_id)
        .outerjoin(_STAFF, st.id == t.staff_id)
        .where(t.visitor_id == bindparam("visitor"))
        .order_by(t.arrived_at.desc())
        .limit(bindparam("n", type_=Integer))
    )


@cache
def load() -> dict[str, Select[Any]]:
    """The waiting strip's statements (QueueService._load)."""
    t, s = TICKETS.c, _SERVICES.c
    today = bindparam("today", type_=t.day.type)
    # Each service's count is a seek in the (day, status, service_id) index.
    waiting = (
        select(func.count())
        .where(t.day == today, t.status == "waiting", t.service_id == s.id)
        .scalar_subquery()
    )
    return {
        "services": select(s.id, s.code, s.name, s.prefix, s.minutes, waiting.label("waiting"))
        .where(s.active)
        .order_by(s.id),
        # The latest served tickets by their first call, newest first: the (day, first
        # call) index gives them in that order, so only these rows are read.
        "recent": select(t.service_id, t.first_called_at, t.finished_at)
        .where(t.day == today, t.status == "done", t.first_called_at.is_not(None))
        .order_by(t.first_called_at.desc())
        .limit(bindparam("n", type_=Integer)),
        "desks": select(t.service_id, t.desk)
        .where(
            t.day == today,
            t.desk.is_not(None),
            t.first_called_at >= bindparam("hour_ago", type_=t.first_called_at.type),
        )
        .distinct(),
    }


def open_past_days(today: date) -> Select[Any]:
    """The days before ``today`` that still have open tickets, read day by day through the
    (day, status) index: from the latest earlier day, each step seeks the day before it,
    and each day is one seek for an open status (a plain "day < today AND status IN (...)"
    reads the whole index, which grows with the years)."""
    t = TICKETS
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
