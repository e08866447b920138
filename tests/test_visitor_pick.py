"""The one visitor-pick dialog (packs, referrals, privacy requests), driven by keys."""

from __future__ import annotations

from datetime import date
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from frontdesk.clock import FixedClock
from frontdesk.services import Actor
from frontdesk.services.auth import CLI_ACTOR
from frontdesk.services.visitors import VisitorInput, VisitorRecord
from frontdesk.tui.app import FrontdeskApp
from frontdesk.tui.screens.visitor_pick import VisitorPickModal, pick_visitor
from tests.conftest import MONDAY_10, add_staff, make_services
from tests.helpers import SIZE, log_in, make_app, press, settle


async def _opened(
    app: FrontdeskApp, pilot: Pilot[Any], clerk: Actor, picked: list[VisitorRecord]
) -> VisitorPickModal:
    """Logged in at the desk, the pick dialog open; a pick goes into ``picked``."""
    await log_in(app, pilot, clerk)
    pick_visitor(app, "Which visitor?", picked.append)
    await settle(app, pilot)
    assert isinstance(app.screen, VisitorPickModal)
    return app.screen


async def test_the_list_follows_the_typing_and_enter_picks(sqlite_url: str) -> None:
    services = make_services(sqlite_url, FixedClock(MONDAY_10))
    clerk = add_staff(services, "Dirk Desk", "desk")
    people = services.visitors
    people.register(CLI_ACTOR, VisitorInput(given_names="Noor", family_name="Bakker"))
    wanted = people.register(
        CLI_ACTOR,
        VisitorInput(given_names="Noor", family_name="Bakker", birth_date=date(1990, 11, 23)),
    )
    people.register(CLI_ACTOR, VisitorInput(given_names="Sven", family_name="Lund"))
    picked: list[VisitorRecord] = []
    app = make_app(services)
    async with app.run_test(size=SIZE) as pilot:
        modal = await _opened(app, pilot, clerk, picked)

        await pilot.press("n", "enter")  # one letter: no search, a word beside the field
        await settle(app, pilot)
        error = modal.query_one("#field-visitor_query .field-error", Static)
        assert "two letters" in str(error.render())
        assert isinstance(app.focused, Input)

        await pilot.press(*"oor bak")  # no Enter: the list follows what is typed
        await settle(app, pilot)
        results = modal.query_one("#visitor-results", OptionList)
        assert results.option_count == 2
        assert "2 found" in str(modal.query_one("#pick-message", Static).render())
        ids = [results.get_option_at_index(i).id for i in range(2)]
        at = ids.index(str(wanted.id))
        born = str(results.get_option_at_index(at).prompt)
        assert f"#{wanted.id}" in born and "born 23-11-1990" in born

        await press(pilot, "x")
        assert results.option_count == 0
        assert "Nobody found" in str(modal.query_one("#pick-message", Static).render())

        # Enter at once after a change: the list takes the focus once its answer is in.
        await press(pilot, "backspace", "enter")
        assert app.focused is results
        await press(pilot, *["down"] * at, "enter")
        assert not isinstance(app.screen, VisitorPickModal)
    assert [v.id for v in picked] == [wanted.id]
    services.close()


async def test_escape_picks_nobody(sqlite_url: str) -> None:
    services = make_services(sqlite_url, FixedClock(MONDAY_10))
    clerk = add_staff(services, "Dirk Desk", "desk")
    picked: list[VisitorRecord] = []
    app = make_app(services)
    async with app.run_test(size=SIZE) as pilot:
        await _opened(app, pilot, clerk, picked)
        await press(pilot, *"noor", "escape")
        assert not isinstance(app.screen, VisitorPickModal)
    assert picked == []
    services.close()
