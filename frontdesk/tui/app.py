"""The frontdesk App: login, the working screens as modes, keys, theme, idle lock, errors."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on, work
from textual.actions import SkipAction
from textual.app import App, SystemCommand, UnknownModeError
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.theme import Theme
from textual.widgets import Input

from frontdesk.config import Settings
from frontdesk.services import Actor, FrontdeskError
from frontdesk.services.auth import allowed
from frontdesk.tui.actions import labelled
from frontdesk.tui.collector import collect_if_idle
from frontdesk.tui.paths import stylesheet
from frontdesk.tui.screens.base import (
    WorkScreen,
)
from frontdesk.tui.screens.login import FirstRunScreen, LockScreen, LoggedIn, LoginScreen
from frontdesk.tui.textual_compat import (
    bindings_for_key,
    read_stylesheets_ahead,
    run_key_bindings,
    start_with_theme,
    style_as_current,
)
from frontdesk.tui.work import DEFAULT_RETRY, RetryPolicy, run_service

if TYPE_CHECKING:
    from frontdesk.services import Services
    from frontdesk.services.staff import StaffInfo

FRONTDESK_THEME = Theme(
    name="frontdesk",
    primary="#2E86AB",
    secondary="#7A9E7E",
    accent="#F6AE2D",
    warning="#F6AE2D",
    error="#E4572E",
    success="#59A96A",
    foreground="#E8EEF2",
    background="#14202B",
    surface="#1B2B38",
    panel="#233746",
    dark=True,
)

LOGIN_MODE = "login"


# Every working screen (and the services it uses) is imported when first opened; the
# desk's in the thread that opens the database while the first PIN is typed.
def _desk_screen() -> Screen[Any]:
    from frontdesk.tui.desk import DeskScreen

    return DeskScreen()


def _appointments_screen() -> Screen[Any]:
    from frontdesk.tui.appointments import AppointmentsScreen

    return AppointmentsScreen()


def _referrals_screen() -> Screen[Any]:
    from frontdesk.tui.referrals import ReferralsScreen

    return ReferralsScreen()


def _packs_screen() -> Screen[Any]:
    from frontdesk.tui.packs import PacksScreen

    return PacksScreen()


def _lead_screen() -> Screen[Any]:
    from frontdesk.tui.lead import LeadScreen

    return LeadScreen()


# Which roles may open which working screen, and the order they appear in.
MODE_ROLES: dict[str, frozenset[str]] = {
    "desk": frozenset({"lead", "desk"}),
    "appointments": frozenset({"lead", "desk"}),
    "referrals": frozenset({"lead", "desk", "intern"}),
    "packs": frozenset({"lead", "desk"}),
    "lead": frozenset({"lead"}),
}
# Each working screen is a mode; its screen is made when first opened.
WORK_MODES: dict[str, Callable[[], Screen[Any]]] = {
    "desk": _desk_screen,
    "appointments": _appointments_screen,
    "referrals": _referrals_screen,
    "packs": _packs_screen,
    "lead": _lead_screen,
}
MODE_TITLES = {
    "desk": "Desk",
    "appointments": "Appointments",
    "referrals": "Referrals",
    "packs": "Welcome packs",
    "lead": "Team lead",
}


def _home(actor: Actor) -> str:
    """The screen a log-in opens."""
    return "desk" if actor.role in MODE_ROLES["desk"] else "referrals"


def _login_state(services: Services) -> tuple[bool, list[StaffInfo]]:
    """Is this a new database (no team lead yet), and who may log in."""
    staff = services.staff
    return staff.needs_first_lead(), staff.active_staff()


class FrontdeskApp(App[None]):
    TITLE = "frontdesk"
    CSS_PATH: ClassVar = [stylesheet("app.tcss"), stylesheet("login.tcss")]
    # Read once the login screen is drawn, while the PIN is typed (see ``on_mount``): a
    # screen's own stylesheet read when the screen is first shown re-parses every source.
    AHEAD_CSS: ClassVar = [stylesheet("desk.tcss")]
    # Every screen gets a class for its size; styles/*.tcss fit the layout to 80x24 and use
    # the room at large sizes (e.g. ``DeskScreen.-narrow #current``).
    HORIZONTAL_BREAKPOINTS = [
        (0, "-narrow"),
        (100, "-medium"),
        (140, "-wide"),
    ]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "Help", id="help", tooltip="Every key of this screen"),
        Binding(
            "alt+1",
            "go('desk')",
            "Desk",
            id="go_desk",
            show=False,
            tooltip="Today's queue and the current visitor",
        ),
        Binding(
            "alt+2",
            "go('appointments')",
            "Appointments",
            id="go_appointments",
            show=False,
            tooltip="The BSN appointment book",
        ),
        Binding(
            "alt+3",
            "go('referrals')",
            "Referrals",
            id="go_referrals",
            show=False,
            tooltip="The referral worklist",
        ),
        Binding(
            "alt+4", "go('packs')", "Packs", id="go_packs", show=False, tooltip="Welcome-pack stock"
        ),
        Binding(
            "alt+5",
            "go('lead')",
            "Lead",
            id="go_lead",
            show=False,
            tooltip="The team lead's dashboard and reports",
        ),
        Binding(
            "ctrl+g",
            "go_menu",
            "Go to",
            id="go_menu",
            tooltip="Open another screen by its number in the menu",
        ),
        Binding("ctrl+l", "lock", "Lock", id="lock", tooltip="Lock the screen now"),
        Binding(
            "f12",
            "privacy",
            "Privacy",
            id="privacy",
            tooltip="Hide every name and personal detail on the screen until F12 again",
            priority=True,  # works over dialogs (modal screens) too
        ),
        Binding("ctrl+q", "quit", "Quit", id="quit", tooltip="Quit frontdesk"),
        # Tab moves the focus here, before the next key is handed on: a burst of keys
        # ("Maria<Tab>Lopez" from tmux, a paste or a scanner) is all queued before any is
        # handled, and Textual's own Tab binding only runs once the key has bubbled up from
        # the field, after the next keys were already given to the same field.
        Binding(
            "tab",
            "move_focus(1)",
            "Next field",
            id="focus_next",
            show=False,
            priority=True,
            tooltip="Move to the next field or button",
        ),
        Binding(
            "shift+tab",
            "move_focus(-1)",
            "Previous field",
            id="focus_previous",
            show=False,
            priority=True,
            tooltip="Move back to the previous field or button",
        ),
    ]

    services: Services  # set once the database is open (see ``opened``)

    def __init__(
        self,
        services: Services | Callable[[], Services],
        settings: Settings,
        *,
        demo_pins: dict[str, str] | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
    ) -> None:
        """``services``: open ones, or how to open them. Given the latter, the login screen
        is painted first and the database is opened (SQLAlchemy imported, migrations
        checked, past days closed, the desk's modules imported) in a thread while the PIN
        is typed; a failure to open ends the app with ``open_error`` set."""
        super().__init__()
        self._opener: Callable[[], Services] | None = None
        if callable(services):
            self._opener = services
        else:
            self.services = services
        self.open_error: Exception | None = None
        self.settings = settings
        self.demo_pins = demo_pins or {}
        self.retry = retry
        self.actor: Actor | None = None
        # The first read done in the log-in's thread, for whom (see ``first_read``).
        self._first_read: tuple[Actor, object | None] | None = None
        # Who logged out last: the login list highlights them (not the first name).
        self.last_name: str | None = None
        self.locked = False
        self._last_input = time.monotonic()
        self.register_theme(FRONTDESK_THEME)
        start_with_theme(self, FRONTDESK_THEME.name)
        for mode, make in WORK_MODES.items():
            self.add_mode(mode, self._fresh(make))
        self.sub_title = f"Desk {settings.desk}"

    # -- start-up and login ----------------------------------------------------------
    def on_mount(self) -> None:
        if self.settings.keymap:
            self.set_keymap(dict(self.settings.keymap))
        self.set_interval(5, self.lock_if_idle)
        self._start_login()
        if not self.opened:
            self.call_after_refresh(self._open)  # after the first paint, not during it
        self.call_after_refresh(read_stylesheets_ahead, self, self.AHEAD_CSS)

    @property
    def opened(self) -> bool:
        """The database is open and ``services`` set."""
        return self._opener is None

    def _start_login(self) -> None:
        """Switch to a fresh login mode (a blank screen under the login screens) and ask
        who is there. Textual cannot switch back to its "_default" mode, so the login gets
        a mode of its own, made anew for each login and dropped once someone is in."""
        self.add_mode(LOGIN_MODE, self._fresh(Screen))
        self.switch_mode(LOGIN_MODE)
        if self.opened:
            run_service(self, lambda: _login_state(self.services), done=self._show_login)
        else:  # the names follow once the database is open (_opened)
            self.push_screen(
                LoginScreen(None, self.last_name or self.settings.staff, self.demo_pins)
            )

    @work(thread=True, exit_on_error=False, group="open")
    def _open(self) -> None:
        opener = self._opener
        assert opener is not None
        try:
            services = opener()
            state = _login_state(services)
            import frontdesk.tui.desk  # noqa: F401  (what the first login shows)
        except Exception as exc:  # shown by the CLI once the app has ended, as before
            self.call_from_thread(self._open_failed, exc)
            return
        self.call_from_thread(self._opened, services, state)

    def _opened(self, services: Services, state: tuple[bool, list[StaffInfo]]) -> None:
        self.services = services
        self._opener = None
        first_run, staff = state
        if first_run:
            while len(self.screen_stack) > 1:
                self.pop_screen()
            self.push_screen(FirstRunScreen())
            return
        for screen in self.screen_stack:
            if isinstance(screen, LoginScreen):
                screen.show_staff(staff)

    def _open_failed(self, error: Exception) -> None:
        self.open_error = error
        self.call_after_refresh(self.exit, return_code=2)  # once the login screen is up

    def _show_login(self, state: tuple[bool, list[StaffInfo]]) -> None:
        first_run, staff = state
        if first_run:
            self.push_screen(FirstRunScreen())
        else:
            preselect = self.last_name or self.settings.staff
            self.push_screen(LoginScreen(staff, preselect, self.demo_pins))

    def _fresh(self, make: Callable[[], Screen[Any]]) -> Callable[[], Screen[Any]]:
        """A mode's screen made now is styled with the current CSS when it mounts. Textual
        marks every new screen as having missed CSS changes, so each new mode re-parsed the
        whole stylesheet and re-styled every widget twice (refresh_css, meant for a screen
        that was there when the theme changed), a visible share of a start. A theme change after
        this still refreshes every screen (App._watch_theme schedules refresh_css).

        Its stylesheets are read into the App's here, before Textual shows it: for a file
        it has not read, Textual re-parses every stylesheet and restyles every widget of
        every screen (the desk's too). Read here, only the new file is parsed, and its
        rules (which name this screen's widgets and its dialogs) reach what is styled from
        now on: this screen and the dialogs it opens."""

        def made() -> Screen[Any]:
            screen = make()
            for path in screen.css_path:
                if not self.stylesheet.has_source(str(path)):
                    self.stylesheet.read(path)
            style_as_current(screen, self)
            return screen

        return made

    def first_read(self, actor: Actor) -> object | None:
        """In the log-in's thread, right after the PIN is checked: the first read of the
        screen this person starts on (the desk's queue), so it is drawn from data already
        read instead of reading once it is built. None when that screen reads for itself
        (other roles; the desk also reads itself if this read failed)."""
        if _home(actor) != "desk":
            return None
        from frontdesk.tui.desk.reads import first_read

        try:
            return first_read(self.services, actor, int(self.settings.desk))
        except Exception:  # the desk's own read shows what went wrong, as without this
            return None

    def take_first_read(self, actor: Actor | None) -> object | None:
        """What ``first_read`` read for ``actor``'s log-in (once), or None."""
        ahead, self._first_read = self._first_read, None
        if ahead is None or actor is None or ahead[0] != actor:
            return None
        return ahead[1]

    @on(LoggedIn)
    def _logged_in(self, message: LoggedIn) -> None:
        self.actor = message.actor
        self._first_read = (message.actor, message.first_read)
        self._last_input = time.monotonic()
        self.sub_title = f"Desk {self.settings.desk} · {message.actor.name}"
        self.switch_mode(_home(message.actor))
        if self.current_mode != LOGIN_MODE:
            self.remove_mode(LOGIN_MODE)

    def logout(self) -> None:
        if self.actor is not None:
            self.last_name = self.actor.name
        self.actor = None
        self.locked = False
        self.sub_title = f"Desk {self.settings.desk}"
        if self.current_mode == LOGIN_MODE:
            return
        self._start_login()
        # Drop the working screens so the next person starts clean; data stays in the DB.
        for mode in MODE_ROLES:
            with contextlib.suppress(UnknownModeError):
                self.remove_mode(mode)
            self.add_mode(mode, self._fresh(WORK_MODES[mode]))

    # -- idle lock -------------------------------------------------------------------
    async def on_event(self, event: events.Event) -> None:
        if isinstance(
            event, (events.Key, events.MouseDown, events.MouseScrollDown, events.MouseScrollUp)
        ):
            self._last_input = time.monotonic()
        forwarded = getattr(event, "is_forwarded", True)
        if isinstance(event, events.Key) and not forwarded and await self._key_for_field(event):
            return
        await super().on_event(event)

    async def _key_for_field(self, event: events.Key) -> bool:
        """A text field's own editing key (Backspace, Delete, Ctrl+U, arrows, Enter...) runs
        in the field's queue, in order with the characters queued before it.

        Textual hands a key to the focused field and runs the field's key bindings only
        once the key has bubbled up to the App. In a burst (tmux, a paste, a scanner) the
        characters after it were inserted first, and a Tab (which moves the focus at once)
        sent the key to the next field: "Marja<BS>ia<Tab>" did not give "Maria". Priority
        keys (the App's Tab, F12) still come first, as in Textual. Keys the field does not
        bind (Ctrl+S, F-keys) take Textual's way unchanged."""
        focused = self.focused
        if not isinstance(focused, Input) or event.is_printable:
            return False
        key = event.key
        bindings = bindings_for_key(focused, key)
        if not bindings:
            return False
        self.app_focus = True
        if await run_key_bindings(self, key, priority=True):
            return True

        async def in_order() -> None:
            for binding in bindings:
                if await self.run_action(binding.action, focused):
                    return
            await run_key_bindings(self, key)  # the field passed it on: the screen's keys

        focused.call_later(in_order)
        return True

    def lock_if_idle(self, idle: float | None = None) -> None:
        """Lock the screen once nobody has typed or clicked for ``idle_lock_minutes`` (runs
        every 5 seconds); ``idle`` overrides the seconds counted since the last key or click."""
        if idle is None:
            idle = time.monotonic() - self._last_input
        if self.actor and not self.locked and idle >= self.settings.idle_lock_minutes * 60:
            self.action_lock()
        collect_if_idle(idle)

    def action_lock(self) -> None:
        if self.actor is None or self.locked:
            return
        self.locked = True

        def unlocked(actor: Actor | None) -> None:
            self.locked = False
            self._last_input = time.monotonic()
            if actor is None:
                self.logout()

        self.push_screen(LockScreen(self.actor), unlocked)

    def action_move_focus(self, direction: int) -> None:
        """Tab / Shift+Tab. A text area that indents on Tab keeps the key; a screen may
        claim it first (``tab_pressed``, e.g. the register form takes the highlighted
        country); otherwise the focus moves now, so the next key queued goes to the new
        field."""
        focused = self.screen.focused
        # (TextArea is not imported for this: it is not needed to start.)
        if getattr(focused, "tab_behavior", None) == "indent" and not getattr(
            focused, "read_only", True
        ):
            raise SkipAction()
        claim = getattr(self.screen, "tab_pressed", None)
        if callable(claim) and claim(direction):
            return
        if direction < 0:
            self.screen.focus_previous()
        else:
            self.screen.focus_next()

    def action_privacy(self) -> None:
        from frontdesk.tui.privacy import toggle_curtain

        toggle_curtain(self)

    # -- moving between screens ------------------------------------------------------
    def may_open(self, mode: str) -> bool:
        return self.actor is not None and self.actor.role in MODE_ROLES.get(mode, frozenset())

    def action_go(self, mode: str) -> None:
        if self.locked or self.actor is None:
            return
        if not self.may_open(mode):
            self.notify(
                f"The {MODE_TITLES[mode]} screen is not open to your role.", severity="warning"
            )
            return
        self.switch_mode(mode)

    def action_go_menu(self) -> None:
        """Ctrl+G: a small menu of the screens this role may open (Alt+digit is not
        delivered by every terminal or by tmux; Ctrl+G is)."""
        from frontdesk.tui.screens.dialogs import GoToModal

        if self.actor is None or self.locked or isinstance(self.screen, GoToModal):
            return
        choices = [(mode, MODE_TITLES[mode]) for mode in MODE_TITLES if self.may_open(mode)]

        def chosen(mode: str | None) -> None:
            if mode:
                self.action_go(mode)

        self.push_screen(GoToModal(choices, self.current_mode), chosen)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Moving between screens and locking mean nothing before someone has logged in.
        return not (action in ("go", "go_menu", "lock") and (self.actor is None or self.locked))

    def _import_commands(self) -> Iterable[SystemCommand]:
        from frontdesk.tui.screens.import_dialog import ImportModal

        role = self.actor.role if self.actor else ""
        if allowed(role, "appointment.book"):
            yield SystemCommand(
                "Import appointments (CSV)",
                "Appointments from the booking system's file; dry run first",
                lambda: self.push_screen(ImportModal("appointments")),
            )
        if allowed(role, "partner.edit"):
            yield SystemCommand(
                "Import partners (CSV)",
                "Add or update partners from a file; dry run first",
                lambda: self.push_screen(ImportModal("partners")),
            )

    def action_help(self) -> None:
        from frontdesk.tui.screens.dialogs import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        if self.actor is not None and not self.locked:
            from frontdesk.tui.packs import show_low_stock
            from frontdesk.tui.privacy import privacy_commands

            for mode, title in MODE_TITLES.items():
                if self.may_open(mode):
                    yield SystemCommand(
                        f"Go to: {title}",
                        f"Open the {title} screen",
                        lambda m=mode: self.action_go(m),
                    )
            if self.may_open("packs"):
                yield SystemCommand(
                    "Welcome packs: low stock",
                    "Which pack kinds are at or below their reorder level",
                    lambda: show_low_stock(self),
                )
            yield SystemCommand(
                "Lock the screen", "Hide everything until your PIN is typed", self.action_lock
            )
            yield SystemCommand("Log out", "Log out so someone else can log in", self.logout)
            if isinstance(screen, WorkScreen):
                yield from screen.commands()
            yield from self._import_commands()
            yield from privacy_commands(self)
        yield SystemCommand(
            "Help: keys", labelled(self, "Every key of this screen", "help"), self.action_help
        )
        yield SystemCommand("Quit", "Quit frontdesk", self.action_quit)

    # -- problems ----------------------------------------------------------------------
    def show_refusal(self, error: FrontdeskError) -> None:
        """A service said no (wrong input, not allowed, someone was faster): tell the user."""
        self.notify(error.message, severity="warning", timeout=6)

    def show_error(self, title: str, message: str) -> None:
        from frontdesk.tui.screens.dialogs import ErrorModal

        self.push_screen(ErrorModal(title, message))

    def database_waiting(self, waiting: bool, back: bool = True) -> None:
        """A service call is retrying because the database is busy or gone (or is back)."""
        self._db_waiting = max(0, getattr(self, "_db_waiting", 0) + (1 if waiting else -1))
        if waiting and self._db_waiting == 1:
            self.notify(
                "Retrying; nothing you typed is lost.",
                title="Database not reachable",
                severity="error",
                timeout=3600,
            )
        elif not waiting and self._db_waiting == 0:
            self.clear_notifications()
            if back:
                self.notify("The database answers again.", title="Database back", timeout=4)

    def show_unexpected(self, error: BaseException) -> None:
        # Only the type is logged: a database message can carry the values of a row.
        self.log.error(f"service call failed: {type(error).__name__}")
        self.show_error(
            "Something went wrong",
            "The database did not answer as expected, so this action was not completed. "
            "Nothing you typed is lost: try again in a moment. If it keeps happening, tell "
            f"the team lead.\n\n({type(error).__name__})",
        )
