"""A screen's reloads are observable: tests wait for the next one (tests/helpers.reloaded)
instead of sleeping or polling rows, and the wait fails with a clear message."""

from __future__ import annotations

import asyncio

import pytest

from frontdesk.services import Actor, Services
from frontdesk.tui.base import Reloads
from frontdesk.tui.desk import screen as desk_module
from tests.conftest import add_staff
from tests.helpers import at_desk, press, queue_labels, reloaded, walk_in


@pytest.fixture
def clerk(desk_services: Services) -> Actor:
    return add_staff(desk_services, "Dirk Desk", "desk", desk=1)


async def test_next_wakes_on_the_reload_drawn_after_it_was_asked() -> None:
    reloads = Reloads()
    reloads.drawn()  # before anyone waits: not "the next"
    waiting = asyncio.ensure_future(reloads.next())
    await asyncio.sleep(0)
    assert not waiting.done()
    reloads.drawn()
    assert await waiting == 2


async def test_the_desk_counts_a_reload_once_its_rows_are_drawn(
    desk_services: Services, clerk: Actor
) -> None:
    walk_in(desk_services, clerk, "Ada")
    async with at_desk(desk_services, clerk) as (app, pilot, desk):
        assert desk.reloads.count >= 1  # the first read of the queue
        assert queue_labels(app) == ["A001"]
        seen = desk.reloads.count
        await press(pilot, "f4")  # the action's own refresh
        assert desk.reloads.count > seen
        walk_in(desk_services, clerk, "Bo")  # another desk's walk-in: the signal's reload
        await reloaded(pilot, desk, lambda: queue_labels(app) == ["A001", "A002"])


async def test_a_reload_that_never_comes_fails_the_wait_with_what_it_waited_for(
    desk_services: Services, clerk: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(desk_module, "POLL_SECONDS", 3600.0)
    monkeypatch.setattr(desk_module, "MINUTE_SECONDS", 3600.0)
    async with at_desk(desk_services, clerk) as (_, pilot, desk):
        with pytest.raises(AssertionError, match=r"DeskScreen: waited 0.3 s for check\(\) to hold"):
            await reloaded(pilot, desk, lambda: False, timeout=0.3)
