"""The lead screen as the team lead uses it: dashboard, day review, close the day; a snapshot."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, TabbedContent

from frontdesk.clock import FixedClock
from frontdesk.services import Services
from frontdesk.tui.app import FrontdeskApp
from frontdesk.tui.screens.dialogs import ConfirmModal
from frontdesk.tui.screens.lead import LeadScreen
from tests.conftest import add_staff, make_services
from tests.test_reports import DAY, add_ticket, at, normal_day


@pytest.fixture
def lead_services(sqlite_url: str) -> Iterator[Services]:
    clock = FixedClock(datetime(2026, 11, 23, 11, 20))
    services = make_services(sqlite_url, clock, staff="Lea Lead")
    lead = add_staff(services, "Lea Lead", "lead")
    clerk = add_staff(services, "Dirk Desk", "desk")
    normal_day(services, clerk, lead)
    # still waiting (arrived 11:05) and one being served at desk 1 since 11:15
    add_ticket(services, "info", "A006", at(DAY, 11, 5), status="waiting")
    add_ticket(services, "welcome_pack", "W001", at(DAY, 11, 10), at(DAY, 11, 15),
               status="called", desk=1, staff=clerk)  # fmt: skip
    yield services
    services.close()


async def settle(pilot: Pilot[Any]) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def log_in(pilot: Pilot[Any], pin: str = "1234") -> None:
    await settle(pilot)
    await pilot.press(*pin, "enter")
    await settle(pilot)


async def open_lead(pilot: Pilot[Any]) -> None:
    await log_in(pilot)
    await pilot.press("alt+5")
    await settle(pilot)


async def test_lead_opens_the_dashboard(lead_services: Services) -> None:
    app = FrontdeskApp(lead_services, lead_services.settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await open_lead(pilot)
        screen = app.screen
        assert isinstance(screen, LeadScreen)
        board = screen.dashboard
        assert board is not None and board.today.issued == 9
        waiting = screen.query_one("#dash-waiting", DataTable)
        rows = [waiting.get_row_at(i) for i in range(waiting.row_count)]
        assert ["Information & advice", "1", "15 min"] in rows
        desks = screen.query_one("#dash-desks", DataTable)
        assert desks.get_row_at(0)[:3] == ["1", "W001", "Dirk Desk"]


async def test_desk_staff_cannot_open_the_lead_screen(lead_services: Services) -> None:
    add_staff(lead_services, "Bo Desk", "desk", pin="5678")
    settings = lead_services.settings.with_overrides(staff="Bo Desk")
    app = FrontdeskApp(lead_services, settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await log_in(pilot, "5678")
        assert app.actor is not None and app.actor.role == "desk"
        await pilot.press("alt+5")
        await settle(pilot)
        assert not isinstance(app.screen, LeadScreen)


async def test_day_review_shows_a_tickets_timeline(lead_services: Services) -> None:
    app = FrontdeskApp(lead_services, lead_services.settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await open_lead(pilot)
        await pilot.press("f3")
        await settle(pilot)
        screen = app.screen
        assert screen.query_one(TabbedContent).active == "review"
        tickets = screen.query_one("#review-tickets", DataTable)
        assert tickets.row_count == 9
        # the ticket issued through the queue has a timeline; rows made by hand have none
        clerk_actor = lead_services.staff.find_by_name("Dirk Desk")
        assert clerk_actor is not None
        tickets.focus()
        await pilot.press("f5")  # the day before: empty
        await settle(pilot)
        assert tickets.row_count == 0
        await pilot.press("f6")
        await settle(pilot)
        assert tickets.row_count == 9


async def test_timeline_of_a_queue_ticket(lead_services: Services) -> None:
    from frontdesk.services import Actor
    from frontdesk.services.visitors import VisitorInput

    person = lead_services.staff.find_by_name("Dirk Desk")
    assert person is not None
    clerk = Actor(person.id, person.name, person.role, 2, "test")
    lead_services.clock.set(datetime(2026, 11, 24, 9, 0))  # type: ignore[attr-defined]
    ticket = lead_services.queue.register_walk_in(clerk, VisitorInput(given_names="Tim"))[1]
    lead_services.clock.advance(minutes=7)  # type: ignore[attr-defined]
    lead_services.queue.call_next(clerk, 2)
    lead_services.queue.finish(clerk, ticket.id)
    app = FrontdeskApp(lead_services, lead_services.settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await open_lead(pilot)
        await pilot.press("f3")
        await settle(pilot)
        timeline = app.screen.query_one("#timeline", DataTable)
        rows = [timeline.get_row_at(i) for i in range(timeline.row_count)]
        assert [r[1] for r in rows] == ["arrived (ticket issued)", "called", "finished"]
        assert rows[1] == ["09:07", "called", "Dirk Desk", "2"]


async def test_close_day_asks_first(lead_services: Services) -> None:
    app = FrontdeskApp(lead_services, lead_services.settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await open_lead(pilot)
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("escape")  # keep it open
        await settle(pilot)
        lead = lead_services.staff.find_by_name("Lea Lead")
        assert lead is not None
        from frontdesk.services import Actor

        actor = Actor(lead.id, lead.name, "lead")
        assert lead_services.reports.day(actor, DAY).closed_at is None
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        figures = lead_services.reports.day(actor, DAY)
        assert figures.closed_at is not None and figures.not_served == 2


def test_dashboard_snapshot(lead_services: Services, snap_compare: Any) -> None:
    app = FrontdeskApp(lead_services, lead_services.settings)
    assert snap_compare(app, terminal_size=(120, 35), run_before=open_lead)
