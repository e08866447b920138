"""The booking form over capacity, as keys: the message beside the time field names the
next free slot; the form suggests a slot that has room."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.widgets import Input, Static

from frontdesk.clock import FixedClock
from frontdesk.services import Services
from frontdesk.tui.app import FrontdeskApp
from frontdesk.tui.appointments.dialogs import HouseholdForm
from frontdesk.tui.widgets.field import Field
from tests.conftest import MONDAY_10, add_staff, make_services
from tests.test_appointments_tui import book, login, settle


@pytest.fixture
def ui_services(sqlite_url: str) -> Iterator[Services]:
    services = make_services(sqlite_url, FixedClock(MONDAY_10))
    yield services
    services.close()


async def test_a_full_slot_is_refused_beside_the_time(ui_services: Services) -> None:
    clerk = add_staff(ui_services, "Dirk Desk", "desk")
    lead = add_staff(ui_services, "Lea Lead", "lead", pin="9999")
    book(ui_services, clerk, "09:00", "Anna")
    book(ui_services, clerk, "09:30", "Bea")
    book(ui_services, clerk, "09:45", "Cora")  # overlaps the 09:30 slot
    ui_services.capacity.set_capacity(lead, 2)
    app = FrontdeskApp(ui_services, ui_services.settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await login(app, pilot)
        await pilot.press("n")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, HouseholdForm)
        time_input = form.query_one("#time", Input)
        assert time_input.value == "09:00"  # one household there: room for a second
        time_input.value = "09:30"
        await pilot.press(*"Mara", "tab", *"Fictief", "tab", *"28-02-1990", "tab", *"Poland")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen is form  # refused: the form stays as typed
        field = form.query_one("#field-time", Field)
        assert "-invalid" in field.classes
        message = str(field.query_one(".field-error", Static).content)
        assert message == (
            "this slot is full (2 households, room for 2); "
            "the next free slot is Mon 23-11-2026 10:00"
        )
        time_input.value = "10:00"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert not isinstance(app.screen, HouseholdForm)
    assert len(ui_services.appointments.day(clerk, MONDAY_10.date())) == 4
