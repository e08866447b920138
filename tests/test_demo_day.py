"""The demo agrees with itself: its day is an opening day, the queue and the book agree."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from frontdesk.clock import FixedClock, ShiftedClock
from frontdesk.config import DEFAULT_HOURS, Settings
from frontdesk.db.models import Ticket
from frontdesk.demo import demo_clock, demo_moment, fill_demo
from frontdesk.services import Services

# The demo is built on the configured opening hours, as `frontdesk --demo` is.
pytestmark = pytest.mark.real_hours

TZ = ZoneInfo("Europe/Amsterdam")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)  # type: ignore[misc]


def _in_walk_in_hours(moment: datetime) -> bool:
    at = moment.astimezone(TZ)
    return any(
        h.kind == "walk_in" and h.weekday == at.weekday() and h.start <= at.time() < h.end
        for h in DEFAULT_HOURS
    )


def test_a_sunday_demo_runs_on_the_friday_before() -> None:
    sunday = local(2026, 12, 6, 5, 57)
    moment = demo_moment(DEFAULT_HOURS, sunday, TZ)
    assert moment is not None and moment.astimezone(TZ).date() == sunday.date() - timedelta(2)
    assert _in_walk_in_hours(moment) and moment < sunday


def test_before_opening_the_demo_runs_on_the_last_opening_day() -> None:
    monday_early = local(2026, 11, 23, 7, 30)
    moment = demo_moment(DEFAULT_HOURS, monday_early, TZ)
    assert moment is not None and moment.astimezone(TZ).weekday() == 4  # Friday
    assert _in_walk_in_hours(moment)


def test_inside_opening_hours_the_demo_runs_now() -> None:
    opening = next(h for h in DEFAULT_HOURS if h.kind == "walk_in" and h.weekday == 0)
    inside = datetime.combine(datetime(2026, 11, 23).date(), opening.start, tzinfo=TZ)
    assert demo_moment(DEFAULT_HOURS, inside + timedelta(minutes=30), TZ) is None
    # A BSN-only morning is open too (Wednesday 10:00): the demo runs now.
    assert demo_moment(DEFAULT_HOURS, local(2026, 11, 25, 10, 0), TZ) is None


def test_a_joining_demo_lives_the_same_day(tmp_path: Path) -> None:
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    sunday = local(2026, 12, 6, 5, 57).astimezone(UTC)
    first, note = demo_clock(settings, fresh=True, now=sunday)
    assert isinstance(first, ShiftedClock) and "Friday 04-12-2026" in note
    second, again = demo_clock(settings, fresh=False, now=sunday + timedelta(minutes=5))
    assert isinstance(second, ShiftedClock) and second.offset == first.offset and again


def test_demo_queue_agrees_with_the_book(services: Services) -> None:
    # services' clock: Monday 23-11-2026 10:00, inside walk-in and BSN hours.
    assert isinstance(services.clock, FixedClock)
    fill_demo(services, days=5)
    today = services.clock.today()
    known = {s.id: s for s in services.queue.services()}
    with services.db.write() as session:  # write(): rows stay readable after the block
        tickets = list(session.scalars(select(Ticket)))
    booked = [t for t in tickets if known[t.service_id].by_appointment]
    assert booked, "the demo has BSN tickets"
    # No anonymous walk-in in the BSN queue, on any day.
    assert all(t.visitor_id is not None for t in booked)
    # Today's BSN tickets are the households the book checked in, not invented ones.
    todays_bsn = [t for t in booked if t.day == today]
    book = services.appointments.day(_lead(services), today)
    checked_in = [a for a in book if a.status != "booked"]
    assert len(todays_bsn) <= len(checked_in)
    # Monday 10:00 is before the walk-in hours (15:00): no walk-in has come in yet.
    assert not [t for t in tickets if t.day == today and not known[t.service_id].by_appointment]
    # Nobody is called at two desks, or waits twice, today.
    open_now = Counter(
        t.visitor_id
        for t in tickets
        if t.day == today and t.status in ("called", "waiting") and t.visitor_id is not None
    )
    assert all(n == 1 for n in open_now.values())


def _lead(services: Services):  # type: ignore[no-untyped-def]
    from frontdesk.services import Actor

    lead = next(s for s in services.staff.active_staff() if s.role == "lead")
    return Actor(lead.id, lead.name, lead.role, 1)


def test_nobody_is_at_two_desks_in_the_demo(services: Services) -> None:
    clock: FixedClock = services.clock  # type: ignore[assignment]
    clock.set(datetime(2026, 11, 24, 11, 20))  # Tuesday, walk-in hours
    fill_demo(services, days=3)
    with services.db.write() as session:  # write(): rows stay readable after the block
        todays = [t for t in session.scalars(select(Ticket)) if t.day == services.clock.today()]
    open_now = [t.visitor_id for t in todays if t.status in ("called", "waiting") and t.visitor_id]
    assert len(open_now) >= 5 and len(set(open_now)) == len(open_now)
    assert sum(1 for t in todays if t.status == "called") >= 2
