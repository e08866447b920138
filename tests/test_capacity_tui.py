"""The booking form over capacity, as keys: the message beside the time field names the
next free slot; the form suggests a slot that has room."""

from __future__ import annotations

from textual.widgets import Input, Static

from frontdesk.services import Services
from frontdesk.tui.appointments.dialogs import HouseholdForm
from frontdesk.tui.widgets.field import Field
from tests.conftest import MONDAY_10, add_staff
from tests.helpers import at_appointments, book_appointment, open_household_form, press


async def test_a_full_slot_is_refused_beside_the_time(desk_services: Services) -> None:
    clerk = add_staff(desk_services, "Dirk Desk", "desk")
    lead = add_staff(desk_services, "Lea Lead", "lead", pin="9999")
    book_appointment(desk_services, clerk, "09:00", "Anna")
    book_appointment(desk_services, clerk, "09:30", "Bea")
    book_appointment(desk_services, clerk, "09:45", "Cora")  # overlaps the 09:30 slot
    desk_services.capacity.set_capacity(lead, 2)
    async with at_appointments(desk_services) as (app, pilot, _):
        form = await open_household_form(pilot)
        time_input = form.query_one("#time", Input)
        assert time_input.value == "09:00"  # one household there: room for a second
        time_input.value = "09:30"
        await pilot.press(*"Mara", "tab", *"Fictief", "tab", *"28-02-1990", "tab", *"Poland")
        await press(pilot, "ctrl+s")
        assert app.screen is form  # refused: the form stays as typed
        field = form.query_one("#field-time", Field)
        assert "-invalid" in field.classes
        message = str(field.query_one(".field-error", Static).content)
        assert message == (
            "this slot is full (2 households, room for 2); "
            "the next free slot is Mon 23-11-2026 10:00"
        )
        time_input.value = "10:00"
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, HouseholdForm)
    assert len(desk_services.appointments.day(clerk, MONDAY_10.date())) == 4
