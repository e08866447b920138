"""Contacts by channel (logged contact moments) against the previous period."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session

from frontdesk.clock import Clock
from frontdesk.db.models import (
    ContactMoment,
)
from frontdesk.services.queue import CHANNELS
from frontdesk.services.reports.periods import (
    Period,
)
from frontdesk.services.reports.statistics import change
from frontdesk.services.tables import Column, Table


@cache
def _contact_statement(both: bool) -> Any:
    """Contacts and minutes per channel, flagged 1 in the period; ``both``: and in the
    period before (bound as ``before_start`` and ``before_end``). Built once."""
    at = ContactMoment.at

    def within(first: str, last: str) -> ColumnElement[bool]:
        return and_(at >= bindparam(first, type_=at.type), at < bindparam(last, type_=at.type))

    now = within("start", "end")
    where = now
    if both:
        # The outer range lets the index on ``at`` serve both periods in one scan.
        where = and_(
            within("outer_start", "outer_end"),
            or_(within("start", "end"), within("before_start", "before_end")),
        )
    flag = case((now, 1), else_=0)
    return (
        select(flag, ContactMoment.channel, func.count(), func.sum(ContactMoment.minutes))
        .where(where)
        .group_by(flag, ContactMoment.channel)
    )


class ContactSection:
    """Contacts by channel (logged contact moments) against the previous period."""

    key = "contacts"

    def _counts(
        self, session: Session, period: Period, clock: Clock, previous: Period | None = None
    ) -> tuple[dict[str, tuple[int, int]], dict[str, tuple[int, int]]]:
        """(contacts, minutes) per channel in the period and, from the same scan, before it."""
        start, _ = clock.day_bounds(period.start)
        _, end = clock.day_bounds(period.end)
        params = {"start": start, "end": end}
        if previous is not None:
            params["before_start"], _ = clock.day_bounds(previous.start)
            _, params["before_end"] = clock.day_bounds(previous.end)
            params["outer_start"] = min(start, params["before_start"])
            params["outer_end"] = max(end, params["before_end"])
        out: tuple[dict[str, tuple[int, int]], dict[str, tuple[int, int]]] = ({}, {})
        for is_now, channel, n, minutes in session.connection().execute(
            _contact_statement(previous is not None), params
        ):
            out[0 if is_now else 1][channel] = (int(n), int(minutes or 0))
        return out

    def day_tables(self, session: Session, day: date, clock: Clock) -> list[Table]:
        counts, _ = self._counts(session, Period(day, day), clock)
        return [
            Table(
                "contacts",
                "Contacts by channel",
                (Column("Channel"), Column("Contacts", "int"), Column("Minutes", "int")),
                tuple(
                    (label, counts.get(code, (0, 0))[0], counts.get(code, (0, 0))[1])
                    for code, label in CHANNELS.items()
                ),
            )
        ]

    def period_tables(
        self, session: Session, period: Period, previous: Period, clock: Clock
    ) -> list[Table]:
        now, before = self._counts(session, period, clock, previous)
        rows = []
        for code, label in CHANNELS.items():
            n, minutes = now.get(code, (0, 0))
            b = before.get(code, (0, 0))[0]
            rows.append((label, n, minutes, b, n - b, change(n, b)))
        total_n = sum(r[1] for r in rows)
        total_b = sum(r[3] for r in rows)
        rows.append(
            (
                "All channels",
                total_n,
                sum(r[2] for r in rows),
                total_b,
                total_n - total_b,
                change(total_n, total_b),
            )
        )
        return [
            Table(
                "contacts",
                "Contacts by channel",
                (
                    Column("Channel"),
                    Column("Contacts", "int"),
                    Column("Minutes", "int"),
                    Column("Previous period", "int"),
                    Column("Change", "int"),
                    Column("Change %", "pct"),
                ),
                tuple(rows),
            )
        ]
