"""Walk-in tickets outside the walk-in hours: the service refuses unless the desk asked,
and the desk asks in plain words (F2 register, F3 find + ticket). Appointment check-ins
and remote contacts are not walk-ins and are never asked.

These tests keep the configured hours (marked ``real_hours``): Monday's walk-in hours are
15:00-17:00, and the tests' clock stands at Monday 10:00.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select
from textual.widgets import Input, Static

from frontdesk.clock import FixedClock
from frontdesk.db.models import Ticket, Visitor
from frontdesk.services import Actor, OutsideWalkInHours, Services
from frontdesk.services.kiosk import KioskRefusal
from frontdesk.services.visitors import VisitorInput
from frontdesk.tui.desk import DeskScreen
from frontdesk.tui.desk.dialogs import ServicePickModal, TicketIssuedModal
from frontdesk.tui.desk.find import FindScreen
from frontdesk.tui.desk.register import RegisterScreen
from frontdesk.tui.screens.dialogs import ConfirmModal
from tests.conftest import add_staff
from tests.helpers import at_desk, household, press, settle, walk_in

pytestmark = pytest.mark.real_hours

MONDAY_1530 = datetime(2026, 11, 23, 15, 30)
SUNDAY_11 = datetime(2026, 11, 22, 11, 0)


def _counts(services: Services) -> tuple[int, int]:
    with services.db.read() as session:
        tickets = session.scalar(select(func.count()).select_from(Ticket)) or 0
        visitors = session.scalar(select(func.count()).select_from(Visitor)) or 0
    return tickets, visitors


# -- the service ---------------------------------------------------------------------------
def test_out_of_hours_walk_ins_are_refused_unless_asked(services: Services, clerk: Actor) -> None:
    with pytest.raises(OutsideWalkInHours) as refused:
        services.queue.issue(clerk, "info")
    assert refused.value.hours == "Monday 15:00-17:00"
    assert "Walk-in hours are closed now (Monday 15:00-17:00)" in str(refused.value)
    with pytest.raises(OutsideWalkInHours):
        services.queue.register_walk_in(clerk, VisitorInput(given_names="Mei", family_name="Lin"))
    assert _counts(services) == (0, 0)  # neither a ticket nor the visitor was written

    # The desk asked and the clerk said yes.
    ticket = services.queue.issue(clerk, "info", out_of_hours=True)
    _visitor, other = services.queue.register_walk_in(
        clerk, VisitorInput(given_names="Mei", family_name="Lin"), out_of_hours=True
    )
    assert (ticket.label, other.label) == ("A001", "A002")
    assert _counts(services) == (2, 1)


def test_in_walk_in_hours_nobody_is_asked(services: Services, clerk: Actor) -> None:
    assert isinstance(services.clock, FixedClock)
    services.clock.set(MONDAY_1530)
    assert services.queue.issue(clerk, "info").label == "A001"
    assert walk_in(services, clerk, "Mei").label == "A002"


def test_a_closed_day_says_so(services: Services, clerk: Actor) -> None:
    assert isinstance(services.clock, FixedClock)
    services.clock.set(SUNDAY_11)
    with pytest.raises(OutsideWalkInHours) as refused:
        services.queue.issue(clerk, "info")
    assert refused.value.hours == "no walk-in hours on Sundays"


def test_the_hours_the_lead_saved_are_the_ones_that_count(
    services: Services, clerk: Actor, lead: Actor
) -> None:
    services.rules.save(lead, hours={"walk_in_mon": "09:00-12:00"})
    assert services.queue.issue(clerk, "info").label == "A001"  # 10:00 is open now
    services.rules.save(lead, hours={"walk_in_mon": ""})
    with pytest.raises(OutsideWalkInHours) as refused:
        services.queue.issue(clerk, "info")
    assert refused.value.hours == "no walk-in hours on Mondays"


def test_a_second_ticket_out_of_hours_needs_both_answers(services: Services, clerk: Actor) -> None:
    first = services.queue.issue(clerk, "info", out_of_hours=True)
    assert first.label == "A001"
    visitor, _ = services.queue.register_walk_in(
        clerk, VisitorInput(given_names="Ama", family_name="Mensah"), out_of_hours=True
    )
    with pytest.raises(OutsideWalkInHours):
        services.queue.issue(clerk, "info", visitor_id=visitor.id, second_ticket=True)
    again = services.queue.issue(
        clerk, "info", visitor_id=visitor.id, second_ticket=True, out_of_hours=True
    )
    assert again.label == "A003"


def test_appointments_and_remote_contacts_are_not_walk_ins(
    services: Services, clerk: Actor
) -> None:
    # Monday 10:00: BSN hours, no walk-in hours. The household checks in without a question.
    booked = services.appointments.book(clerk, household(time="10:00"))
    checked_in = services.appointments.check_in(clerk, booked.id)
    assert checked_in.status == "checked_in"
    contact = services.queue.log_contact(clerk, "phone", "Housing", 10)
    assert contact.channel == "phone"
    assert [t.source for t in services.queue.today(clerk)] == ["appointment"]


def test_the_kiosk_still_refuses_on_its_own(services: Services) -> None:
    kiosk = services.kiosk.account()
    with pytest.raises(KioskRefusal) as refused:
        services.kiosk.take_ticket(kiosk, "info")
    assert refused.value.key == "closed"


# -- the desk --------------------------------------------------------------------------------
@pytest.fixture
def desk_clerk(desk_services: Services) -> Actor:
    return add_staff(desk_services, "Dirk Desk", "desk", desk=1)


def _message(app: object) -> str:
    screen = app.screen  # type: ignore[attr-defined]
    return str(screen.query_one("#dialog-message", Static).content)


async def test_register_out_of_hours_asks_and_escape_keeps_the_form(
    desk_services: Services, desk_clerk: Actor
) -> None:
    async with at_desk(desk_services, desk_clerk) as (app, pilot, _):
        await press(pilot, "f2")
        assert isinstance(app.screen, RegisterScreen)
        form = app.screen
        await pilot.press(*"Nguyễn", "tab", *"Thị Lan")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ConfirmModal)
        assert _message(app).startswith(
            "Walk-in hours are closed now (Monday 15:00-17:00).\n\nGive a ticket anyway?"
        )
        await press(pilot, "escape")
        assert app.screen is form  # back on the form, as typed; nothing written
        assert form.query_one("#given_names", Input).value == "Nguyễn"
        assert form.query_one("#family_name", Input).value == "Thị Lan"
        assert _counts(desk_services) == (0, 0)

        # Saved again, and this time the clerk says yes.
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ConfirmModal)
        await press(pilot, "y")
        assert isinstance(app.screen, TicketIssuedModal)
        await press(pilot, "enter")
        assert isinstance(app.screen, DeskScreen)
    (ticket,) = desk_services.queue.today(desk_clerk)
    assert (ticket.label, ticket.visitor_name) == ("A001", "Nguyễn Thị Lan")
    assert _counts(desk_services) == (1, 1)


async def test_find_and_ticket_out_of_hours_asks_both_questions(
    desk_services: Services, desk_clerk: Actor
) -> None:
    # Ama waits already (given out of hours earlier): a second ticket, out of hours, asks
    # twice: first about the hours, then about the second ticket.
    first = walk_in(desk_services, desk_clerk, "Ama", out_of_hours=True)
    async with at_desk(desk_services, desk_clerk) as (app, pilot, _):
        await press(pilot, "f3")
        await pilot.press(*"a1", "enter")  # by ticket number
        await settle(app, pilot)
        assert isinstance(app.screen, FindScreen)
        await press(pilot, "ctrl+t")
        assert isinstance(app.screen, ServicePickModal)
        await press(pilot, "enter")
        assert isinstance(app.screen, ConfirmModal)
        assert "Walk-in hours are closed now (Monday 15:00-17:00)" in _message(app)
        await press(pilot, "y")
        assert isinstance(app.screen, ConfirmModal)
        assert f"Ama already has ticket {first.label} today" in _message(app)
        await press(pilot, "y")
        assert isinstance(app.screen, TicketIssuedModal)
    assert [t.label for t in desk_services.queue.today(desk_clerk)] == ["A001", "A002"]


async def test_find_and_ticket_out_of_hours_escape_issues_nothing(
    desk_services: Services, desk_clerk: Actor
) -> None:
    assert isinstance(desk_services.clock, FixedClock)
    desk_services.clock.set(MONDAY_1530)
    walk_in(desk_services, desk_clerk, "Kenji")
    desk_services.queue.finish(desk_clerk, desk_services.queue.call_next(desk_clerk, 1).id)  # type: ignore[union-attr]
    desk_services.clock.set(datetime(2026, 11, 23, 17, 30))  # the walk-in hours are over
    async with at_desk(desk_services, desk_clerk) as (app, pilot, _):
        await press(pilot, "f3")
        await press(pilot, *"a1", "enter")
        await press(pilot, "ctrl+t")
        await press(pilot, "enter")
        assert isinstance(app.screen, ConfirmModal)
        await press(pilot, "escape")
        assert isinstance(app.screen, FindScreen)
    assert desk_services.queue.today(desk_clerk) == []
    assert _counts(desk_services) == (1, 1)
