"""The team lead's privacy duties: retention purge, access and erasure requests.

They open from the command palette (App-level commands, so every screen has them) as
modal dialogs; the work itself is done by :class:`frontdesk.services.privacy.PrivacyService`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from frontdesk.services import FrontdeskError, ValidationError
from frontdesk.services.auth import allowed
from frontdesk.services.privacy import ExportFiles, PurgeReport
from frontdesk.services.visitors import VisitorRecord
from frontdesk.tui.actions import labelled
from frontdesk.tui.base import FrontdeskModal
from frontdesk.tui.screens.audit import AuditScreen
from frontdesk.tui.widgets.field import Field, show_field_errors
from frontdesk.tui.work import run_service


class PrivacyCurtain(FrontdeskModal[None]):
    """F12: an opaque curtain over whatever screen is showing, with nothing personal on it.

    It works for every screen, present and future, because it does not ask them to hide
    anything: it simply covers them until F12 is pressed again.
    """

    HELP_TITLE = "Privacy screen"  # the App's F12 binding (priority) takes it away

    def __init__(self) -> None:
        super().__init__(id="privacy-curtain")

    def compose(self) -> ComposeResult:
        with Vertical(id="curtain-box"):
            yield Static("", id="curtain-clock")
            yield Static("Privacy screen — F12 to return", id="curtain-text")

    def on_mount(self) -> None:
        self._tick()
        self.set_interval(1, self._tick)

    def _tick(self) -> None:
        now = self.services.clock.local_now()
        self.query_one("#curtain-clock", Static).update(now.strftime("%H:%M"))


def toggle_curtain(app: App[Any]) -> None:
    """Cover the screen, or uncover it when the curtain is the top screen."""
    if isinstance(app.screen, PrivacyCurtain):
        app.pop_screen()
    else:
        app.push_screen(PrivacyCurtain())


class PurgeModal(FrontdeskModal[None]):
    """Retention: shows the dry-run count first; anonymises only after "Anonymise"."""

    BINDINGS = [
        Binding("escape", "close", "Cancel", id="close_dialog", tooltip="Close, change nothing"),
        Binding("ctrl+s", "purge", "Anonymise", id="save", tooltip="Anonymise the visitors"),
    ]

    def __init__(self) -> None:
        super().__init__(classes="dialog", id="purge")
        self.report: PurgeReport | None = None

    def compose(self) -> ComposeResult:
        days = self.settings.retention_days
        with Vertical(id="dialog-box"):
            yield Label("Anonymise visitors past the retention period", id="dialog-title")
            yield Field(
                "No activity for at least (days)",
                Input(str(days), id="older_than", restrict=r"\d*", max_length=5),
                name="older_than",
            )
            yield Static("Counting…", id="purge-count")
            with Horizontal(id="dialog-buttons"):
                yield Button("Anonymise", variant="error", id="purge-go", disabled=True)
                yield Button("Cancel", id="purge-cancel")

    def on_mount(self) -> None:
        self._count()

    def _days(self) -> int | None:
        text = self.query_one("#older_than", Input).value.strip()
        return int(text) if text else None

    @on(Input.Changed, "#older_than")
    def _count(self) -> None:
        actor = self.actor
        privacy = self.services.privacy
        days = self._days()
        self.query_one("#purge-go", Button).disabled = True
        run_service(
            self,
            lambda: privacy.purge(actor, older_than_days=days, dry_run=True),
            done=self._counted,
            failed=self._failed,
            group="purge-count",
            exclusive=True,
        )

    def _counted(self, report: PurgeReport) -> None:
        self.report = report
        show_field_errors(self, None, None)
        text = report.summary().capitalize() + "."
        text += (
            "\nNames, contact details, date of birth, notes and BSN go; nationality, "
            "category, municipality and the visit figures stay. This cannot be undone."
        )
        self.query_one("#purge-count", Static).update(text)
        self.query_one("#purge-go", Button).disabled = report.visitors == 0

    def _failed(self, error: FrontdeskError) -> None:
        field = error.field if isinstance(error, ValidationError) else "older_than"
        show_field_errors(self, field, error.message)
        self.query_one("#purge-count", Static).update("")

    @on(Button.Pressed, "#purge-go")
    def action_purge(self) -> None:
        if self.report is None or self.report.visitors == 0:
            return
        actor = self.actor
        privacy = self.services.privacy
        days = self._days()
        self.query_one("#purge-go", Button).disabled = True
        run_service(
            self,
            lambda: privacy.purge(actor, older_than_days=days),
            done=self._purged,
            failed=self._failed,
        )

    def _purged(self, report: PurgeReport) -> None:
        self.app.notify(report.summary().capitalize() + ".", title="Retention")
        self.dismiss(None)

    @on(Button.Pressed, "#purge-cancel")
    def action_close(self) -> None:
        self.dismiss(None)


class VisitorPickModal(FrontdeskModal[VisitorRecord | None]):
    """Find one visitor by name, phone, e-mail or date of birth; Enter picks."""

    BINDINGS = [
        Binding("escape", "close", "Cancel", id="close_dialog", tooltip="Close, pick nobody"),
        Binding("down", "focus_list", "Results", id="pick_results", show=False),
    ]

    def __init__(self, purpose: str) -> None:
        super().__init__(classes="dialog", id="pick-visitor")
        self.purpose = purpose
        self.found: dict[str, VisitorRecord] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box"):
            yield Label(self.purpose, id="dialog-title")
            yield Field(
                "Name, phone, e-mail or date of birth",
                Input(id="query", max_length=200),
                name="query",
            )
            yield OptionList(id="pick-results")
            yield Static("Type to search; Enter or ↓ moves to the results.", id="pick-hint")

    def on_mount(self) -> None:
        self.query_one("#query", Input).focus()

    @on(Input.Changed, "#query")
    def _search(self, event: Input.Changed) -> None:
        actor = self.actor
        visitors = self.services.visitors
        text = event.value
        run_service(
            self,
            lambda: visitors.search(actor, text),
            done=self._show,
            group="pick-search",
            exclusive=True,
        )

    def _show(self, found: list[VisitorRecord]) -> None:
        self.found = {str(v.id): v for v in found}
        results = self.query_one("#pick-results", OptionList)
        results.clear_options()
        for v in found:
            born = f"  born {v.birth_date:%d-%m-%Y}" if v.birth_date else ""
            results.add_option(Option(f"#{v.id}  {v.full_name}{born}", id=str(v.id)))
        if found:
            results.highlighted = 0

    @on(Input.Submitted, "#query")
    def action_focus_list(self) -> None:
        if self.found:
            self.query_one("#pick-results", OptionList).focus()

    @on(OptionList.OptionSelected, "#pick-results")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.found.get(event.option.id or ""))

    def action_close(self) -> None:
        self.dismiss(None)


class ExportModal(FrontdeskModal[None]):
    """Access request: write the visitor's data as JSON and Markdown into a folder."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="close_dialog", tooltip="Close"),
        Binding("ctrl+s", "export", "Export", id="save", tooltip="Write the export files"),
    ]

    def __init__(self, visitor: VisitorRecord) -> None:
        super().__init__(classes="dialog", id="export")
        self.visitor = visitor

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box"):
            yield Label(f"Access request: visitor #{self.visitor.id}", id="dialog-title")
            yield Static(
                "Everything held about this visitor (record, visits with their timeline, "
                "contacts, audit events and what other parts of frontdesk hold) is written "
                "as a JSON file and a readable Markdown file, readable by you only.",
                id="dialog-message",
            )
            yield Field("Folder", Input(str(Path.home()), id="directory"), name="directory")
            yield Static("", id="export-result")
            with Horizontal(id="dialog-buttons"):
                yield Button("Export", variant="primary", id="export-go")
                yield Button("Close", id="export-close")

    def on_mount(self) -> None:
        self.query_one("#directory", Input).focus()

    @on(Input.Submitted, "#directory")
    @on(Button.Pressed, "#export-go")
    def action_export(self) -> None:
        actor = self.actor
        privacy = self.services.privacy
        folder = self.query_one("#directory", Input).value
        visitor_id = self.visitor.id
        run_service(
            self,
            lambda: privacy.export(actor, visitor_id, folder),
            done=self._written,
            failed=self._failed,
        )

    def _written(self, files: ExportFiles) -> None:
        show_field_errors(self, None, None)
        self.query_one("#export-result", Static).update(
            f"Written:\n{files.json_path}\n{files.markdown_path}"
        )
        self.app.notify("Access-request export written.", title="Privacy")

    def _failed(self, error: FrontdeskError) -> None:
        field = error.field if isinstance(error, ValidationError) else "directory"
        show_field_errors(self, field, error.message)

    @on(Button.Pressed, "#export-close")
    def action_close(self) -> None:
        self.dismiss(None)


class EraseModal(FrontdeskModal[bool]):
    """Erasure request: anonymise one visitor now, with a reason for the audit log."""

    BINDINGS = [
        Binding("escape", "close", "Cancel", id="close_dialog", tooltip="Close, change nothing"),
        Binding("ctrl+s", "erase", "Erase", id="save", tooltip="Anonymise this visitor now"),
    ]

    def __init__(self, visitor: VisitorRecord) -> None:
        super().__init__(classes="dialog", id="erase")
        self.visitor = visitor

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box"):
            yield Label(f"Erasure request: visitor #{self.visitor.id}", id="dialog-title")
            yield Static(
                f"{self.visitor.full_name}: name, contact details, date of birth, notes and "
                "BSN are removed now; the visit figures stay. This cannot be undone.",
                id="dialog-message",
            )
            yield Static("", id="erase-block")
            yield Field(
                "Reason (goes into the audit log)",
                Input(id="reason", max_length=500),
                name="reason",
            )
            with Horizontal(id="dialog-buttons"):
                yield Button("Erase", variant="error", id="erase-go")
                yield Button("Cancel", id="erase-cancel")

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()
        actor = self.actor
        privacy = self.services.privacy
        visitor_id = self.visitor.id
        run_service(self, lambda: privacy.erasure_blocked(actor, visitor_id), done=self._show_block)

    def _show_block(self, reason: str | None) -> None:
        note = self.query_one("#erase-block", Static)
        note.update(f"Cannot erase yet: {reason}." if reason else "")
        note.set_class(bool(reason), "field-error")

    @on(Input.Submitted, "#reason")
    @on(Button.Pressed, "#erase-go")
    def action_erase(self) -> None:
        actor = self.actor
        privacy = self.services.privacy
        reason = self.query_one("#reason", Input).value
        visitor_id = self.visitor.id
        run_service(
            self,
            lambda: privacy.erase(actor, visitor_id, reason),
            done=self._erased,
            failed=self._failed,
        )

    def _erased(self, _result: None) -> None:
        self.app.notify(f"Visitor #{self.visitor.id} has been anonymised.", title="Privacy")
        self.dismiss(True)

    def _failed(self, error: FrontdeskError) -> None:
        if isinstance(error, ValidationError):
            show_field_errors(self, error.field, error.message)
        else:
            self._show_block(
                error.message.removeprefix("Cannot erase this visitor yet: ").rstrip(".")
            )

    @on(Button.Pressed, "#erase-cancel")
    def action_close(self) -> None:
        self.dismiss(False)


def _then(app: App[Any], purpose: str, modal: type[ExportModal] | type[EraseModal]) -> None:
    def picked(visitor: VisitorRecord | None) -> None:
        if visitor is not None:
            app.push_screen(modal(visitor))

    app.push_screen(VisitorPickModal(purpose), picked)


def privacy_commands(app: App[Any]) -> Iterable[SystemCommand]:
    """The palette commands of the privacy duties, for those whose role allows them."""
    actor = getattr(app, "actor", None)
    if actor is None:
        return
    key = labelled(app, "", "privacy").strip()  # "(F12)", or the key the user has instead
    yield SystemCommand(
        f"Privacy screen {key}",
        f"Hide everything personal on the screen at once until {key[1:-1]} is pressed again",
        lambda: toggle_curtain(app),
    )
    if allowed(actor.role, "audit.view") and not isinstance(app.screen, AuditScreen):
        yield SystemCommand(
            "Audit log",
            "Every sensitive act: who, what, when, from where; filter by action, staff, day",
            lambda: app.push_screen(AuditScreen()),
        )
    if allowed(actor.role, "privacy.purge"):
        yield SystemCommand(
            "Privacy: anonymise old visitors",
            "Retention: anonymise visitors with no activity in the retention period",
            lambda: app.push_screen(PurgeModal()),
        )
    if allowed(actor.role, "privacy.export"):
        yield SystemCommand(
            "Privacy: export a visitor's data",
            "Access request: everything held about one visitor, as JSON and Markdown",
            lambda: _then(app, "Access request: find the visitor", ExportModal),
        )
    if allowed(actor.role, "privacy.erase"):
        yield SystemCommand(
            "Privacy: erase a visitor",
            "Erasure request: anonymise one visitor now, with a reason",
            lambda: _then(app, "Erasure request: find the visitor", EraseModal),
        )
