"""What a desk reads when the queue signal moves (issue 20): the queue's changes at once,
told by the signal's watcher; the waiting strip and the stock line at most every few
seconds, and never left behind for good."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Static

from frontdesk.clock import FixedClock
from frontdesk.services import Actor, Services
from frontdesk.services.queue.sync import QueueSignal
from frontdesk.tui.desk import screen as desk_module
from tests.conftest import MONDAY_10, add_staff, make_services
from tests.helpers import (
    at_desk,
    call_at_another_desk,
    press,
    queue_labels,
    row_of,
    settle,
    until,
    walk_in,
)


def test_a_listener_is_told_each_move_until_it_stops(services: Services) -> None:
    signal = QueueSignal(services.db)  # not started: the test moves it
    told: list[int] = []
    stop = signal.listen(lambda: told.append(signal.generation))
    signal.bump()
    signal.bump()
    assert told == [1, 2]
    stop()
    stop()  # twice is harmless
    signal.bump()
    assert told == [1, 2] and signal.generation == 3


def test_a_failing_listener_does_not_stop_the_others(services: Services) -> None:
    signal = QueueSignal(services.db)
    told: list[str] = []

    def broken() -> None:
        raise RuntimeError("the app is closing")

    signal.listen(broken)
    signal.listen(lambda: told.append("told"))
    signal.bump()
    assert told == ["told"] and signal.generation == 1


def _strip(app: Any) -> str:
    return str(app.screen.query_one("#load", Static).content)


async def test_the_desk_is_told_at_once_without_looking_at_the_signal(
    desk_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No look at the signal's count and no fallback poll: the watcher's word alone brings
    another process's call to this desk."""
    clerk = add_staff(desk_services, "Dirk Desk", "desk", desk=1)
    monkeypatch.setattr(desk_module, "SIGNAL_SECONDS", 3600.0)
    monkeypatch.setattr(desk_module, "POLL_SECONDS", 3600.0)
    ticket = walk_in(desk_services, clerk, "Ada")
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        assert row_of(app, ticket.label)[5] == "Waiting"
        call_at_another_desk(desk_services.settings.db_url, clerk)
        await until(pilot, lambda: row_of(app, ticket.label)[5] == "Called")


async def test_a_signal_reads_the_queue_and_the_strip_follows_later(
    desk_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    clerk = add_staff(desk_services, "Dirk Desk", "desk", desk=1)
    monkeypatch.setattr(desk_module, "POLL_SECONDS", 3600.0)
    monkeypatch.setattr(desk_module, "SLOW_SECONDS", 3600.0)
    monkeypatch.setattr(QueueSignal, "start", lambda self: None)  # the test moves the signal
    walk_in(desk_services, clerk, "Ada")
    strip_reads: list[int] = []
    load = desk_services.queue.load

    def counted_load() -> Any:
        strip_reads.append(1)
        return load()

    monkeypatch.setattr(desk_services.queue, "load", counted_load)
    async with at_desk(desk_services, clerk) as (app, pilot, desk):
        assert "Waiting 1" in _strip(app)
        reads = len(strip_reads)
        # Another desk registers Bo: on the signal the table shows Bo, the strip waits.
        bo = walk_in(desk_services, Actor(clerk.staff_id, clerk.name, "desk", 3, "test"), "Bo")
        desk_services.queue_signal.bump()
        await until(pilot, lambda: bo.label in queue_labels(app))
        assert len(strip_reads) == reads and "Waiting 1" in _strip(app)
        # Nothing else moves; once the slow parts are due, the next poll reads them.
        monkeypatch.setattr(desk_module, "SLOW_SECONDS", 0.0)
        desk.refresh_queue()
        await until(pilot, lambda: "Waiting 2" in _strip(app))
        assert len(strip_reads) == reads + 1
        # Read, and not stale any more: a poll with nothing new reads nothing.
        desk.refresh_queue()
        await settle(app, pilot)
        assert len(strip_reads) == reads + 1


async def test_this_desks_own_action_reads_the_strip_at_once(
    desk_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    clerk = add_staff(desk_services, "Dirk Desk", "desk", desk=1)
    monkeypatch.setattr(desk_module, "SLOW_SECONDS", 3600.0)
    walk_in(desk_services, clerk, "Ada")
    walk_in(desk_services, clerk, "Bo")
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        assert "Waiting 2" in _strip(app)
        await press(pilot, "f4")
        assert "Waiting 1" in _strip(app)


async def test_the_board_is_told_at_once_without_looking_at_the_signal(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from frontdesk.tui.board import BoardApp
    from frontdesk.tui.board import app as board_module

    monkeypatch.setattr(board_module, "SIGNAL_SECONDS", 3600.0)  # no look at the count
    services = make_services(sqlite_url, FixedClock(MONDAY_10))
    clerk = add_staff(services, "Dirk Desk", "desk", desk=1)
    ticket = walk_in(services, clerk, "Ada")
    app = BoardApp(services, poll_seconds=3600.0)  # and no fallback poll
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: app.state is not None)
            call_at_another_desk(sqlite_url, clerk)

            def shown() -> bool:
                state = app.state
                return state is not None and ticket.label in [c.label for c in state.serving]

            await until(pilot, shown)
    finally:
        services.close()
