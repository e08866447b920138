"""Small modal screens: the error box, the key help (F1) and Ctrl+G's screen list.

The yes/no question lives beside the dialog frame (``frontdesk.tui.dialogs``) and is
re-exported here, where the screens have always found it."""

from __future__ import annotations

from collections.abc import Iterable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, DataTable, OptionList, Static
from textual.widgets.option_list import Option

from frontdesk.tui.dialogs import ConfirmModal, Dialog


class ErrorModal(Dialog[None]):
    """Something went wrong that the desk cannot fix by retyping: say so, keep working."""

    BINDINGS = [Binding("escape,enter", "dismiss", "Close", id="close_dialog")]

    def __init__(self, title: str, message: str) -> None:
        super().__init__(title, box_classes="-error")
        self.message = message

    def compose_body(self) -> ComposeResult:
        yield Static(self.message, id="dialog-message")

    def compose_buttons(self) -> Iterable[Button]:
        yield Button("Close", variant="primary", id="close")

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)


class HelpScreen(Dialog[None]):
    """F1: every key of the screen it was opened from, with what it does."""

    BINDINGS = [
        Binding("escape,f1,q", "close", "Close help", id="close_help"),
        # A modal hides the App's keys; Ctrl+Q (same id, so a remap follows) still quits.
        Binding("ctrl+q", "app.quit", "Quit", id="quit", tooltip="Quit frontdesk"),
    ]
    BOX_ID = "help-box"

    def __init__(self, under: Screen[object]) -> None:
        title = getattr(under, "HELP_TITLE", None) or type(under).__name__
        super().__init__(f"Keys: {title}")
        self.under = under

    def compose_body(self) -> ComposeResult:
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


class GoToModal(Dialog[str | None]):
    """Ctrl+G: pick a screen by its number (or arrows and Enter)."""

    BINDINGS = [
        Binding("escape", "pick(None)", "Stay here", id="go_cancel"),
        *[
            Binding(str(n), f"number({n})", f"Screen {n}", id=f"go_{n}", show=False)
            for n in range(1, 6)
        ],
    ]

    def __init__(self, choices: list[tuple[str, str]], current: str) -> None:
        super().__init__("Go to")
        self.choices = choices
        self.current = current

    def compose_body(self) -> ComposeResult:
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


__all__ = ["ConfirmModal", "ErrorModal", "GoToModal", "HelpScreen"]
