"""Small modal screens: the error box, a yes/no question, and the key help (F1)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, DataTable, Label, OptionList, Static
from textual.widgets.option_list import Option

from frontdesk.tui.actions import labelled
from frontdesk.tui.base import FrontdeskModal


class ErrorModal(FrontdeskModal[None]):
    """Something went wrong that the desk cannot fix by retyping: say so, keep working."""

    BINDINGS = [Binding("escape,enter", "dismiss", "Close", id="close_dialog")]

    def __init__(self, title: str, message: str) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box", classes="-error"):
            yield Label(self.title_text, id="dialog-title")
            yield Static(self.message, id="dialog-message")
            with Horizontal(id="dialog-buttons"):
                yield Button("Close", variant="primary", id="close")

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)


class ConfirmModal(FrontdeskModal[bool]):
    """A yes/no question; the buttons say which key answers ("Discard (y)", "Keep (Esc)")."""

    BINDINGS = [
        Binding("escape", "answer(False)", "No", id="confirm_no"),
        Binding("y", "answer(True)", "Yes", id="confirm_yes"),
    ]

    def __init__(
        self, question: str, yes: str = "Yes", no: str = "No", *, safe_no: bool = False
    ) -> None:
        super().__init__(classes="dialog")
        self.question, self.yes, self.no = question, yes, no
        self.safe_no = safe_no  # the cursor starts on "no": Enter by habit loses nothing

    def on_mount(self) -> None:
        if self.safe_no:
            self.query_one("#no", Button).focus()

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box"):
            yield Static(self.question, id="dialog-message")
            with Horizontal(id="dialog-buttons"):
                yield Button(labelled(self, self.yes, "confirm_yes"), variant="primary", id="yes")
                yield Button(labelled(self, self.no, "confirm_no"), id="no")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class HelpScreen(FrontdeskModal[None]):
    """F1: every key of the screen it was opened from, with what it does."""

    BINDINGS = [
        Binding("escape,f1,q", "close", "Close help", id="close_help"),
        # A modal hides the App's keys; Ctrl+Q (same id, so a remap follows) still quits.
        Binding("ctrl+q", "app.quit", "Quit", id="quit", tooltip="Quit frontdesk"),
    ]

    def __init__(self, under: Screen[object]) -> None:
        super().__init__(classes="dialog")
        self.under = under

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            title = getattr(self.under, "HELP_TITLE", None) or type(self.under).__name__
            yield Label(f"Keys: {title}", id="dialog-title")
            with VerticalScroll():
                yield DataTable(id="help-keys", cursor_type="row", zebra_stripes=True)
            yield Static(
                "Escape or F1 closes this help.  Ctrl+P finds any action by name.", id="help-foot"
            )

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Key", "Action", "What it does")
        seen: set[tuple[str, str]] = set()
        for key, active in self.under.active_bindings.items():
            binding = active.binding
            if binding.action in ("app.command_palette",) and key != "ctrl+p":
                continue
            if not active.enabled:
                continue
            # The screen's and the app's keys; a focused widget's own editing and scrolling
            # keys (cursor left, page down...) only where the widget shows them.
            if active.node not in (self.under, self.app) and not binding.show:
                continue
            label = binding.description or binding.action
            if (key, label) in seen:
                continue
            seen.add((key, label))
            display = self.app.get_key_display(binding)
            table.add_row(display, label, binding.tooltip or "")
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)


class GoToModal(FrontdeskModal[str | None]):
    """Ctrl+G: pick a screen by its number (or arrows and Enter)."""

    BINDINGS = [
        Binding("escape", "pick(None)", "Stay here", id="go_cancel"),
        *[
            Binding(str(n), f"number({n})", f"Screen {n}", id=f"go_{n}", show=False)
            for n in range(1, 6)
        ],
    ]

    def __init__(self, choices: list[tuple[str, str]], current: str) -> None:
        super().__init__(classes="dialog")
        self.choices = choices
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box"):
            yield Label("Go to", id="dialog-title")
            yield OptionList(
                *[
                    Option(f"{n}  {title}" + ("  (here)" if mode == self.current else ""), id=mode)
                    for n, (mode, title) in enumerate(self.choices, 1)
                ],
                id="go-choices",
            )

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.focus()
        for index, (mode, _title) in enumerate(self.choices):
            if mode == self.current:
                options.highlighted = index

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_number(self, number: int) -> None:
        if 1 <= number <= len(self.choices):
            self.dismiss(self.choices[number - 1][0])

    def action_pick(self, mode: str | None) -> None:
        self.dismiss(mode)


# -- Escape on a form: ask before what was typed is thrown away --------------------------
_FORM_CONTROLS = "Input, TextArea, Select, Checkbox, Switch, RadioSet"
DISCARD_QUESTION = "Close this form and lose what you typed?"


def form_state(root: Screen[Any]) -> tuple[tuple[str, object], ...]:
    """What every field of a form holds now (text, choice, tick)."""
    state = []
    for widget in root.query(_FORM_CONTROLS):
        value = getattr(widget, "value", None)
        if value is None:  # a TextArea's text, a RadioSet's button
            value = getattr(widget, "text", getattr(widget, "pressed_index", None))
        state.append((widget.id or type(widget).__name__, value))
    return tuple(state)


def remember_form(root: Screen[Any]) -> None:
    """Call from the form's on_mount: what it shows at first (empty, or the record being
    edited) does not count as typed. Taken once the first values are in."""
    root.call_after_refresh(lambda: setattr(root, "_form_start", form_state(root)))


def typed_anything(root: Screen[Any]) -> bool:
    start = getattr(root, "_form_start", None)
    return start is not None and form_state(root) != start


def close_or_ask(root: Screen[Any], close: Callable[[], object]) -> None:
    """Escape on a form: close at once when nothing was typed; otherwise ask, with "keep
    editing" as the answer Escape and Enter give, and the form left as it was."""
    if not typed_anything(root):
        close()
        return

    def answered(discard: bool | None) -> None:
        if discard:
            close()

    root.app.push_screen(
        ConfirmModal(DISCARD_QUESTION, yes="Discard", no="Keep editing", safe_no=True),
        answered,
    )
