"""Appointments and desks on one database at once (processes; SQLite and PostgreSQL).

- The household's ticket follows its appointment while a desk works the same ticket: one
  process completes the appointments, the other calls and finishes their tickets at the
  same moment. However they interleave, every ticket ends done exactly once.
- A BSN belongs to one person: two desks recording the same number for two people at the
  same moment; exactly one of them gets it.
"""

from __future__ import annotations

import multiprocessing as mp
import sys
from collections import Counter

import pytest
from sqlalchemy import func, select, update

from frontdesk.clock import FixedClock
from frontdesk.db.models import AppointmentPerson, Ticket, TicketEvent
from frontdesk.services import Actor, Conflict, NotFound, Services, ValidationError
from tests.conftest import MONDAY_10, add_staff, make_services
from tests.helpers import household, tick_all

HOUSEHOLDS = 12

pytestmark = pytest.mark.slow


def _complete(url: str, staff_id: int, ids: list[int], start: mp.synchronize.Event) -> None:
    services = make_services(url, FixedClock(MONDAY_10))
    actor = Actor(staff_id, "Appointments", "desk", 2, "test")
    start.wait()
    for ap_id in ids:
        services.appointments.complete(actor, ap_id)
    services.close()


def _desk(url: str, staff_id: int, tickets: list[int], start: mp.synchronize.Event) -> None:
    services = make_services(url, FixedClock(MONDAY_10))
    actor = Actor(staff_id, "Desk", "desk", 1, "test")
    start.wait()
    for ticket_id in tickets:
        try:
            services.queue.call_ticket(actor, ticket_id, 1)
            services.queue.finish(actor, ticket_id)
        except (Conflict, NotFound):
            pass  # the appointment ended it first
    services.close()


def test_completing_while_a_desk_finishes_ends_each_ticket_once(services: Services) -> None:
    clerk = add_staff(services, "Dirk Desk", "desk")
    desk = add_staff(services, "Bram Desk", "desk")
    ids, tickets = [], []
    for _ in range(HOUSEHOLDS):
        ap = services.appointments.book(clerk, household(partner=False, children=0))
        ap = services.appointments.check_in(clerk, ap.id)
        services.appointments.start(clerk, ap.id)
        tick_all(services, clerk, ap.id)
        services.appointments.record_bsn(clerk, ap.persons[0].id, "by_post")
        ids.append(ap.id)
        tickets.append(ap.ticket_id or 0)
    ctx = mp.get_context("spawn")
    start = ctx.Event()
    procs = [
        ctx.Process(target=_complete, args=(services.db.url, clerk.staff_id, ids, start)),
        ctx.Process(target=_desk, args=(services.db.url, desk.staff_id, tickets, start)),
    ]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0, f"a process ended with {p.exitcode}"
    with services.db.read() as session:
        statuses = Counter(session.scalars(select(Ticket.status)))
        finished = Counter(
            session.scalars(select(TicketEvent.ticket_id).where(TicketEvent.action == "finished"))
        )
    assert statuses == {"done": HOUSEHOLDS}
    assert sorted(finished) == sorted(tickets) and set(finished.values()) == {1}
    assert {services.appointments.get(clerk, i).status for i in ids} == {"completed"}


def _record_refused(
    url: str, staff_id: int, person_id: int, number: str, ready: mp.synchronize.Event
) -> None:
    """Exit 0 when the BSN was refused (another person has it), 1 when it was recorded."""
    services = make_services(url, FixedClock(MONDAY_10))
    actor = Actor(staff_id, "BSN desk", "desk", 1, "test")
    ready.set()
    try:
        services.appointments.record_bsn(actor, person_id, "issued", number)
    except ValidationError:
        sys.exit(0)
    finally:
        services.close()
    sys.exit(1)


def test_two_desks_cannot_give_one_bsn_to_two_people(services: Services) -> None:
    """Desk 1 is recording 111222333 for the mother (not committed yet) when desk 2 records
    it for her child: desk 2 waits for desk 1 and is then refused. On SQLite the write
    transactions are one at a time anyway; on PostgreSQL an advisory lock does it."""
    if services.db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite writers are serialised by BEGIN IMMEDIATE")
    from frontdesk.services.appointments.service import BSN_LOCK

    clerk = add_staff(services, "Dirk Desk", "desk")
    ap = services.appointments.book(clerk, household(partner=False, children=1))
    ap = services.appointments.check_in(clerk, ap.id)
    mother, child = ap.persons
    ctx = mp.get_context("spawn")
    with services.db.engine.connect() as conn, conn.begin():
        conn.execute(select(func.pg_advisory_xact_lock(BSN_LOCK)))
        conn.execute(
            update(AppointmentPerson)
            .where(AppointmentPerson.id == mother.id)
            .values(bsn="111222333", bsn_outcome="issued")
        )
        ready = ctx.Event()
        desk2 = ctx.Process(
            target=_record_refused,
            args=(services.db.url, clerk.staff_id, child.id, "111222333", ready),
        )
        desk2.start()
        assert ready.wait(timeout=60)
        desk2.join(timeout=2)
        assert desk2.is_alive(), "desk 2 did not wait for desk 1"
    desk2.join(timeout=60)
    assert desk2.exitcode == 0, "desk 2 recorded a BSN that desk 1 had just given"
    info = services.appointments.get(clerk, ap.id)
    assert (info.persons[0].bsn_masked, info.persons[1].bsn_masked) == ("******333", None)
