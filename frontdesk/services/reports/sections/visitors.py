"""Served visits by visitor category and by nationality (top 10, with the change)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import (
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
    Ticket,
    Visitor,
)
from frontdesk.services.fields import country
from frontdesk.services.reports.periods import (
    Period,
)
from frontdesk.services.reports.statistics import change
from frontdesk.services.tables import Column, Table
from frontdesk.services.visitors import CATEGORIES

TOP_NATIONALITIES = 10


@cache
def _visitor_statement(periods: int) -> Any:
    """Served visits and distinct visitors per category and nationality for ``periods``
    periods that do not overlap (bound as ``first0``, ``last0``, ...; with several, the
    span of them all as ``outer_first`` and ``outer_last``). Built once per count."""
    day = Ticket.day

    def within(i: int) -> Any:
        return and_(day >= bindparam(f"first{i}", type_=day.type), day <= bindparam(f"last{i}"))

    # The visits per visitor first, then one look-up per visitor rather than per
    # visit, and no DISTINCT to sort per group.
    if periods == 1:
        visits = [func.count().label("p0")]
        where = within(0)
    else:
        visits = [func.sum(case((within(i), 1), else_=0)).label(f"p{i}") for i in range(periods)]
        where = and_(
            day >= bindparam("outer_first", type_=day.type),
            day <= bindparam("outer_last", type_=day.type),
            or_(*(within(i) for i in range(periods))),
        )
    per_visitor = (
        select(Ticket.visitor_id.label("visitor_id"), *visits)
        .where(where, Ticket.status == "done", Ticket.visitor_id.is_not(None))
        .group_by(Ticket.visitor_id)
        .subquery()
    )
    figures = []
    for i in range(periods):
        n = per_visitor.c[f"p{i}"]
        figures += [func.sum(n), func.sum(case((n > 0, 1), else_=0))]
    return (
        select(Visitor.category, Visitor.nationality, *figures)
        .select_from(per_visitor)
        .join(Visitor, Visitor.id == per_visitor.c.visitor_id)
        .group_by(Visitor.category, Visitor.nationality)
    )


class VisitorSection:
    """Served visits by visitor category and by nationality (top 10, with the change)."""

    key = "visitors"

    def _grouped(
        self, session: Session, periods: Sequence[Period]
    ) -> list[tuple[dict[str | None, tuple[int, int]], dict[str | None, tuple[int, int]]]]:
        """Served visits and distinct visitors per category and per nationality, for each
        of the periods (which do not overlap): [(categories, nationalities), ...].

        One pass over the periods' served tickets, from the tickets' index alone: a
        visitor has one category and one nationality, so the distinct visitors of a
        category are the sum over its nationalities, and the other way round.
        """
        params: dict[str, Any] = {}
        for i, p in enumerate(periods):
            params[f"first{i}"], params[f"last{i}"] = p.start, p.end
        params["outer_first"] = min(p.start for p in periods)
        params["outer_last"] = max(p.end for p in periods)
        stmt = _visitor_statement(len(periods))
        out: list[tuple[dict[str | None, tuple[int, int]], dict[str | None, tuple[int, int]]]]
        out = [({}, {}) for _ in periods]
        for cat, nat, *numbers in session.connection().execute(stmt, params):
            for (cats, nats), visits_n, people in zip(
                out, numbers[::2], numbers[1::2], strict=True
            ):
                if not visits_n:
                    continue  # none in this period: absent, as a query of it alone had it
                for target, key in ((cats, cat), (nats, nat)):
                    was = target.get(key, (0, 0))
                    target[key] = (was[0] + int(visits_n), was[1] + int(people))
        return out

    def day_tables(self, session: Session, day: date, clock: Clock) -> list[Table]:
        return []

    def period_tables(
        self, session: Session, period: Period, previous: Period, clock: Clock
    ) -> list[Table]:
        if session.get_bind().dialect.name == "sqlite":
            # SQLite sorts to group: two smaller sorts cost less than one of both periods.
            (cats, nat), (cats_before, nat_before) = (
                self._grouped(session, [p])[0] for p in (period, previous)
            )
        else:  # PostgreSQL hashes: one pass, one scan of the visitors instead of two
            (cats, nat), (cats_before, nat_before) = self._grouped(session, [period, previous])
        cat_rows = []
        for code, label in [*CATEGORIES.items(), (None, "Not recorded")]:
            visits, people = cats.get(code, (0, 0))
            before = cats_before.get(code, (0, 0))[0]
            if visits or before:
                cat_rows.append((label, visits, people, before, change(visits, before)))
        ranked = sorted(
            ((code, v) for code, v in nat.items() if code), key=lambda kv: (-kv[1][0], kv[0] or "")
        )[:TOP_NATIONALITIES]
        nat_rows = []
        for rank, (code, (visits, people)) in enumerate(ranked, 1):
            found = country(code)
            before = nat_before.get(code, (0, 0))[0]
            nat_rows.append(
                (
                    rank,
                    found.name if found else code,
                    code,
                    visits,
                    people,
                    before,
                    visits - before,
                    change(visits, before),
                )
            )
        return [
            Table(
                "categories",
                "Served visits by visitor category",
                (
                    Column("Category", width=26),
                    Column("Visits", "int"),
                    Column("Visitors", "int"),
                    Column("Previous period", "int"),
                    Column("Change %", "pct"),
                ),
                tuple(cat_rows),
            ),
            Table(
                "nationalities",
                f"Top {TOP_NATIONALITIES} nationalities (served visits)",
                (
                    Column("Rank", "int"),
                    Column("Nationality", width=24),
                    Column("Code"),
                    Column("Visits", "int"),
                    Column("Visitors", "int"),
                    Column("Previous period", "int"),
                    Column("Change", "int"),
                    Column("Change %", "pct"),
                ),
                tuple(nat_rows),
            ),
        ]
