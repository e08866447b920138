"""The lead screen as the team lead uses it: dashboard, day review, close the day; a snapshot."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static, TabbedContent

from frontdesk.clock import FixedClock
from frontdesk.services import Services
from frontdesk.tui.app import FrontdeskApp
from frontdesk.tui.lead import LeadScreen
from frontdesk.tui.lead.forms import GridField, RulesModal
from frontdesk.tui.screens.dialogs import ConfirmModal
from tests.conftest import TEST_PIN, add_staff, hours_for, make_services
from tests.helpers import (
    DAY,
    add_ticket,
    at,
    at_lead_screen,
    enter_pin,
    help_rows,
    normal_day,
    press,
)


@pytest.fixture
def lead_services(sqlite_url: str, request: pytest.FixtureRequest) -> Iterator[Services]:
    clock = FixedClock(datetime(2026, 11, 23, 11, 20))
    services = make_services(sqlite_url, clock, staff="Lea Lead", hours=hours_for(request))
    lead = add_staff(services, "Lea Lead", "lead")
    clerk = add_staff(services, "Dirk Desk", "desk")
    normal_day(services, clerk, lead)
    # still waiting (arrived 11:05) and one being served at desk 1 since 11:15
    add_ticket(services, "info", "A006", at(DAY, 11, 5), status="waiting")
    add_ticket(services, "welcome_pack", "W001", at(DAY, 11, 10), at(DAY, 11, 15),
               status="called", desk=1, staff=clerk)  # fmt: skip
    yield services
    services.close()


async def open_lead(pilot: Pilot[Any]) -> None:
    await enter_pin(pilot, TEST_PIN, "alt+5")


async def test_lead_opens_the_dashboard(lead_services: Services) -> None:
    async with at_lead_screen(lead_services) as (_, _, screen):
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
        await enter_pin(pilot, "5678")
        assert app.actor is not None and app.actor.role == "desk"
        await press(pilot, "alt+5")
        assert not isinstance(app.screen, LeadScreen)


async def test_day_review_shows_a_tickets_timeline(lead_services: Services) -> None:
    async with at_lead_screen(lead_services) as (app, pilot, _):
        await press(pilot, "f3")
        screen = app.screen
        assert screen.query_one(TabbedContent).active == "review"
        tickets = screen.query_one("#review-tickets", DataTable)
        assert tickets.row_count == 9
        # the ticket issued through the queue has a timeline; rows made by hand have none
        clerk_actor = lead_services.staff.find_by_name("Dirk Desk")
        assert clerk_actor is not None
        tickets.focus()
        await press(pilot, "f5")  # the day before: empty
        assert tickets.row_count == 0
        await press(pilot, "f6")
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
    async with at_lead_screen(lead_services) as (app, pilot, _):
        await press(pilot, "f3")
        timeline = app.screen.query_one("#timeline", DataTable)
        rows = [timeline.get_row_at(i) for i in range(timeline.row_count)]
        assert [r[1] for r in rows] == ["arrived (ticket issued)", "called", "finished"]
        assert rows[1] == ["09:07", "called", "Dirk Desk", "2"]


async def test_close_day_asks_first(lead_services: Services) -> None:
    async with at_lead_screen(lead_services) as (app, pilot, _):
        await press(pilot, "f3")
        await press(pilot, "f9")
        assert isinstance(app.screen, ConfirmModal)
        await press(pilot, "escape")  # keep it open
        lead = lead_services.staff.find_by_name("Lea Lead")
        assert lead is not None
        from frontdesk.services import Actor

        actor = Actor(lead.id, lead.name, "lead")
        assert lead_services.reports.day(actor, DAY).closed_at is None
        await press(pilot, "f9")
        await press(pilot, "y")
        figures = lead_services.reports.day(actor, DAY)
        assert figures.closed_at is not None and figures.not_served == 2


async def test_a_closed_day_is_reopened_with_shift_f9(lead_services: Services) -> None:
    from frontdesk.services import Actor, Conflict

    lead = lead_services.staff.find_by_name("Lea Lead")
    assert lead is not None
    actor = Actor(lead.id, lead.name, "lead")
    lead_services.queue.close_day(actor, lead_services.clock.today())
    with pytest.raises(Conflict, match="closed"):
        lead_services.queue.issue(actor, "referral")
    async with at_lead_screen(lead_services) as (app, pilot, _):
        await press(pilot, "shift+f9")
        assert isinstance(app.screen, ConfirmModal)
        await press(pilot, "y")
    assert lead_services.queue.issue(actor, "referral").status == "waiting"


def test_dashboard_snapshot(lead_services: Services, snap_compare: Any) -> None:
    app = FrontdeskApp(lead_services, lead_services.settings)
    assert snap_compare(app, terminal_size=(120, 35), run_before=open_lead)


# -- opening hours and the target wait (Staff & services tab, F7) --------------------------
def _lead(services: Services) -> Any:
    from frontdesk.services import Actor

    person = services.staff.find_by_name("Lea Lead")
    assert person is not None
    return Actor(person.id, person.name, "lead")


async def open_rules_form(pilot: Pilot[Any]) -> RulesModal:
    await open_lead(pilot)
    await press(pilot, "f8")
    await press(pilot, "f7")
    modal = pilot.app.screen
    assert isinstance(modal, RulesModal)
    return modal


@pytest.mark.real_hours
async def test_the_lead_changes_friday_hours_and_the_target(lead_services: Services) -> None:
    async with at_lead_screen(lead_services) as (app, pilot, _):
        figures = app.screen.query_one("#dash-figures", Static)
        # waits today 0, 5, 5, 10, 20, 30, 40: four of seven within 15 minutes
        assert "Within 15 min: 57%" in str(figures.content)
        await pilot.press("f1")
        await pilot.pause()
        assert ("f7", "Hours & target") in help_rows(app)
        await pilot.press("escape")
        await pilot.pause()
        modal = await open_rules_form(pilot)
        assert modal.query_one("#walk_in_mon", Input).has_focus
        assert modal.query_one("#walk_in_fri", Input).value == "09:00-13:00"
        # Meanwhile another lead, at another machine, changes Monday: that change stays.
        lead_services.rules.save(_lead(lead_services), hours={"walk_in_mon": "14:00-17:00"})
        await pilot.press(*["tab"] * 8)  # Monday walk-in, Monday BSN, ... Friday walk-in
        assert modal.query_one("#walk_in_fri", Input).has_focus
        await pilot.press(*"09:00-12:00")  # the old text was selected: typing replaces it
        await pilot.press(*["tab"] * 6)  # to the target wait
        assert modal.query_one("#target_wait", Input).has_focus
        await press(pilot, *"20", "ctrl+s")
        assert isinstance(app.screen, LeadScreen)
        rules = lead_services.rules.current()
        assert rules.day_text("walk_in", 4) == "09:00-12:00"
        assert rules.target_wait_minutes == 20
        assert rules.day_text("walk_in", 0) == "14:00-17:00"
        assert rules.hours_changed is not None and rules.hours_changed.by == "Lea Lead"
        hours = app.screen.query_one("#hours-table", DataTable)
        assert hours.get_row_at(4) == ["Friday", "09:00-12:00", "closed"]
        assert "Target wait: 20 minutes" in str(app.screen.query_one("#rules-view", Static).content)
        actions = [e.action for e in lead_services.audit.recent(_lead(lead_services))]
        assert actions[:2] == ["rules.target_wait", "rules.hours"]
        await press(pilot, "f2")  # the dashboard measures against the new target
        assert "Within 20 min: 71%" in str(figures.content)


@pytest.mark.real_hours
async def test_bad_hours_are_shown_beside_the_field_and_nothing_is_saved(
    lead_services: Services,
) -> None:
    app = FrontdeskApp(lead_services, lead_services.settings)
    async with app.run_test(size=(120, 35)) as pilot:
        modal = await open_rules_form(pilot)
        await pilot.press(*["tab"] * 8)
        await pilot.press(*"25:00-26:00")
        await press(pilot, *["tab"] * 6, *"0", "ctrl+s")  # the target's 15 typed over with 0
        assert app.screen is modal  # still open, everything typed still there
        friday = modal.query_one("#walk_in_fri", Input)
        assert friday.value == "25:00-26:00" and friday.has_focus
        assert modal.query_one("#target_wait", Input).value == "0"
        field = modal.query_one("#field-walk_in_fri", GridField)
        assert field.has_class("-invalid")
        note = str(field.note.content)
        assert note.startswith("Friday walk-in: ") and "does not exist" in note
        # Fix the hours: now the target is refused, beside its own field.
        friday.value = "09:00-12:00"
        await press(pilot, "ctrl+s")
        assert app.screen is modal and not field.has_class("-invalid")
        target = modal.query_one("#field-target_wait", GridField)
        assert str(target.note.content) == "the target wait must be 1 to 240 minutes"
        assert target.has_class("-invalid")
        await press(pilot, "escape", "y")  # something was typed: Escape asks; y discards it
        assert isinstance(app.screen, LeadScreen)
    rules = lead_services.rules.current()
    assert rules.hours_changed is None and rules.target_changed is None
    assert rules.day_text("walk_in", 4) == "09:00-13:00" and rules.target_wait_minutes == 15
    assert lead_services.audit.recent(_lead(lead_services), action="rules") == []
