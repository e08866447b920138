"""Picking one visitor for a job of another room (hand out a pack, make a referral, answer
a privacy request): one dialog that searches as you type, and :func:`pick_visitor`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from frontdesk.services.visitors import VisitorRecord
from frontdesk.tui.dates import date_text
from frontdesk.tui.dialogs import Dialog
from frontdesk.tui.search import LatestSearch
from frontdesk.tui.widgets.field import Field, show_field_errors
from frontdesk.tui.work import run_service

HINT = "Type to search; Enter or ↓ moves to the results, Enter picks."


class VisitorPickModal(Dialog[VisitorRecord | None]):
    """Find a visitor by name, phone, e-mail or date of birth and pick one with Enter.

    The list follows what is typed (tui/search.py); Enter in the field moves to the
    results once they answer what is typed. Dismissed with the visitor, or None.
    """

    HELP_TITLE = "Pick a visitor"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="pick_cancel", tooltip="Close, pick nobody"),
        Binding(
            "down", "to_results", "Results", id="pick_results", show=False, tooltip="The matches"
        ),
    ]

    def __init__(self, title: str) -> None:
        super().__init__(title, id="pick-visitor", box_classes="visitor-pick")
        self.found: list[VisitorRecord] = []
        self.answered_for: str | None = None  # the text the shown list answers
        self.to_list_when_answered = False
        self._search = LatestSearch(self._start_search)

    def compose_body(self) -> ComposeResult:
        yield Field(
            "Name, phone, e-mail or date of birth",
            Input(id="visitor_query", max_length=200),
            name="visitor_query",
        )
        yield OptionList(id="visitor-results")
        yield Static(HINT, id="pick-message")

    def on_mount(self) -> None:
        self.query_one("#visitor_query", Input).focus()

    @property
    def query_text(self) -> str:
        return self.query_one("#visitor_query", Input).value

    @on(Input.Changed, "#visitor_query")
    def _changed(self) -> None:
        self._search.request()

    @on(Input.Submitted, "#visitor_query")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()  # Enter here is not the dialog's default button
        if len(event.value.strip()) < 2:
            show_field_errors(self, "visitor_query", "type at least two letters of the name")
        elif self.answered_for == event.value:
            self.action_to_results()
        else:  # the answer to what is typed is still on its way
            self.to_list_when_answered = True
            self._search.request()

    def _start_search(self) -> Worker[None] | None:
        text = self.query_text
        if len(text.strip()) < 2:
            self._show(text, [])
            return None
        visitors, actor = self.services.visitors, self.actor
        return run_service(
            self,
            lambda: visitors.search(actor, text),
            done=lambda found: self._answered(text, found),
            group="visitor-search",
        )

    def _answered(self, text: str, found: list[VisitorRecord]) -> None:
        if self._search.answered():
            self._show(text, found)

    def _show(self, text: str, found: list[VisitorRecord]) -> None:
        self.found, self.answered_for = found, text
        show_field_errors(self, None, None)
        results = self.query_one("#visitor-results", OptionList)
        results.clear_options()
        for v in found:
            born = f"  born {date_text(self, v.birth_date)}" if v.birth_date else ""
            results.add_option(Option(f"#{v.id}  {v.full_name}{born}", id=str(v.id)))
        message = self.query_one("#pick-message", Static)
        if found:
            results.highlighted = 0
            message.update(f"{len(found)} found: pick one with the arrow keys and Enter.")
        elif len(text.strip()) >= 2:
            message.update("Nobody found; check the spelling or try the phone number.")
        else:
            message.update(HINT)
        if self.to_list_when_answered:
            self.to_list_when_answered = False
            self.action_to_results()

    def action_to_results(self) -> None:
        if self.found:
            self.query_one("#visitor-results", OptionList).focus()

    @on(OptionList.OptionSelected, "#visitor-results")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(next(v for v in self.found if str(v.id) == event.option.id))


def pick_visitor(app: App[Any], title: str, then: Callable[[VisitorRecord], object]) -> None:
    """Open the pick dialog (``title`` says what for); ``then`` gets the visitor picked."""

    def picked(visitor: VisitorRecord | None) -> None:
        if visitor is not None:
            then(visitor)

    app.push_screen(VisitorPickModal(title), picked)
