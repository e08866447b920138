"""The queue's change signal (services/queue/sync.py): another process's call reaches this
process's signal on SQLite and PostgreSQL, and a desk that never gets a signal still shows
the change at its fallback poll (a lost signal delays, it never loses an update)."""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Callable

import pytest

from frontdesk.clock import FixedClock
from frontdesk.db import Database
from frontdesk.services import Actor, Services
from frontdesk.services.queue.sync import QueueSignal, announce
from frontdesk.tui.desk import screen as desk_module
from tests.conftest import MONDAY_10, add_staff, make_services
from tests.helpers import at_desk, call_at_another_desk, reloaded, row_of, walk_in

# How long a test waits for something that should come within a fraction of a second
# (not a timing assertion: a slow machine only makes the wait longer).
PATIENCE = 30.0


def _wait_for(what: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        if what():
            return True
        time.sleep(0.02)
    return what()


def _call_in_another_process(url: str, staff_id: int) -> None:
    services = make_services(url, FixedClock(MONDAY_10))
    try:
        actor = Actor(staff_id, "Desk 3", "desk", 3, "test")
        assert services.queue.call_next(actor, 3) is not None
    finally:
        services.close()


def test_another_process_calling_moves_the_signal(services: Services, clerk: Actor) -> None:
    walk_in(services, clerk, "Ada")
    signal = services.queue_signal
    assert _wait_for(lambda: signal.generation > 0)  # the watcher is connected
    # Quiet: nothing is written, so the count stays (a read moves nothing either).
    seen = signal.generation
    services.queue.today(clerk)
    time.sleep(0.5)
    assert signal.generation == seen
    process = mp.get_context("spawn").Process(
        target=_call_in_another_process, args=(services.settings.db_url, clerk.staff_id)
    )
    process.start()
    process.join(PATIENCE)
    assert process.exitcode == 0
    assert _wait_for(lambda: signal.generation > seen)


def test_a_rolled_back_call_sends_no_signal_on_postgresql(services: Services, clerk: Actor) -> None:
    """NOTIFY goes out on commit only: a refused action (rolled back) says nothing."""
    if services.db.dialect != "postgresql":
        pytest.skip("SQLite's data_version moves on commits only by its nature")
    walk_in(services, clerk, "Ada")
    signal = services.queue_signal
    assert _wait_for(lambda: signal.generation > 0)
    seen = signal.generation
    with pytest.raises(RuntimeError), services.db.write() as session:
        announce(session)
        raise RuntimeError("refused")
    time.sleep(0.5)
    assert signal.generation == seen


def test_a_database_in_memory_is_not_watched() -> None:
    signal = QueueSignal(Database("sqlite://"))
    signal.start()
    assert not signal.watchable and signal.generation == 0
    signal.stop()


async def test_a_desk_shows_another_desks_call_when_the_signal_moves(
    desk_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    clerk = add_staff(desk_services, "Dirk Desk", "desk", desk=1)
    monkeypatch.setattr(desk_module, "POLL_SECONDS", 3600.0)  # no fallback poll in this test
    ticket = walk_in(desk_services, clerk, "Ada")
    async with at_desk(desk_services, clerk) as (app, pilot, desk):
        assert row_of(app, ticket.label)[5] == "Waiting"
        call_at_another_desk(desk_services.settings.db_url, clerk)
        await reloaded(pilot, desk, lambda: row_of(app, ticket.label)[5] == "Called")
        assert row_of(app, ticket.label)[5] == "Called"


async def test_a_lost_signal_only_delays_the_desk(
    desk_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The signal never moves (as if every NOTIFY were lost): the fallback poll still
    brings another desk's call to the screen."""
    clerk = add_staff(desk_services, "Dirk Desk", "desk", desk=1)
    monkeypatch.setattr(desk_module, "POLL_SECONDS", 0.2)
    monkeypatch.setattr(QueueSignal, "start", lambda self: None)  # no watcher: no signal
    ticket = walk_in(desk_services, clerk, "Ada")
    async with at_desk(desk_services, clerk) as (app, pilot, desk):
        assert row_of(app, ticket.label)[5] == "Waiting"
        desk_services.queue.call_next(Actor(clerk.staff_id, clerk.name, "desk", 3, "test"), 3)
        assert desk_services.queue_signal.generation == 0
        await reloaded(pilot, desk, lambda: row_of(app, ticket.label)[5] == "Called")
        assert row_of(app, ticket.label)[5] == "Called"
