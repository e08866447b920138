"""changed_since() and call_order_key(): the desk keeps today's queue from the changes only."""

from __future__ import annotations

from datetime import timedelta

from frontdesk.clock import FixedClock
from frontdesk.services import Actor, Services
from frontdesk.services.queue import OPEN_STATUSES, TicketInfo


def _kept(queue: dict[int, TicketInfo], changed: tuple[TicketInfo, ...]) -> None:
    for t in changed:
        if t.status in OPEN_STATUSES:
            queue[t.id] = t
        else:
            queue.pop(t.id, None)


def test_changes_keep_the_queue_as_today_reads_it(services: Services, clerk: Actor) -> None:
    clock: FixedClock = services.clock  # type: ignore[assignment]
    q = services.queue
    start = q.changed_since(clerk, 0)
    kept = {t.id: t for t in start.tickets if t.status in OPEN_STATUSES}
    version = start.version
    assert q.changed_since(clerk, version).tickets == ()  # nothing new: nothing read

    issued = []
    for i, code in enumerate(["info", "bsn_collection", "info", "info", "welcome_pack"]):
        issued.append(q.issue(clerk, code, priority=i == 3))
        clock.advance(minutes=1)
    with services.db.write() as session:
        due = q.issue_in(session, clerk, "info", source="appointment", appointment_at=clock.now())
        later = q.issue_in(
            session,
            clerk,
            "info",
            source="appointment",
            appointment_at=clock.now() + timedelta(hours=2),
        )
    first = q.call_next(clerk, 1)
    assert first is not None
    q.no_show(clerk, first.id)
    q.cancel(clerk, issued[1].id)
    q.call_next(clerk, 1)

    changes = q.changed_since(clerk, version)
    assert changes.version > version
    assert {t.id for t in changes.tickets} >= {t.id for t in issued} | {due.id, later.id}
    assert q.changed_since(clerk, changes.version).tickets == ()
    _kept(kept, changes.tickets)
    clock.advance(minutes=5)
    ordered = sorted(kept.values(), key=q.call_order_key(clock.now()))
    assert ordered == q.today(clerk)  # the same tickets, the same order, the same fields
    assert issued[1].id not in kept and first.id not in kept


def test_call_order_key_matches_today_for_priority_and_due_appointments(
    services: Services, clerk: Actor
) -> None:
    clock: FixedClock = services.clock  # type: ignore[assignment]
    q = services.queue
    with services.db.write() as session:
        for minutes in (30, -5, 10, -20):
            q.issue_in(
                session,
                clerk,
                "info",
                source="appointment",
                appointment_at=clock.now() + timedelta(minutes=minutes),
            )
    for i in range(4):
        q.issue(clerk, "info" if i % 2 else "bsn_collection", priority=i == 2)
        clock.advance(minutes=3)
    today = q.today(clerk)
    shuffled = today[::-1]
    assert sorted(shuffled, key=q.call_order_key(clock.now())) == today
    assert today[0].priority
