"""The daily queue: numbering, call order, transitions, day close, waits, the board."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from frontdesk.clock import FixedClock
from frontdesk.services import (
    Actor,
    AlreadyWaiting,
    Conflict,
    NotFound,
    PermissionDenied,
    Services,
    ValidationError,
)
from frontdesk.services.queue import UNDO_MINUTES
from frontdesk.services.visitors import VisitorInput
from tests.conftest import add_staff, letters, make_services


def _walk_in(
    services: Services, clerk: Actor, name: str, service: str = "info", priority: bool = False
):
    _visitor, ticket = services.queue.register_walk_in(
        clerk, VisitorInput(given_names=name), service_code=service, priority=priority
    )
    return ticket


def test_numbers_per_prefix_restart_each_day(services: Services, clerk: Actor) -> None:
    labels = [_walk_in(services, clerk, f"V{letters(i)}").label for i in range(3)]
    assert labels == ["A001", "A002", "A003"]
    assert _walk_in(services, clerk, "Bo", service="bsn_registration").label == "B001"
    services.clock.advance(days=1)  # type: ignore[attr-defined]
    assert _walk_in(services, clerk, "Next day").label == "A001"


def test_day_boundary_is_local_midnight(services: Services, clerk: Actor) -> None:
    # 23:30 in Amsterdam is 22:30 UTC: still the same local day.
    services.clock.set(datetime(2026, 11, 23, 23, 30))  # type: ignore[attr-defined]
    assert _walk_in(services, clerk, "Late").day.isoformat() == "2026-11-23"
    services.clock.advance(minutes=45)  # type: ignore[attr-defined]
    ticket = _walk_in(services, clerk, "After midnight")
    assert ticket.day.isoformat() == "2026-11-24" and ticket.label == "A001"


def test_call_order_priority_then_due_appointments_then_arrival(
    services: Services, clerk: Actor
) -> None:
    first = _walk_in(services, clerk, "First")
    services.clock.advance(minutes=1)  # type: ignore[attr-defined]
    second = _walk_in(services, clerk, "Second")
    services.clock.advance(minutes=1)  # type: ignore[attr-defined]
    urgent = _walk_in(services, clerk, "Urgent", priority=True)
    with services.db.write() as session:
        appt = services.queue.issue_in(
            session,
            clerk,
            "bsn_registration",
            source="appointment",
            appointment_at=services.clock.now() - timedelta(minutes=1),
        )
        later = services.queue.issue_in(
            session,
            clerk,
            "bsn_registration",
            source="appointment",
            appointment_at=services.clock.now() + timedelta(hours=1),
        )
        appt_id, later_id = appt.id, later.id
    order = []
    for desk in (1, 2, 3, 4, 5):
        actor = Actor(clerk.staff_id, clerk.name, clerk.role, desk)
        called = services.queue.call_next(actor, desk)
        assert called is not None
        order.append(called.id)
    assert order == [urgent.id, appt_id, first.id, second.id, later_id]
    assert services.queue.call_next(clerk, 6) is None


def test_call_next_takes_tickets_in_the_order_the_queue_shows(
    services: Services, clerk: Actor
) -> None:
    # Call next finds the ticket through indexes (the few that jump the line, then the first
    # in arrival order); the queue screen sorts them all. Both must agree, ties included.
    rng = random.Random(7)
    with services.db.write() as session:
        for i in range(24):
            if i % 3 == 0:
                services.clock.advance(minutes=1)  # type: ignore[attr-defined]
            kind = rng.choice(["walk_in", "walk_in", "due", "later"])
            appointment_at = None
            if kind == "due":
                appointment_at = services.clock.now() - timedelta(minutes=rng.randint(0, 30))
            elif kind == "later":
                appointment_at = services.clock.now() + timedelta(hours=2)
            services.queue.issue_in(
                session,
                clerk,
                rng.choice(["info", "bsn_registration"]),
                source="walk_in" if kind == "walk_in" else "appointment",
                appointment_at=appointment_at,
                priority=rng.random() < 0.2,
            )
    shown = [t.id for t in services.queue.today(clerk) if t.status == "waiting"]
    called = []
    for _ in shown:
        ticket = services.queue.call_next(clerk, 1)
        assert ticket is not None
        called.append(ticket.id)
        services.queue.finish(clerk, ticket.id)
    assert called == shown
    assert services.queue.call_next(clerk, 1) is None


def test_a_desk_finishes_before_calling_again(services: Services, clerk: Actor) -> None:
    _walk_in(services, clerk, "One")
    _walk_in(services, clerk, "Two")
    current = services.queue.call_next(clerk, 1)
    assert current is not None
    with pytest.raises(Conflict, match="still serving"):
        services.queue.call_next(clerk, 1)
    services.queue.finish(clerk, current.id, "Explained the tax return")
    nxt = services.queue.call_next(clerk, 1)
    assert nxt is not None and nxt.label == "A002"


def test_transitions_keep_times_and_numbers(services: Services, clerk: Actor) -> None:
    ticket = _walk_in(services, clerk, "Transferred")
    services.clock.advance(minutes=7)  # type: ignore[attr-defined]
    called = services.queue.call_next(clerk, 1)
    assert called is not None and called.minutes_waiting(services.clock.now()) == 7
    recalled = services.queue.recall(clerk, ticket.id)
    assert recalled.recalls == 1
    moved = services.queue.transfer(clerk, ticket.id, "bsn_collection")
    assert moved.label == ticket.label and moved.arrived_at == ticket.arrived_at
    assert moved.status == "waiting" and moved.service_code == "bsn_collection"
    at_two = replace(clerk, desk=2)  # the same clerk, now working at desk 2
    again = services.queue.call_next(at_two, 2)
    assert again is not None and again.id == ticket.id
    held = services.queue.hold(at_two, ticket.id)
    assert held.status == "on_hold"
    resumed = services.queue.resume(at_two, ticket.id, 2)
    assert resumed.status == "called"
    gone = services.queue.no_show(at_two, ticket.id)
    assert gone.status == "no_show" and gone.finished_at is not None
    with pytest.raises(Conflict):
        services.queue.finish(at_two, ticket.id)


def test_only_the_serving_desk_acts_on_a_called_ticket(services: Services, clerk: Actor) -> None:
    ticket = _walk_in(services, clerk, "Served at three")
    at_three = replace(clerk, desk=3)
    at_one = replace(clerk, desk=1)
    called = services.queue.call_next(at_three, 3)
    assert called is not None and called.id == ticket.id
    for act in (
        lambda: services.queue.finish(at_one, ticket.id),
        lambda: services.queue.recall(at_one, ticket.id),
        lambda: services.queue.hold(at_one, ticket.id),
        lambda: services.queue.no_show(at_one, ticket.id),
        lambda: services.queue.transfer(at_one, ticket.id, "bsn_collection"),
    ):
        with pytest.raises(Conflict, match=f"{ticket.label} is being served at desk 3, not at"):
            act()
    still = services.queue.ticket(at_one, ticket.id)
    assert (still.status, still.desk, still.recalls, still.service_code) == (
        "called",
        3,
        0,
        ticket.service_code,
    )
    # The serving desk itself, and an actor without a desk (the command line), may act.
    assert services.queue.recall(at_three, ticket.id).recalls == 1
    assert services.queue.finish(replace(clerk, desk=None), ticket.id).status == "done"


def test_day_close_and_automatic_close(services: Services, clerk: Actor, lead: Actor) -> None:
    _walk_in(services, clerk, "Left waiting")
    with pytest.raises(PermissionDenied):
        services.queue.close_day(clerk)
    _walk_in(services, clerk, "Also waiting")
    services.clock.advance(days=1)  # type: ignore[attr-defined]
    assert services.queue.close_past_days() == 2
    assert services.queue.today(clerk) == []
    _walk_in(services, clerk, "Today")
    assert services.queue.close_day(lead) == 1
    assert services.queue.today(clerk) == []


def test_automatic_close_finds_every_earlier_day_with_open_tickets(
    services: Services, clerk: Actor
) -> None:
    # Open tickets on days 0 and 3 (and a day 1 with only a finished one, a day 2 with none).
    _walk_in(services, clerk, "Left on day zero")
    services.clock.advance(days=1)  # type: ignore[attr-defined]
    _walk_in(services, clerk, "Served on day one")
    called = services.queue.call_next(clerk, 1)
    assert called is not None
    services.queue.finish(clerk, called.id)
    services.clock.advance(days=2)  # type: ignore[attr-defined]
    _walk_in(services, clerk, "Left on day three")
    services.queue.call_next(clerk, 1)
    _walk_in(services, clerk, "Also left on day three")
    services.clock.advance(days=1)  # type: ignore[attr-defined]
    _walk_in(services, clerk, "Today")
    assert services.queue.close_past_days() == 3
    assert services.queue.close_past_days() == 0
    assert [t.visitor_name for t in services.queue.today(clerk)] == ["Today"]


def test_board_shows_numbers_and_desks_only(services: Services, clerk: Actor) -> None:
    _walk_in(services, clerk, "Zoë Ødegård")
    _walk_in(services, clerk, "Secret Name")
    services.queue.call_next(clerk, 3)
    board = services.queue.board()
    assert [(c.label, c.desk) for c in board.serving] == [("A001", 3)]
    info = next(load for load in board.load if load.code == "info")
    assert info.waiting == 1 and info.estimated_wait == 15  # default minutes, one desk
    assert "Ødegård" not in repr(board) and "Secret" not in repr(board)


def test_wait_estimate_uses_todays_service_times(services: Services, clerk: Actor) -> None:
    for name in ("a", "b", "c", "d"):
        _walk_in(services, clerk, name)
    for _ in range(2):
        current = services.queue.call_next(clerk, 1)
        assert current is not None
        services.clock.advance(minutes=6)  # type: ignore[attr-defined]
        services.queue.finish(clerk, current.id)
    info = next(load for load in services.queue.load() if load.code == "info")
    assert info.waiting == 2 and info.estimated_wait == 12


def test_walk_in_needs_a_name_and_leaves_nothing_when_refused(
    services: Services, clerk: Actor
) -> None:
    with pytest.raises(ValidationError) as err:
        services.queue.register_walk_in(clerk, VisitorInput(given_names="  "))
    assert err.value.field == "given_names"
    with pytest.raises(ValidationError) as err:
        services.queue.register_walk_in(
            clerk, VisitorInput(given_names="Ann", phone="12"), service_code="info"
        )
    assert err.value.field == "phone"
    assert services.queue.today(clerk) == []
    assert services.visitors.search(clerk, "Ann") == []


def test_intern_cannot_use_the_queue(services: Services, intern: Actor) -> None:
    with pytest.raises(PermissionDenied):
        services.queue.today(intern)
    with pytest.raises(PermissionDenied):
        services.queue.call_next(intern, 1)


def test_find_ticket_by_number(services: Services, clerk: Actor) -> None:
    _walk_in(services, clerk, "Ticket Holder")
    found = services.queue.find_ticket(clerk, "a1")
    assert found is not None and found.visitor_name == "Ticket Holder"
    assert services.queue.find_ticket(clerk, "Z9") is None


def test_find_ticket_gives_what_the_queue_shows(services: Services, clerk: Actor) -> None:
    _walk_in(services, clerk, "Ticket Holder")
    called = services.queue.call_next(clerk, 3)
    assert called is not None
    [shown] = [t for t in services.queue.today(clerk) if t.id == called.id]
    assert services.queue.find_ticket(clerk, f" {called.label.lower()} ") == shown
    assert shown.staff_name and shown.visitor_name == "Ticket Holder"
    # Every kind of value (on SQLite read on the driver's connection, converted by hand).
    issued = services.queue.issue(clerk, "info", priority=True, notes="Wheelchair")
    [shown] = [t for t in services.queue.today(clerk) if t.id == issued.id]
    found = services.queue.find_ticket(clerk, issued.label)
    assert found == shown and found.priority is True and found.notes == "Wheelchair"
    assert found.arrived_at.tzinfo is not None and found.visitor_name is None


def test_log_contact_validates(services: Services, clerk: Actor) -> None:
    contact = services.queue.log_contact(clerk, "email", "Question about housing", "10")
    assert contact.minutes == 10
    with pytest.raises(ValidationError) as err:
        services.queue.log_contact(clerk, "email", "Topic", "ten")
    assert err.value.field == "minutes"
    with pytest.raises(ValidationError) as err:
        services.queue.log_contact(clerk, "fax", "Topic", 5)
    assert err.value.field == "channel"


def test_second_lead_sees_the_same_queue(services: Services, clerk: Actor) -> None:
    other = add_staff(services, "Other Desk", "desk", desk=2)
    _walk_in(services, clerk, "Shared")
    assert [t.label for t in services.queue.today(other)] == ["A001"]


def test_call_next_and_finish_answer_what_the_queue_shows(services: Services, clerk: Actor) -> None:
    _walk_in(services, clerk, "Ticket Holder")
    called = services.queue.call_next(clerk, clerk.desk or 1)
    assert called is not None
    [shown] = [t for t in services.queue.today(clerk) if t.id == called.id]
    assert called == shown
    assert called.service_code and called.service_name
    assert called.visitor_name == "Ticket Holder" and called.staff_name == clerk.name
    finished = services.queue.finish(clerk, called.id, "all done")
    assert (finished.status, finished.outcome) == ("done", "all done")
    assert finished.finished_at is not None
    assert replace(finished, status="called", outcome=None, finished_at=None) == called


def test_finish_changes_only_a_ticket_being_served(services: Services, clerk: Actor) -> None:
    waiting = _walk_in(services, clerk, "Still Waiting")
    with pytest.raises(Conflict, match=f"{waiting.label} is waiting; nothing was changed"):
        services.queue.finish(clerk, waiting.id)
    with pytest.raises(NotFound):
        services.queue.finish(clerk, waiting.id + 1000)
    still = services.queue.ticket(clerk, waiting.id)
    assert (still.status, still.finished_at, still.outcome) == ("waiting", None, None)
    called = services.queue.call_next(clerk, clerk.desk or 1)
    assert called is not None and called.id == waiting.id
    services.queue.finish(clerk, called.id)
    with pytest.raises(Conflict, match="is finished; nothing was changed"):
        services.queue.finish(clerk, called.id)


def test_call_next_follows_the_leads_changes_to_services_at_once(
    services: Services, clerk: Actor, lead: Actor
) -> None:
    # A desk keeps which services it calls between calls; a change made elsewhere (the
    # lead's desk is another process) must count from the next call on.
    other = make_services(services.db.url, services.clock)  # type: ignore[arg-type]
    collect_only = make_services(
        services.db.url,
        services.clock,  # type: ignore[arg-type]
        desk_services=("bsn_collection",),
    )
    try:
        desk2 = Actor(clerk.staff_id, clerk.name, clerk.role, 2)
        first = _walk_in(services, clerk, "First Info")
        second = _walk_in(services, clerk, "Second Info")
        collect = _walk_in(services, clerk, "Collecting", service="bsn_collection")
        called = other.queue.call_next(desk2, 2)
        assert called is not None and called.id == first.id
        other.queue.finish(desk2, called.id)
        info = next(s for s in services.queue.services() if s.code == "info")

        def info_desks(desks: str) -> None:
            services.catalogue.update(
                lead, "info", name=info.name, prefix=info.prefix, active=True, desks=desks
            )

        info_desks("1")
        called = other.queue.call_next(desk2, 2)
        assert called is not None and called.id == collect.id
        other.queue.finish(desk2, called.id)
        assert other.queue.call_next(desk2, 2) is None
        info_desks("")
        _walk_in(services, clerk, "Collecting Too", service="bsn_collection")
        called = collect_only.queue.call_next(desk2, 2)  # its setting: collections only
        assert called is not None and called.service_code == "bsn_collection"
        collect_only.queue.finish(desk2, called.id)
        assert collect_only.queue.call_next(desk2, 2) is None
        called = other.queue.call_next(desk2, 2)
        assert called is not None and called.id == second.id
    finally:
        other.close()
        collect_only.close()


def test_sqlite_stores_call_and_finish_times_as_everywhere_else(
    services: Services, clerk: Actor
) -> None:
    # On SQLite call next and finish run on the driver (frontdesk.db.prepared); times are
    # text there and compared as text, so they must be written in SQLAlchemy's format.
    if services.db.dialect != "sqlite":
        pytest.skip("PostgreSQL stores timestamps, not text")
    ticket = _walk_in(services, clerk, "Timed Visitor")  # issued through SQLAlchemy
    services.clock.advance(minutes=3)  # type: ignore[attr-defined]
    called = services.queue.call_next(clerk, clerk.desk or 1)
    assert called is not None and called.id == ticket.id
    finished = services.queue.finish(clerk, called.id)
    assert finished.finished_at == services.clock.now() and called.called_at is not None
    with services.db.engine.connect() as conn:
        row = conn.exec_driver_sql(
            "SELECT arrived_at, called_at, first_called_at, finished_at, day FROM tickets "
            "WHERE id = ?",
            (ticket.id,),
        ).one()
        ats = conn.exec_driver_sql(
            "SELECT action, at FROM ticket_events WHERE ticket_id = ? ORDER BY id", (ticket.id,)
        ).all()
    assert row[0].endswith(":00.000000") and row[0][:10] == row[4]  # as SQLAlchemy wrote it
    assert row[1] == row[2] == row[3] == row[0].replace(":00:00.", ":03:00.")
    assert [(action, at) for action, at in ats] == [
        ("issued", row[0]),
        ("called", row[1]),
        ("finished", row[3]),
    ]


@pytest.mark.parametrize(
    ("statement", "index", "no_sort"),
    [("recent", "ix_tickets_day_called", True), ("desks", "ix_tickets_day_called", False)],
)
def test_the_waiting_strip_reads_from_its_indexes(
    services: Services, statement: str, index: str, no_sort: bool
) -> None:
    """The latest served tickets newest first, and the last hour's calls, come from the
    (day, first call) index (migration 0013), not from reading every ticket of the day."""
    from frontdesk.services.queue import statements as sql

    if services.db.dialect != "sqlite":
        pytest.skip("the plan is checked on SQLite; PostgreSQL picks by its statistics")
    compiled = sql.load()[statement].compile(dialect=services.db.engine.dialect)
    now = services.clock.now()
    given = {"today": now.date().isoformat(), "n": 10, "hour_ago": now.isoformat(" ")}
    values = compiled.construct_params(given)
    args = tuple(values[name] for name in compiled.positiontup or ())
    with services.db.read() as session:
        plan = session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", args)
        details = " ".join(str(row[-1]) for row in plan)
    assert index in details
    if no_sort:
        assert "TEMP B-TREE" not in details


def test_a_finish_or_no_show_is_taken_back_only_by_its_desk_within_minutes(
    services: Services, clerk: Actor, clock: FixedClock
) -> None:
    other = add_staff(services, "Olga Other", "desk", desk=2)
    q = services.queue
    first = q.issue(clerk, "info")
    second = q.issue(clerk, "info")
    q.call_next(clerk, 1)
    q.no_show(clerk, first.id)
    with pytest.raises(Conflict, match="desk 1"):
        q.undo(other, first.id)  # desk 2 did not close it
    assert q.undo(clerk, first.id).status == "called"
    q.finish(clerk, first.id)
    q.call_next(clerk, 1)  # the desk serves someone else now
    with pytest.raises(Conflict, match="still serving"):
        q.undo(clerk, first.id)
    q.finish(clerk, second.id)
    clock.advance(minutes=UNDO_MINUTES + 1)
    with pytest.raises(Conflict, match="no longer be taken back"):
        q.undo(clerk, second.id)
    with pytest.raises(Conflict, match="is waiting"):
        q.undo(clerk, q.issue(clerk, "info").id)
    assert [q.ticket(clerk, t.id).status for t in (first, second)] == ["done", "done"]


@pytest.mark.parametrize("bad", [0, -1, 2**31, 2**63, 10**20, True, "1", 1.0, None])
def test_ticket_ids_out_of_range_are_tickets_that_do_not_exist(
    services: Services, clerk: Actor, bad: Any
) -> None:
    q = services.queue
    for act in (
        lambda: q.ticket(clerk, bad),
        lambda: q.finish(clerk, bad),
        lambda: q.call_ticket(clerk, bad, 1),
        lambda: q.no_show(clerk, bad),
        lambda: q.undo(clerk, bad),
        lambda: q.update_notes(clerk, bad, "note"),
    ):
        with pytest.raises(NotFound):
            act()


def test_an_anonymous_ticket_gets_its_visitor_and_keeps_its_number(
    services: Services, clerk: Actor
) -> None:
    q = services.queue
    anonymous = q.issue(clerk, "info")
    q.call_next(clerk, 1)
    visitor, ticket = q.attach_visitor(clerk, anonymous.id, VisitorInput(given_names="Aiko"))
    assert (ticket.id, ticket.label, ticket.status) == (anonymous.id, "A001", "called")
    assert ticket.visitor_id == visitor.id and ticket.visitor_name == "Aiko"
    with pytest.raises(Conflict, match="has a visitor record already"):
        q.attach_visitor(clerk, anonymous.id, VisitorInput(given_names="Other"))
    other = add_staff(services, "Olga Other", "desk", desk=2)
    second = q.issue(clerk, "info")
    q.call_next(other, 2)
    with pytest.raises(Conflict, match="desk 2"):  # not the visitor at this desk
        q.attach_visitor(clerk, second.id, None, visitor_id=visitor.id)
    with pytest.raises(ValidationError):
        q.attach_visitor(other, second.id, VisitorInput(given_names="1234"))
    assert q.ticket(clerk, second.id).visitor_id is None  # refused: nothing changed


def test_a_visitor_with_an_open_ticket_gets_a_second_only_when_asked(
    services: Services, clerk: Actor
) -> None:
    q = services.queue
    visitor, first = q.register_walk_in(clerk, VisitorInput(given_names="Zoë"))
    with pytest.raises(AlreadyWaiting) as refused:
        q.issue(clerk, "welcome_pack", visitor_id=visitor.id)
    assert refused.value.label == first.label
    with pytest.raises(AlreadyWaiting):
        q.register_walk_in(clerk, None, visitor_id=visitor.id, service_code="welcome_pack")
    assert [t.label for t in q.today(clerk)] == [first.label]
    second = q.issue(clerk, "welcome_pack", visitor_id=visitor.id, second_ticket=True)
    assert second.visitor_id == visitor.id
    q.call_ticket(clerk, first.id, 1)
    q.finish(clerk, first.id)
    q.cancel(clerk, second.id)
    assert q.issue(clerk, "info", visitor_id=visitor.id).status == "waiting"  # none open
