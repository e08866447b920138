"""The desk working with the other capabilities: packs, referrals, BSN appointments."""

from __future__ import annotations

from typing import Any

import pytest
from textual import events
from textual.widgets import Checkbox, Input, OptionList, Static

from frontdesk.services import Actor, Services
from frontdesk.services.partners import PartnerInput
from frontdesk.tui.app import FrontdeskApp
from frontdesk.tui.appointments import AppointmentsScreen
from frontdesk.tui.appointments.welcome_bags import WelcomeBagsModal
from frontdesk.tui.desk import DeskScreen
from frontdesk.tui.desk.dialogs import OutcomeModal
from frontdesk.tui.packs.dialogs import IssuePackModal
from frontdesk.tui.referrals.dialogs import NewReferralModal
from frontdesk.tui.textual_compat import notifications
from tests.conftest import add_staff
from tests.helpers import at_desk, book_appointment, press, ready_to_complete, settle, walk_in


@pytest.fixture
def lead(desk_services: Services) -> Actor:
    return add_staff(desk_services, "Lea Lead", "lead", desk=None)


@pytest.fixture
def clerk(desk_services: Services) -> Actor:
    return add_staff(desk_services, "Dirk Desk", "desk", desk=1)


def stock_kind(services: Services, lead: Actor, name: str, stock: int, threshold: int) -> int:
    kind = services.packs.add_kind(lead, name.lower().replace(" ", "-")[:20], name, threshold)
    if stock:
        services.packs.receive(lead, kind.id, stock, "test delivery")
    return kind.id


def stock(services: Services, lead: Actor, kind_id: int) -> int:
    return services.packs.get(lead, kind_id).stock


def notes(app: FrontdeskApp) -> str:
    return " | ".join(str(n.message) for n in notifications(app))


async def test_pack_in_two_keys_and_the_low_stock_line(
    desk_services: Services, lead: Actor, clerk: Actor
) -> None:
    bag = stock_kind(desk_services, lead, "Welcome bag", 4, threshold=3)
    ticket = walk_in(desk_services, clerk, "Zoë")
    async with at_desk(desk_services, clerk) as (app, pilot, desk):
        line = desk.query_one("#low-stock", Static)
        assert not line.display  # 4 on the shelf, reorder at 3: nothing to say
        await press(pilot, "f4")
        assert desk.current is not None and desk.current.id == ticket.id
        await press(pilot, "p")
        assert isinstance(app.screen, IssuePackModal)
        assert "Zoë" in str(app.screen.query_one("#issue-visitor", Static).content)
        await press(pilot, "enter")
        assert isinstance(app.screen, DeskScreen)
        assert stock(desk_services, lead, bag) == 3
        given = desk_services.packs.issues_of(lead, ticket.visitor_id or 0)
        assert [g.kind_name for g in given] == ["Welcome bag"]
        # At the threshold now: the warning line shows, refreshed with the queue.
        assert line.display
        assert "Low stock: Welcome bag 3 left (reorder at 3)" in str(line.content)
        assert "Welcome bag handed out (3 left; time to reorder)" in notes(app)


async def test_anonymous_ticket_gets_a_clear_message(
    desk_services: Services, lead: Actor, clerk: Actor
) -> None:
    stock_kind(desk_services, lead, "Welcome bag", 5, threshold=1)
    desk_services.queue.issue(clerk, "info")
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        await press(pilot, "f4")
        await press(pilot, "p")
        assert isinstance(app.screen, DeskScreen)
        assert "anonymous walk-in: a welcome pack needs a visitor record" in notes(app)
        await press(pilot, "r")
        assert isinstance(app.screen, DeskScreen)
        assert "a referral needs a visitor record" in notes(app)


async def test_referral_from_the_desk(desk_services: Services, lead: Actor, clerk: Actor) -> None:
    desk_services.partners.add(lead, PartnerInput(name="Rijnland Bank", category="bank"))
    ticket = walk_in(desk_services, clerk, "Łukasz")
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        await press(pilot, "f4")
        await press(pilot, "r")
        assert isinstance(app.screen, NewReferralModal)
        await press(pilot, *"rijn")
        await pilot.press("enter", "enter")  # to the partner list, pick the first
        await pilot.press(*"bank account", "enter")
        await press(pilot, "ctrl+s")  # no consent: only logged
        assert isinstance(app.screen, DeskScreen)
    made = desk_services.referrals.for_visitor(lead, ticket.visitor_id or 0)
    assert [(r.partner_name, r.reason, r.consent_given) for r in made] == [
        ("Rijnland Bank", "bank account", False)
    ]


async def test_finish_then_pack_and_referral(
    desk_services: Services, lead: Actor, clerk: Actor
) -> None:
    bag = stock_kind(desk_services, lead, "Welcome bag", 10, threshold=2)
    desk_services.partners.add(lead, PartnerInput(name="Leiden Lingua", category="other"))
    ticket = walk_in(desk_services, clerk, "Nguyễn")
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        await press(pilot, "f4")
        await press(pilot, "f8")
        assert isinstance(app.screen, OutcomeModal)
        await pilot.press("alt+p", "alt+r")
        assert all(box.value for box in app.screen.query(Checkbox))
        # A real terminal sends Alt+P as a printable "p" too: it must not land in the note.
        note = app.screen.query_one("#outcome", Input)
        note.post_message(events.Key("alt+p", "p"))
        await pilot.pause()
        assert note.value == ""
        await press(pilot, *"info given", "enter")
        assert isinstance(app.screen, IssuePackModal)  # the visit is finished first
        assert desk_services.queue.ticket(clerk, ticket.id).status == "done"
        await press(pilot, "enter")
        assert isinstance(app.screen, NewReferralModal)  # then the referral
        await press(pilot, "enter", "enter", *"dutch lessons", "enter", "ctrl+s")
        assert isinstance(app.screen, DeskScreen)
    assert stock(desk_services, lead, bag) == 9
    assert [
        r.partner_name for r in desk_services.referrals.for_visitor(lead, ticket.visitor_id or 0)
    ]
    assert desk_services.queue.ticket(clerk, ticket.id).outcome == "info given"


async def test_enter_on_a_ticked_box_finishes_instead_of_unticking(
    desk_services: Services, lead: Actor, clerk: Actor
) -> None:
    """Issue 19: with focus on a ticked "then make a referral" box, Enter unticked it."""
    desk_services.partners.add(lead, PartnerInput(name="Leiden Lingua", category="other"))
    ticket = walk_in(desk_services, clerk, "Zoë")
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        await press(pilot, "f4")
        await press(pilot, "f8")
        modal = app.screen
        assert isinstance(modal, OutcomeModal)
        await pilot.press("tab", "tab")  # past the note and the pack box
        box = modal.query_one("#then-referral", Checkbox)
        assert app.focused is box
        await pilot.press("space")  # Space ticks
        assert box.value is True
        await press(pilot, "enter")  # Enter finishes, the box stays ticked
        assert box.value is True
        assert desk_services.queue.ticket(clerk, ticket.id).status == "done"
        assert isinstance(app.screen, NewReferralModal)


async def test_finish_with_empty_note_is_still_one_key(
    desk_services: Services, clerk: Actor
) -> None:
    ticket = walk_in(desk_services, clerk, "Zoë")
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        await press(pilot, "f4")
        await press(pilot, "f8")
        await press(pilot, "enter")
        assert isinstance(app.screen, DeskScreen)
    assert desk_services.queue.ticket(clerk, ticket.id).status == "done"


async def test_desk_call_starts_the_appointment(
    desk_services: Services, lead: Actor, clerk: Actor
) -> None:
    ap_id = book_appointment(desk_services, clerk)
    desk_services.appointments.check_in(clerk, ap_id)
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        await press(pilot, "f4")
        info = desk_services.appointments.get(clerk, ap_id)
        assert info.status == "in_progress" and info.started_at is not None
        assert f"Appointment for {info.ticket_label} is now in progress" in notes(app)


async def test_completion_offers_a_bag_per_person(
    desk_services: Services, lead: Actor, clerk: Actor
) -> None:
    bag = stock_kind(desk_services, lead, "Welcome bag", 5, threshold=1)
    ap_id = book_appointment(desk_services, clerk, members=1)
    desk_services.appointments.check_in(clerk, ap_id)
    desk_services.appointments.start(clerk, ap_id)
    ready_to_complete(desk_services, clerk, ap_id)
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        app.action_go("appointments")
        await settle(app, pilot)
        assert isinstance(app.screen, AppointmentsScreen)
        await press(pilot, "c")
        assert isinstance(app.screen, WelcomeBagsModal)
        assert desk_services.appointments.get(clerk, ap_id).status == "completed"
        assert app.screen.query_one(OptionList).option_count == 2
        await press(pilot, "2")  # the child
        assert isinstance(app.screen, IssuePackModal)
        await press(pilot, "enter")
        assert isinstance(app.screen, WelcomeBagsModal)
        assert "1 of 2 have their welcome bag" in str(
            app.screen.query_one("#bags-message", Static).content
        )
        await press(pilot, "escape")
        assert isinstance(app.screen, AppointmentsScreen)
        assert "welcome bag given to 1 of 2" in notes(app)
    done = desk_services.appointments.get(clerk, ap_id)
    assert [p.welcome_bag for p in done.persons] == [False, True]
    assert stock(desk_services, lead, bag) == 4
    child = done.persons[1]
    assert [g.kind_name for g in desk_services.packs.issues_of(lead, child.visitor_id)] == [
        "Welcome bag"
    ]


def test_every_new_desk_action_is_a_binding_with_a_tooltip() -> None:
    ids: dict[str, Any] = {b.id: b for b in DeskScreen.BINDINGS if hasattr(b, "id")}  # type: ignore[union-attr]
    for binding_id, key in (("desk_pack", "p"), ("desk_referral", "r")):
        assert ids[binding_id].key == key and ids[binding_id].tooltip
