"""The one dialog frame and the one form: Escape, Enter, "typed?" and ask-before-discard."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.app import ComposeResult
from textual.widgets import Button, Input, Static

from frontdesk.services import Services, ValidationError
from frontdesk.tui.app import FrontdeskApp
from frontdesk.tui.dialogs import ConfirmModal, Dialog, FormField, FormModal
from tests.conftest import add_staff
from tests.helpers import at_desk, press, settle


class Text(Static, can_focus=True):
    """Focusable, and takes no Enter of its own."""


class Note(Dialog[str | None]):
    """A dialog with nothing that takes Enter itself: Enter presses its primary button."""

    def __init__(self) -> None:
        super().__init__("A note")

    def compose_body(self) -> ComposeResult:
        yield Text("Read this.", id="dialog-message")

    def compose_buttons(self) -> Iterable[Button]:
        yield Button("Got it", variant="primary", id="ok")
        yield Button("Later", id="later")

    def on_mount(self) -> None:
        self.query_one(Text).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id)


def _form(saved: list[dict[str, Any]]) -> FormModal:
    def submit(values: dict[str, Any]) -> str:
        if not values["name"].strip():
            raise ValidationError("name", "type a name")
        saved.append(values)
        return "done"

    return FormModal(
        "A form",
        [FormField("name", "Name", Input(id="name")), FormField("note", "Note", Input(id="note"))],
        submit,
    )


async def _open(app: FrontdeskApp, pilot: Any, dialog: Dialog[Any]) -> list[Any]:
    results: list[Any] = []
    app.push_screen(dialog, results.append)
    await settle(app, pilot)
    return results


async def test_the_frame_has_title_buttons_and_enter_presses_the_primary_one(
    desk_services: Services,
) -> None:
    clerk = add_staff(desk_services, "Dirk Desk", "desk")
    async with at_desk(desk_services, clerk, size=(100, 30)) as (app, pilot, _):
        note = Note()
        results = await _open(app, pilot, note)
        assert str(note.query_one("#dialog-title").render()) == "A note"
        assert [b.id for b in note.query("#dialog-buttons Button").results(Button)] == [
            "ok",
            "later",
        ]
        assert isinstance(app.focused, Text)  # not a widget that takes Enter
        await press(pilot, "enter")
        assert results == ["ok"]
        results = await _open(app, pilot, Note())
        await press(pilot, "escape")
        assert results == [None]


async def test_a_form_knows_itself_whether_something_was_typed(desk_services: Services) -> None:
    saved: list[dict[str, Any]] = []
    clerk = add_staff(desk_services, "Dirk Desk", "desk")
    async with at_desk(desk_services, clerk, size=(100, 30)) as (app, pilot, _):
        form = _form(saved)
        results = await _open(app, pilot, form)
        assert not form.typed
        await press(pilot, "escape")  # nothing typed: closes at once
        assert results == [None] and app.screen is not form

        form = _form(saved)
        results = await _open(app, pilot, form)
        await pilot.press(*"Ada")
        assert form.typed
        await press(pilot, "escape")  # asks first; Escape keeps editing
        assert isinstance(app.screen, ConfirmModal)
        await press(pilot, "escape")
        assert app.screen is form and form.query_one("#name", Input).value == "Ada"
        await press(pilot, "escape", "y")  # asked again; y throws it away
        assert results == [None] and saved == []


async def test_a_form_refusal_stays_beside_the_field_then_saves(desk_services: Services) -> None:
    saved: list[dict[str, Any]] = []
    clerk = add_staff(desk_services, "Dirk Desk", "desk")
    async with at_desk(desk_services, clerk, size=(100, 30)) as (app, pilot, _):
        form = _form(saved)
        results = await _open(app, pilot, form)
        await press(pilot, "tab", *"a note", "ctrl+s")
        assert app.screen is form and saved == []
        assert "type a name" in str(form.query_one("#field-name .field-error", Static).render())
        assert form.query_one("#note", Input).value == "a note"
        form.query_one("#name", Input).value = "Ada"
        await press(pilot, "ctrl+s")
    assert results == ["done"]
    assert saved == [{"name": "Ada", "note": "a note"}]
