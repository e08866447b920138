"""Keys as a terminal delivers them: a burst typed (or scanned, or sent by tmux) at once."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from textual import events
from textual.widgets import Input

from frontdesk.services import Actor, Services
from frontdesk.services.visitors import VisitorInput
from frontdesk.tui.app import FrontdeskApp
from frontdesk.tui.desk import DeskScreen
from frontdesk.tui.desk.dialogs import OutcomeModal
from frontdesk.tui.desk.register import RegisterScreen
from frontdesk.tui.screens.dialogs import ConfirmModal
from frontdesk.tui.textual_compat import app_exception
from tests.conftest import add_staff
from tests.helpers import SIZE, at_desk, make_app, open_register, press, settle, until


@pytest.fixture
def clerk(desk_services: Services) -> Actor:
    """A clerk at desk 1, on the SQLite database of the screens under test."""
    return add_staff(desk_services, "Dirk Desk", "desk", desk=1)


def burst(app: FrontdeskApp, keys: list[str]) -> None:
    """Queue every key at once, as a terminal does with a paste or a fast sender: nothing
    runs between two keys (no waiting for the app to be idle)."""
    for key in keys:
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(app)
        app.post_message(event)


def typed(text: str) -> list[str]:
    return list(text)


def value(screen: RegisterScreen, name: str) -> str:
    return screen.query_one(f"#{name}", Input).value


async def test_a_burst_with_tabs_fills_each_field(desk_services: Services, clerk: Actor) -> None:
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        screen = await open_register(pilot)
        burst(app, [*typed("Maria"), "tab", *typed("Lopez"), "tab", *typed("01-02-1990")])
        await settle(app, pilot)
        assert value(screen, "given_names") == "Maria"
        assert value(screen, "family_name") == "Lopez"
        assert value(screen, "birth_date") == "01-02-1990"
        assert app.focused is screen.query_one("#birth_date", Input)


async def test_a_burst_with_shift_tab_goes_back(desk_services: Services, clerk: Actor) -> None:
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        screen = await open_register(pilot)
        burst(app, ["tab", *typed("Lopez"), "shift+tab", *typed("Maria")])
        await settle(app, pilot)
        assert value(screen, "given_names") == "Maria"
        assert value(screen, "family_name") == "Lopez"


async def test_editing_keys_in_a_burst_act_in_order_on_their_own_field(
    desk_services: Services, clerk: Actor
) -> None:
    """Backspace and Ctrl+U are the field's own keys: in a burst they act where and when
    they were typed, not after the next characters or in the next field."""
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        screen = await open_register(pilot)
        keys = [*"Marja", "backspace", "backspace", *"ia", "tab", *"xyz", "ctrl+u", *"Lopez"]
        burst(app, [*keys, "tab", *"01-02-199O", "backspace", "0", "home", "delete", "0"])
        await settle(app, pilot)
        assert value(screen, "given_names") == "Maria"
        assert value(screen, "family_name") == "Lopez"
        assert value(screen, "birth_date") == "01-02-1990"


async def test_enter_in_a_burst_submits_everything_typed_before_it(
    desk_services: Services, clerk: Actor
) -> None:
    visitor, _ticket = desk_services.queue.register_walk_in(
        clerk, VisitorInput("Ann", "Fictief"), service_code="info"
    )
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        await press(pilot, "f4")
        await press(pilot, "f8")
        assert isinstance(app.screen, OutcomeModal)
        burst(app, [*"housing", "backspace", "g", "enter"])
        await settle(app, pilot)
        assert isinstance(app.screen, DeskScreen)
    [visit] = desk_services.queue.visits(clerk, visitor.id)
    assert (visit.status, visit.outcome) == ("done", "housing")


@pytest.mark.parametrize("steps", [0, 2, 8, 34])
async def test_quitting_while_the_desk_is_still_mounting_is_clean(
    desk_services: Services, clerk: Actor, steps: int
) -> None:
    """Ctrl+Q at any moment of the desk's start: no traceback (a late worker's result or
    a mount step used to look up widgets of a screen already taken down)."""
    from frontdesk.tui.screens.login import LoggedIn

    desk_services.queue.issue(clerk, "info")
    app = make_app(desk_services)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.post_message(LoggedIn(clerk))
        for _ in range(steps):
            await asyncio.sleep(0)
        burst(app, ["ctrl+q"])
        await pilot.pause()
    assert app.return_code in (0, None)
    assert app_exception(app) is None


async def test_a_read_that_ends_after_the_desk_is_gone_is_dropped(
    desk_services: Services, clerk: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The desk's first read of the queue finishes after the desk was taken down (log out
    or quit while it mounts): its result is dropped, not drawn into widgets that are gone."""
    from frontdesk.tui.screens.login import LoggedIn

    desk_services.queue.issue(clerk, "info")
    gate, read = threading.Event(), threading.Event()
    today = desk_services.queue.today

    def held(*args: Any, **kwargs: Any) -> Any:
        gate.wait(10)
        try:
            return today(*args, **kwargs)
        finally:
            read.set()

    monkeypatch.setattr(desk_services.queue, "today", held)
    app = make_app(desk_services)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.post_message(LoggedIn(clerk))
        await until(pilot, lambda: isinstance(app.screen, DeskScreen) and app.screen.is_mounted)
        desk = app.screen
        assert isinstance(desk, DeskScreen) and desk.last_update is None
        app.logout()
        await pilot.pause()
        assert not desk.is_attached
        gate.set()
        await until(pilot, read.is_set)  # the read ends on its own (no worker waits for it)
        await settle(app, pilot)
        assert desk.last_update is None  # dropped, not drawn into the gone screen
        # No "Something went wrong" for a read nobody is waiting for any more.
        assert [type(s).__name__ for s in app.screen_stack] == ["Screen", "LoginScreen"]
    assert app_exception(app) is None


# -- Escape on a form asks before throwing away what was typed ---------------------------
async def test_escape_on_an_empty_register_form_closes_at_once(
    desk_services: Services, clerk: Actor
) -> None:
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        await open_register(pilot)
        await press(pilot, "escape")
        assert isinstance(app.screen, DeskScreen)


async def test_escape_on_a_half_typed_registration_asks_and_keeps_it(
    desk_services: Services, clerk: Actor
) -> None:
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        screen = await open_register(pilot)
        await pilot.press(*"Maria", "tab", *"Lopez", "tab", *"01-02-1990")
        await press(pilot, "escape")
        assert isinstance(app.screen, ConfirmModal)
        assert app.focused is not None and app.focused.id == "no"  # Enter keeps editing
        await press(pilot, "escape")  # keep editing
        assert app.screen is screen
        assert [value(screen, n) for n in ("given_names", "family_name", "birth_date")] == [
            "Maria",
            "Lopez",
            "01-02-1990",
        ]
        assert app.focused is screen.query_one("#birth_date", Input)
        await press(pilot, "enter")  # Enter on the form saves nothing by itself here
        await press(pilot, "escape")
        assert isinstance(app.screen, ConfirmModal)
        await press(pilot, "enter")  # the cursor is on "keep editing"
        assert app.screen is screen
        await press(pilot, "escape", "y")  # discard
        assert isinstance(app.screen, DeskScreen)
    assert desk_services.visitors.search(clerk, "maria") == []


async def test_escape_on_the_outcome_note_asks_too(desk_services: Services, clerk: Actor) -> None:
    desk_services.queue.issue(clerk, "info")
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        await press(pilot, "f4")
        await press(pilot, "f8")
        modal = app.screen
        assert isinstance(modal, OutcomeModal)
        await press(pilot, "escape")  # nothing typed: closes, the visitor stays called
        assert isinstance(app.screen, DeskScreen)
        await press(pilot, "f8")
        modal = app.screen
        await press(pilot, *"referred to housing", "escape")
        assert isinstance(app.screen, ConfirmModal)
        await press(pilot, "escape")
        assert app.screen is modal
        assert modal.query_one("#outcome", Input).value == "referred to housing"


async def test_a_burst_on_the_login_picks_the_name_before_the_pin_is_sent(
    desk_services: Services,
) -> None:
    """Down Down 4444 Enter in one go: the PIN goes with the name the Downs picked (the
    Enter's submit was handled before the Downs, and the PIN went with the first name)."""
    from frontdesk.tui.screens.login import LoginScreen

    add_staff(desk_services, "Anne Aa", "lead", pin="1111")
    add_staff(desk_services, "Bram Bb", "desk", pin="2222")
    add_staff(desk_services, "Chiara Cc", "desk", pin="3333")
    app = make_app(desk_services)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, LoginScreen)
        burst(app, ["down", "down", *"3333", "enter"])
        await settle(app, pilot)
        assert isinstance(app.screen, DeskScreen)
        assert app.actor is not None and app.actor.name == "Chiara Cc"
