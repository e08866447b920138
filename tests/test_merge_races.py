"""Two desks merging or editing overlapping visitor records at once (processes; SQLite and
PostgreSQL). However they interleave, every record ends in exactly one place: a merge
either happens whole or is told the record has gone; nothing points at a removed record.
"""

from __future__ import annotations

import multiprocessing as mp
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select

from frontdesk.clock import FixedClock
from frontdesk.db.models import ContactMoment, Ticket, Visitor
from frontdesk.services import Actor, NotFound, Services
from frontdesk.services.visitors import VisitorInput
from tests.conftest import MONDAY_10, add_staff, letters, make_services

TRIPLES = 8

pytestmark = pytest.mark.slow


def _merges(
    url: str,
    staff_id: int,
    pairs: list[tuple[int, int]],
    start: Any,
    results: Any,
) -> None:
    services = make_services(url, FixedClock(MONDAY_10))
    actor = Actor(staff_id, "Lead", "lead", 1, "test")
    start.wait()
    for keep, other in pairs:
        try:
            services.merge.merge_visitors(actor, keep, other)
            results.put(("merged", keep, other))
        except NotFound:
            results.put(("gone", keep, other))
    services.close()


def _edits(url: str, staff_id: int, ids: list[int], start: Any, results: Any) -> None:
    services = make_services(url, FixedClock(MONDAY_10))
    actor = Actor(staff_id, "Desk", "desk", 2, "test")
    start.wait()
    for visitor_id in ids:
        try:
            services.visitors.update(
                actor, visitor_id, VisitorInput("Edited", "Person", email="edited@example.org")
            )
            results.put(("edited", visitor_id, 0))
        except NotFound:
            results.put(("gone", visitor_id, 0))
    services.close()


def _run(services: Services, jobs: list[tuple[Any, tuple[Any, ...]]]) -> list[tuple[str, int, int]]:
    ctx = mp.get_context("spawn")
    start, results = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=target, args=(services.db.url, *args, start, results))
        for target, args in jobs
    ]
    for p in procs:
        p.start()
    start.set()
    out = []
    expected = sum(len(args[1]) for _target, args in jobs)
    for _ in range(expected):
        out.append(results.get(timeout=120))
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode == 0, f"a process ended with {p.exitcode}"
    return out


@pytest.fixture
def other_lead(services: Services) -> Actor:
    """A second lead, merging at another desk."""
    return add_staff(services, "Olaf Lead", "lead")


def test_two_merges_of_overlapping_pairs_and_an_edit(
    services: Services, lead: Actor, other_lead: Actor, clerk: Actor
) -> None:
    triples = []
    for i in range(TRIPLES):
        ids = []
        for side in ("A", "B", "C"):
            v = services.visitors.register(clerk, VisitorInput(f"{side}{letters(i)}", "Person"))
            services.queue.issue(clerk, "info", visitor_id=v.id, second_ticket=True)
            services.queue.log_contact(clerk, "email", "Question", 2, visitor_id=v.id)
            ids.append(v.id)
        triples.append(tuple(ids))
    # Desk 1 merges B into A; desk 2 merges B into C; desk 3 edits B; all at once.
    results = _run(
        services,
        [
            (_merges, (lead.staff_id, [(a, b) for a, b, _c in triples])),
            (_merges, (other_lead.staff_id, [(c, b) for _a, b, c in triples])),
            (_edits, (clerk.staff_id, [b for _a, b, _c in triples])),
        ],
    )
    merged = [(keep, other) for what, keep, other in results if what == "merged"]
    with services.db.read() as session:
        alive = set(session.scalars(select(Visitor.id)))
        tickets = Counter(session.scalars(select(Ticket.visitor_id)))
        contacts = Counter(session.scalars(select(ContactMoment.visitor_id)))
    for a, b, c in triples:
        # B went into exactly one of A and C; the other merge was told it had gone.
        into = [keep for keep, other in merged if other == b]
        assert len(into) == 1 and into[0] in (a, c)
        assert b not in alive and {a, c} <= alive
        assert tickets[into[0]] == 2 and contacts[into[0]] == 2
        assert tickets[a if into[0] == c else c] == 1
    assert sum(tickets.values()) == 3 * TRIPLES and sum(contacts.values()) == 3 * TRIPLES
    assert len(alive) == 2 * TRIPLES


def test_two_leads_merging_one_pair_both_ways(
    services: Services, lead: Actor, other_lead: Actor, clerk: Actor
) -> None:
    pairs = []
    for i in range(TRIPLES):
        a = services.visitors.register(clerk, VisitorInput(f"A{letters(i)}", "Person"))
        b = services.visitors.register(clerk, VisitorInput(f"B{letters(i)}", "Person"))
        services.queue.issue(clerk, "info", visitor_id=b.id)
        pairs.append((a.id, b.id))
    results = _run(
        services,
        [
            (_merges, (lead.staff_id, pairs)),
            (_merges, (other_lead.staff_id, [(b, a) for a, b in pairs])),
        ],
    )
    merged = Counter(frozenset((keep, other)) for what, keep, other in results if what == "merged")
    assert merged == {frozenset(p): 1 for p in pairs}
    with services.db.read() as session:
        alive = set(session.scalars(select(Visitor.id)))
        tickets = list(session.scalars(select(Ticket.visitor_id)))
    assert len(alive) == TRIPLES and all(t in alive for t in tickets)
    assert len(tickets) == TRIPLES
