"""The appointment book on screen: check-in -> checklist -> BSN issued -> completed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from textual.widgets import DataTable

from frontdesk.clock import FixedClock
from frontdesk.services import Actor, Services
from frontdesk.services.appointments import AppointmentInput, PersonInput
from frontdesk.services.visitors import VisitorInput
from frontdesk.tui.app import FrontdeskApp
from frontdesk.tui.appointments import AppointmentsScreen
from frontdesk.tui.appointments.welcome_bags import WelcomeBagsModal
from frontdesk.tui.textual_compat import notifications
from tests.conftest import MONDAY_10, add_staff, letters, make_services
from tests.helpers import workers_done

BSN = "111222333"


@pytest.fixture
def ui_services(sqlite_url: str) -> Iterator[Services]:
    services = make_services(sqlite_url, FixedClock(MONDAY_10))
    yield services
    services.close()


def book(
    services: Services,
    actor: Actor,
    time: str,
    given: str,
    nationality: str = "DE",
    employer: str | None = None,
    members: int = 0,
) -> int:
    people = [PersonInput("main", VisitorInput(given, "Fictief", "1990-01-01", nationality))]
    for i in range(members):
        people.append(
            PersonInput(
                "child", VisitorInput(f"Kind{letters(i)}", "Fictief", "2018-01-01", nationality)
            )
        )
    info = services.appointments.book(
        actor,
        AppointmentInput(
            day="2026-11-23",
            time=time,
            employer=employer,
            reference=f"BK-{time}",
            people=tuple(people),
        ),
    )
    return info.id


async def login(app: FrontdeskApp, pilot: Any) -> None:
    await workers_done(app)
    await pilot.pause()
    await pilot.press(*"1234", "enter")
    await workers_done(app)
    await pilot.pause()
    app.action_go("appointments")
    await pilot.pause()
    await workers_done(app)
    await pilot.pause()


async def settle(app: FrontdeskApp, pilot: Any) -> None:
    for _ in range(2):
        await workers_done(app)
        await pilot.pause()


async def test_check_in_checklist_bsn_complete(ui_services: Services) -> None:
    clerk = add_staff(ui_services, "Dirk Desk", "desk")
    ap_id = book(ui_services, clerk, "09:30", "Anna")
    app = FrontdeskApp(ui_services, ui_services.settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await login(app, pilot)
        screen = app.screen
        assert isinstance(screen, AppointmentsScreen)
        await pilot.press("i")
        await settle(app, pilot)
        info = ui_services.appointments.get(clerk, ap_id)
        assert info.status == "checked_in" and info.ticket_label == "B001"
        assert any("ticket B001" in str(n.message) for n in notifications(app))
        await pilot.press("s")
        await settle(app, pilot)
        # the checklist: person row, BSN row, then four documents (German main person)
        await pilot.press("tab")
        await pilot.press("down", "down")
        for _ in range(4):
            await pilot.press("space")
            await settle(app, pilot)
            await pilot.press("down")
        info = ui_services.appointments.get(clerk, ap_id)
        assert all(d.ticked for d in info.persons[0].documents)
        await pilot.press("b")
        await settle(app, pilot)
        await pilot.press("tab")
        await pilot.press(*BSN)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        info = ui_services.appointments.get(clerk, ap_id)
        assert info.persons[0].bsn_outcome == "issued" and info.persons[0].bsn_masked == "******333"
        table = screen.query_one("#checklist", DataTable)
        shown = " ".join(str(c) for r in range(table.row_count) for c in table.get_row_at(r))
        assert "BSN: ******333" in shown and BSN not in shown
        await pilot.press("c")
        await settle(app, pilot)
        # Completed; the welcome bag comes from the packs stock (no kinds here: none given).
        assert isinstance(app.screen, WelcomeBagsModal)
        await pilot.press("escape")
        await settle(app, pilot)
        info = ui_services.appointments.get(clerk, ap_id)
        assert info.status == "completed" and not info.persons[0].welcome_bag
        # The household's ticket ended with it: no longer waiting at the desk (issue 19).
        assert ui_services.queue.ticket(clerk, info.ticket_id or 0).status == "done"
        app.action_go("desk")
        await settle(app, pilot)
        queue = app.screen.query_one("#queue", DataTable)
        shown = " ".join(str(c) for r in range(queue.row_count) for c in queue.get_row_at(r))
        assert "B001" not in shown


async def test_reject_shows_what_to_bring_and_reveal_asks_a_reason(ui_services: Services) -> None:
    from frontdesk.tui.appointments.dialogs import AskModal, TextModal

    clerk = add_staff(ui_services, "Dirk Desk", "desk")
    lead = add_staff(ui_services, "Lea Lead", "lead", pin="9999")
    ap_id = book(ui_services, clerk, "09:30", "Bo", nationality="US")
    app = FrontdeskApp(ui_services, ui_services.settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await login(app, pilot)
        await pilot.press("i")
        await settle(app, pilot)
        await pilot.press("x")
        await settle(app, pilot)
        assert isinstance(app.screen, TextModal)
        assert "legalised or with an apostille" in app.screen.text
        await pilot.press("escape")
        await pilot.pause()
        assert ui_services.appointments.get(clerk, ap_id).status == "rejected_missing_documents"

    # reveal: book, issue a BSN through the service, then reveal on screen
    other = book(ui_services, clerk, "10:00", "Cas")
    ui_services.appointments.check_in(clerk, other)
    person = ui_services.appointments.get(clerk, other).persons[0]
    ui_services.appointments.record_bsn(clerk, person.id, "issued", BSN)
    app = FrontdeskApp(ui_services, ui_services.settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await login(app, pilot)
        await pilot.press("down")
        await settle(app, pilot)
        await pilot.press("v")
        await settle(app, pilot)
        assert isinstance(app.screen, AskModal)
        await pilot.press("enter")  # no reason: refused beside the field
        await settle(app, pilot)
        assert isinstance(app.screen, AskModal)
        assert ui_services.audit.recent(lead, action="bsn.reveal") == []
        await pilot.press(*"visitor lost letter", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TextModal) and app.screen.text == BSN
        assert len(ui_services.audit.recent(lead, action="bsn.reveal")) == 1


def test_appointment_book_snapshot(snap_compare: Any, sqlite_url: str) -> None:
    services = make_services(sqlite_url, FixedClock(MONDAY_10))
    clerk = add_staff(services, "Dirk Desk", "desk")
    first = book(services, clerk, "09:00", "Anna", employer="LUMC", members=2)
    services.appointments.check_in(clerk, first)
    services.appointments.start(clerk, first)
    book(services, clerk, "09:30", "Bo", nationality="US")
    late = book(services, clerk, "10:30", "Cas", employer="Naturalis")
    services.appointments.cancel(clerk, late, "visitor called")
    app = FrontdeskApp(services, services.settings)

    async def run_before(pilot: Any) -> None:
        await login(app, pilot)
        await settle(app, pilot)

    try:
        assert snap_compare(app, terminal_size=(120, 35), run_before=run_before)
    finally:
        services.close()


async def test_book_a_household_with_the_form(ui_services: Services) -> None:
    from textual.widgets import Input, Select

    from frontdesk.tui.appointments.dialogs import HouseholdForm
    from frontdesk.tui.widgets.field import Field

    clerk = add_staff(ui_services, "Dirk Desk", "desk")
    app = FrontdeskApp(ui_services, ui_services.settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await login(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, HouseholdForm)
        assert form.query_one("#time", Input).value == "09:00"  # the first free slot
        assert app.focused is form.query_one("#p0_given_names", Input)
        await pilot.press(*"Mara", "tab", *"Fictief", "tab", *"31-02-1990", "tab", *"Poland")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form  # refused: the form stays as typed
        assert "-invalid" in form.query_one("#field-p0_birth_date", Field).classes
        assert form.query_one("#p0_given_names", Input).value == "Mara"
        assert ui_services.appointments.day(clerk, MONDAY_10.date()) == []
        date_input = form.query_one("#p0_birth_date", Input)
        date_input.value = "28-02-1990"
        form.query_one("#p1_relation", Select).value = "child"
        form.query_one("#p1_given_names", Input).value = "Kim"
        form.query_one("#p1_family_name", Input).value = "Fictief"
        form.query_one("#p1_birth_date", Input).value = "2019-05-05"
        form.query_one("#employer", Input).value = "LUMC"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, AppointmentsScreen)
        [info] = ui_services.appointments.day(clerk, MONDAY_10.date())
        assert [p.relation for p in info.persons] == ["main", "child"]
        assert info.persons[0].nationality == "PL" and info.fee_cents == 6250
        assert info.employer == "LUMC"


async def test_one_bsn_one_person_and_no_married_child_on_screen(ui_services: Services) -> None:
    """Issue 19: a mother and her child both got 111222333; `m` marked a child married."""
    from textual.widgets import Static

    from frontdesk.tui.appointments.dialogs import BsnModal

    clerk = add_staff(ui_services, "Dirk Desk", "desk")
    ap_id = book(ui_services, clerk, "09:30", "Anna", members=1)  # a child born in 2018
    ui_services.appointments.check_in(clerk, ap_id)
    mother, child = ui_services.appointments.get(clerk, ap_id).persons
    ui_services.appointments.record_bsn(clerk, mother.id, "issued", BSN)
    app = FrontdeskApp(ui_services, ui_services.settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await login(app, pilot)
        await pilot.press("tab")  # the checklist; down to the child's row
        for _ in range(12):
            if app.screen._checklist_key() == f"p{child.id}":  # type: ignore[attr-defined]
                break
            await pilot.press("down")
        await settle(app, pilot)
        await pilot.press("m")
        await settle(app, pilot)
        assert any("under 18" in str(n.message) for n in notifications(app))
        assert ui_services.appointments.get(clerk, ap_id).persons[1].married is False
        await pilot.press("b")
        await settle(app, pilot)
        assert isinstance(app.screen, BsnModal)
        await pilot.press("tab", *BSN, "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, BsnModal)  # refused beside the field
        error = str(app.screen.query_one("#field-bsn .field-error", Static).render())
        assert "******333" in error and f"visitor record {mother.visitor_id}" in error
        assert BSN not in error
    assert ui_services.appointments.get(clerk, ap_id).persons[1].bsn_outcome is None


async def test_cancel_asks_a_reason_and_the_buttons_say_what_they_do(
    ui_services: Services,
) -> None:
    from textual.widgets import Button, Static

    from frontdesk.tui.appointments.dialogs import AskModal

    clerk = add_staff(ui_services, "Dirk Desk", "desk")
    ap_id = book(ui_services, clerk, "11:00", "Anna")
    app = FrontdeskApp(ui_services, ui_services.settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await login(app, pilot)
        await pilot.press("d")
        await settle(app, pilot)
        modal = app.screen
        assert isinstance(modal, AskModal)
        labels = [str(b.label) for b in modal.query(Button)]
        assert labels == ["Cancel the appointment", "Keep it"]
        await pilot.press("enter")  # no reason: refused beside the field
        await settle(app, pilot)
        assert app.screen is modal
        assert "say why" in str(modal.query_one("#field-reason .field-error", Static).render())
        assert ui_services.appointments.get(clerk, ap_id).status == "booked"
        await pilot.press(*"visitor called", "enter")
        await settle(app, pilot)
        assert app.screen is not modal
    assert ui_services.appointments.get(clerk, ap_id).status == "cancelled"


async def _complete_to_bags(app: FrontdeskApp, pilot: Any, services: Services, ap_id: int) -> None:
    # The same PIN as Dirk's: the login list may already show Cora (first by name) when the
    # app read it after this line, and login() types 1234 for whoever is highlighted.
    clerk = add_staff(services, "Cora Clerk", "desk", pin="1234")
    services.appointments.check_in(clerk, ap_id)
    services.appointments.start(clerk, ap_id)
    info = services.appointments.get(clerk, ap_id)
    for person in info.persons:
        for doc in person.documents:
            services.appointments.tick_document(clerk, person.id, doc.code)
        services.appointments.record_bsn(clerk, person.id, "by_post")
    await login(app, pilot)
    await pilot.press("c")
    await settle(app, pilot)
    assert isinstance(app.screen, WelcomeBagsModal)
    await pilot.press("enter")  # hand a pack to the first person
    await settle(app, pilot)


async def test_the_bags_at_a_completion_come_from_the_welcome_bag_kind(
    ui_services: Services,
) -> None:
    """Issue 19: Enter, Enter handed out a Family pack (first in the list by name)."""
    from frontdesk.services.auth import CLI_ACTOR
    from frontdesk.tui.packs.dialogs import IssuePackModal

    packs = ui_services.packs
    family = packs.add_kind(CLI_ACTOR, "family", "Family pack", 2)
    bag = packs.add_kind(CLI_ACTOR, "bag", "Welcome bag", 2)
    for kind in (family, bag):
        packs.receive(CLI_ACTOR, kind.id, 10, "test delivery")
    clerk = add_staff(ui_services, "Dirk Desk", "desk")
    ap_id = book(ui_services, clerk, "09:30", "Anna")
    app = FrontdeskApp(ui_services, ui_services.settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await _complete_to_bags(app, pilot, ui_services, ap_id)
        assert isinstance(app.screen, IssuePackModal)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, WelcomeBagsModal)
    assert (packs.get(CLI_ACTOR, bag.id).stock, packs.get(CLI_ACTOR, family.id).stock) == (9, 10)
    assert ui_services.appointments.get(clerk, ap_id).persons[0].welcome_bag


async def test_without_a_welcome_bag_kind_the_clerk_picks(ui_services: Services) -> None:
    from textual.widgets import Static

    from frontdesk.services.auth import CLI_ACTOR
    from frontdesk.tui.packs.dialogs import IssuePackModal

    packs = ui_services.packs
    family = packs.add_kind(CLI_ACTOR, "family", "Family pack", 2)
    student = packs.add_kind(CLI_ACTOR, "student", "Student pack", 2)
    for kind in (family, student):
        packs.receive(CLI_ACTOR, kind.id, 10, "test delivery")
    clerk = add_staff(ui_services, "Dirk Desk", "desk")
    ap_id = book(ui_services, clerk, "09:30", "Anna")
    app = FrontdeskApp(ui_services, ui_services.settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await _complete_to_bags(app, pilot, ui_services, ap_id)
        modal = app.screen
        assert isinstance(modal, IssuePackModal)
        assert "pick the kind" in str(modal.query_one("#issue-message", Static).render())
        await pilot.press("enter")  # nothing highlighted: nothing handed out
        await settle(app, pilot)
        assert app.screen is modal
        assert packs.get(CLI_ACTOR, family.id).stock == 10
        await pilot.press("down", "down", "enter")  # the clerk picks the student pack
        await settle(app, pilot)
        assert isinstance(app.screen, WelcomeBagsModal)
    assert (packs.get(CLI_ACTOR, student.id).stock, packs.get(CLI_ACTOR, family.id).stock) == (
        9,
        10,
    )
