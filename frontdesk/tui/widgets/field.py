"""A labelled form field with its error message right beneath it."""

from __future__ import annotations

from collections.abc import Mapping

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Label, Static

from frontdesk.services.errors import FrontdeskError, ValidationError


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


def show_field_errors(
    root: Widget, field: str | None, message: str | None, more: Mapping[str, str] | None = None
) -> bool:
    """Clear every field's error under root, then set the one named (and those in ``more``,
    e.g. a ValidationError's ``errors``); focus the first; True if ``field`` exists."""
    errors = dict(more or {})
    if field is not None and message:
        errors[field] = message
    found = False
    focus: Widget | None = None
    for item in root.query(Field):
        text = errors.get(item.field_name)
        item.show_error(text)
        if item.field_name == field:
            found = True
            focus = item.control
        elif text and focus is None:
            focus = item.control
    if focus is not None:
        focus.focus()
    return found


def show_refusal_beside(root: Widget, error: FrontdeskError, fallback: str | None = None) -> bool:
    """Show a refusal beside the field it names (a ValidationError's field; any other refusal
    beside ``fallback``), clearing the other fields' errors; True if that field is there."""
    field = error.field if isinstance(error, ValidationError) else fallback
    return show_field_errors(root, field, error.message)
