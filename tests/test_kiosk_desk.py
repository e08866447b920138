"""The desk's side of the kiosk: the ticket's language in the queue, and F2's printed ticket
(a printer that fails leaves the ticket issued, with one line saying so)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from textual.widgets import DataTable, Static

from frontdesk.clock import FixedClock
from frontdesk.config import PrinterSettings, Settings
from frontdesk.services import Services
from frontdesk.tui.app import FrontdeskApp
from frontdesk.tui.desk.dialogs import TicketIssuedModal
from frontdesk.tui.desk.register import RegisterScreen
from tests.conftest import add_staff
from tests.helpers import log_in, press

SIZE = (120, 35)


def desk_app(services: Services, printer: PrinterSettings) -> FrontdeskApp:
    settings = Settings(db_url=services.settings.db_url, desk=1, printer=printer)
    return FrontdeskApp(services, settings)


async def test_the_desk_sees_the_language_chosen_at_the_kiosk(
    desk_services: Services, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 11, 23, 15, 30))  # walk-in hours
    kiosk = desk_services.kiosk.account()
    desk_services.kiosk.take_ticket(kiosk, "info", language="uk")
    clerk = add_staff(desk_services, "Dirk Desk", "desk")
    app = desk_app(desk_services, PrinterSettings())
    async with app.run_test(size=SIZE) as pilot:
        await log_in(app, pilot, clerk)
        table = app.screen.query_one("#queue", DataTable)
        row = [str(cell) for cell in table.get_row_at(0)]
        assert row[:2] == ["A001", "Information & advice · UK"]


async def register_walk_in(app: FrontdeskApp, pilot: object) -> TicketIssuedModal:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await press(pilot, "f2")
    assert isinstance(app.screen, RegisterScreen)
    await press(pilot, *"Zoë", "ctrl+s")
    assert isinstance(app.screen, TicketIssuedModal)
    return app.screen


async def test_f2_prints_the_ticket(desk_services: Services, tmp_path: Path) -> None:
    clerk = add_staff(desk_services, "Dirk Desk", "desk")
    paper = tmp_path / "lp0"
    app = desk_app(desk_services, PrinterSettings("file", str(paper), "LIC"))
    async with app.run_test(size=SIZE) as pilot:
        await log_in(app, pilot, clerk)
        modal = await register_walk_in(app, pilot)
        assert not modal.query("#issued-print-failed")
    printed = paper.read_bytes()
    assert b"A001" in printed and b"LIC" in printed and b"Zo" not in printed  # no name


async def test_f2_with_a_printer_that_fails_still_issues(
    desk_services: Services, tmp_path: Path
) -> None:
    clerk = add_staff(desk_services, "Dirk Desk", "desk")
    gone = tmp_path / "no-such-folder" / "lp0"  # a printer that is not there
    app = desk_app(desk_services, PrinterSettings("file", str(gone)))
    async with app.run_test(size=SIZE) as pilot:
        await log_in(app, pilot, clerk)
        modal = await register_walk_in(app, pilot)
        line = modal.query_one("#issued-print-failed", Static)
        assert "could not be printed" in str(line.content)
    assert [t.label for t in desk_services.queue.today(clerk)] == ["A001"]
