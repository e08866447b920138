"""The TUI shell driven with the keys a person presses: first run, login, idle lock, help,
the error modal; and SVG snapshots of the login and the desk shell."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from frontdesk.config import Settings
from frontdesk.demo import DEMO_PINS, DEMO_STAFF
from frontdesk.services import Services
from frontdesk.tui.app import FrontdeskApp
from frontdesk.tui.desk import DeskScreen
from frontdesk.tui.screens.dialogs import ErrorModal, HelpScreen
from frontdesk.tui.screens.login import FirstRunScreen, LockScreen, LoginScreen
from frontdesk.tui.widgets.field import Field
from tests.conftest import TEST_PIN, add_staff
from tests.helpers import enter_pin, help_rows, in_a_fresh_python, press, settle

SIZE = (120, 35)


def make_app(services: Services, **settings: Any) -> FrontdeskApp:
    demo_pins = settings.pop("demo_pins", None)
    return FrontdeskApp(services, Settings(db_url=services.db.url, **settings), demo_pins=demo_pins)


async def type_text(pilot: Pilot[Any], text: str) -> None:
    await pilot.press(*["space" if c == " " else c for c in text])


def field_error(app: FrontdeskApp, name: str) -> str:
    field = app.screen.query_one(f"#field-{name}", Field)
    return str(field.query_one(".field-error, .field-hint", Static).content)


def screen_text(app: FrontdeskApp) -> str:
    """What the terminal shows, as plain text (spaces as the SVG writes them)."""
    return app.export_screenshot().replace("&#160;", " ")


# -- first run ----------------------------------------------------------------------------
async def test_first_run_creates_the_lead_and_lands_on_the_desk(desk_services: Services) -> None:
    app = make_app(desk_services)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, FirstRunScreen)
        assert app.focused is not None and app.focused.id == "name"
        await type_text(pilot, "Anne de Vries")
        await pilot.press("enter")
        assert app.focused is not None and app.focused.id == "pin"
        await type_text(pilot, "135790")
        await pilot.press("enter")
        await type_text(pilot, "135790")
        await press(pilot, "enter")
        assert isinstance(app.screen, DeskScreen)
        assert app.current_mode == "desk"
        assert app.actor is not None
        assert (app.actor.name, app.actor.role) == ("Anne de Vries", "lead")
        assert "Anne de Vries" in screen_text(app)
    assert not desk_services.staff.needs_first_lead()


async def test_first_run_with_pins_that_differ_saves_nothing(desk_services: Services) -> None:
    app = make_app(desk_services)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_text(pilot, "Anne de Vries")
        await pilot.press("enter")
        await type_text(pilot, "135790")
        await pilot.press("enter")
        await type_text(pilot, "135791")
        await press(pilot, "enter")
        assert isinstance(app.screen, FirstRunScreen)
        assert "not the same" in field_error(app, "pin_repeat")
        assert app.screen.query_one("#field-pin_repeat").has_class("-invalid")
        # What was typed is still there; nothing was saved.
        assert app.screen.query_one("#name", Input).value == "Anne de Vries"
        assert app.actor is None
        # An empty name is refused beside the name field.
        app.screen.query_one("#name", Input).value = "   "
        await press(pilot, "ctrl+s")
        assert "required" in field_error(app, "name")
        assert field_error(app, "pin_repeat") == ""
    assert desk_services.staff.needs_first_lead()


# -- login --------------------------------------------------------------------------------
async def test_login_with_wrong_then_right_pin(desk_services: Services) -> None:
    add_staff(desk_services, "Anne de Vries", "lead")
    add_staff(desk_services, "Bram Jansen", "desk")
    app = make_app(desk_services, staff="bram jansen")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        assert app.focused is not None and app.focused.id == "pin"
        names = app.screen.query_one("#names", OptionList)
        assert names.highlighted == 1  # --staff preselects Bram
        await type_text(pilot, "9999")
        await press(pilot, "enter")
        assert isinstance(app.screen, LoginScreen)
        assert "Wrong PIN" in field_error(app, "pin")
        assert app.screen.query_one("#pin", Input).value == ""
        assert app.focused is not None and app.focused.id == "pin"
        assert app.actor is None
        await type_text(pilot, TEST_PIN)
        await press(pilot, "enter")
        assert isinstance(app.screen, DeskScreen)
        assert app.actor is not None and app.actor.name == "Bram Jansen"
        assert app.actor.desk == 1


async def test_pick_another_name_with_the_keys(desk_services: Services) -> None:
    add_staff(desk_services, "Anne de Vries", "lead")
    add_staff(desk_services, "Daan Bakker", "intern")
    app = make_app(desk_services)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n", "down", "enter")
        assert app.focused is not None and app.focused.id == "pin"
        await type_text(pilot, TEST_PIN)
        await press(pilot, "enter")
        assert app.actor is not None and app.actor.name == "Daan Bakker"
        # Interns start on the referral list: the desk is not theirs.
        assert app.current_mode == "referrals"
        await pilot.press("alt+1")
        await pilot.pause()
        assert app.current_mode == "referrals"


async def test_up_and_down_in_the_pin_field_pick_the_name(desk_services: Services) -> None:
    add_staff(desk_services, "Anne de Vries", "lead")
    add_staff(desk_services, "Daan Bakker", "intern")
    app = make_app(desk_services)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.focused is not None and app.focused.id == "pin"
        await pilot.press("down", "down", "up")
        assert app.focused is not None and app.focused.id == "pin", "the PIN keeps the cursor"
        await type_text(pilot, TEST_PIN)
        await press(pilot, "enter")
        assert app.actor is not None and app.actor.name == "Daan Bakker"


# -- idle lock ----------------------------------------------------------------------------
async def test_idle_lock_hides_the_work_and_returns_to_it(desk_services: Services) -> None:
    add_staff(desk_services, "Bram Jansen", "desk")
    app = make_app(desk_services, idle_lock_minutes=0.5)
    async with app.run_test(size=SIZE) as pilot:
        await enter_pin(pilot)
        desk = app.screen
        assert isinstance(desk, DeskScreen)
        assert "Call next" in screen_text(app)
        # Not idle long enough: nothing happens.
        app.lock_if_idle(idle=20)
        await pilot.pause()
        assert app.screen is desk
        # Idle for longer than the setting: the lock screen covers everything.
        app.lock_if_idle(idle=31)
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)
        assert app.locked
        text = screen_text(app)
        assert "Call next" not in text
        assert "Bram Jansen, type your PIN" in text
        # Keys that would move to another screen do nothing while locked.
        await pilot.press("alt+2")
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        # A wrong PIN keeps it locked.
        await type_text(pilot, "9999")
        await press(pilot, "enter")
        assert isinstance(app.screen, LockScreen)
        assert "Wrong PIN" in field_error(app, "pin")
        # The right PIN returns to the very same screen: nothing is lost.
        await type_text(pilot, TEST_PIN)
        await press(pilot, "enter")
        assert app.screen is desk
        assert not app.locked
        assert app.actor is not None and app.actor.name == "Bram Jansen"
        assert "Call next" in screen_text(app)
    entries = desk_services.audit.recent(
        add_staff(desk_services, "Lea Lead", "lead"), action="unlock"
    )
    assert [e.result for e in entries] == ["ok", "wrong_pin"]


async def test_lock_then_log_out_starts_clean(desk_services: Services) -> None:
    add_staff(desk_services, "Anne de Vries", "lead")
    add_staff(desk_services, "Bram Jansen", "desk")
    app = make_app(desk_services)
    async with app.run_test(size=SIZE) as pilot:
        await enter_pin(pilot)
        assert app.actor is not None and app.actor.name == "Anne de Vries"
        await pilot.press("alt+5")
        await pilot.pause()
        assert app.current_mode == "lead"
        lead_screen = app.screen
        await press(pilot, "ctrl+l")  # lock now
        assert isinstance(app.screen, LockScreen)
        await press(pilot, "ctrl+l")  # on the lock screen: log out
        assert isinstance(app.screen, LoginScreen)
        assert app.actor is None
        assert not app.locked
        # Only one login screen: logging out does not pile them up.
        assert sum(isinstance(s, LoginScreen) for s in app.screen_stack) == 1
        await pilot.press("ctrl+n", "down", "enter")
        await type_text(pilot, TEST_PIN)
        await press(pilot, "enter")
        assert app.actor is not None and app.actor.name == "Bram Jansen"
        assert isinstance(app.screen, DeskScreen)
        # The lead screen of the previous person is gone, and not open to a desk clerk.
        await pilot.press("alt+5")
        await pilot.pause()
        assert app.current_mode == "desk"
        app.actor = None  # log out again through the palette's action
        app.logout()
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        await enter_pin(pilot)
        assert app.actor is not None and app.actor.name == "Anne de Vries"
        await pilot.press("alt+5")
        await pilot.pause()
        assert app.current_mode == "lead"
        assert app.screen is not lead_screen


async def test_after_a_logout_the_login_highlights_who_left(desk_services: Services) -> None:
    """Issue 19: the list went back to the first name; a colleague then typed their PIN
    against the wrong account."""
    add_staff(desk_services, "Anne de Vries", "lead")
    bram = add_staff(desk_services, "Bram Jansen", "desk")
    add_staff(desk_services, "Chiara Rossi", "desk")
    app = make_app(desk_services)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down")  # Bram
        await type_text(pilot, TEST_PIN)
        await press(pilot, "enter")
        assert app.actor is not None and app.actor.name == "Bram Jansen"
        await press(pilot, "ctrl+l")  # lock, then log out from the lock screen
        await press(pilot, "ctrl+l")
        assert isinstance(app.screen, LoginScreen)
        names = app.screen.query_one("#names", OptionList)
        assert names.highlighted is not None
        assert names.get_option_at_index(names.highlighted).id == str(bram.staff_id)


# -- help ---------------------------------------------------------------------------------
async def test_f1_lists_the_keys_of_the_current_screen(desk_services: Services) -> None:
    add_staff(desk_services, "Bram Jansen", "desk")
    app = make_app(desk_services)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = help_rows(app)
        assert ("^n", "Pick name") in rows or ("ctrl+n", "Pick name") in rows
        assert any(label == "Help" for _, label in rows)
        login_labels = {label for _, label in rows}
        assert "Move cursor left" not in login_labels  # the PIN field's editing keys
        assert "Lock" not in login_labels  # nobody to lock before login
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        await type_text(pilot, TEST_PIN)
        await press(pilot, "enter")
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "Keys: Desk" in screen_text(app)
        labels = {label for _, label in help_rows(app)}
        assert {"Help", "Lock", "Quit", "Desk", "Appointments", "Lead"} <= labels
        assert "Pick name" not in labels
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, DeskScreen)


# -- errors -------------------------------------------------------------------------------
async def test_an_unexpected_database_error_opens_the_error_modal(
    desk_services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_staff(desk_services, "Bram Jansen", "desk")

    def broken(*args: object, **kwargs: object) -> None:
        raise OperationalError("SELECT 1", {}, Exception("disk I/O error: Emily Carter"))

    app = make_app(desk_services)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with monkeypatch.context() as patch:
            patch.setattr(desk_services.staff, "login", broken)
            await type_text(pilot, TEST_PIN)
            await press(pilot, "enter")
            assert isinstance(app.screen, ErrorModal)
            text = screen_text(app)
            assert "Something went wrong" in text
            assert "OperationalError" in text
            assert "Emily Carter" not in text  # the database's words may hold personal data
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        assert app.is_running
        # It works again once the database answers.
        app.screen.query_one("#pin", Input).value = ""
        await type_text(pilot, TEST_PIN)
        await press(pilot, "enter")
        assert isinstance(app.screen, DeskScreen)


# -- snapshots ----------------------------------------------------------------------------
def _demo_staff(services: Services) -> None:
    for name, role, pin in DEMO_STAFF:
        add_staff(services, name, role, pin)


def test_snapshot_login_in_demo_mode(snap_compare: Any, desk_services: Services) -> None:
    _demo_staff(desk_services)
    app = make_app(desk_services, demo_pins=DEMO_PINS, desk=2)
    assert snap_compare(app, terminal_size=SIZE, run_before=settle)


def test_snapshot_desk_shell(snap_compare: Any, desk_services: Services) -> None:
    _demo_staff(desk_services)
    app = make_app(desk_services, demo_pins=DEMO_PINS, desk=2)

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("ctrl+n", "down", "enter")
        await enter_pin(pilot, "2222")
        assert isinstance(pilot.app.screen, DeskScreen)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


# -- moving between screens -----------------------------------------------------------------
async def test_ctrl_g_opens_the_screens_this_role_may_use(desk_services: Services) -> None:
    add_staff(desk_services, "Lea Lead", "lead")
    app = make_app(desk_services)
    async with app.run_test(size=SIZE) as pilot:
        await enter_pin(pilot)
        assert app.current_mode == "desk"
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert "Welcome packs" in screen_text(app)
        await press(pilot, "4")
        assert app.current_mode == "packs"
        await pilot.press("ctrl+g", "escape")
        await pilot.pause()
        assert app.current_mode == "packs"
        await press(pilot, "ctrl+g", "down", "enter")  # the next one down: the lead's screen
        assert app.current_mode == "lead"


async def test_an_intern_is_offered_the_referrals_only(desk_services: Services) -> None:
    add_staff(desk_services, "Iris Intern", "intern")
    app = make_app(desk_services)
    async with app.run_test(size=SIZE) as pilot:
        await enter_pin(pilot)
        assert app.current_mode == "referrals"
        await pilot.press("ctrl+g")
        await pilot.pause()
        menu = app.screen.query_one(OptionList)
        offered = [menu.get_option_at_index(i).id for i in range(menu.option_count)]
        assert offered == ["referrals"]
        await pilot.press("2")  # there is no second screen for an intern
        await pilot.pause()
        await press(pilot, "escape")
        assert app.current_mode == "referrals"


def test_a_start_does_not_import_the_screens_it_does_not_show(tmp_path: Any) -> None:
    # The desk is what a start shows; the other screens and their services (appointments,
    # referrals, reports, the lead's charts) are imported when first opened.
    url = f"sqlite:///{tmp_path / 'lazy.sqlite3'}"
    code = (
        "import sys\n"
        "from frontdesk.config import Settings\n"
        "from frontdesk.services import Services\n"
        "from frontdesk.tui.app import FrontdeskApp\n"
        "from frontdesk.tui.screens.login import LoginScreen\n"
        "from frontdesk.tui.desk.screen import DeskScreen\n"
        f"settings = Settings(db_url={url!r})\n"
        "services = Services.open(settings)\n"
        "FrontdeskApp(services, settings)\n"
        "lazy = ['frontdesk.services.appointments', 'frontdesk.services.referrals',\n"
        "        'frontdesk.services.reports', 'frontdesk.services.privacy',\n"
        "        'frontdesk.tui.lead', 'frontdesk.tui.appointments',\n"
        "        'frontdesk.tui.referrals', 'frontdesk.tui.privacy']\n"
        "loaded = [name for name in lazy if name in sys.modules]\n"
        "assert not loaded, loaded\n"
        "assert services.reports is services.reports\n"
        "names = [h.name for h in services.privacy.holders]\n"
        "assert names[-3:] == ['appointments', 'referrals', 'packs'], names\n"
    )
    in_a_fresh_python(code)
