"""The start paints the login screen before it opens the database: the PIN can be typed
while SQLAlchemy is imported and the database opened in a thread (tui/app.py)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from frontdesk.clock import FixedClock
from frontdesk.config import Settings
from frontdesk.db import DatabaseUnavailable
from frontdesk.services import Services
from frontdesk.tui.app import FrontdeskApp
from frontdesk.tui.desk import DeskScreen
from frontdesk.tui.screens.login import FirstRunScreen, LoginScreen
from tests.conftest import MONDAY_10, TEST_PIN, add_staff, make_services
from tests.helpers import SIZE, in_a_fresh_python, settle

# How long a test waits for the database to open (not a timing assertion).
PATIENCE = 30.0


async def _until(app: FrontdeskApp, pilot: Pilot[Any], done: Callable[[], bool]) -> None:
    deadline = time.monotonic() + PATIENCE
    while not done() and time.monotonic() < deadline:
        await settle(app, pilot, 1)
        await asyncio.sleep(0.02)


def test_the_app_and_the_cli_import_no_database_layer() -> None:
    code = (
        "import sys\n"
        "import frontdesk.cli, frontdesk.tui.app, frontdesk.tui.screens.login\n"
        "heavy = [m for m in ('sqlalchemy', 'frontdesk.db', 'frontdesk.services.staff')\n"
        "         if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    in_a_fresh_python(code)


async def test_the_pin_typed_while_the_database_opens_logs_in(sqlite_url: str) -> None:
    ready = make_services(sqlite_url, FixedClock(MONDAY_10))
    clerk = add_staff(ready, "Dirk Desk", "desk", desk=1)
    release = threading.Event()

    def opener() -> Services:
        release.wait(30)
        return ready

    app = FrontdeskApp(opener, Settings(db_url=sqlite_url, desk=1))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)  # painted before the database is open
        assert app.focused is not None and app.focused.id == "pin"
        assert not app.opened
        await pilot.press(*TEST_PIN, "enter")  # typed and sent before the names are there
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen) and app.actor is None
        release.set()
        await _until(app, pilot, lambda: isinstance(app.screen, DeskScreen))
        assert app.opened and app.services is ready
        assert isinstance(app.screen, DeskScreen)
        assert app.actor is not None and app.actor.staff_id == clerk.staff_id
    ready.close()


async def test_the_names_come_once_the_database_is_open(sqlite_url: str) -> None:
    ready = make_services(sqlite_url, FixedClock(MONDAY_10))
    add_staff(ready, "Anna Lead", "lead")
    add_staff(ready, "Dirk Desk", "desk")
    app = FrontdeskApp(lambda: ready, Settings(db_url=sqlite_url, desk=1, staff="Dirk Desk"))
    async with app.run_test(size=SIZE) as pilot:
        await _until(app, pilot, lambda: app.opened)
        await settle(app, pilot)
        assert isinstance(app.screen, LoginScreen)
        names = app.screen.query_one("#names", OptionList)
        assert names.option_count == 2
        assert names.highlighted == 1  # the configured clerk
        assert app.screen.query_one("#pin", Input).has_focus
    ready.close()


async def test_a_new_database_asks_for_the_team_lead_once_open(sqlite_url: str) -> None:
    ready = make_services(sqlite_url, FixedClock(MONDAY_10))
    app = FrontdeskApp(lambda: ready, Settings(db_url=sqlite_url, desk=1))
    async with app.run_test(size=SIZE) as pilot:
        await _until(app, pilot, lambda: isinstance(app.screen, FirstRunScreen))
        assert isinstance(app.screen, FirstRunScreen)
        await _until(app, pilot, lambda: getattr(app.focused, "id", None) == "name")
    ready.close()


async def test_a_database_that_cannot_be_opened_ends_the_app_with_its_error() -> None:
    problem = DatabaseUnavailable("no database here")

    def opener() -> Services:
        raise problem

    app = FrontdeskApp(opener, Settings(db_url="sqlite:///nowhere.sqlite3", desk=1))
    async with app.run_test(size=SIZE) as pilot:
        await _until(app, pilot, lambda: app.return_code is not None)
    assert app.open_error is problem
    assert app.return_code == 2
