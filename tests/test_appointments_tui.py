"""The appointment book on screen: check-in -> checklist -> BSN issued -> completed."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable

from frontdesk.clock import FixedClock
from frontdesk.services import Services
from frontdesk.services.appointments import AppointmentInfo
from frontdesk.services.auth import CLI_ACTOR
from frontdesk.tui.app import FrontdeskApp
from frontdesk.tui.appointments import AppointmentsScreen
from frontdesk.tui.appointments.welcome_bags import WelcomeBagsModal
from frontdesk.tui.packs.dialogs import IssuePackModal
from frontdesk.tui.textual_compat import notifications
from tests.conftest import MONDAY_10, add_staff, make_services
from tests.helpers import (
    at_appointments,
    book_appointment,
    open_appointments,
    open_household_form,
    press,
    ready_to_complete,
    settle,
)

BSN = "111222333"


async def test_check_in_checklist_bsn_complete(desk_services: Services) -> None:
    clerk = add_staff(desk_services, "Dirk Desk", "desk")
    ap_id = book_appointment(desk_services, clerk, "09:30", "Anna")
    async with at_appointments(desk_services) as (app, pilot, screen):
        await press(pilot, "i")
        info = desk_services.appointments.get(clerk, ap_id)
        assert info.status == "checked_in" and info.ticket_label == "B001"
        assert any("ticket B001" in str(n.message) for n in notifications(app))
        await press(pilot, "s")
        # the checklist: person row, BSN row, then four documents (German main person)
        await pilot.press("tab")
        await pilot.press("down", "down")
        for _ in range(4):
            await press(pilot, "space")
            await pilot.press("down")
        info = desk_services.appointments.get(clerk, ap_id)
        assert all(d.ticked for d in info.persons[0].documents)
        await press(pilot, "b")
        await pilot.press("tab")
        await pilot.press(*BSN)
        await press(pilot, "ctrl+s")
        info = desk_services.appointments.get(clerk, ap_id)
        assert info.persons[0].bsn_outcome == "issued" and info.persons[0].bsn_masked == "******333"
        table = screen.query_one("#checklist", DataTable)
        shown = " ".join(str(c) for r in range(table.row_count) for c in table.get_row_at(r))
        assert "BSN: ******333" in shown and BSN not in shown
        await press(pilot, "c")
        # Completed; the welcome bag comes from the packs stock (no kinds here: none given).
        assert isinstance(app.screen, WelcomeBagsModal)
        await press(pilot, "escape")
        info = desk_services.appointments.get(clerk, ap_id)
        assert info.status == "completed" and not info.persons[0].welcome_bag
        # The household's ticket ended with it: no longer waiting at the desk (issue 19).
        assert desk_services.queue.ticket(clerk, info.ticket_id or 0).status == "done"
        app.action_go("desk")
        await settle(app, pilot)
        queue = app.screen.query_one("#queue", DataTable)
        shown = " ".join(str(c) for r in range(queue.row_count) for c in queue.get_row_at(r))
        assert "B001" not in shown


async def test_reject_shows_what_to_bring_and_reveal_asks_a_reason(desk_services: Services) -> None:
    from frontdesk.tui.appointments.dialogs import AskModal, TextModal

    clerk = add_staff(desk_services, "Dirk Desk", "desk")
    lead = add_staff(desk_services, "Lea Lead", "lead", pin="9999")
    ap_id = book_appointment(desk_services, clerk, "09:30", "Bo", nationality="US")
    async with at_appointments(desk_services) as (app, pilot, _):
        await press(pilot, "i")
        await press(pilot, "x")
        assert isinstance(app.screen, TextModal)
        assert "legalised or with an apostille" in app.screen.text
        await pilot.press("escape")
        await pilot.pause()
        assert desk_services.appointments.get(clerk, ap_id).status == "rejected_missing_documents"

    # reveal: book, issue a BSN through the service, then reveal on screen
    other = book_appointment(desk_services, clerk, "10:00", "Cas")
    desk_services.appointments.check_in(clerk, other)
    person = desk_services.appointments.get(clerk, other).persons[0]
    desk_services.appointments.record_bsn(clerk, person.id, "issued", BSN)
    async with at_appointments(desk_services) as (app, pilot, _):
        await press(pilot, "down")
        await press(pilot, "v")
        assert isinstance(app.screen, AskModal)
        await press(pilot, "enter")  # no reason: refused beside the field
        assert isinstance(app.screen, AskModal)
        assert desk_services.audit.recent(lead, action="bsn.reveal") == []
        await press(pilot, *"visitor lost letter", "enter")
        assert isinstance(app.screen, TextModal) and app.screen.text == BSN
        assert len(desk_services.audit.recent(lead, action="bsn.reveal")) == 1


def test_appointment_book_snapshot(snap_compare: Any, sqlite_url: str) -> None:
    services = make_services(sqlite_url, FixedClock(MONDAY_10))
    clerk = add_staff(services, "Dirk Desk", "desk")
    first = book_appointment(services, clerk, "09:00", "Anna", employer="LUMC", members=2)
    services.appointments.check_in(clerk, first)
    services.appointments.start(clerk, first)
    book_appointment(services, clerk, "09:30", "Bo", nationality="US")
    late = book_appointment(services, clerk, "10:30", "Cas", employer="Naturalis")
    services.appointments.cancel(clerk, late, "visitor called")
    app = FrontdeskApp(services, services.settings)

    async def run_before(pilot: Any) -> None:
        await open_appointments(pilot)
        await settle(app, pilot)

    try:
        assert snap_compare(app, terminal_size=(120, 35), run_before=run_before)
    finally:
        services.close()


async def test_book_a_household_with_the_form(desk_services: Services) -> None:
    from textual.widgets import Input, Select

    from frontdesk.tui.widgets.field import Field

    clerk = add_staff(desk_services, "Dirk Desk", "desk")
    async with at_appointments(desk_services) as (app, pilot, _):
        form = await open_household_form(pilot)
        assert form.query_one("#time", Input).value == "09:00"  # the first free slot
        assert app.focused is form.query_one("#p0_given_names", Input)
        await pilot.press(*"Mara", "tab", *"Fictief", "tab", *"31-02-1990", "tab", *"Poland")
        await press(pilot, "ctrl+s")
        assert app.screen is form  # refused: the form stays as typed
        assert "-invalid" in form.query_one("#field-p0_birth_date", Field).classes
        assert form.query_one("#p0_given_names", Input).value == "Mara"
        assert desk_services.appointments.day(clerk, MONDAY_10.date()) == []
        date_input = form.query_one("#p0_birth_date", Input)
        date_input.value = "28-02-1990"
        form.query_one("#p1_relation", Select).value = "child"
        form.query_one("#p1_given_names", Input).value = "Kim"
        form.query_one("#p1_family_name", Input).value = "Fictief"
        form.query_one("#p1_birth_date", Input).value = "2019-05-05"
        form.query_one("#employer", Input).value = "LUMC"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, AppointmentsScreen)
        [info] = desk_services.appointments.day(clerk, MONDAY_10.date())
        assert [p.relation for p in info.persons] == ["main", "child"]
        assert info.persons[0].nationality == "PL" and info.fee_cents == 6250
        assert info.employer == "LUMC"


async def test_one_bsn_one_person_and_no_married_child_on_screen(desk_services: Services) -> None:
    """Issue 19: a mother and her child both got 111222333; `m` marked a child married."""
    from textual.widgets import Static

    from frontdesk.tui.appointments.dialogs import BsnModal

    clerk = add_staff(desk_services, "Dirk Desk", "desk")
    ap_id = book_appointment(
        desk_services, clerk, "09:30", "Anna", members=1
    )  # a child born in 2018
    desk_services.appointments.check_in(clerk, ap_id)
    mother, child = desk_services.appointments.get(clerk, ap_id).persons
    desk_services.appointments.record_bsn(clerk, mother.id, "issued", BSN)
    async with at_appointments(desk_services) as (app, pilot, _):
        await pilot.press("tab")  # the checklist; down to the child's row
        checklist = app.screen.query_one("#checklist", DataTable)

        def on_row() -> str | None:
            cell = checklist.coordinate_to_cell_key(checklist.cursor_coordinate)
            return cell.row_key.value

        for _ in range(12):
            if on_row() == f"p{child.id}":
                break
            await pilot.press("down")
        assert on_row() == f"p{child.id}"
        await settle(app, pilot)
        await press(pilot, "m")
        assert any("under 18" in str(n.message) for n in notifications(app))
        assert desk_services.appointments.get(clerk, ap_id).persons[1].married is False
        await press(pilot, "b")
        assert isinstance(app.screen, BsnModal)
        await press(pilot, "tab", *BSN, "ctrl+s")
        assert isinstance(app.screen, BsnModal)  # refused beside the field
        error = str(app.screen.query_one("#field-bsn .field-error", Static).render())
        assert "******333" in error and f"visitor record {mother.visitor_id}" in error
        assert BSN not in error
    assert desk_services.appointments.get(clerk, ap_id).persons[1].bsn_outcome is None


async def test_cancel_asks_a_reason_and_the_buttons_say_what_they_do(
    desk_services: Services,
) -> None:
    from textual.widgets import Button, Static

    from frontdesk.tui.appointments.dialogs import AskModal

    clerk = add_staff(desk_services, "Dirk Desk", "desk")
    ap_id = book_appointment(desk_services, clerk, "11:00", "Anna")
    async with at_appointments(desk_services) as (app, pilot, _):
        await press(pilot, "d")
        modal = app.screen
        assert isinstance(modal, AskModal)
        labels = [str(b.label) for b in modal.query(Button)]
        assert labels == ["Cancel the appointment", "Keep it"]
        await press(pilot, "enter")  # no reason: refused beside the field
        assert app.screen is modal
        assert "say why" in str(modal.query_one("#field-reason .field-error", Static).render())
        assert desk_services.appointments.get(clerk, ap_id).status == "booked"
        await press(pilot, *"visitor called", "enter")
        assert app.screen is not modal
    assert desk_services.appointments.get(clerk, ap_id).status == "cancelled"


def _kinds(services: Services, *kinds: tuple[str, str]) -> list[int]:
    """Pack kinds (code, name) with 10 on the shelf each: their ids."""
    ids = []
    for code, name in kinds:
        kind = services.packs.add_kind(CLI_ACTOR, code, name, 2)
        services.packs.receive(CLI_ACTOR, kind.id, 10, "test delivery")
        ids.append(kind.id)
    return ids


@contextlib.asynccontextmanager
async def _at_the_bags(
    services: Services,
) -> AsyncIterator[tuple[FrontdeskApp, Pilot[Any], Callable[[], AppointmentInfo]]]:
    """Anna's appointment, all ticked, completed with C; the first person's pack handed
    out with Enter: (app, pilot, a function that reads the appointment again)."""
    ap_id = book_appointment(services, add_staff(services, "Dirk Desk", "desk"), "09:30", "Anna")
    # The same PIN as Dirk's: the login list may already show Cora (first by name) when the
    # app read it after this line, and open_appointments() types 1234 for whoever is highlighted.
    clerk = add_staff(services, "Cora Clerk", "desk", pin="1234")
    services.appointments.check_in(clerk, ap_id)
    services.appointments.start(clerk, ap_id)
    ready_to_complete(services, clerk, ap_id)
    async with at_appointments(services) as (app, pilot, _):
        await press(pilot, "c")
        assert isinstance(app.screen, WelcomeBagsModal)
        await press(pilot, "enter")  # hand a pack to the first person
        yield app, pilot, lambda: services.appointments.get(clerk, ap_id)


async def test_the_bags_at_a_completion_come_from_the_welcome_bag_kind(
    desk_services: Services,
) -> None:
    """Issue 19: Enter, Enter handed out a Family pack (first in the list by name)."""
    family, bag = _kinds(desk_services, ("family", "Family pack"), ("bag", "Welcome bag"))
    async with _at_the_bags(desk_services) as (app, pilot, appointment):
        assert isinstance(app.screen, IssuePackModal)
        await press(pilot, "enter")
        assert isinstance(app.screen, WelcomeBagsModal)
    packs = desk_services.packs
    assert (packs.get(CLI_ACTOR, bag).stock, packs.get(CLI_ACTOR, family).stock) == (9, 10)
    assert appointment().persons[0].welcome_bag


async def test_without_a_welcome_bag_kind_the_clerk_picks(desk_services: Services) -> None:
    from textual.widgets import Static

    family, student = _kinds(desk_services, ("family", "Family pack"), ("student", "Student pack"))
    packs = desk_services.packs
    async with _at_the_bags(desk_services) as (app, pilot, _):
        modal = app.screen
        assert isinstance(modal, IssuePackModal)
        assert "pick the kind" in str(modal.query_one("#issue-message", Static).render())
        await press(pilot, "enter")  # nothing highlighted: nothing handed out
        assert app.screen is modal
        assert packs.get(CLI_ACTOR, family).stock == 10
        await press(pilot, "down", "down", "enter")  # the clerk picks the student pack
        assert isinstance(app.screen, WelcomeBagsModal)
    assert (packs.get(CLI_ACTOR, student).stock, packs.get(CLI_ACTOR, family).stock) == (
        9,
        10,
    )
