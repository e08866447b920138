"""Eight desks (separate processes) on one queue, for every kind of ticket.

Each kind of ticket reaches "call next" by another path through the call order: plain
walk-ins by arrival, priority tickets and due appointments ahead of them, transferred
tickets after a change of service, on-hold tickets taken back by a desk ("resume"), and a
mix in which desks also call tickets out of order. Whatever the path, every ticket must be
called by exactly one desk and finished once, and a desk's finish of its own visitor is
never refused. Then the end of the day: closing it while desks work changes no finished
visit, and eight desks starting the next morning close the day once.
"""

from __future__ import annotations

import multiprocessing as mp
import random
import time
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from frontdesk.clock import FixedClock
from frontdesk.db.models import AuditEvent, ClosedDay, Ticket, TicketEvent
from frontdesk.services import Actor, Conflict, Services
from tests.conftest import MONDAY_10, add_staff, make_services

DESKS = 8
TICKETS = 300
KINDS = ("plain", "priority", "due_appointment", "transferred", "resumed", "mix")

pytestmark = pytest.mark.slow


def _issue(services: Services, actor: Actor, kind: str, n: int) -> list[int]:
    """``n`` tickets of one kind, ready to be called (or resumed); their ids."""
    now = services.clock.now()
    queue = services.queue
    ids: list[int] = []
    rng = random.Random(n)
    with services.db.write() as session:
        for i in range(n):
            this = kind if kind != "mix" else KINDS[i % 5]
            if this == "due_appointment":
                at = now - timedelta(minutes=rng.randrange(0, 90))
                t = queue.issue_in(
                    session, actor, "bsn_registration", source="appointment", appointment_at=at
                )
            elif this == "transferred":
                t = queue.issue_in(session, actor, "bsn_collection")
            else:
                t = queue.issue_in(session, actor, "info", priority=this == "priority")
            ids.append(t.id)
    if kind in ("transferred", "mix"):
        for i, tid in enumerate(ids):
            if kind == "transferred" or KINDS[i % 5] == "transferred":
                queue.transfer(actor, tid, "info")
    if kind in ("resumed", "mix"):
        parker = Actor(actor.staff_id, actor.name, actor.role, 99, "test")
        for i, tid in enumerate(ids):
            if kind == "resumed" or KINDS[i % 5] == "resumed":
                queue.call_ticket(parker, tid, 99)
                queue.hold(parker, tid)
    return ids


def _desk(
    url: str, desk: int, staff_id: int, kind: str, held: list[int], start: Any, out: Any
) -> None:
    services = make_services(url, FixedClock(MONDAY_10))
    actor = Actor(staff_id, f"Desk {desk}", "desk", desk, "test")
    rng = random.Random(desk)
    called: list[int] = []
    refused: list[str] = []
    start.wait()
    held = list(held)
    rng.shuffle(held)
    while True:
        ticket = None
        if held and (kind == "resumed" or rng.random() < 0.5):
            tid = held.pop()
            try:
                ticket = services.queue.resume(actor, tid, desk)
            except Conflict:
                continue  # another desk took it back first
        else:
            ticket = services.queue.call_next(actor, desk)
            if ticket is None:
                if held:
                    continue
                break
        called.append(ticket.id)
        try:
            services.queue.finish(actor, ticket.id)
        except Conflict as exc:
            refused.append(str(exc))
    services.close()
    out.put((desk, called, refused))


def _work_the_queue(services: Services, kind: str) -> Counter[int]:
    """Eight desks work ``TICKETS`` tickets of ``kind``; how often each ticket was called."""
    lead = add_staff(services, "Lea Lead", "lead")
    ids = _issue(services, lead, kind, TICKETS)
    held = ids if kind == "resumed" else []
    if kind == "mix":
        with services.db.read() as session:
            held = list(session.scalars(select(Ticket.id).where(Ticket.status == "on_hold")))
    staff = [add_staff(services, f"Desk Clerk {d}", "desk").staff_id for d in range(DESKS)]
    ctx = mp.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=_desk, args=(services.db.url, d + 1, staff[d], kind, held, start, out))
        for d in range(DESKS)
    ]
    for p in procs:
        p.start()
    start.set()
    results = [out.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0, f"a desk process ended with {p.exitcode}"

    calls = Counter(tid for _desk, called, _r in results for tid in called)
    twice = [tid for tid, n in calls.items() if n > 1]
    assert not twice, f"{len(twice)} tickets were handed to two desks"
    assert set(calls) == set(ids), "a ticket was never called"
    refusals = [r for _d, _c, refused in results for r in refused]
    assert not refusals, f"desks were refused their own finish: {refusals[:3]}"
    with services.db.read() as session:
        statuses = Counter(session.scalars(select(Ticket.status).where(Ticket.id.in_(ids))))
        finished = dict(
            session.execute(
                select(TicketEvent.ticket_id, func.count())
                .where(TicketEvent.action == "finished")
                .group_by(TicketEvent.ticket_id)
            ).all()
        )
    assert statuses == {"done": TICKETS}
    assert all(finished.get(tid) == 1 for tid in ids), "a visit was finished twice or never"
    return calls


@pytest.mark.parametrize("kind", KINDS)
def test_eight_desks_call_every_ticket_exactly_once(services: Services, kind: str) -> None:
    calls = _work_the_queue(services, kind)
    assert len(calls) == TICKETS and set(calls.values()) == {1}


# -- the end of the day ------------------------------------------------------------------


def _busy_desk(url: str, desk: int, staff_id: int, start: Any, out: Any) -> None:
    services = make_services(url, FixedClock(MONDAY_10))
    actor = Actor(staff_id, f"Desk {desk}", "desk", desk, "test")
    finished: list[int] = []
    start.wait()
    while True:
        try:
            ticket = services.queue.call_next(actor, desk)
        except Conflict:
            break  # the day was closed under this desk
        if ticket is None:
            break
        try:
            services.queue.finish(actor, ticket.id)
        except Conflict:
            break  # the day was closed while the visitor was at the desk
        finished.append(ticket.id)
    services.close()
    out.put(finished)


def test_closing_the_day_while_desks_work_leaves_finished_visits_alone(
    services: Services,
) -> None:
    lead = add_staff(services, "Lea Lead", "lead")
    with services.db.write() as session:
        for i in range(1500):
            services.queue.issue_in(session, lead, "info", priority=i % 7 == 0)
    staff = [add_staff(services, f"Desk Clerk {d}", "desk").staff_id for d in range(DESKS)]
    ctx = mp.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=_busy_desk, args=(services.db.url, d + 1, staff[d], start, out))
        for d in range(DESKS)
    ]
    for p in procs:
        p.start()
    start.set()
    # Let the desks get going, then close the day under them.
    deadline = 200
    for _ in range(600):
        with services.db.read() as session:
            done = session.scalar(select(func.count()).where(Ticket.status == "done"))
        if (done or 0) >= deadline:
            break
        time.sleep(0.05)
    closed = services.queue.close_day(lead)
    finished = [tid for _ in procs for tid in out.get(timeout=300)]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    with services.db.read() as session:
        status = dict(session.execute(select(Ticket.id, Ticket.status)).all())
        not_served = Counter(
            session.scalars(select(TicketEvent.ticket_id).where(TicketEvent.action == "not_served"))
        )
    assert finished, "no desk finished a visit before the close"
    overwritten = [tid for tid in finished if status[tid] != "done"]
    assert not overwritten, f"{len(overwritten)} finished visits were changed by the close"
    assert all(n == 1 for n in not_served.values())
    assert closed == len(not_served)
    assert all(s in ("done", "not_served") for s in status.values())


def _morning_start(url: str, start: Any, out: Any) -> None:
    tuesday = FixedClock(MONDAY_10 + timedelta(days=1))
    start.wait()
    services = make_services(url, tuesday)
    services.close()
    out.put(True)


def test_eight_desks_starting_next_morning_close_yesterday_once(services: Services) -> None:
    lead = add_staff(services, "Lea Lead", "lead")
    with services.db.write() as session:
        for _ in range(300):
            services.queue.issue_in(session, lead, "info")
    ctx = mp.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=_morning_start, args=(services.db.url, start, out)) for _ in range(8)
    ]
    for p in procs:
        p.start()
    start.set()
    assert [out.get(timeout=120) for _ in procs] == [True] * 8
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    monday = MONDAY_10.date()
    with services.db.read() as session:
        events = Counter(
            session.scalars(select(TicketEvent.ticket_id).where(TicketEvent.action == "not_served"))
        )
        audits = session.scalar(
            select(func.count()).where(
                AuditEvent.action == "day.close", AuditEvent.object_id == monday.isoformat()
            )
        )
        closed = session.scalar(select(func.count()).select_from(ClosedDay))
    assert len(events) == 300 and set(events.values()) == {1}
    assert audits == 1
    assert closed == 1


def test_a_closed_day_refuses_new_tickets_until_the_lead_reopens_it(
    services: Services,
) -> None:
    lead = add_staff(services, "Lea Lead", "lead")
    clerk = add_staff(services, "Dirk Desk", "desk")
    services.queue.issue(clerk, "info")
    assert services.queue.close_day(lead) == 1
    with pytest.raises(Conflict, match="closed"):
        services.queue.issue(clerk, "info")
    with services.db.read() as session:
        before = session.scalar(select(func.count()).select_from(Ticket))
    assert before == 1
    services.queue.reopen_day(lead, date(2026, 11, 23))
    ticket = services.queue.issue(clerk, "info")
    assert ticket.status == "waiting"
    with services.db.read() as session:
        actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions[-2:] == ["day.close", "day.reopen"] or actions[-1] == "day.reopen"
