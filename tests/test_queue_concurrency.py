"""Several desks (separate processes) on one database: nobody called twice, nothing lost.

Four processes each register walk-ins and call/finish tickets as fast as they can on the
same SQLite file, and again on PostgreSQL. Afterwards every ticket was issued exactly once
with a unique number, and called by exactly one desk.
"""

from __future__ import annotations

import multiprocessing as mp
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from frontdesk.clock import FixedClock
from frontdesk.db.models import Ticket, TicketEvent
from frontdesk.services import Actor, Conflict
from frontdesk.services.visitors import VisitorInput
from tests.conftest import MONDAY_10, add_staff, letters, make_services

DESKS = 4
TICKETS_PER_DESK = 60

pytestmark = pytest.mark.slow


def _desk(url: str, desk: int, staff_id: int, start: mp.synchronize.Event) -> None:
    services = make_services(url, FixedClock(MONDAY_10))
    actor = Actor(staff_id, f"Desk {desk}", "desk", desk, "test")
    start.wait()
    for i in range(TICKETS_PER_DESK):
        services.queue.register_walk_in(
            actor,
            VisitorInput(given_names=f"Visitor {letters(desk)} {letters(i)}"),
            service_code="info" if i % 3 else "bsn_collection",
        )
        if i % 2:
            try:
                called = services.queue.call_next(actor, desk)
            except Conflict:
                called = None
            if called is not None:
                services.queue.finish(actor, called.id)
    # Drain: keep calling until nothing is waiting for anyone.
    while True:
        called = services.queue.call_next(actor, desk)
        if called is None:
            break
        services.queue.finish(actor, called.id)
    services.close()


def _run_desks(url: str, staff_ids: list[int]) -> None:
    ctx = mp.get_context("spawn")
    start = ctx.Event()
    procs = [
        ctx.Process(target=_desk, args=(url, d + 1, staff_ids[d], start)) for d in range(DESKS)
    ]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(timeout=240)
        assert p.exitcode == 0, f"desk process ended with {p.exitcode}"


def test_four_desks_never_share_a_ticket(services, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    staff_ids = [add_staff(services, f"Desk Clerk {d}", "desk").staff_id for d in range(DESKS)]
    _run_desks(services.db.url, staff_ids)
    total = DESKS * TICKETS_PER_DESK
    with services.db.read() as session:
        tickets = session.execute(select(Ticket.label, Ticket.status, Ticket.desk)).all()
        calls = session.execute(
            select(TicketEvent.ticket_id, func.count())
            .where(TicketEvent.action == "called")
            .group_by(TicketEvent.ticket_id)
        ).all()
    assert len(tickets) == total, "a ticket was lost"
    assert len({label for label, _s, _d in tickets}) == total, "a number was handed out twice"
    assert Counter(status for _l, status, _d in tickets) == {"done": total}
    assert len(calls) == total and all(n == 1 for _t, n in calls), "a ticket was called twice"
    assert {desk for _l, _s, desk in tickets} == set(range(1, DESKS + 1))
    labels = sorted(label for label, _s, _d in tickets if label.startswith("A"))
    assert labels == [f"A{n:03d}" for n in range(1, len(labels) + 1)], "a gap in the numbers"


def test_sqlite_readers_wait_for_a_busy_database_after_a_write(tmp_path: Path) -> None:
    # A writer retries BEGIN IMMEDIATE itself with busy_timeout 0, and leaves it at 0 for
    # the next write on the connection; a read transaction must get SQLite's wait back.
    from frontdesk.db import Database

    db = Database(f"sqlite:///{tmp_path / 'busy.sqlite3'}", pool_size=1, max_overflow=0)
    try:
        for _ in range(2):
            with db.write() as session:
                assert session.connection().exec_driver_sql("PRAGMA busy_timeout").scalar() == 0
            with db.read() as session:
                timeout = session.connection().exec_driver_sql("PRAGMA busy_timeout").scalar()
                assert timeout == 15000
            with db.write():
                pass
    finally:
        db.dispose()
