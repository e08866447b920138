"""The queue demo data: a live queue today, past opening days that the reports can use."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

import pytest
from sqlalchemy import select

from frontdesk.clock import FixedClock
from frontdesk.db.models import ContactMoment, Ticket, TicketCounter, TicketEvent
from frontdesk.demo import fill_demo
from frontdesk.services import Actor, Services

# The demo is built on the configured opening hours, as `frontdesk --demo` is.
pytestmark = pytest.mark.real_hours


def _in_hours(services: Services, moment) -> bool:  # type: ignore[no-untyped-def]
    local = services.clock.to_local(moment)
    return any(
        h.weekday == local.weekday() and h.start <= local.time() <= h.end
        for h in services.rules.hours()
    )


def _in_walk_in_hours(services: Services) -> None:
    """Tuesday 24-11-2026 11:20: the walk-in hours are open (the demo's own choice)."""
    clock: FixedClock = services.clock  # type: ignore[assignment]
    clock.set(datetime(2026, 11, 24, 11, 20))


def test_demo_queue_today_and_past_days(services: Services) -> None:
    _in_walk_in_hours(services)
    # (How long the fill takes is for the benchmark, not for a test on a shared machine.)
    summary = fill_demo(services, days=12)
    assert "queue:" in summary
    # The demo's lead gave Tuesday's walk-in hours a lunch break; the days below follow it.
    rules = services.rules.current()
    assert rules.hours_changed is not None and rules.hours_changed.by == "Anne de Vries"
    assert rules.day_text("walk_in", 1) == "09:00-12:30, 13:30-17:00"
    today = services.clock.today()
    with services.db.write() as session:  # write(): rows stay readable after the block
        tickets = list(session.scalars(select(Ticket)))
        events = list(session.scalars(select(TicketEvent).order_by(TicketEvent.id)))
        contacts = list(session.scalars(select(ContactMoment)))
        counters = {(c.day, c.prefix): c.last for c in session.scalars(select(TicketCounter))}

    todays = [t for t in tickets if t.day == today]
    status = Counter(t.status for t in todays)
    assert 25 <= len(todays) <= 40
    assert 2 <= status["called"] <= 3 and status["waiting"] >= 3 and status["done"] >= 3
    assert {t.desk for t in todays if t.status == "called"} <= {1, 2, 3}
    assert any(t.priority for t in todays if t.status == "waiting")
    # Every walk-in service, and no BSN ticket: Tuesday has no BSN hours in the book.
    by_appointment = {s.id for s in services.queue.services() if s.by_appointment}
    assert len({t.service_id for t in todays}) >= 3
    assert not any(t.service_id in by_appointment for t in todays)

    past = [t for t in tickets if t.day < today]
    days = Counter(t.day for t in past)
    assert len(days) == 12 and all(day.weekday() < 5 for day in days)
    assert all(30 <= n <= 80 for n in days.values())
    no_shows = sum(1 for t in past if t.status == "no_show") / len(past)
    assert 0.03 <= no_shows <= 0.10
    done = [t for t in past if t.status == "done"]
    assert len(done) > 0.85 * len(past)
    for t in done:
        assert t.first_called_at is not None and t.finished_at is not None
        assert t.arrived_at <= t.first_called_at <= t.called_at < t.finished_at
        assert t.desk in (1, 2, 3) and t.staff_id is not None
    for t in past:
        assert services.clock.to_local(t.arrived_at).date() == t.day
        for moment in (t.arrived_at, t.called_at, t.finished_at):
            assert moment is None or _in_hours(services, moment), t.label
    assert all(_in_hours(services, c.at) for c in contacts if c.at < services.clock.now())
    assert {c.channel for c in contacts} == {"email", "phone", "video"}

    # Each ticket's timeline: issued first, then called by a desk, then one ending.
    timeline: dict[int, list[str]] = defaultdict(list)
    for event in events:
        timeline[event.ticket_id].append(event.action)
    for t in done:
        assert timeline[t.id][0] == "issued" and timeline[t.id][-1] == "finished"
        assert "called" in timeline[t.id]
    for t in past:
        if t.status == "no_show":
            assert timeline[t.id][-1] == "no_show"

    # The counters continue today's numbering: the next ticket gets a fresh number.
    info_prefix = "A"
    assert counters[(today, info_prefix)] == sum(
        1 for t in todays if t.label.startswith(info_prefix)
    )
    clerk = next(s for s in services.staff.active_staff() if s.role == "desk")
    actor = Actor(clerk.id, clerk.name, clerk.role, 4)
    ticket = services.queue.issue(actor, "info")
    assert ticket.label == f"A{counters[(today, 'A')] + 1:03d}"
    # And the desks can go on working the demo queue.
    called = services.queue.call_next(actor, 4)
    assert called is not None and called.priority


def test_demo_board_has_no_names_and_real_waits(services: Services) -> None:
    _in_walk_in_hours(services)
    fill_demo(services, days=3)
    board = services.queue.board()
    assert 2 <= len(board.serving) <= 3
    assert len(board.recent) == 6
    assert sum(load.waiting for load in board.load) >= 3
    assert any(load.estimated_wait > 0 for load in board.load)
