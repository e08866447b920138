"""The lead screen's small forms: staff, PIN, role, service, export, opening hours.
One pattern for all.

A :class:`FormModal` shows labelled fields, sends what was typed to a service call in a
thread worker, and closes with the result; a refusal appears beside its field and
everything typed stays.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea

from frontdesk.services import FrontdeskError, ValidationError
from frontdesk.services.exports import check_target
from frontdesk.services.rules import DAY_NAMES, HOURS_FIELDS, KINDS, TARGET_FIELD, CentreRules
from frontdesk.tui.actions import labelled
from frontdesk.tui.base import FrontdeskModal
from frontdesk.tui.screens.dialogs import close_or_ask, remember_form
from frontdesk.tui.widgets.field import Field, show_field_errors
from frontdesk.tui.work import run_service


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    control: Widget
    hint: str = ""


class FormModal(FrontdeskModal[Any]):
    """Fields, Save (Ctrl+S) and Cancel (Escape); ``submit`` runs off the UI thread."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="form_save", tooltip="Save this form"),
        Binding("escape", "cancel", "Cancel", id="form_cancel", tooltip="Close without saving"),
    ]

    def __init__(
        self,
        title: str,
        fields: list[FormField],
        submit: Callable[[dict[str, Any]], Any],
        *,
        intro: str = "",
        save_label: str = "Save",
    ) -> None:
        super().__init__(classes="dialog")
        self.title_text = title
        self.fields = fields
        self.submit = submit
        self.intro = intro
        self.save_label = save_label
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box", classes="lead-form"):
            yield Label(self.title_text, id="dialog-title")
            if self.intro:
                yield Static(self.intro, id="dialog-message")
            for item in self.fields:
                yield Field(item.label, item.control, name=item.name, hint=item.hint)
            yield Static("", id="form-error", classes="field-error")
            with Horizontal(id="dialog-buttons"):
                yield Button(
                    labelled(self, self.save_label, "form_save"), variant="primary", id="save"
                )
                yield Button(labelled(self, "Cancel", "form_cancel"), id="cancel")

    def on_mount(self) -> None:
        if self.fields:
            self.fields[0].control.focus()
        remember_form(self)

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for item in self.fields:
            control = item.control
            if isinstance(control, Input):
                out[item.name] = control.value
            elif isinstance(control, Select):
                out[item.name] = None if control.value is Select.NULL else control.value
            elif isinstance(control, Checkbox):
                out[item.name] = control.value
            elif isinstance(control, TextArea):
                out[item.name] = control.text
        return out

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        if self.busy:
            return
        self.busy = True
        values = self.values()
        run_service(self, lambda: self.submit(values), done=self._saved, failed=self._refused)

    @on(Input.Submitted)
    def _enter(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        close_or_ask(self, lambda: self.dismiss(None))

    def _saved(self, result: Any) -> None:
        self.busy = False
        self.dismiss(result if result is not None else True)

    def _refused(self, error: FrontdeskError) -> None:
        self.busy = False
        field = error.field if isinstance(error, ValidationError) else None
        shown = show_field_errors(self, field, error.message)
        self.query_one("#form-error", Static).update("" if shown else error.message)


def role_select(value: str | None = None) -> Select[str]:
    return Select(
        [("Team lead", "lead"), ("Desk staff", "desk"), ("Intern", "intern")],
        value=value or "desk",
        allow_blank=False,
        id="role",
    )


FORMATS = (("Spreadsheet (xlsx)", "xlsx"), ("CSV", "csv"), ("Markdown (md)", "md"))


def format_select(
    value: str = "xlsx", formats: tuple[str, ...] = ("xlsx", "csv", "md")
) -> Select[str]:
    return Select(
        [(label, code) for label, code in FORMATS if code in formats],
        value=value,
        allow_blank=False,
        id="format",
    )


def pin_input(name: str) -> Input:
    return Input(password=True, id=name, max_length=12, placeholder="4 to 12 digits")


def text_input(name: str, value: str = "", placeholder: str = "") -> Input:
    return Input(value=value, id=name, placeholder=placeholder)


def active_checkbox(value: bool) -> Checkbox:
    return Checkbox("Active (desks can call it, tickets can be issued)", value=value, id="active")


def names_checkbox() -> Checkbox:
    return Checkbox("Add the ticket list with names (audited; never BSNs)", id="with_names")


def write_export(path_text: str, fmt: str, make: Callable[[Path], object]) -> Path:
    """Runs in the worker: check the path, then ``make(path)`` writes the export there
    (private and atomic, audited once written: see services.exports)."""
    text = (path_text or "").strip()
    if not text:
        raise ValidationError("path", "type where to save the file, e.g. ~/report.xlsx")
    path = Path(text).expanduser()
    if path.suffix.lower() in (".xlsx", ".csv", ".md"):  # the suggested name, other format
        path = path.with_suffix(f".{fmt}")
    elif path.suffix.lower() != f".{fmt}":
        path = path.with_name(path.name + f".{fmt}")
    make(check_target(path))
    return path


class RowNote(Static):
    """The error line under one row of a grid form; hidden while there is nothing to say."""

    def __init__(self) -> None:
        super().__init__("", classes="field-error row-note")
        self.owner: str | None = None
        self.display = False


class GridField(Field):
    """A field in a row of a grid form: only its input; its error goes on the row's note,
    prefixed with the field's label when the row has several ("Friday walk-in: ...")."""

    def __init__(
        self, label: str, control: Widget, *, name: str, note: RowNote, prefix: bool = True
    ) -> None:
        super().__init__(label, control, name=name)
        self.note = note
        self.prefix = prefix

    def compose(self) -> ComposeResult:
        yield self.control

    def show_error(self, message: str | None) -> None:
        if message:
            self.add_class("-invalid")
            self.note.owner = self.field_name
            self.note.update(f"{self.label}: {message}" if self.prefix else message)
            self.note.display = True
        else:
            self.remove_class("-invalid")
            if self.note.owner == self.field_name:
                self.note.owner = None
                self.note.update("")
                self.note.display = False


class RulesModal(FormModal):
    """The opening hours (a line per weekday and kind) and the target wait, in one form."""

    def __init__(self, rules: CentreRules, submit: Callable[[dict[str, Any]], Any]) -> None:
        texts = rules.texts()
        fields = [
            FormField(name, f"{DAY_NAMES[day]} {KINDS[kind]}", hours_input(name, texts[name]))
            for name, kind, day in HOURS_FIELDS
        ]
        target = Input(str(rules.target_wait_minutes), id=TARGET_FIELD, compact=True,
                       placeholder="15", max_length=4)  # fmt: skip
        fields.append(FormField(TARGET_FIELD, "Target wait", target))
        super().__init__(
            "Opening hours and target wait",
            fields,
            submit,
            intro="Times as HH:MM-HH:MM, several blocks with commas (09:00-12:15, "
            "13:00-16:30); empty = closed. Saved for every desk at once and recorded in "
            "the audit log.",
        )
        self.by_name = {item.name: item for item in fields}

    def _row(self, title: str, names: list[str], after: str = "") -> ComposeResult:
        note = RowNote()
        with Horizontal(classes="rules-row"):
            yield Label(title, classes="rules-day")
            for name in names:
                item = self.by_name[name]
                yield GridField(
                    item.label, item.control, name=name, note=note, prefix=len(names) > 1
                )
            if after:
                yield Label(after, classes="rules-after")
        yield note

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box", classes="lead-form rules-form"):
            yield Label(self.title_text, id="dialog-title")
            yield Static(self.intro, id="dialog-message")
            with Horizontal(classes="rules-row rules-head"):
                yield Label("", classes="rules-day")
                for label in ("Walk-in hours", "BSN appointment hours"):
                    yield Label(label, classes="rules-kind")
            for day, day_name in enumerate(DAY_NAMES):
                names = [name for name, _kind, d in HOURS_FIELDS if d == day]
                yield from self._row(day_name, names)
            yield Static("", classes="rules-gap")
            yield from self._row(
                "Target wait",
                [TARGET_FIELD],
                "minutes, 1 to 240 (the dashboard counts who was called within it)",
            )
            yield Static("", id="form-error", classes="field-error")
            with Horizontal(id="dialog-buttons"):
                yield Button(
                    labelled(self, self.save_label, "form_save"), variant="primary", id="save"
                )
                yield Button(labelled(self, "Cancel", "form_cancel"), id="cancel")


def hours_input(name: str, value: str) -> Input:
    return Input(value=value, id=name, placeholder="closed", compact=True)
