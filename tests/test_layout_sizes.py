"""Every working screen at 80x24 and at 160x45, on the demo's data with a fixed clock."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from frontdesk.clock import FixedClock
from frontdesk.config import DEFAULT_HOURS, Settings
from frontdesk.db.engine import Database
from frontdesk.db.migrate import upgrade
from frontdesk.demo import DEMO_PINS, fill_demo
from frontdesk.services import Services
from frontdesk.tui.app import FrontdeskApp
from frontdesk.tui.desk.queue_rows import COLUMNS, queue_columns
from frontdesk.tui.lead.common import LeadTab
from frontdesk.tui.lead.screen import LeadScreen
from frontdesk.tui.referrals.screen import ReferralsScreen, referral_columns
from tests.conftest import make_services
from tests.helpers import enter_pin, reloaded, workers_done

MOMENT = datetime(2026, 11, 24, 11, 20)  # a Tuesday, inside the demo's opening hours
KEYS = {
    "desk": [],
    "register": ["f2"],
    "appointments": ["alt+2", "full_stop"],  # Wednesday: BSN hours, a booked book
    "referrals": ["alt+3"],
    "lead": ["alt+5", "f3"],
    "dashboard": ["alt+5"],
}


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    db.dispose()
    services = make_services(f"sqlite:///{path}", FixedClock(MOMENT), hours=DEFAULT_HOURS)
    fill_demo(services, days=7)
    services.close()
    return path


@pytest.fixture
def demo_services(demo_file: Path, tmp_path: Path) -> Iterator[Services]:
    path = tmp_path / "demo.sqlite3"
    shutil.copy(demo_file, path)
    services = make_services(f"sqlite:///{path}", FixedClock(MOMENT), hours=DEFAULT_HOURS)
    yield services
    services.close()


async def _settle(pilot: Pilot[Any]) -> None:
    for _ in range(4):
        await workers_done(pilot.app)
        await pilot.pause()


@pytest.mark.slow
@pytest.mark.parametrize("size", [(80, 24), (160, 45)], ids=["80x24", "160x45"])
@pytest.mark.parametrize("screen", list(KEYS))
def test_screen_at_size(
    snap_compare: Any, demo_services: Services, screen: str, size: tuple[int, int]
) -> None:
    settings = Settings(db_url=demo_services.settings.db_url, desk=1)
    app = FrontdeskApp(demo_services, settings, demo_pins=DEMO_PINS)

    async def run_before(pilot: Pilot[Any]) -> None:
        await _settle(pilot)
        await pilot.press(*"1111", "enter")  # Anne de Vries, the lead: every screen
        await _settle(pilot)
        for key in KEYS[screen]:
            await pilot.press(key)
            await _settle(pilot)
        lead = pilot.app.screen
        if isinstance(lead, LeadScreen):  # the shown tab's figures drawn, then laid out
            tab = lead.query_one(f"#{lead.tab}", LeadTab)
            await reloaded(pilot, tab, lambda: tab.reloads.count > 0)
            await _settle(pilot)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False  # shown steadily: a blink made the F2 pictures flaky

    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def test_login_fits_80x24_without_scrolling(demo_services: Services) -> None:
    app = FrontdeskApp(
        demo_services, Settings(db_url=demo_services.settings.db_url), demo_pins=DEMO_PINS
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        box = app.screen.query_one("#login-box")
        assert box.outer_size.height <= 23  # above the footer
        assert not any(w.show_vertical_scrollbar for w in app.screen.query("*"))


def test_queue_keeps_the_columns_that_matter_at_80() -> None:
    narrow = {k: w for k, _, w in queue_columns(49)}
    for key in ("ticket", "service", "waiting", "status"):
        assert narrow[key] is not None
    assert narrow["desk"] is None
    assert all(w == 0 for _, _, w in queue_columns(110)), "auto widths with room"
    assert len(queue_columns(49)) == len(COLUMNS)


def test_referral_names_use_the_room() -> None:
    wide = {k: w for k, _, w in referral_columns(118)}
    assert wide["visitor"] is not None and wide["visitor"] >= 26
    narrow = {k: w for k, _, w in referral_columns(49)}
    assert narrow["partner"] is None and narrow["visitor"] is not None


async def test_desk_queue_refits_when_the_terminal_resizes(demo_services: Services) -> None:
    from textual.widgets import DataTable

    settings = Settings(db_url=demo_services.settings.db_url, desk=1)
    app = FrontdeskApp(demo_services, settings, demo_pins=DEMO_PINS)
    async with app.run_test(size=(120, 35)) as pilot:
        await _settle(pilot)
        await pilot.press(*"1111", "enter")
        await _settle(pilot)
        table = app.screen.query_one("#queue", DataTable)
        rows = table.row_count
        assert rows > 10 and "desk" in [c.value for c in table.columns]
        table.move_cursor(row=3)
        chosen = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        await pilot.resize_terminal(80, 24)
        await _settle(pilot)
        keys = [str(c.value) for c in table.columns]
        assert keys == ["ticket", "service", "waiting", "priority", "appointment", "status"]
        assert table.row_count == rows
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key == chosen
        await pilot.resize_terminal(160, 45)
        await _settle(pilot)
        assert "desk" in [c.value for c in table.columns] and table.row_count == rows


async def test_referral_list_refits_and_keeps_the_cursor(demo_services: Services) -> None:
    from textual.widgets import DataTable

    settings = Settings(db_url=demo_services.settings.db_url, desk=1)
    app = FrontdeskApp(demo_services, settings, demo_pins=DEMO_PINS)
    async with app.run_test(size=(160, 45)) as pilot:
        await enter_pin(pilot, "1111", "alt+3")
        screen = app.screen
        assert isinstance(screen, ReferralsScreen)
        table = screen.query_one("#ref-table", DataTable)
        # The list loads in a worker, and the first layout refits it once more.
        await reloaded(pilot, screen, lambda: table.row_count > 2)
        table.move_cursor(row=2)
        await reloaded(pilot, screen, lambda: table.row_count > 2)
        chosen = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        await pilot.resize_terminal(80, 24)
        narrow = ["id", "follow", "status", "visitor"]
        # The refit reloads the rows after the resize.
        await reloaded(
            pilot,
            screen,
            lambda: [str(c.value) for c in table.columns] == narrow and table.row_count > 2,
        )
        assert [str(c.value) for c in table.columns] == ["id", "follow", "status", "visitor"]
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key == chosen
