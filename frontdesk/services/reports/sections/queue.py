"""The queue's section of a period report: visits, waits and no-shows per service; visits
per day.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import (
    ARRAY,
    Float,
    aggregate_order_by,
    and_,
    bindparam,
    case,
    cast,
    func,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from frontdesk.clock import Clock
from frontdesk.config import WEEKDAYS, Settings
from frontdesk.db.models import (
    CentreRule,
    Service,
    Ticket,
)
from frontdesk.services.reports.periods import (
    Period,
)
from frontdesk.services.reports.statistics import interpolate
from frontdesk.services.rules import TARGET_KEY, target_wait_of
from frontdesk.services.tables import Column, Table


@cache
def _queue_statements(dialect: str) -> dict[str, Any]:
    """The queue section's statements for a dialect, built once: building them cost more
    than running them on a month. The period is bound as ``first`` and ``last``."""
    if dialect == "sqlite":
        wait = (func.julianday(Ticket.first_called_at) - func.julianday(Ticket.arrived_at)) * 1440.0
        service_time = (
            func.julianday(Ticket.finished_at) - func.julianday(Ticket.first_called_at)
        ) * 1440.0
    else:  # numeric -> float in the database
        wait = cast(func.extract("epoch", Ticket.first_called_at - Ticket.arrived_at) / 60.0, Float)
        service_time = cast(
            func.extract("epoch", Ticket.finished_at - Ticket.first_called_at) / 60.0, Float
        )
    in_range = and_(Ticket.day >= bindparam("first"), Ticket.day <= bindparam("last"))
    called_in_range = and_(in_range, Ticket.first_called_at.is_not(None))
    done = Ticket.status == "done"
    called: Any
    if dialect == "postgresql":
        # One row per service, its values in arrays: a year's tickets as one row each cost
        # more to send and to turn into Python rows than a few rows of arrays, and the
        # waits come sorted.
        called = (
            select(
                Ticket.service_id,
                type_coerce(aggregate_order_by(func.array_agg(wait), wait), ARRAY(Float)),
                func.count().filter(done),
                type_coerce(
                    func.array_agg(service_time).filter(done, Ticket.finished_at.is_not(None)),
                    ARRAY(Float),
                ),
            )
            .where(called_in_range)
            .group_by(Ticket.service_id)
        )
    else:
        called = select(
            Ticket.service_id,
            wait,
            # 1/0, not a boolean: one column with a result processor (int -> bool)
            # sends every row through Python, half as much again on a year
            case((done, 1), else_=0),
            case((done, service_time), else_=None),
        ).where(called_in_range)
        called = called.order_by(Ticket.service_id, wait)
    return {
        "target": select(CentreRule.value).where(CentreRule.key == TARGET_KEY),
        "names": select(Service.id, Service.name),
        "counts": select(Ticket.day, Ticket.status, Ticket.service_id, func.count())
        .where(in_range)
        .group_by(Ticket.day, Ticket.status, Ticket.service_id),
        "called": called,
    }


class QueueSection:
    """Visits, waits and no-shows per service; visits per day."""

    key = "queue"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings  # the target wait is the lead's (services.rules), else these

    def day_tables(self, session: Session, day: date, clock: Clock) -> list[Table]:
        return []  # the day's queue tables come from DayFigures (see day_tables())

    def period_tables(
        self, session: Session, period: Period, previous: Period, clock: Clock
    ) -> list[Table]:
        conn = session.connection()
        sql = _queue_statements(conn.dialect.name)
        span = {"first": period.start, "last": period.end}
        target = target_wait_of(conn.execute(sql["target"]).scalar(), self.settings)
        names = dict(conn.execute(sql["names"]).all())
        # The tickets per day, status and service: counted in the order of the index on
        # (day, status, service_id), from the index alone (no sort, no table rows).
        counts_of: dict[int, list[int]] = {}  # tickets, done, no-show, cancelled, not served
        per_day_counts: dict[date, list[int]] = {}
        column = {"done": 1, "no_show": 2, "cancelled": 3, "not_served": 4}
        for day, status, sid, n in conn.execute(sql["counts"], span).all():
            into = counts_of.setdefault(sid, [0] * 5)
            into[0] += n
            on_day = per_day_counts.setdefault(day, [0, 0])
            on_day[0] += n
            if status in column:
                into[column[status]] += n
                if status == "done":
                    on_day[1] += n
        # Then one pass over the called tickets: the wait minutes (for the means, medians,
        # 90th percentiles and the share within the target) and the served minutes.
        called = conn.execute(sql["called"], span).all()
        waits: dict[int, list[float]] = {}
        served_minutes_of: dict[int, list[float]] = {}
        served_count_of: dict[int, int] = {}
        if conn.dialect.name == "postgresql":
            # One row per service: its waits (sorted), served count and served minutes.
            for sid, ws, n_done, served in called:
                waits[sid], served_count_of[sid], served_minutes_of[sid] = ws, n_done, served or []
        else:
            # Sorted by service and wait: each service's rows are one run, found by
            # bisection, its waits already in order (splitting 40,000 rows a year per
            # service in Python cost more than SQLite's sort).
            sid_of, wait_of, done_of, served_of = zip(*called, strict=True) if called else ((),) * 4
            start = 0
            while start < len(sid_of):
                sid = sid_of[start]
                end = bisect_right(sid_of, sid, start)
                waits[sid] = list(wait_of[start:end])
                served_count_of[sid] = sum(done_of[start:end])
                served_minutes_of[sid] = [m for m in served_of[start:end] if m is not None]
                start = end
        # SQLite's julianday() makes an exact 20 minutes 20.000001: allow 60 ms.
        limit = target + 0.001
        rows = []
        totals = [0, 0, 0, 0, 0, 0, 0]
        all_waits: list[float] = []
        all_served: list[float] = []
        for sid in sorted(counts_of):
            n, done, no_show, cancelled, not_served = counts_of[sid]
            ws = sorted(waits.get(sid, []))
            ok, n_called = bisect_right(ws, limit), len(ws)
            served_list, s_n = served_minutes_of.get(sid, []), served_count_of.get(sid, 0)
            all_waits += ws
            all_served += served_list
            decided = done + no_show
            rows.append(
                (
                    names[sid],
                    n,
                    done,
                    no_show,
                    cancelled,
                    not_served,
                    (no_show / decided) if decided else None,
                    (math.fsum(ws) / len(ws)) if ws else None,
                    interpolate(ws, 0.5) if ws else None,
                    interpolate(ws, 0.9) if ws else None,
                    (ok / n_called) if n_called else None,
                    (math.fsum(served_list) / s_n) if s_n else None,
                )
            )
            for i, v in enumerate((n, done, no_show, cancelled, not_served, ok, n_called)):
                totals[i] += v
        if rows:
            n, done, no_show, cancelled, not_served, ok, n_called = totals
            served_count = sum(served_count_of.values())
            decided = done + no_show
            all_waits.sort()  # sorted runs, one per service: a merge
            rows.append(
                (
                    "All services",
                    n,
                    done,
                    no_show,
                    cancelled,
                    not_served,
                    (no_show / decided) if decided else None,
                    (math.fsum(all_waits) / len(all_waits)) if all_waits else None,
                    interpolate(all_waits, 0.5) if all_waits else None,
                    interpolate(all_waits, 0.9) if all_waits else None,
                    (ok / n_called) if n_called else None,
                    (math.fsum(all_served) / served_count) if served_count else None,
                )
            )
        by_service = Table(
            "services",
            "Visits, waits and no-shows per service",
            (
                Column("Service", width=26),
                Column("Tickets", "int"),
                Column("Served", "int"),
                Column("No-shows", "int"),
                Column("Cancelled", "int"),
                Column("Not served", "int"),
                Column("No-show rate", "pct"),
                Column("Average wait (min)", "minutes"),
                Column("Median wait (min)", "minutes"),
                Column("90% waited at most (min)", "minutes"),
                Column(f"Within {target} min", "pct"),
                Column("Average service time (min)", "minutes"),
            ),
            tuple(rows),
        )
        by_day = Table(
            "days",
            "Visits per day",
            (
                Column("Day", "date"),
                Column("Weekday"),
                Column("Tickets", "int"),
                Column("Served", "int"),
            ),
            tuple(
                (d, WEEKDAYS[d.weekday()].capitalize(), n, s)
                for d, (n, s) in sorted(per_day_counts.items())
            ),
        )
        return [by_service, by_day]
