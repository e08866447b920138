"""The team lead's figures: the live dashboard, the day review, period reports, exports.

Waits are "arrived -> first called", service times "first called -> finished", in
minutes. Averages, medians and 90th percentiles use linear interpolation between the
sorted values (as PostgreSQL's ``percentile_cont`` and numpy do).

Days, hours and "per hour" are those of the configured time zone: a day is local
midnight to local midnight, so the day the clocks go forward has 23 hourly buckets and
the day they go back 25 (the repeated hour is labelled with its UTC offset).

Period reports aggregate in SQL over the ``tickets.day`` column (indexed) and
``contact_moments.at`` (indexed); only the per-service list of wait minutes comes back to
Python, for the medians. Other capabilities (packs, referrals, appointments) add their
figures as a :class:`ReportSection` registered with :meth:`ReportService.add_section`.
"""

from __future__ import annotations

import math
import sqlite3
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    Connection,
    Float,
    Integer,
    aggregate_order_by,
    and_,
    bindparam,
    case,
    cast,
    extract,
    func,
    literal,
    or_,
    select,
    true,
    type_coerce,
)
from sqlalchemy.orm import Session

from frontdesk.clock import Clock
from frontdesk.config import WEEKDAYS, Settings
from frontdesk.db import Database
from frontdesk.db.models import (
    CentreRule,
    ClosedDay,
    ContactMoment,
    Service,
    Staff,
    Ticket,
    TicketEvent,
    Visitor,
)
from frontdesk.services.auth import Actor, require
from frontdesk.services.errors import NotFound, ValidationError, check_id
from frontdesk.services.exports import Target, check_target, deliver_audited
from frontdesk.services.fields import country, parse_date
from frontdesk.services.queue import CHANNELS, OPEN_STATUSES, STATUS_LABELS
from frontdesk.services.rules import TARGET_KEY, target_wait_of
from frontdesk.services.tables import FORMATS, Column, Table, render
from frontdesk.services.visitors import CATEGORIES

# A desk counts as open when it serves someone now or called someone this recently.
DESK_OPEN_MINUTES = 30
TOP_NATIONALITIES = 10
MAX_PERIOD_DAYS = 366 * 10 + 3
REPORT_WORK_MEM = "32MB"  # PostgreSQL: the period report's hash aggregates stay in memory
PRESETS = ("week", "month", "quarter", "year")
TIMELINE_LABELS = {
    "issued": "arrived (ticket issued)",
    "called": "called",
    "recalled": "called again",
    "transferred": "transferred",
    "on_hold": "put on hold",
    "no_show": "no-show",
    "finished": "finished",
    "cancelled": "cancelled",
    "not_served": "not served (day closed)",
    "undone": "taken back by the desk",
    "visitor_added": "visitor record added",
}


# -- small statistics ------------------------------------------------------------------
def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear interpolation between closest ranks; ``values`` need not be sorted."""
    if not values:
        return None
    return _interpolate(sorted(values), q)


def _interpolate(ordered: Sequence[float], q: float) -> float:
    """The q-th percentile of values already sorted (at least one)."""
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Stats:
    """Minutes: how many, mean, median and 90th percentile (None when there are none)."""

    count: int = 0
    mean: float | None = None
    median: float | None = None
    p90: float | None = None

    @classmethod
    def of(cls, values: Sequence[float]) -> Stats:
        if not values:
            return cls()
        ordered = sorted(values)  # once for both percentiles
        return cls(
            len(values),
            sum(values) / len(values),
            _interpolate(ordered, 0.5),
            _interpolate(ordered, 0.9),
        )


def _minutes(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 60


# -- what the reports return -------------------------------------------------------------
@dataclass(frozen=True)
class GroupFigures:
    """One service, desk or staff member over a day."""

    name: str
    tickets: int
    served: int
    no_shows: int
    wait: Stats
    service_time: Stats


@dataclass(frozen=True)
class HourBucket:
    label: str  # local "09:00"; on the day clocks go back the repeated hour gets its offset
    start: datetime  # UTC
    arrivals: int
    average_wait: float | None  # of those who arrived in this hour and were called


@dataclass(frozen=True)
class DayFigures:
    day: date
    hours_in_day: int
    issued: int
    served: int
    no_shows: int
    cancelled: int
    not_served: int
    open_now: int
    wait: Stats
    service_time: Stats
    target_minutes: int
    within_target: float | None  # share of called visitors who waited at most the target
    by_service: tuple[GroupFigures, ...]
    by_desk: tuple[GroupFigures, ...]
    by_staff: tuple[GroupFigures, ...]
    hourly: tuple[HourBucket, ...]
    contacts: tuple[tuple[str, int], ...]  # channel label, count (logged contact moments)
    closed_at: datetime | None


@dataclass(frozen=True)
class ServiceWaiting:
    name: str
    prefix: str
    waiting: int
    longest_wait: float | None  # minutes the longest-waiting visitor has waited so far


@dataclass(frozen=True)
class DeskState:
    desk: int
    serving: str | None  # ticket label
    service_name: str | None
    staff_name: str | None
    since: datetime | None
    last_call: datetime | None


@dataclass(frozen=True)
class Dashboard:
    now: datetime
    waiting: tuple[ServiceWaiting, ...]
    longest_wait: float | None
    desks: tuple[DeskState, ...]
    today: DayFigures
    version: int


@dataclass(frozen=True)
class TicketRow:
    id: int
    label: str
    service_name: str
    status: str
    priority: bool
    source: str
    arrived_at: datetime
    first_called_at: datetime | None
    finished_at: datetime | None
    desk: int | None
    staff_name: str | None
    visitor_name: str | None

    @property
    def wait(self) -> float | None:
        return _minutes(self.arrived_at, self.first_called_at)

    @property
    def service_time(self) -> float | None:
        return _minutes(self.first_called_at, self.finished_at) if self.status == "done" else None


@dataclass(frozen=True)
class TicketFilter:
    service: str | None = None  # service code
    status: str | None = None
    desk: int | None = None
    staff_id: int | None = None
    priority: bool | None = None


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    action: str
    label: str
    staff_name: str | None
    desk: int | None
    detail: str | None


@dataclass(frozen=True)
class Period:
    start: date  # first day, inclusive
    end: date  # last day, inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of equal length just before this one."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def __str__(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


@dataclass(frozen=True)
class PeriodReport:
    period: Period
    previous: Period
    tables: tuple[Table, ...]
    per_day: tuple[tuple[date, int, int], ...]  # day, tickets issued, served

    def table(self, key: str) -> Table:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)


@dataclass(frozen=True)
class SettingLine:
    name: str
    value: str


# -- sections: how other capabilities add their figures ----------------------------------
class ReportSection(Protocol):
    """A source of report tables; register with :meth:`ReportService.add_section`."""

    key: str

    def day_tables(self, session: Session, day: date, clock: Clock) -> list[Table]: ...

    def period_tables(
        self, session: Session, period: Period, previous: Period, clock: Clock
    ) -> list[Table]: ...


def _change(now: int, before: int) -> float | None:
    return None if before == 0 else (now - before) / before


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
                    _interpolate(ws, 0.5) if ws else None,
                    _interpolate(ws, 0.9) if ws else None,
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
                    _interpolate(all_waits, 0.5) if all_waits else None,
                    _interpolate(all_waits, 0.9) if all_waits else None,
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
            rows.append((label, n, minutes, b, n - b, _change(n, b)))
        total_n = sum(r[1] for r in rows)
        total_b = sum(r[3] for r in rows)
        rows.append(
            (
                "All channels",
                total_n,
                sum(r[2] for r in rows),
                total_b,
                total_n - total_b,
                _change(total_n, total_b),
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
                cat_rows.append((label, visits, people, before, _change(visits, before)))
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
                    _change(visits, before),
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


def _stats_columns(prefix: str) -> tuple[Column, ...]:
    return (
        Column(prefix, width=24),
        Column("Tickets", "int"),
        Column("Served", "int"),
        Column("No-shows", "int"),
        Column("Average wait (min)", "minutes"),
        Column("Median wait (min)", "minutes"),
        Column("90% waited at most (min)", "minutes"),
        Column("Average service (min)", "minutes"),
        Column("Median service (min)", "minutes"),
        Column("90% service (min)", "minutes"),
    )


def _group_row(g: GroupFigures) -> tuple[Any, ...]:
    return (
        g.name,
        g.tickets,
        g.served,
        g.no_shows,
        g.wait.mean,
        g.wait.median,
        g.wait.p90,
        g.service_time.mean,
        g.service_time.median,
        g.service_time.p90,
    )


def day_tables(figures: DayFigures, *, with_staff: bool) -> list[Table]:
    """The day's figures as tables (per staff member only when names are asked for)."""
    summary = Table(
        "summary",
        f"Day {figures.day.isoformat()}",
        (Column("Figure", width=34), Column("Value", width=14)),
        (
            ("Tickets issued", figures.issued),
            ("Served", figures.served),
            ("No-shows", figures.no_shows),
            ("Cancelled", figures.cancelled),
            ("Not served (day closed)", figures.not_served),
            ("Still open", figures.open_now),
            ("Average wait (min)", _round(figures.wait.mean)),
            ("Median wait (min)", _round(figures.wait.median)),
            ("90% waited at most (min)", _round(figures.wait.p90)),
            ("Average service time (min)", _round(figures.service_time.mean)),
            (
                f"Share called within {figures.target_minutes} min",
                None if figures.within_target is None else round(figures.within_target, 3),
            ),
            ("Hours in this day", figures.hours_in_day),
            ("Day closed", "yes" if figures.closed_at else "no"),
        ),
    )
    tables = [
        summary,
        Table(
            "services",
            "Per service",
            _stats_columns("Service"),
            tuple(_group_row(g) for g in figures.by_service),
        ),
        Table(
            "desks",
            "Per desk",
            _stats_columns("Desk"),
            tuple(_group_row(g) for g in figures.by_desk),
        ),
    ]
    if with_staff:
        tables.append(
            Table(
                "staff",
                "Per staff member",
                _stats_columns("Staff member"),
                tuple(_group_row(g) for g in figures.by_staff),
            )
        )
    tables.append(
        Table(
            "hours",
            "Arrivals and waits per hour",
            (Column("Hour"), Column("Arrivals", "int"), Column("Average wait (min)", "minutes")),
            tuple((h.label, h.arrivals, h.average_wait) for h in figures.hourly),
        )
    )
    return tables


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def ticket_table(rows: Sequence[TicketRow], clock: Clock) -> Table:
    """The ticket list with visitor names: only exported when the lead asks for it."""

    def local(moment: datetime | None) -> datetime | None:
        return clock.to_local(moment) if moment else None

    return Table(
        "tickets",
        "Tickets (with names)",
        (
            Column("Ticket"),
            Column("Service", width=24),
            Column("Status"),
            Column("Priority"),
            Column("Arrived", "datetime"),
            Column("First called", "datetime"),
            Column("Finished", "datetime"),
            Column("Wait (min)", "minutes"),
            Column("Desk", "int"),
            Column("Staff member", width=20),
            Column("Visitor", width=28),
        ),
        tuple(
            (
                r.label,
                r.service_name,
                STATUS_LABELS.get(r.status, r.status),
                "yes" if r.priority else "",
                local(r.arrived_at),
                local(r.first_called_at),
                local(r.finished_at),
                r.wait,
                r.desk,
                r.staff_name,
                r.visitor_name,
            )
            for r in rows
        ),
    )


def preset_period(preset: str, today: date) -> Period:
    """The current week (Mon-Sun), month, quarter or year that holds ``today``."""
    if preset == "week":
        start = today - timedelta(days=today.weekday())
        return Period(start, start + timedelta(days=6))
    if preset == "month":
        start = today.replace(day=1)
        nxt = (start + timedelta(days=32)).replace(day=1)
        return Period(start, nxt - timedelta(days=1))
    if preset == "quarter":
        first_month = 3 * ((today.month - 1) // 3) + 1
        start = date(today.year, first_month, 1)
        nxt = date(today.year + (first_month == 10), (first_month + 2) % 12 + 1, 1)
        return Period(start, nxt - timedelta(days=1))
    if preset == "year":
        return Period(date(today.year, 1, 1), date(today.year, 12, 31))
    raise ValidationError("preset", f"pick one of: {', '.join(PRESETS)}")


def check_period(start: object, end: object) -> Period:
    """Two typed dates -> a Period; the words say what is wrong."""
    first = parse_date(start, "start", "The first day")
    last = parse_date(end, "end", "The last day")
    if first is None:
        raise ValidationError("start", "type the first day of the period")
    if last is None:
        raise ValidationError("end", "type the last day of the period")
    if last < first:
        raise ValidationError("end", "the last day is before the first day")
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        raise ValidationError("end", "a report covers at most ten years")
    return Period(first, last)


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


def _day_statements(dialect: str) -> tuple[Any, Any]:
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


class ReportService:
    def __init__(self, db: Database, settings: Settings, clock: Clock) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.sections: list[ReportSection] = [
            QueueSection(settings),
            ContactSection(),
            VisitorSection(),
        ]
        self._day_sql: dict[str, tuple[Any, Any]] = {}
        self._hours_of: dict[date, list[tuple[str, datetime]]] = {}

    def add_section(self, section: ReportSection) -> None:
        """Packs, referrals, appointments: their figures join the day and period reports."""
        self.sections.append(section)

    # -- one day ---------------------------------------------------------------------------
    def _day_rows(
        self, session: Session, day: date, flt: TicketFilter | None = None
    ) -> list[TicketRow]:
        stmt = (
            select(
                Ticket.id,
                Ticket.label,
                Service.name,
                Ticket.status,
                Ticket.priority,
                Ticket.source,
                Ticket.arrived_at,
                Ticket.first_called_at,
                Ticket.finished_at,
                Ticket.desk,
                Staff.name,
                Visitor.given_names,
                Visitor.family_name,
            )
            .join(Service, Service.id == Ticket.service_id)
            .outerjoin(Staff, Staff.id == Ticket.staff_id)
            .outerjoin(Visitor, Visitor.id == Ticket.visitor_id)
            .where(Ticket.day == day)
            .order_by(Ticket.arrived_at, Ticket.id)
        )
        if flt is not None:
            if flt.service:
                stmt = stmt.where(Service.code == flt.service)
            if flt.status:
                stmt = stmt.where(Ticket.status == flt.status)
            if flt.desk is not None:
                stmt = stmt.where(Ticket.desk == flt.desk)
            if flt.staff_id is not None:
                stmt = stmt.where(Ticket.staff_id == flt.staff_id)
            if flt.priority is not None:
                stmt = stmt.where(Ticket.priority.is_(flt.priority))
        out = []
        for row in session.execute(stmt):
            (
                tid,
                label,
                sname,
                status,
                prio,
                source,
                arrived,
                first,
                finished,
                desk,
                staff,
                given,
                family,
            ) = row
            name = " ".join(p for p in (given, family) if p) or None
            out.append(
                TicketRow(
                    tid,
                    label,
                    sname,
                    status,
                    bool(prio),
                    source,
                    arrived,
                    first,
                    finished,
                    desk,
                    staff,
                    name,
                )
            )
        return out

    def _hours(self, day: date) -> list[tuple[str, datetime]]:
        """The day's hours, labelled (worked out once per day: the time zone is fixed)."""
        hours = self._hours_of.get(day)
        if hours is None:
            if len(self._hours_of) > 400:
                self._hours_of.clear()
            hours = self._hours_of[day] = self._day_hours(day)
        return hours

    def _day_hours(self, day: date) -> list[tuple[str, datetime]]:
        start, end = self.clock.day_bounds(day)
        count = round((end - start).total_seconds() / 3600)
        stamps = [start + timedelta(hours=k) for k in range(count)]
        labels = [self.clock.to_local(s).strftime("%H:00") for s in stamps]
        out = []
        for label, stamp in zip(labels, stamps, strict=True):
            if labels.count(label) > 1:  # the hour that happens twice when clocks go back
                offset = self.clock.to_local(stamp).strftime("%z")
                label = f"{label} ({offset[:3]})"
            out.append((label, stamp))
        return out

    def _day_statements(self, dialect: str) -> tuple[Any, Any]:
        """The day's two statements (tickets; target, closed and contacts), built once."""
        built = self._day_sql.get(dialect)
        if built is None:
            built = self._day_sql[dialect] = _day_statements(dialect)
        return built

    def _figures(self, conn: Connection, day: date) -> DayFigures:
        # Only what the figures need, as plain numbers: each ticket's wait and service
        # time in whole microseconds and its arrival in seconds after the day's start,
        # worked out by the database (no datetimes built or parsed per ticket); the
        # target, the closing and the contacts come with one more statement.
        hours = self._hours(day)
        start, end = self.clock.day_bounds(day)
        tickets_sql, extra_sql = self._day_statements(conn.dialect.name)
        params = {"day": day, "start": start, "end": end, "start_s": int(start.timestamp())}
        rows = conn.execute(tickets_sql, params).all()
        extra = conn.execute(extra_sql, params).all()
        target = target_wait_of(extra[0][0], self.settings)
        closed_at = extra[0][1]
        per_channel = {r[2]: int(r[3]) for r in extra if r[2] is not None}

        # Column by column (zip), then each grouping as lists of row numbers.
        columns = list(zip(*rows, strict=True)) or [()] * 8
        sids, snames, statuses, desks, staff_names, wait_us, served_us, arrived_s = columns
        # As (end - start).total_seconds() / 60 did: the same float, bit for bit.
        row_waits = [None if u is None else u / 1_000_000 / 60 for u in wait_us]
        row_served = [None if u is None else u / 1_000_000 / 60 for u in served_us]
        waits = [w for w in row_waits if w is not None]
        service_times = [m for m in row_served if m is not None]
        counts = Counter(statuses)
        arrivals = [0] * len(hours)
        hour_waits: list[list[float]] = [[] for _ in hours]
        for seconds, wait in zip(arrived_s, row_waits, strict=True):
            index = int(seconds) // 3600
            if 0 <= index < len(hours):
                arrivals[index] += 1
                if wait is not None:
                    hour_waits[index].append(wait)

        def figures(keys: Sequence[Any], name: Callable[[Any], str]) -> list[GroupFigures]:
            members: dict[Any, list[int]] = {}
            for i, k in enumerate(keys):
                if k is not None:
                    members.setdefault(k, []).append(i)
            out = []
            for k in sorted(members, key=lambda x: (str(x).zfill(12), str(x))):
                of = members[k]
                states = [statuses[i] for i in of]
                group_waits = [w for w in map(row_waits.__getitem__, of) if w is not None]
                group_served = [m for m in map(row_served.__getitem__, of) if m is not None]
                out.append(
                    GroupFigures(
                        name(k),
                        len(of),
                        states.count("done"),
                        states.count("no_show"),
                        Stats.of(group_waits),
                        Stats.of(group_served),
                    )
                )
            return out

        names = dict(zip(sids, snames, strict=True))
        order = {sname: sid for sid, sname in sorted(names.items())}  # in service order
        services = sorted(figures(snames, str), key=lambda g: order[g.name])
        return DayFigures(
            day=day,
            hours_in_day=len(hours),
            issued=len(rows),
            served=counts["done"],
            no_shows=counts["no_show"],
            cancelled=counts["cancelled"],
            not_served=counts["not_served"],
            open_now=sum(counts[s] for s in OPEN_STATUSES),
            wait=Stats.of(waits),
            service_time=Stats.of(service_times),
            target_minutes=target,
            within_target=(sum(w <= target for w in waits) / len(waits)) if waits else None,
            by_service=tuple(services),
            by_desk=tuple(figures(desks, lambda d: f"Desk {d}")),
            by_staff=tuple(figures(staff_names, str)),
            hourly=tuple(
                HourBucket(
                    label,
                    stamp,
                    arrivals[i],
                    (sum(hour_waits[i]) / len(hour_waits[i])) if hour_waits[i] else None,
                )
                for i, (label, stamp) in enumerate(hours)
            ),
            contacts=tuple((label, per_channel.get(code, 0)) for code, label in CHANNELS.items()),
            closed_at=closed_at,
        )

    def day(self, actor: Actor, day: date | None = None) -> DayFigures:
        """Any day's figures (today's included): waits, service times, per hour, contacts."""
        require(actor, "report.view")
        with self.db.read() as session:
            return self._figures(session.connection(), day or self.clock.today())

    def tickets(self, actor: Actor, day: date, flt: TicketFilter | None = None) -> list[TicketRow]:
        require(actor, "report.view")
        with self.db.read() as session:
            return self._day_rows(session, day, flt)

    def timeline(self, actor: Actor, ticket_id: int) -> list[TimelineEntry]:
        """Everything that happened to one ticket, in order: who did it, at which desk."""
        require(actor, "report.view")
        ticket_id = check_id(ticket_id, "this ticket does not exist")
        with self.db.read() as session:
            if session.get(Ticket, ticket_id) is None:
                raise NotFound("this ticket does not exist")
            stmt = (
                select(TicketEvent, Staff.name)
                .outerjoin(Staff, Staff.id == TicketEvent.staff_id)
                .where(TicketEvent.ticket_id == ticket_id)
                .order_by(TicketEvent.at, TicketEvent.id)
            )
            return [
                TimelineEntry(
                    e.at, e.action, TIMELINE_LABELS.get(e.action, e.action), name, e.desk, e.detail
                )
                for e, name in session.execute(stmt)
            ]

    def staff_choices(self, actor: Actor) -> list[tuple[int, str]]:
        require(actor, "report.view")
        with self.db.read() as session:
            return [
                (i, n)
                for i, n in session.execute(select(Staff.id, Staff.name).order_by(Staff.name_key))
            ]

    # -- now -------------------------------------------------------------------------------
    def dashboard(self, actor: Actor) -> Dashboard:
        require(actor, "report.view")
        now = self.clock.now()
        today = self.clock.today()
        with self.db.read() as session:
            waiting = []
            for name, prefix, n, oldest in session.execute(
                select(
                    Service.name,
                    Service.prefix,
                    func.count(Ticket.id),
                    func.min(Ticket.arrived_at),
                )
                .outerjoin(
                    Ticket,
                    and_(
                        Ticket.service_id == Service.id,
                        Ticket.day == today,
                        Ticket.status == "waiting",
                    ),
                )
                .where(Service.active)
                .group_by(Service.id, Service.name, Service.prefix)
                .order_by(Service.id)
            ):
                oldest_at = _aware(oldest)
                waiting.append(ServiceWaiting(name, prefix, int(n), _minutes(oldest_at, now)))
            recent = now - timedelta(minutes=DESK_OPEN_MINUTES)
            last_calls: dict[int, Any] = {
                desk: at
                for desk, at in session.execute(
                    select(TicketEvent.desk, func.max(TicketEvent.at))
                    .where(
                        TicketEvent.at >= recent,
                        TicketEvent.desk.is_not(None),
                        TicketEvent.action.in_(("called", "recalled")),
                    )
                    .group_by(TicketEvent.desk)
                ).all()
                if desk is not None
            }
            serving: dict[int, tuple[Any, Any, Any, Any]] = {
                desk: (label, sname, staff, called)
                for desk, label, sname, staff, called in session.execute(
                    select(Ticket.desk, Ticket.label, Service.name, Staff.name, Ticket.called_at)
                    .join(Service, Service.id == Ticket.service_id)
                    .outerjoin(Staff, Staff.id == Ticket.staff_id)
                    .where(Ticket.day == today, Ticket.status == "called")
                )
                if desk is not None
            }
            desks = []
            for desk in sorted(set(serving) | set(last_calls)):
                label, sname, staff, called = serving.get(desk, (None, None, None, None))
                desks.append(
                    DeskState(desk, label, sname, staff, called, _aware(last_calls.get(desk)))
                )
            figures = self._figures(session.connection(), today)
            version = int(session.scalar(select(func.max(TicketEvent.id))) or 0)
        longest = max((w.longest_wait for w in waiting if w.longest_wait is not None), default=None)
        return Dashboard(now, tuple(waiting), longest, tuple(desks), figures, version)

    # -- periods ---------------------------------------------------------------------------
    def period(self, actor: Actor, period: Period) -> PeriodReport:
        require(actor, "report.view")
        previous = period.previous()
        with self.db.read() as session:
            if self.db.dialect == "postgresql":
                # A year's served visits per visitor (two years: ~75,000 tickets, ~53,000
                # visitors) hash to ~9 MB: with the default 4 MB the aggregate spills to
                # disk. For this read transaction only.
                session.connection().exec_driver_sql(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'")
            tables: list[Table] = []
            for section in self.sections:
                tables += section.period_tables(session, period, previous, self.clock)
        per_day: tuple[tuple[date, int, int], ...] = ()
        for table in tables:
            if table.key == "days":
                per_day = tuple((r[0], r[2], r[3]) for r in table.rows)
        return PeriodReport(period, previous, tuple(tables), per_day)

    def preset(self, preset: str) -> Period:
        return preset_period(preset, self.clock.today())

    # -- the end of the day ----------------------------------------------------------------
    def day_report_tables(
        self, actor: Actor, day: date, *, with_names: bool = False
    ) -> list[Table]:
        require(actor, "report.view")
        with self.db.read() as session:
            figures = self._figures(session.connection(), day)
            tables = day_tables(figures, with_staff=with_names)
            for section in self.sections:
                tables += section.day_tables(session, day, self.clock)
            if with_names:
                tables.append(ticket_table(self._day_rows(session, day), self.clock))
        return tables

    # -- exports ---------------------------------------------------------------------------
    def _deliver(
        self, actor: Actor, data: bytes, to: Target | None, what: str, fmt: str, names: bool
    ) -> bytes:
        deliver_audited(
            self.db,
            self.clock,
            actor,
            data,
            to,
            action="report.export",
            object_type="report",
            object_id=what,
            reason=f"{fmt}{', with names' if names else ', aggregated'}",
        )
        return data

    def export_day(
        self,
        actor: Actor,
        day: date,
        fmt: str,
        *,
        with_names: bool = False,
        to: Target | None = None,
    ) -> bytes:
        """The day report as a file's bytes (CSV, Markdown or XLSX), sent ``to`` a file
        (private, atomic) or a callable; audited once delivered (see services.exports)."""
        require(actor, "report.export")
        if fmt not in FORMATS:
            raise ValidationError("format", f"pick one of: {', '.join(FORMATS)}")
        if isinstance(to, Path):
            check_target(to)
        tables = self.day_report_tables(actor, day, with_names=with_names)
        data = render(tables, fmt, f"frontdesk day report {day.isoformat()}")
        return self._deliver(actor, data, to, f"day {day.isoformat()}", fmt, with_names)

    def export_period(
        self, actor: Actor, period: Period, fmt: str, *, to: Target | None = None
    ) -> bytes:
        require(actor, "report.export")
        if fmt not in FORMATS:
            raise ValidationError("format", f"pick one of: {', '.join(FORMATS)}")
        if isinstance(to, Path):
            check_target(to)
        report = self.period(actor, period)
        heading = f"frontdesk report {period} (compared with {report.previous})"
        data = render(report.tables, fmt, heading)
        return self._deliver(actor, data, to, f"period {period}", fmt, False)

    # -- configuration (read-only here: it lives in the config file; the opening hours and
    # the target wait are the lead's, see services.rules) -----------------------------------
    def configuration(self, actor: Actor) -> tuple[str, list[SettingLine]]:
        require(actor, "report.view")
        s = self.settings
        lines = [
            SettingLine("Time zone", s.timezone),
            SettingLine("Idle lock", f"{s.idle_lock_minutes:g} minutes"),
            SettingLine("Retention", f"{s.retention_days} days"),
        ]
        return str(s.config_path or "(no config file)"), lines


def _aware(moment: Any) -> datetime | None:
    """Aggregates (min/max) bypass the column type: SQLite hands back naive UTC text."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    assert isinstance(moment, datetime)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


__all__ = [
    "Dashboard",
    "DayFigures",
    "Period",
    "PeriodReport",
    "ReportSection",
    "ReportService",
    "Stats",
    "TicketFilter",
    "check_period",
    "percentile",
    "preset_period",
]
