"""The frame every dialog shares, the one form dialog, and the yes/no question.

:class:`Dialog` is the skeleton of each modal of the app: a box (``#dialog-box``) with a
title, a body (``compose_body``) and a row of buttons (``compose_buttons``). Escape runs
``action_cancel`` (a subclass may bind Escape to its own action and id); Enter presses the
default button (the one with variant "primary") when the focused widget does not take
Enter itself. A dialog that is a form sets ``ASK_BEFORE_DISCARD``: it remembers what its
fields held once shown, and Escape asks before throwing away what was typed since.

:class:`FormModal` is the form of the lead, the packs and the referrals: labelled fields,
Save and Cancel; the values go to ``submit`` in a thread worker; a refusal appears beside
its field and everything typed stays.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea

from frontdesk.services import FrontdeskError
from frontdesk.tui.actions import labelled
from frontdesk.tui.base import FrontdeskModal, ResultType
from frontdesk.tui.widgets.field import Field, show_refusal_beside
from frontdesk.tui.work import run_service

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


class FormState:
    """A form's own "was anything typed?": it remembers what its fields held at first
    (empty, or the record being edited) and compares with what they hold now."""

    _form_start: tuple[tuple[str, object], ...] | None = None

    def remember_typed(self) -> None:
        """Take what the fields hold as "nothing typed" once the first values are in."""
        screen = self._form_screen
        screen.call_after_refresh(lambda: setattr(self, "_form_start", form_state(screen)))

    @property
    def typed(self) -> bool:
        start = self._form_start
        return start is not None and form_state(self._form_screen) != start

    def close_or_ask(self, close: Callable[[], object]) -> None:
        """Escape on a form: close at once when nothing was typed; otherwise ask, with
        "keep editing" as the answer Escape and Enter give, and the form left as it was."""
        if not self.typed:
            close()
            return

        def answered(discard: bool | None) -> None:
            if discard:
                close()

        self._form_screen.app.push_screen(
            ConfirmModal(DISCARD_QUESTION, yes="Discard", no="Keep editing", safe_no=True),
            answered,
        )

    @property
    def _form_screen(self) -> Screen[Any]:
        assert isinstance(self, Screen)
        return self


class Dialog(FormState, FrontdeskModal[ResultType]):
    """A box with a title, a body and a row of buttons; see the module docstring."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Close", id="dialog_cancel", tooltip="Close this dialog"),
        Binding("enter", "default", "OK", id="dialog_default", show=False,
                tooltip="Press the dialog's main button"),
    ]  # fmt: skip
    ASK_BEFORE_DISCARD: ClassVar[bool] = False
    BOX_ID: ClassVar[str] = "dialog-box"
    BOX_TYPE: ClassVar[type[Widget]] = Vertical  # VerticalScroll for a tall form

    def __init__(
        self,
        title: str | Text = "",
        *,
        box_classes: str = "",
        id: str | None = None,
        classes: str = "dialog",
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.title_text = title
        self.box_classes = box_classes

    def compose(self) -> ComposeResult:
        with self.BOX_TYPE(id=self.BOX_ID, classes=self.box_classes):
            if self.title_text:
                yield Label(self.title_text, id="dialog-title")
            yield from self.compose_body()
            buttons = list(self.compose_buttons())
            if buttons:
                with Horizontal(id="dialog-buttons"):
                    yield from buttons

    def compose_body(self) -> ComposeResult:
        yield from ()

    def compose_buttons(self) -> Iterable[Button]:
        return ()

    def on_mount(self) -> None:
        # Runs after a subclass's own on_mount (Textual calls each class's handler).
        if self.ASK_BEFORE_DISCARD:
            self.remember_typed()

    def action_cancel(self) -> None:
        if self.ASK_BEFORE_DISCARD:
            self.close_or_ask(lambda: self.dismiss(None))
        else:
            self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_default(self) -> None:
        for button in self.query("#dialog-buttons Button").results(Button):
            if button.variant == "primary" and not button.disabled:
                button.press()
                return


class ConfirmModal(Dialog[bool]):
    """A yes/no question; the buttons say which key answers ("Discard (y)", "Keep (Esc)")."""

    BINDINGS = [
        Binding("escape", "answer(False)", "No", id="confirm_no"),
        Binding("y", "answer(True)", "Yes", id="confirm_yes"),
    ]

    def __init__(
        self, question: str, yes: str = "Yes", no: str = "No", *, safe_no: bool = False
    ) -> None:
        super().__init__()
        self.question, self.yes, self.no = question, yes, no
        self.safe_no = safe_no  # the cursor starts on "no": Enter by habit loses nothing

    def on_mount(self) -> None:
        if self.safe_no:
            self.query_one("#no", Button).focus()

    def compose_body(self) -> ComposeResult:
        yield Static(self.question, id="dialog-message")

    def compose_buttons(self) -> Iterable[Button]:
        yield Button(labelled(self, self.yes, "confirm_yes"), variant="primary", id="yes")
        yield Button(labelled(self, self.no, "confirm_no"), id="no")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


@dataclass(frozen=True)
class FormField:
    """One field of a :class:`FormModal`: its name (the key in the values), label, control."""

    name: str
    label: str
    control: Widget
    hint: str = ""


class FormModal(Dialog[Any]):
    """Fields, Save (Ctrl+S) and Cancel (Escape); ``submit`` runs off the UI thread.

    ``submit`` gets the values by field name (text as typed, a Select's value or None, a
    Checkbox's tick); what it returns is the dialog's result (True when it returns None).
    Enter in a field saves, or with ``enter_moves_on`` goes to the next field until the last.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="form_save", tooltip="Save this form"),
        Binding("escape", "cancel", "Cancel", id="form_cancel", tooltip="Close without saving"),
    ]
    ASK_BEFORE_DISCARD = True
    SAVE_BINDING, CANCEL_BINDING = "form_save", "form_cancel"  # the buttons show their keys

    def __init__(
        self,
        title: str,
        fields: Sequence[FormField | Field],
        submit: Callable[[dict[str, Any]], Any],
        *,
        intro: str = "",
        save_label: str = "Save",
        box_classes: str = "lead-form",
        enter_moves_on: bool = False,
    ) -> None:
        super().__init__(title, box_classes=box_classes)
        self.fields = [
            item
            if isinstance(item, Field)
            else Field(item.label, item.control, name=item.name, hint=item.hint)
            for item in fields
        ]
        self.submit = submit
        self.intro = intro
        self.save_label = save_label
        self.enter_moves_on = enter_moves_on
        self.busy = False

    def compose_body(self) -> ComposeResult:
        if self.intro:
            yield Static(self.intro, id="dialog-message")
        yield from self.fields
        yield Static("", id="form-error", classes="field-error")

    def compose_buttons(self) -> Iterable[Button]:
        yield Button(
            labelled(self, self.save_label, self.SAVE_BINDING), variant="primary", id="save"
        )
        yield Button(labelled(self, "Cancel", self.CANCEL_BINDING), id="cancel")

    def on_mount(self) -> None:
        if self.fields:
            self.fields[0].control.focus()

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for item in self.fields:
            control = item.control
            if isinstance(control, Input):
                out[item.field_name] = control.value
            elif isinstance(control, Select):
                out[item.field_name] = None if control.value is Select.NULL else control.value
            elif isinstance(control, Checkbox):
                out[item.field_name] = control.value
            elif isinstance(control, TextArea):
                out[item.field_name] = control.text
        return out

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        if self.busy:
            return
        self.busy = True
        values = self.values()
        submit = self.submit
        run_service(self, lambda: submit(values), done=self._saved, failed=self._refused)

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = [f.control for f in self.fields if isinstance(f.control, Input)]
        if self.enter_moves_on and inputs and event.input is not inputs[-1]:
            self.focus_next()
        else:
            self.action_save()

    def _saved(self, result: Any) -> None:
        self.busy = False
        self.dismiss(result if result is not None else True)

    def _refused(self, error: FrontdeskError) -> None:
        self.busy = False
        shown = show_refusal_beside(self, error)
        self.query_one("#form-error", Static).update("" if shown else error.message)
