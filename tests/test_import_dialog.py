"""Importing appointments and partners from the app (Ctrl+P "Import ...")."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Checkbox, Input, Static

from frontdesk.services import Services
from frontdesk.tui.screens.import_dialog import ImportModal
from tests.conftest import add_staff
from tests.helpers import MESSY, WEDNESDAY, at_desk, press, settle


async def test_dry_run_then_import_the_messy_booking_file(
    desk_services: Services, tmp_path: Path
) -> None:
    clerk = add_staff(desk_services, "Dirk Desk", "desk")
    bookings = tmp_path / "bookings.csv"
    bookings.write_text(MESSY, encoding="utf-8")
    async with at_desk(desk_services, clerk, size=(120, 35)) as (app, pilot, _):
        app.push_screen(ImportModal("appointments"))
        await settle(pilot)
        # A path with nothing there: said beside the field, nothing imported.
        await press(pilot, *"/nowhere.csv", "enter")
        assert "no file" in str(app.screen.query_one("#field-path .field-error", Static).render())
        app.screen.query_one("#path", Input).value = str(bookings)
        await press(pilot, "ctrl+s")  # a dry run: the box is ticked at first
        result = str(app.screen.query_one("#import-result", Static).render())
        assert "2 imported" in result and "dry run" in result and "line 6, column phone" in result
        assert desk_services.appointments.day(clerk, WEDNESDAY) == []
        app.screen.query_one("#dry_run", Checkbox).value = False
        await press(pilot, "ctrl+s")
        result = str(app.screen.query_one("#import-result", Static).render())
        assert "2 imported" in result and "dry run" not in result
        assert len(desk_services.appointments.day(clerk, WEDNESDAY)) == 2
        await press(pilot, "escape")
        assert not isinstance(app.screen, ImportModal)


async def test_only_the_lead_is_offered_the_partner_import(desk_services: Services) -> None:
    clerk = add_staff(desk_services, "Dirk Desk", "desk")
    async with at_desk(desk_services, clerk, size=(120, 35)) as (app, _, _):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Import appointments (CSV)" in titles
        assert "Import partners (CSV)" not in titles


async def test_the_partner_dry_run_shows_what_each_row_would_change(
    desk_services: Services, tmp_path: Path
) -> None:
    from tests.helpers import GOOD_PARTNER as GOOD
    from tests.helpers import PARTNERS_WITH_BLANKS as BLANKS

    lead = add_staff(desk_services, "Lea Lead", "lead")
    known = desk_services.partners.add(lead, GOOD)
    partners = tmp_path / "partners.csv"
    partners.write_bytes(BLANKS.replace(b";;;;;Dutch", b";;;071 512 9999;;Dutch"))
    async with at_desk(desk_services, lead, size=(120, 35)) as (app, pilot, _):
        app.push_screen(ImportModal("partners"))
        await settle(pilot)
        await press(pilot, *str(partners), "enter")  # a dry run: the box is ticked at first
        result = str(app.screen.query_one("#import-result", Static).render())
        assert "1 imported, 1 updated" in result and "dry run" in result
        assert "line 2, Rijnland Bank: phone: +31715123456 -> +31715129999" in result
        assert "line 3: new partner Leiden Lingua" in result
        assert desk_services.partners.get(lead, known.id) == known
        app.screen.query_one("#dry_run", Checkbox).value = False
        await press(pilot, "ctrl+s")
    after = desk_services.partners.get(lead, known.id)
    assert (after.name, after.contact, after.phone) == (
        "Rijnland Bank",
        "Eva Jansen",
        "+31715129999",
    )
