"""What the start does before the login screen is drawn, and the desk's first read done in
the log-in's thread (tui/app.py: start_with_theme, read_stylesheets_ahead, first_read)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.color import Color
from textual.screen import Screen
from textual.widgets import DataTable, Label

from frontdesk.services import Actor, Services
from frontdesk.tui import textual_compat as compat
from frontdesk.tui.app import FRONTDESK_THEME, FrontdeskApp
from frontdesk.tui.desk import DeskScreen
from frontdesk.tui.desk.card import DeskUpdate
from frontdesk.tui.paths import stylesheet
from tests.conftest import add_staff
from tests.helpers import SIZE, enter_pin, make_app, settle, walk_in


def test_the_login_path_imports_no_dialog_or_table_modules() -> None:
    code = (
        "import sys\n"
        "import frontdesk.tui.app, frontdesk.tui.screens.login\n"
        "heavy = [m for m in ('frontdesk.tui.dialogs', 'frontdesk.tui.screens.dialogs',\n"
        "                     'textual.widgets._text_area', 'textual.widgets._checkbox')\n"
        "         if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-1000:]


class Themed(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.register_theme(FRONTDESK_THEME)
        compat.start_with_theme(self, FRONTDESK_THEME.name)
        self.reparsed = 0

    def compose(self) -> ComposeResult:
        yield Label("x")

    def refresh_css(self, animate: bool = True) -> None:
        self.reparsed += 1
        super().refresh_css(animate)


async def test_start_with_theme_styles_with_the_theme_without_a_reparse() -> None:
    app = Themed()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.theme == FRONTDESK_THEME.name
        assert app.reparsed == 0
        assert app.screen.styles.background == Color.parse(FRONTDESK_THEME.background or "")
        # A theme set while running still takes Textual's way (a restyle of everything).
        app.theme = "textual-light"
        await pilot.pause()
        assert app.reparsed >= 1


class Later(Screen[None]):
    CSS_PATH = [stylesheet("desk.tcss")]


async def test_a_stylesheet_read_ahead_is_not_read_again_when_its_screen_opens(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = Themed()
    async with app.run_test() as pilot:
        compat.read_stylesheets_ahead(app, [stylesheet("desk.tcss")])
        assert app.stylesheet.has_source(str(stylesheet("desk.tcss")), "")
        reparses = 0
        sheet = app.stylesheet
        before = sheet.reparse

        def counted() -> None:
            nonlocal reparses
            reparses += 1
            before()

        monkeypatch.setattr(sheet, "reparse", counted)
        await app.push_screen(Later())
        await pilot.pause()
        assert reparses == 0


async def test_the_app_reads_the_desk_stylesheet_once_the_login_is_drawn(
    desk_services: Services,
) -> None:
    app = make_app(desk_services)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.stylesheet.has_source(str(stylesheet("desk.tcss")), "")


async def test_the_desk_is_drawn_from_the_read_done_when_the_pin_was_checked(
    desk_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    clerk = add_staff(desk_services, "Dirk Desk", "desk")
    for name in ("Ana Alves", "Ben Brandt", "Cleo Chen"):
        walk_in(desk_services, clerk, name)
    reads: list[object] = []
    read = FrontdeskApp.first_read

    def counted(self: FrontdeskApp, actor: Actor) -> Any:
        reads.append(result := read(self, actor))
        return result

    monkeypatch.setattr(FrontdeskApp, "first_read", counted)
    app = make_app(desk_services)
    async with app.run_test(size=SIZE) as pilot:
        await enter_pin(pilot)
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, DeskScreen)
        assert len(reads) == 1 and isinstance(reads[0], DeskUpdate)
        assert screen.query_one("#queue", DataTable).row_count == 3
        assert app.take_first_read(app.actor) is None  # used once


async def test_a_failed_first_read_leaves_the_desk_to_read_for_itself(
    desk_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    clerk = add_staff(desk_services, "Dirk Desk", "desk")
    walk_in(desk_services, clerk, "Ana Alves")

    def broken(*_args: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr("frontdesk.tui.desk.reads.first_read", broken)
    app = make_app(desk_services)
    async with app.run_test(size=SIZE) as pilot:
        await enter_pin(pilot)
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, DeskScreen)
        assert screen.query_one("#queue", DataTable).row_count == 1
