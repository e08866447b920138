"""Importing appointments and partners from the app (Ctrl+P "Import ...")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Checkbox, Input, Static

from frontdesk.clock import FixedClock
from frontdesk.config import Settings
from frontdesk.services import Services
from frontdesk.tui.app import FrontdeskApp
from frontdesk.tui.screens.import_dialog import ImportModal
from frontdesk.tui.screens.login import LoggedIn
from tests.conftest import add_staff, make_services
from tests.helpers import MESSY, WEDNESDAY, workers_done


@pytest.fixture
def tui_services(sqlite_url: str, clock: FixedClock) -> Iterator[Services]:
    services = make_services(sqlite_url, clock)
    yield services
    services.close()


async def _settle(pilot: Any) -> None:
    for _ in range(3):
        await pilot.pause()
        await workers_done(pilot.app)
    await pilot.pause()


async def test_dry_run_then_import_the_messy_booking_file(
    tui_services: Services, tmp_path: Path
) -> None:
    clerk = add_staff(tui_services, "Dirk Desk", "desk")
    bookings = tmp_path / "bookings.csv"
    bookings.write_text(MESSY, encoding="utf-8")
    app = FrontdeskApp(tui_services, Settings(db_url=tui_services.db.url))
    async with app.run_test(size=(120, 35)) as pilot:
        await _settle(pilot)
        app.post_message(LoggedIn(clerk))
        await _settle(pilot)
        app.push_screen(ImportModal("appointments"))
        await _settle(pilot)
        # A path with nothing there: said beside the field, nothing imported.
        await pilot.press(*"/nowhere.csv", "enter")
        await _settle(pilot)
        assert "no file" in str(app.screen.query_one("#field-path .field-error", Static).render())
        app.screen.query_one("#path", Input).value = str(bookings)
        await pilot.press("ctrl+s")  # a dry run: the box is ticked at first
        await _settle(pilot)
        result = str(app.screen.query_one("#import-result", Static).render())
        assert "2 imported" in result and "dry run" in result and "line 6, column phone" in result
        assert tui_services.appointments.day(clerk, WEDNESDAY) == []
        app.screen.query_one("#dry_run", Checkbox).value = False
        await pilot.press("ctrl+s")
        await _settle(pilot)
        result = str(app.screen.query_one("#import-result", Static).render())
        assert "2 imported" in result and "dry run" not in result
        assert len(tui_services.appointments.day(clerk, WEDNESDAY)) == 2
        await pilot.press("escape")
        await _settle(pilot)
        assert not isinstance(app.screen, ImportModal)


async def test_only_the_lead_is_offered_the_partner_import(tui_services: Services) -> None:
    clerk = add_staff(tui_services, "Dirk Desk", "desk")
    app = FrontdeskApp(tui_services, Settings(db_url=tui_services.db.url))
    async with app.run_test(size=(120, 35)) as pilot:
        await _settle(pilot)
        app.post_message(LoggedIn(clerk))
        await _settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Import appointments (CSV)" in titles
        assert "Import partners (CSV)" not in titles


async def test_the_partner_dry_run_shows_what_each_row_would_change(
    tui_services: Services, tmp_path: Path
) -> None:
    from tests.helpers import GOOD_PARTNER as GOOD
    from tests.helpers import PARTNERS_WITH_BLANKS as BLANKS

    lead = add_staff(tui_services, "Lea Lead", "lead")
    known = tui_services.partners.add(lead, GOOD)
    partners = tmp_path / "partners.csv"
    partners.write_bytes(BLANKS.replace(b";;;;;Dutch", b";;;071 512 9999;;Dutch"))
    app = FrontdeskApp(tui_services, Settings(db_url=tui_services.db.url))
    async with app.run_test(size=(120, 35)) as pilot:
        await _settle(pilot)
        app.post_message(LoggedIn(lead))
        await _settle(pilot)
        app.push_screen(ImportModal("partners"))
        await _settle(pilot)
        await pilot.press(*str(partners), "enter")  # a dry run: the box is ticked at first
        await _settle(pilot)
        result = str(app.screen.query_one("#import-result", Static).render())
        assert "1 imported, 1 updated" in result and "dry run" in result
        assert "line 2, Rijnland Bank: phone: +31715123456 -> +31715129999" in result
        assert "line 3: new partner Leiden Lingua" in result
        assert tui_services.partners.get(lead, known.id) == known
        app.screen.query_one("#dry_run", Checkbox).value = False
        await pilot.press("ctrl+s")
        await _settle(pilot)
    after = tui_services.partners.get(lead, known.id)
    assert (after.name, after.contact, after.phone) == (
        "Rijnland Bank",
        "Eva Jansen",
        "+31715129999",
    )
