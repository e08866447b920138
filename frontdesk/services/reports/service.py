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

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    and_,
    func,
    select,
)
from sqlalchemy.orm import Session

from frontdesk.clock import Clock
from frontdesk.config import Settings
from frontdesk.db import Database
from frontdesk.db.models import (
    Service,
    Staff,
    Ticket,
    TicketEvent,
    Visitor,
)
from frontdesk.services.auth import Actor, require
from frontdesk.services.errors import NotFound, ValidationError, check_id
from frontdesk.services.exports import Target, check_target, deliver_audited
from frontdesk.services.queue import CHANNELS, OPEN_STATUSES
from frontdesk.services.reports.periods import Period, preset_period
from frontdesk.services.reports.records import (
    Dashboard,
    DayFigures,
    DeskState,
    GroupFigures,
    HourBucket,
    PeriodReport,
    ReportSection,
    ServiceWaiting,
    SettingLine,
    TicketFilter,
    TicketRow,
    TimelineEntry,
)
from frontdesk.services.reports.render import day_tables, ticket_table
from frontdesk.services.reports.sections.contacts import ContactSection
from frontdesk.services.reports.sections.queue import QueueSection
from frontdesk.services.reports.sections.visitors import VisitorSection
from frontdesk.services.reports.statements import day_statements
from frontdesk.services.reports.statistics import Stats, minutes_between
from frontdesk.services.rules import target_wait_of
from frontdesk.services.tables import FORMATS, Table, render

# A desk counts as open when it serves someone now or called someone this recently.
DESK_OPEN_MINUTES = 30
REPORT_WORK_MEM = "32MB"  # PostgreSQL: the period report's hash aggregates stay in memory
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
            built = self._day_sql[dialect] = day_statements(dialect)
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
        with self.db.read_connection() as conn:
            return self._figures(conn, day or self.clock.today())

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
                waiting.append(
                    ServiceWaiting(name, prefix, int(n), minutes_between(oldest_at, now))
                )
            recent = now - timedelta(minutes=DESK_OPEN_MINUTES)
            # The calls of the last half hour are events of tickets of today (or, just
            # after midnight, of the day before; a ticket of an earlier day cannot be
            # called): found through the tickets' day index and the events' ticket index,
            # not by reading every event of the decade (1.2 s on the decade).
            since_day = self.clock.to_local(recent).date()
            last_calls: dict[int, Any] = {
                desk: at
                for desk, at in session.execute(
                    select(TicketEvent.desk, func.max(TicketEvent.at))
                    .where(
                        TicketEvent.ticket_id.in_(select(Ticket.id).where(Ticket.day >= since_day)),
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
        """The report of ``period``; while it is in progress, of its days so far, compared
        with the same days of the previous period (like for like: "1-6 Dec vs 1-6 Nov")."""
        require(actor, "report.view")
        asked = period
        period = asked.so_far(self.clock.today())
        previous = asked.same_days_before(period)
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
        return PeriodReport(period, previous, tuple(tables), per_day, in_progress=period != asked)

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

    @staticmethod
    def _check_export(fmt: str, to: Target | None) -> None:
        """Refuse an unknown format, or a file that cannot be written, before any work."""
        if fmt not in FORMATS:
            raise ValidationError("format", f"pick one of: {', '.join(FORMATS)}")
        if isinstance(to, Path):
            check_target(to)

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
        self._check_export(fmt, to)
        tables = self.day_report_tables(actor, day, with_names=with_names)
        delimiter = self.settings.csv_delimiter
        data = render(tables, fmt, f"frontdesk day report {day.isoformat()}", delimiter)
        return self._deliver(actor, data, to, f"day {day.isoformat()}", fmt, with_names)

    def export_period(
        self, actor: Actor, period: Period, fmt: str, *, to: Target | None = None
    ) -> bytes:
        require(actor, "report.export")
        self._check_export(fmt, to)
        report = self.period(actor, period)
        heading = f"frontdesk report {report.period} (compared with {report.previous})"
        if report.in_progress:
            heading += f"; so far: {report.comparison}"
        data = render(report.tables, fmt, heading, self.settings.csv_delimiter)
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
