"""The day report's statements: each ticket's wait and service time in whole
microseconds, its arrival in seconds after the day's start, worked out by the database.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import (
    BigInteger,
    Integer,
    bindparam,
    case,
    cast,
    extract,
    func,
    literal,
    select,
    true,
)

from frontdesk.db.models import (
    CentreRule,
    ClosedDay,
    ContactMoment,
    Service,
    Staff,
    Ticket,
)
from frontdesk.services.rules import TARGET_KEY

# unixepoch() (SQLite 3.38+) reads a timestamp's seconds at half the cost of strftime('%s').
_UNIXEPOCH = sqlite3.sqlite_version_info >= (3, 38)


def _seconds(moment: Any) -> Any:
    """SQLite: the whole seconds since 1970 of a stored (naive UTC) timestamp."""
    if _UNIXEPOCH:
        return func.unixepoch(moment)
    return cast(func.strftime("%s", moment), Integer)


def _microseconds(dialect: str, start: Any, end: Any) -> Any:
    """Whole microseconds from start to end, exact (julianday() is not: 20 min = 20.000001).

    SQLite stores naive UTC text, ``YYYY-MM-DD HH:MM:SS.ffffff``: the whole seconds from
    the date functions, the microseconds from the text.
    """
    if dialect == "sqlite":
        micro = cast(func.substr(end, 21, 6), Integer) - cast(func.substr(start, 21, 6), Integer)
        return (_seconds(end) - _seconds(start)) * 1_000_000 + micro
    return cast(extract("epoch", end - start) * 1_000_000, BigInteger)


def day_statements(dialect: str) -> tuple[Any, Any]:
    """The day's tickets as plain numbers; the target wait, the closing and the contacts."""
    if dialect == "sqlite":
        arrived_s = _seconds(Ticket.arrived_at) - bindparam("start_s")
    else:
        start = bindparam("start", type_=Ticket.arrived_at.type)
        arrived_s = cast(func.floor(extract("epoch", Ticket.arrived_at - start)), BigInteger)
    tickets = (
        select(
            Ticket.service_id,
            Service.name,
            Ticket.status,
            Ticket.desk,
            Staff.name,
            _microseconds(dialect, Ticket.arrived_at, Ticket.first_called_at),
            case(
                (
                    Ticket.status == "done",
                    _microseconds(dialect, Ticket.first_called_at, Ticket.finished_at),
                ),
                else_=None,
            ),
            arrived_s,
        )
        .join(Service, Service.id == Ticket.service_id)
        .outerjoin(Staff, Staff.id == Ticket.staff_id)
        .where(Ticket.day == bindparam("day"))
        .order_by(Ticket.arrived_at, Ticket.id)  # the order the means were summed in
    )
    at = ContactMoment.at
    contacts = (
        select(ContactMoment.channel, func.count().label("n"))
        .where(at >= bindparam("start", type_=at.type), at < bindparam("end", type_=at.type))
        .group_by(ContactMoment.channel)
        .subquery()
    )
    one = select(literal(1).label("one")).subquery()
    extra = select(
        select(CentreRule.value).where(CentreRule.key == TARGET_KEY).scalar_subquery(),
        select(ClosedDay.closed_at).where(ClosedDay.day == bindparam("day")).scalar_subquery(),
        contacts.c.channel,
        contacts.c.n,
    ).select_from(one.outerjoin(contacts, true()))
    return tickets, extra
