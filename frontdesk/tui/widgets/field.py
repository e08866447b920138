"""A labelled form field with its error message right beneath it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Label, Static


class Field(Vertical):
    """Label, the input widget, and a line for what is wrong with it."""

    def __init__(self, label: str, control: Widget, *, name: str, hint: str = "") -> None:
        super().__init__(id=f"field-{name}", classes="field")
        self.label = label
        self.control = control
        self.field_name = name
        self.hint = hint

    def compose(self) -> ComposeResult:
        yield Label(self.label, classes="field-label")
        yield self.control
        yield Static(self.hint, classes="field-error" if not self.hint else "field-hint")

    def show_error(self, message: str | None) -> None:
        note = self.query_one(".field-error, .field-hint", Static)
        if message:
            note.set_classes("field-error")
            note.update(message)
            self.add_class("-invalid")
        else:
            note.set_classes("field-hint" if self.hint else "field-error")
            note.update(self.hint)
            self.remove_class("-invalid")


def show_field_errors(root: Widget, field: str | None, message: str | None) -> bool:
    """Clear every field's error under root, then set the one named; True if it exists."""
    found = False
    for item in root.query(Field):
        if item.field_name == field:
            item.show_error(message)
            item.control.focus()
            found = True
        else:
            item.show_error(None)
    return found
