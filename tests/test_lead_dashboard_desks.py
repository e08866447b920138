"""The dashboard's open desks come from the last half hour's calls, read through today's
tickets (issue 20: not by reading every event of the decade), midnight included."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from frontdesk.services import Actor, Services


def test_a_call_just_before_midnight_still_opens_the_desk_after_it(
    services: Services, clerk: Actor, lead: Actor
) -> None:
    clock: Any = services.clock
    clock.set(datetime(2026, 11, 23, 23, 40))
    ticket = services.queue.issue(lead, "info")
    clock.advance(minutes=10)  # 23:50
    called = services.queue.call_next(clerk, 1)
    assert called is not None and called.id == ticket.id
    clock.advance(minutes=15)  # 00:05 the next day: called 15 minutes ago, yesterday's ticket
    board = services.reports.dashboard(lead)
    assert [d.desk for d in board.desks] == [1]
    clock.advance(minutes=20)  # 00:25: 35 minutes ago, no longer an open desk
    assert services.reports.dashboard(lead).desks == ()


def test_only_recent_calls_open_a_desk(services: Services, clerk: Actor, lead: Actor) -> None:
    clock: Any = services.clock
    clock.set(datetime(2026, 11, 23, 9, 0))
    ticket = services.queue.issue(lead, "info")
    assert services.queue.call_next(clerk, 1) is not None
    services.queue.finish(clerk, ticket.id)
    clock.advance(minutes=20)
    assert [d.desk for d in services.reports.dashboard(lead).desks] == [1]
    clock.advance(minutes=11)
    assert services.reports.dashboard(lead).desks == ()


async def test_a_refresh_redraws_what_changed_and_only_that(sqlite_url: str) -> None:
    from textual.widgets import DataTable

    from frontdesk.clock import FixedClock
    from frontdesk.tui.app import FrontdeskApp
    from tests.conftest import add_staff, make_services
    from tests.helpers import enter_pin, press, settle, walk_in

    services = make_services(
        sqlite_url, FixedClock(datetime(2026, 11, 23, 10, 0)), staff="Lea Lead"
    )
    add_staff(services, "Lea Lead", "lead", pin="1234")
    clerk = add_staff(services, "Dirk Desk", "desk", desk=2)
    walk_in(services, clerk, "Ana")
    app = FrontdeskApp(services, services.settings)
    try:
        async with app.run_test(size=(120, 35)) as pilot:
            await enter_pin(pilot, "1234", "alt+5")
            waiting = app.screen.query_one("#dash-waiting", DataTable)

            def total() -> int:
                return sum(int(waiting.get_row_at(i)[1]) for i in range(waiting.row_count))

            assert total() == 1
            walk_in(services, clerk, "Bo")
            await press(pilot, "ctrl+r")
            assert total() == 2
            groups = app.screen.query_one("#dash-groups", DataTable)
            kept = list(groups.rows)
            await pilot.press("ctrl+r")  # nothing changed: the rows stay as they were
            await settle(app, pilot)
            assert list(groups.rows) == kept and total() == 2
    finally:
        services.close()
