"""Demo data for the queue: today's queue in full swing and weeks of past opening days.

A small simulation makes the numbers hang together: visitors arrive (in bursts, or a few
minutes before their appointment), three desks call the next one in the order "call next"
uses (priority, due appointments, arrival), serve them for a realistic time, and now and
then call a visitor who is not there (recalled once, then a no-show). Every ticket gets
its timeline in ``ticket_events`` (issued, called, recalled, finished / no_show /
not_served, with staff and desk), so the reports can compute waits and service times per
desk and per service. Past days stay inside the configured opening hours (Europe/Amsterdam
by default); e-mail, phone and video contacts are logged as ContactMoments.

The rows are written straight through the models in one transaction per part (fast:
about a second for 30 opening days on SQLite); the ticket counters are set so that the
desks go on numbering today's tickets where the demo stopped.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from frontdesk.config import Hours
from frontdesk.db.models import ClosedDay, ContactMoment, Ticket, TicketCounter, TicketEvent
from frontdesk.db.models.base import Base
from frontdesk.services.queue import ServiceInfo

if TYPE_CHECKING:
    from frontdesk.demo.context import DemoContext
    from frontdesk.services import Services

DESKS = (1, 2, 3)
NO_SHOW_RATE = 0.065
PRIORITY_RATE = 0.05
# Which services walk in during walk-in hours, and which come by appointment.
WALK_IN_MIX = (("info", 0.6), ("welcome_pack", 0.2), ("referral", 0.2))
APPOINTMENT_MIX = (("bsn_registration", 0.6), ("bsn_collection", 0.4))
TODAY_MIX = (
    ("info", 0.4),
    ("welcome_pack", 0.15),
    ("referral", 0.1),
    ("bsn_registration", 0.2),
    ("bsn_collection", 0.15),
)
# Tickets per open hour (walk-in hours are busier than the appointment book).
WALK_IN_PER_HOUR = 8.0
APPOINTMENTS_PER_HOUR = 6.0
OUTCOMES = {
    "info": (
        "Explained municipal registration",
        "Housing: gave the list of rental agencies",
        "Health insurance explained",
        "Tax and the 30% ruling: referred to the tax office information",
        "Schools and childcare options",
        None,
    ),
    "welcome_pack": ("Welcome pack handed out", None),
    "referral": ("Referred to a partner", "Referred to a language school", None),
    "bsn_registration": ("Registered, BSN issued", "Registered, BSN issued", None),
    "bsn_collection": ("BSN letter collected", None),
}
CONTACT_TOPICS = (
    "Appointment for BSN registration",
    "Documents needed for registration",
    "Housing",
    "Health insurance",
    "Opening a bank account",
    "Residence permit (IND)",
    "Schools and childcare",
    "Dutch language courses",
    "Partner career support",
    "Tax return and the 30% ruling",
)


def _table(model: type[Base]) -> Table:
    return Base.metadata.tables[model.__tablename__]


@dataclass
class _Planned:
    """One ticket of the simulation, before it is written."""

    service: ServiceInfo
    arrived: datetime
    priority: bool = False
    appointment: datetime | None = None
    visitor_id: int | None = None
    status: str = "waiting"
    desk: int | None = None
    staff_id: int | None = None
    called: datetime | None = None
    recalled: datetime | None = None
    finished: datetime | None = None
    outcome: str | None = None
    label: str = ""
    events: list[tuple[datetime, str, int | None, int | None, str | None]] = field(
        default_factory=list
    )


def _pick(rng: random.Random, mix: Sequence[tuple[str, float]], known: dict[str, Any]) -> str:
    codes = [code for code, _ in mix if code in known]
    weights = [weight for code, weight in mix if code in known]
    return rng.choices(codes, weights)[0]


def _service_minutes(rng: random.Random, service: ServiceInfo) -> float:
    """A realistic service time: log-normal around the service's usual length."""
    minutes = rng.lognormvariate(math.log(service.minutes), 0.35)
    return min(max(minutes, 2.0), service.minutes * 3.0)


def _arrivals(rng: random.Random, start: datetime, end: datetime, count: int) -> list[datetime]:
    """Arrival times with a busy first half (people come early), never after ``end``."""
    span = (end - start).total_seconds()
    return sorted(start + timedelta(seconds=span * rng.betavariate(1.3, 1.9)) for _ in range(count))


def _walk_ins(
    rng: random.Random,
    arrivals: list[datetime],
    mix: Sequence[tuple[str, float]],
    services: dict[str, ServiceInfo],
    visitor: Callable[[], int | None],
) -> list[_Planned]:
    """A walk-in ticket for each arrival, of a service picked from ``mix``."""
    return [
        _Planned(
            services[_pick(rng, mix, services)],
            arrived,
            priority=rng.random() < PRIORITY_RATE,
            visitor_id=visitor(),
        )
        for arrived in arrivals
    ]


def _call_key(t: _Planned, at: datetime) -> tuple[int, int, datetime, datetime]:
    due = t.appointment is not None and t.appointment <= at
    return (0 if t.priority else 1, 0 if due else 1, t.appointment or at, t.arrived)


def _simulate(
    rng: random.Random,
    tickets: list[_Planned],
    desk_staff: dict[int, int | None],
    start: datetime,
    last_call: datetime,
    stop: datetime | None,
    close: datetime | None,
) -> None:
    """Three desks work the queue from ``start``.

    ``last_call``: no one is called later than this. ``stop``: the moment the demo shows
    (today): what happens after it is not written. ``close``: the end of opening hours
    (past days): a visit never runs past it, and tickets never called are "not served".
    """
    waiting = sorted(tickets, key=lambda t: t.arrived)
    free_at = dict.fromkeys(desk_staff, start)
    while waiting:
        desk = min(free_at, key=lambda d: (free_at[d], d))
        at = free_at[desk]
        present = [t for t in waiting if t.arrived <= at]
        if not present:
            at = min(t.arrived for t in waiting) + timedelta(seconds=rng.randint(20, 90))
            present = [t for t in waiting if t.arrived <= at]
        if at > last_call or (stop is not None and at >= stop):
            break
        ticket = min(present, key=lambda t: _call_key(t, at))
        waiting.remove(ticket)
        staff = desk_staff[desk]
        ticket.desk, ticket.staff_id, ticket.called = desk, staff, at
        ticket.events.append((at, "called", staff, desk, f"desk {desk}"))
        if rng.random() < NO_SHOW_RATE:
            ticket.recalled = at + timedelta(minutes=rng.uniform(1, 2))
            ticket.finished = ticket.recalled + timedelta(minutes=rng.uniform(1, 2.5))
            ticket.status = "no_show"
            ticket.events.append((ticket.recalled, "recalled", staff, desk, f"desk {desk}"))
            ticket.events.append((ticket.finished, "no_show", staff, desk, None))
        else:
            ticket.finished = at + timedelta(minutes=_service_minutes(rng, ticket.service))
            if close is not None and ticket.finished > close:
                ticket.finished = close  # the last visit of the day is kept short
            ticket.status = "done"
            ticket.outcome = rng.choice(OUTCOMES.get(ticket.service.code, (None,)))
            ticket.events.append((ticket.finished, "finished", staff, desk, None))
        free_at[desk] = ticket.finished + timedelta(seconds=rng.randint(20, 120))
        if stop is not None and ticket.finished > stop:  # still at the desk right now
            ticket.status, ticket.finished, ticket.outcome = "called", None, None
            if ticket.recalled and ticket.recalled > stop:
                ticket.recalled = None
            ticket.events = [e for e in ticket.events if e[0] <= stop]
    if close is not None:
        for ticket in waiting:
            ticket.status, ticket.finished = "not_served", close
            ticket.events.append((close, "not_served", None, None, "day closed"))


def _local(day: date, moment: time, tz: Any) -> datetime:
    return datetime.combine(day, moment, tzinfo=tz).astimezone(UTC)


class _Writer:
    """Collects rows for one transaction and numbers tickets per day and prefix."""

    def __init__(self, services: Services, ctx: DemoContext, rng: random.Random) -> None:
        self.services = services
        self.rng = rng
        self.visitor_ids = [v.id for v in ctx.visitors]
        self.counters: dict[tuple[date, str], int] = {}

    def visitor(self, *, named: bool = False) -> int | None:
        if not self.visitor_ids or (not named and self.rng.random() < 0.12):
            return None  # some walk-ins give no name at all
        return self.rng.choice(self.visitor_ids)

    def new_visitor(self, taken: set[int]) -> int | None:
        """A visitor not in ``taken`` (today: nobody waits or is served twice at once)."""
        visitor = self.visitor()
        for _ in range(20):
            if visitor is None or visitor not in taken:
                break
            visitor = self.visitor()
        else:
            visitor = None
        if visitor is not None:
            taken.add(visitor)
        return visitor

    def write(
        self,
        session: Session,
        day: date,
        tickets: list[_Planned],
        desk_staff: dict[int, int | None],
    ) -> None:
        ordered = sorted(tickets, key=lambda t: t.arrived)
        rows: list[dict[str, Any]] = []
        for t in ordered:
            key = (day, t.service.prefix)
            self.counters[key] = self.counters.get(key, 0) + 1
            t.label = f"{t.service.prefix}{self.counters[key]:03d}"
            rows.append(
                {
                    "day": day,
                    "label": t.label,
                    "service_id": t.service.id,
                    "visitor_id": t.visitor_id,
                    "source": "appointment" if t.appointment else "walk_in",
                    "priority": t.priority,
                    "appointment_at": t.appointment,
                    "status": t.status,
                    "desk": t.desk,
                    "staff_id": t.staff_id,
                    "arrived_at": t.arrived,
                    "called_at": t.recalled or t.called,
                    "first_called_at": t.called,
                    "recalls": 1 if t.recalled else 0,
                    "finished_at": t.finished,
                    "notes": None,
                    "outcome": t.outcome,
                }
            )
        if not rows:
            return
        conn = session.connection()
        # One multi-row INSERT .. RETURNING, ids in the order of the rows.
        ids = (
            conn.execute(
                insert(_table(Ticket)).returning(_table(Ticket).c.id, sort_by_parameter_order=True),
                rows,
            )
            .scalars()
            .all()
        )
        events: list[dict[str, Any]] = []
        for ticket_id, t in zip(ids, ordered, strict=True):
            issuer = self.rng.choice(list(desk_staff))  # registered at whichever desk was free
            events.append(
                {
                    "ticket_id": ticket_id,
                    "at": t.arrived,
                    "action": "issued",
                    "staff_id": desk_staff[issuer],
                    "desk": issuer,
                    "detail": t.service.code,
                }
            )
            for at, action, staff, desk, detail in t.events:
                events.append(
                    {
                        "ticket_id": ticket_id,
                        "at": at,
                        "action": action,
                        "staff_id": staff,
                        "desk": desk,
                        "detail": detail,
                    }
                )
        events.sort(key=lambda e: e["at"])  # event ids follow time, as in real life
        conn.execute(insert(_table(TicketEvent)), events)

    def counters_rows(self) -> list[dict[str, Any]]:
        return [
            {"day": day, "prefix": prefix, "last": last}
            for (day, prefix), last in sorted(self.counters.items())
        ]


def _desk_staff(ctx: DemoContext, shift: int) -> dict[int, int | None]:
    """Who sits at which desk that day (the team rotates)."""
    people: list[int | None] = [s.id for s in ctx.staff if s.role in ("desk", "lead")]
    if not people:
        people = [None]
    return {desk: people[(i + shift) % len(people)] for i, desk in enumerate(DESKS)}


def _past_day(
    rng: random.Random,
    writer: _Writer,
    services: dict[str, ServiceInfo],
    blocks: list[Hours],
    day: date,
    tz: Any,
    desk_staff: dict[int, int | None],
) -> list[_Planned]:
    planned_hours = sum(
        (datetime.combine(day, b.end) - datetime.combine(day, b.start)).total_seconds() / 3600
        for b in blocks
    )
    rate = {
        b.kind: APPOINTMENTS_PER_HOUR if b.kind == "bsn_appointments" else WALK_IN_PER_HOUR
        for b in blocks
    }
    budget = rng.uniform(0.85, 1.2) * sum(
        rate[b.kind]
        * (datetime.combine(day, b.end) - datetime.combine(day, b.start)).total_seconds()
        / 3600
        for b in blocks
    )
    total = max(30, min(80, round(budget)))
    out: list[_Planned] = []
    for block in blocks:
        start, end = _local(day, block.start, tz), _local(day, block.end, tz)
        hours = (end - start).total_seconds() / 3600
        count = max(1, round(total * hours / planned_hours))
        tickets: list[_Planned] = []
        if block.kind == "bsn_appointments":
            slots = max(1, int((end - start).total_seconds() // 900) - 1)
            for _ in range(count):
                slot = start + timedelta(minutes=15 * rng.randrange(slots))
                late = rng.random() < 0.1
                arrived = slot + timedelta(
                    minutes=rng.uniform(0, 8) if late else -rng.uniform(0, 10)
                )
                code = _pick(rng, APPOINTMENT_MIX, services)
                tickets.append(
                    _Planned(
                        services[code],
                        max(start, arrived),
                        appointment=slot,
                        visitor_id=writer.visitor(named=True),  # a booked household has a name
                    )
                )
        else:
            arrivals = _arrivals(rng, start, end - timedelta(minutes=30), count)
            tickets = _walk_ins(rng, arrivals, WALK_IN_MIX, services, writer.visitor)
        _simulate(
            rng,
            tickets,
            desk_staff,
            start,
            last_call=end - timedelta(minutes=3),
            stop=None,
            close=end,
        )
        out += tickets
    return out


def _today(
    rng: random.Random,
    writer: _Writer,
    services: dict[str, ServiceInfo],
    blocks: list[Hours],
    now: datetime,
    day_start: datetime,
    tz: Any,
    desk_staff: dict[int, int | None],
) -> list[_Planned]:
    """Today's queue up to now: done, no-shows, 2-3 at the desks, and people waiting."""
    start = max(day_start + timedelta(minutes=1), now - timedelta(minutes=110))
    day = now.astimezone(tz).date()
    for block in blocks:  # in opening hours: the queue began when the doors opened
        opened = _local(day, block.start, tz)
        if opened <= now <= _local(day, block.end, tz) and now - opened >= timedelta(minutes=40):
            start = max(opened, now - timedelta(minutes=110))
    minutes = (now - start).total_seconds() / 60
    count = rng.randint(25, 36)
    taken: set[int] = set()
    # Only walk-in services: today's BSN households come from the appointment book (its
    # check-in issues their ticket), so the queue never shows a BSN ticket the book lacks.
    walk_in_mix = tuple(
        (c, w) for c, w in TODAY_MIX if c in services and not services[c].by_appointment
    )
    arrivals = _arrivals(rng, start, now - timedelta(minutes=2), count)
    tickets = _walk_ins(rng, arrivals, walk_in_mix, services, lambda: writer.new_visitor(taken))
    # The desks opened a little after the first arrival, so a queue has formed.
    desks_open = start + timedelta(minutes=min(10.0, minutes / 6))
    _simulate(rng, tickets, desk_staff, desks_open, last_call=now, stop=now, close=None)
    # Two were just brought in with priority (after the latest call): the queue shows
    # that priority goes before arrival order.
    latest_call = max((t.called for t in tickets if t.called), default=start)
    extra_from = max(latest_call, now - timedelta(minutes=6))
    extra: list[tuple[str, bool, datetime | None]] = [
        ("info", True, None),
        ("referral", True, None),
    ]
    for code, priority, appointment in extra:
        if code not in services:
            continue
        arrived = extra_from + (now - extra_from) * rng.uniform(0.2, 0.9)
        if appointment is not None:
            appointment = appointment.replace(minute=appointment.minute // 5 * 5, second=0)
        tickets.append(
            _Planned(
                services[code],
                arrived,
                priority=priority,
                appointment=appointment,
                visitor_id=writer.new_visitor(taken),
            )
        )
    return tickets


def _contacts(
    rng: random.Random,
    writer: _Writer,
    blocks: list[Hours],
    day: date,
    tz: Any,
    staff: list[int],
    trend: float,
) -> list[dict[str, Any]]:
    """E-mail, phone and video contacts of one day; e-mail and video rise over time."""
    counts = {
        "email": rng.randint(4, 9) + round(4 * trend),
        "phone": rng.randint(3, 7),
        "video": rng.randint(0, 2) + round(3 * trend),
    }
    out = []
    for channel, count in counts.items():
        for _ in range(count):
            block = rng.choice(blocks)
            start, end = _local(day, block.start, tz), _local(day, block.end, tz)
            minutes = {"email": (3, 15), "phone": (4, 20), "video": (15, 30)}[channel]
            length = rng.randint(*minutes)
            span = max(0.0, (end - start).total_seconds() - length * 60)
            out.append(
                {
                    "at": start + timedelta(seconds=rng.uniform(0, span)),
                    "channel": channel,
                    "topic": rng.choice(CONTACT_TOPICS),
                    "visitor_id": writer.visitor() if rng.random() < 0.6 else None,
                    "staff_id": rng.choice(staff) if staff else None,
                    "minutes": length,
                }
            )
    return out


def queue_step(services: Services, rng: random.Random, ctx: DemoContext) -> None:
    """Today's queue mid-morning and ``ctx.days`` past opening days (weekdays with hours)."""
    clock = services.clock
    tz = clock.tz
    now = clock.now()
    today = clock.today()
    known = {s.code: s for s in services.queue.services()}
    if not known:
        return
    hours = services.rules.hours()  # the config's, unless the lead has changed them
    lead = next((s.id for s in ctx.staff if s.role == "lead"), None)
    desk_people = [s.id for s in ctx.staff if s.role in ("desk", "lead")]
    writer = _Writer(services, ctx, rng)

    open_days: list[date] = []
    day = today - timedelta(days=1)
    while len(open_days) < ctx.days and today - day < timedelta(days=ctx.days * 3 + 14):
        if day.weekday() < 5 and any(h.weekday == day.weekday() for h in hours):
            open_days.append(day)
        day -= timedelta(days=1)
    open_days.reverse()

    past_tickets = 0
    no_shows = 0
    contacts: list[dict[str, Any]] = []
    with services.db.write() as session:
        for index, day in enumerate(open_days):
            blocks = sorted((h for h in hours if h.weekday == day.weekday()), key=lambda h: h.start)
            desk_staff = _desk_staff(ctx, index)
            tickets = _past_day(rng, writer, known, blocks, day, tz, desk_staff)
            writer.write(session, day, tickets, desk_staff)
            past_tickets += len(tickets)
            no_shows += sum(1 for t in tickets if t.status == "no_show")
            trend = index / max(1, len(open_days) - 1)
            contacts += _contacts(rng, writer, blocks, day, tz, desk_people, trend)
            closed_at = max(_local(day, b.end, tz) for b in blocks)
            session.add(
                ClosedDay(
                    day=day,
                    closed_at=closed_at,
                    closed_by=lead,
                    not_served=sum(1 for t in tickets if t.status == "not_served"),
                )
            )

        # Today's walk-ins came in the walk-in hours: none before the doors opened (a
        # Sunday, a BSN-only morning); the BSN households come from the appointment book.
        today_blocks = sorted(
            (h for h in hours if h.weekday == today.weekday() and h.kind == "walk_in"),
            key=lambda h: h.start,
        )
        day_start, _ = clock.day_bounds(today)
        desk_staff = _desk_staff(ctx, len(open_days))
        todays: list[_Planned] = []
        if any(_local(today, h.start, tz) <= now for h in today_blocks):
            todays = _today(rng, writer, known, today_blocks, now, day_start, tz, desk_staff)
        writer.write(session, today, todays, desk_staff)
        conn = session.connection()
        if contacts:
            conn.execute(insert(_table(ContactMoment)), contacts)
        counters = writer.counters_rows()
        if counters:
            conn.execute(insert(_table(TicketCounter)), counters)

    serving = sum(1 for t in todays if t.status == "called")
    waiting = sum(1 for t in todays if t.status == "waiting")
    rate = 100 * no_shows / past_tickets if past_tickets else 0
    ctx.lines.append(
        f"queue: {len(todays)} tickets today ({serving} at the desks, {waiting} waiting), "
        f"{past_tickets} on {len(open_days)} past opening days ({rate:.1f}% no-shows), "
        f"{len(contacts)} e-mail/phone/video contacts"
    )
