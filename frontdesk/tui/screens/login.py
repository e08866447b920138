"""Logging in: the first-run team lead, the PIN login, and the idle lock."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from frontdesk.services import Actor, FrontdeskError, ValidationError
from frontdesk.tui.base import FrontdeskModal, FrontdeskScreen
from frontdesk.tui.widgets.field import Field, show_field_errors
from frontdesk.tui.widgets.footer import CoalescingFooter
from frontdesk.tui.work import run_service

if TYPE_CHECKING:
    from frontdesk.services.staff import StaffInfo


@dataclass
class LoggedIn(Message):
    """Someone typed the right PIN."""

    actor: Actor
    # The first read of the screen they start on, done in the log-in's thread (or None).
    first_read: object | None = None


class FirstRunScreen(FrontdeskScreen[None]):
    """A new database has no staff yet: create the team-lead account."""

    HELP_TITLE = "Create the team-lead account"
    BINDINGS = [
        Binding(
            "ctrl+s",
            "save",
            "Create account",
            id="save",
            tooltip="Create the team-lead account and log in",
        )
    ]

    # The name field takes the keys as the screen opens (Textual focuses it once mounted,
    # and never fails on a screen that is already closing).
    AUTO_FOCUS = "#name"

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="login-box"):
            yield Label("Welcome to frontdesk", id="login-title")
            yield Static(
                "This database has no staff yet. Create the team-lead account; the team "
                "lead adds the other staff later.",
                id="login-intro",
            )
            yield Field("Your name", Input(id="name", max_length=100), name="name")
            yield Field(
                "PIN (4 to 12 digits)", Input(id="pin", password=True, max_length=12), name="pin"
            )
            yield Field(
                "PIN again", Input(id="pin_repeat", password=True, max_length=12), name="pin_repeat"
            )
            yield Button("Create account and log in", variant="primary", id="create")
        yield CoalescingFooter()

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        if event.input.id == "pin_repeat":
            self.action_save()
        else:
            self.focus_next()

    @on(Button.Pressed, "#create")
    def action_save(self) -> None:
        name = self.query_one("#name", Input).value
        pin = self.query_one("#pin", Input).value
        repeat = self.query_one("#pin_repeat", Input).value
        staff = self.services.staff
        desk = self.settings.desk
        run_service(
            self,
            lambda: staff.create_first_lead(name, pin, repeat, desk=desk),
            done=lambda actor: self.post_message(LoggedIn(actor)),
            failed=self._failed,
        )

    def _failed(self, error: FrontdeskError) -> None:
        field = error.field if isinstance(error, ValidationError) else "name"
        show_field_errors(self, field, error.message)


class LoginScreen(FrontdeskScreen[None]):
    """Pick your name, type your PIN. The PIN field has the focus."""

    HELP_TITLE = "Log in"
    BINDINGS = [
        Binding(
            "ctrl+n",
            "focus_names",
            "Pick name",
            id="pick_name",
            tooltip="Move to the list of names",
        ),
        Binding(
            "down",
            "move_name(1)",
            "Next name",
            id="next_name",
            show=False,
            tooltip="Pick the next name without leaving the PIN",
        ),
        Binding(
            "up",
            "move_name(-1)",
            "Previous name",
            id="previous_name",
            show=False,
            tooltip="Pick the previous name without leaving the PIN",
        ),
    ]

    def __init__(
        self, staff: list[StaffInfo] | None, preselect: str | None, demo_pins: dict[str, str]
    ):
        """``staff`` None: the database is still opening; ``show_staff`` brings the names
        (a PIN typed and Enter pressed before that logs in once they are there)."""
        super().__init__()
        self.staff = staff or []
        self.opening = staff is None
        self.preselect = preselect
        self.demo_pins = demo_pins
        self._submit_when_open = False

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="login-box"):
            yield Label("frontdesk — log in", id="login-title")
            with Horizontal(id="login-row"):
                yield OptionList(*self._options(), id="names")
                with Vertical(id="login-pin"):
                    yield Field("PIN", Input(id="pin", password=True, max_length=12), name="pin")
                    yield Button("Log in", variant="primary", id="login")
            if self.demo_pins:
                lines = "\n".join(f"{n}: {p}" for n, p in self.demo_pins.items())
                yield Static(f"Demo mode — staff and PINs:\n{lines}", id="demo-pins")
        yield CoalescingFooter()

    def _options(self) -> list[Option]:
        if self.opening:
            return [Option("Opening the database…", disabled=True)]
        return [Option(f"{s.name}  ({s.role})", id=str(s.id)) for s in self.staff]

    def on_mount(self) -> None:
        if not self.opening:  # (the names may have come between compose and mount)
            self._fill()
        self.query_one("#pin", Input).focus()

    def show_staff(self, staff: list[StaffInfo]) -> None:
        """The database is open: list who may log in (and log in, if Enter came first)."""
        self.staff, self.opening = staff, False
        if self.is_mounted:  # otherwise compose and on_mount show them
            self._fill()

    def _fill(self) -> None:
        names = self.query_one("#names", OptionList)
        names.clear_options()
        names.add_options(self._options())
        self._pick_preselected()
        if self._submit_when_open:
            self.submit()

    def _pick_preselected(self) -> None:
        names = self.query_one("#names", OptionList)
        index = 0
        if self.preselect:
            wanted = self.preselect.casefold()
            for i, person in enumerate(self.staff):
                if person.name.casefold() == wanted:
                    index = i
        if self.staff:
            names.highlighted = index

    def action_focus_names(self) -> None:
        self.query_one("#names", OptionList).focus()

    def action_move_name(self, step: int) -> None:
        """Up and Down in the PIN field move the picked name (the list keeps its own)."""
        names = self.query_one("#names", OptionList)
        if step > 0:
            names.action_cursor_down()
        else:
            names.action_cursor_up()

    @on(OptionList.OptionSelected, "#names")
    def _picked(self) -> None:
        self.query_one("#pin", Input).focus()

    @on(Input.Submitted, "#pin")
    @on(Button.Pressed, "#login")
    def submit(self) -> None:
        if self.opening:
            self._submit_when_open = True
            return
        names = self.query_one("#names", OptionList)
        if names.highlighted is None:
            show_field_errors(self, "pin", "pick your name first")
            return
        option = names.get_option_at_index(names.highlighted)
        staff_id = int(option.id or 0)
        pin = self.query_one("#pin", Input).value
        service = self.services.staff
        desk = self.settings.desk
        app = self.frontdesk

        def log_in() -> tuple[Actor, object | None]:
            actor = service.login(staff_id, pin, desk=desk)
            return actor, app.first_read(actor)

        run_service(
            self,
            log_in,
            done=lambda done: self.post_message(LoggedIn(*done)),
            failed=self._failed,
        )

    def _failed(self, error: FrontdeskError) -> None:
        pin = self.query_one("#pin", Input)
        pin.value = ""
        show_field_errors(self, "pin", error.message)


class LockScreen(FrontdeskModal[Actor | None]):
    """The idle lock: hides everything until the same person types their PIN.
    Not a :class:`~frontdesk.tui.dialogs.Dialog`: a whole screen, that Escape never closes."""

    HELP_TITLE = "Screen locked"
    BINDINGS = [
        Binding(
            "ctrl+l",
            "logout",
            "Log out",
            id="logout",
            tooltip="Log out so another staff member can log in",
        )
    ]

    def __init__(self, actor: Actor) -> None:
        super().__init__(id="lock")
        self.locked_actor = actor

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="login-box"):
            yield Label("Screen locked", id="login-title")
            yield Static(f"{self.locked_actor.name}, type your PIN to go on.", id="lock-who")
            yield Field("PIN", Input(id="pin", password=True, max_length=12), name="pin")
            yield Button("Log out", id="logout")
        yield CoalescingFooter()

    def on_mount(self) -> None:
        self.query_one("#pin", Input).focus()

    @on(Input.Submitted, "#pin")
    def _unlock(self) -> None:
        pin = self.query_one("#pin", Input).value
        service = self.services.staff
        run_service(
            self,
            lambda: service.unlock(self.locked_actor, pin),
            done=self.dismiss,
            failed=self._failed,
        )

    def _failed(self, error: FrontdeskError) -> None:
        self.query_one("#pin", Input).value = ""
        show_field_errors(self, "pin", error.message)

    @on(Button.Pressed, "#logout")
    def action_logout(self) -> None:
        self.dismiss(None)
