"""The privacy duties through the keys a team lead presses (Pilot)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from frontdesk.clock import FixedClock
from frontdesk.services import Actor, Services
from frontdesk.services.visitors import VisitorInput
from frontdesk.tui.app import FrontdeskApp
from tests.conftest import TEST_PIN, add_staff, make_services


@pytest.fixture
def ui_services(sqlite_url: str, clock: FixedClock) -> Iterator[Services]:
    s = make_services(sqlite_url, clock)
    yield s
    s.close()


async def settle(pilot: Pilot[None]) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def login(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.press(*TEST_PIN, "enter")
    await settle(pilot)


async def palette(pilot: Pilot[None], text: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*text)
    await pilot.pause(0.3)
    await pilot.press("enter")
    await settle(pilot)


def old_visitor(services: Services, clerk: Actor, name: str = "Olga") -> int:
    services.clock.advance(days=-400)  # type: ignore[attr-defined]
    record = services.visitors.register(clerk, VisitorInput(given_names=name, family_name="Old"))
    services.clock.advance(days=400)  # type: ignore[attr-defined]
    return record.id


async def test_lead_purges_from_the_palette(ui_services: Services) -> None:
    add_staff(ui_services, "Ada Lead", "lead")
    clerk = add_staff(ui_services, "Dirk Desk", "desk")
    visitor_id = old_visitor(ui_services, clerk)
    app = FrontdeskApp(ui_services, ui_services.settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await login(pilot)
        assert app.actor is not None and app.actor.role == "lead"
        await palette(pilot, "anonymise old")
        assert app.screen.id == "purge"
        count = str(app.screen.query_one("#purge-count", Static).content)
        assert "Would anonymise 1 visitor" in count
        assert ui_services.visitors.get(clerk, visitor_id).anonymised is False
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen.id != "purge"
    assert ui_services.visitors.get(clerk, visitor_id).anonymised is True


async def test_desk_staff_do_not_see_the_privacy_commands(ui_services: Services) -> None:
    add_staff(ui_services, "Dirk Desk", "desk")
    app = FrontdeskApp(ui_services, ui_services.settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await login(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert titles and not any(t.startswith("Privacy") for t in titles)
