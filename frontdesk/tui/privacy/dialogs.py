"""The team lead's privacy duties: retention purge, access and erasure requests.

They open from the command palette (App-level commands, so every screen has them) as
modal dialogs; the work itself is done by :class:`frontdesk.services.privacy.PrivacyService`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Button, Input, Static
from textual.widgets.button import ButtonVariant

from frontdesk.services import FrontdeskError, ValidationError
from frontdesk.services.auth import allowed
from frontdesk.services.privacy import ExportFiles, PurgeReport
from frontdesk.services.visitors import VisitorRecord
from frontdesk.tui.actions import labelled
from frontdesk.tui.base import FrontdeskModal, ResultType
from frontdesk.tui.dialogs import Dialog
from frontdesk.tui.screens.audit import AuditScreen
from frontdesk.tui.screens.visitor_pick import pick_visitor
from frontdesk.tui.widgets.field import Field, show_field_errors, show_refusal_beside
from frontdesk.tui.work import run_service

T = TypeVar("T")


class PrivacyCurtain(FrontdeskModal[None]):
    """F12: an opaque curtain over whatever screen is showing, with nothing personal on it.
    Not a :class:`Dialog`: no frame, and neither Escape nor Enter takes it away.

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


class PurgeModal(Dialog[None]):
    """Retention: shows the dry-run count first; anonymises only after "Anonymise"."""

    BINDINGS = [
        Binding("escape", "close", "Cancel", id="close_dialog", tooltip="Close, change nothing"),
        Binding("ctrl+s", "purge", "Anonymise", id="save", tooltip="Anonymise the visitors"),
    ]

    def __init__(self) -> None:
        super().__init__("Anonymise visitors past the retention period", id="purge")
        self.report: PurgeReport | None = None

    def compose_body(self) -> ComposeResult:
        days = self.settings.retention_days
        yield Field(
            "No activity for at least (days)",
            Input(str(days), id="older_than", restrict=r"\d*", max_length=5),
            name="older_than",
        )
        yield Static("Counting…", id="purge-count")

    def compose_buttons(self) -> Iterable[Button]:
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
        show_refusal_beside(self, error, "older_than")
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


class VisitorRequestModal(Dialog[ResultType]):
    """A request about one visitor (access, erasure): what happens, one field, a note,
    the act's button (Ctrl+S, or Enter in the field) and Close (Escape)."""

    BINDINGS = [Binding("escape", "close", "Close", id="close_dialog", tooltip="Close")]
    ACT = ""  # "export", "erase": the ids of the field's note and the buttons start with it
    ACT_LABEL = ""
    ACT_VARIANT: ClassVar[ButtonVariant] = "primary"
    CLOSE = ("close", "Close")  # the close button's id suffix and label
    NOTE_FIRST = False  # the note above the field (True) or below it

    def __init__(self, title: str, visitor: VisitorRecord) -> None:
        super().__init__(title, id=self.ACT)
        self.visitor = visitor

    def message(self) -> str:
        return ""

    def field(self) -> Field:
        raise NotImplementedError

    def compose_body(self) -> ComposeResult:
        yield Static(self.message(), id="dialog-message")
        note = Static("", id=f"{self.ACT}-{'block' if self.NOTE_FIRST else 'result'}")
        if self.NOTE_FIRST:
            yield note
        yield self.field()
        if not self.NOTE_FIRST:
            yield note

    def compose_buttons(self) -> Iterable[Button]:
        yield Button(self.ACT_LABEL, variant=self.ACT_VARIANT, id=f"{self.ACT}-go")
        yield Button(self.CLOSE[1], id=f"{self.ACT}-{self.CLOSE[0]}")

    def on_mount(self) -> None:
        self.query_one(".field Input", Input).focus()

    @on(Input.Submitted)
    def _act(self) -> None:
        self.act()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == f"{self.ACT}-go":
            self.act()
        else:
            self.action_close()

    def action_act(self) -> None:  # Ctrl+S
        self.act()

    def act(self) -> None:
        """Do what the dialog is for (with :meth:`run`)."""

    def run(self, call: Callable[[], T], done: Callable[[T], object]) -> None:
        """The request's service call, in a worker; a refusal goes to ``failed``."""
        run_service(self, call, done=done, failed=self.failed)

    def failed(self, error: FrontdeskError) -> None:
        """Say why beside the field (or in the note)."""

    def action_close(self) -> None:
        self.dismiss(None)


class ExportModal(VisitorRequestModal[None]):
    """Access request: write the visitor's data as JSON and Markdown into a folder."""

    BINDINGS = [Binding("ctrl+s", "act", "Export", id="save", tooltip="Write the export files")]
    ACT, ACT_LABEL = "export", "Export"

    def __init__(self, visitor: VisitorRecord) -> None:
        super().__init__(f"Access request: visitor #{visitor.id}", visitor)

    def message(self) -> str:
        return (
            "Everything held about this visitor (record, visits with their timeline, "
            "contacts, audit events and what other parts of frontdesk hold) is written "
            "as a JSON file and a readable Markdown file, readable by you only."
        )

    def field(self) -> Field:
        return Field("Folder", Input(str(Path.home()), id="directory"), name="directory")

    def act(self) -> None:
        actor = self.actor
        privacy = self.services.privacy
        folder = self.query_one("#directory", Input).value
        visitor_id = self.visitor.id
        self.run(lambda: privacy.export(actor, visitor_id, folder), self._written)

    def _written(self, files: ExportFiles) -> None:
        show_field_errors(self, None, None)
        self.query_one("#export-result", Static).update(
            f"Written:\n{files.json_path}\n{files.markdown_path}"
        )
        self.app.notify("Access-request export written.", title="Privacy")

    def failed(self, error: FrontdeskError) -> None:
        show_refusal_beside(self, error, "directory")


class EraseModal(VisitorRequestModal[bool]):
    """Erasure request: anonymise one visitor now, with a reason for the audit log."""

    BINDINGS = [
        Binding("escape", "close", "Cancel", id="close_dialog", tooltip="Close, change nothing"),
        Binding("ctrl+s", "act", "Erase", id="save", tooltip="Anonymise this visitor now"),
    ]
    ACT, ACT_LABEL, ACT_VARIANT = "erase", "Erase", "error"
    CLOSE = ("cancel", "Cancel")
    NOTE_FIRST = True

    def __init__(self, visitor: VisitorRecord) -> None:
        super().__init__(f"Erasure request: visitor #{visitor.id}", visitor)

    def message(self) -> str:
        return (
            f"{self.visitor.full_name}: name, contact details, date of birth, notes and "
            "BSN are removed now; the visit figures stay. This cannot be undone."
        )

    def field(self) -> Field:
        return Field(
            "Reason (goes into the audit log)", Input(id="reason", max_length=500), name="reason"
        )

    def on_mount(self) -> None:
        actor = self.actor
        privacy = self.services.privacy
        visitor_id = self.visitor.id
        run_service(self, lambda: privacy.erasure_blocked(actor, visitor_id), done=self._show_block)

    def _show_block(self, reason: str | None) -> None:
        note = self.query_one("#erase-block", Static)
        note.update(f"Cannot erase yet: {reason}." if reason else "")
        note.set_class(bool(reason), "field-error")

    def act(self) -> None:
        actor = self.actor
        privacy = self.services.privacy
        reason = self.query_one("#reason", Input).value
        visitor_id = self.visitor.id
        self.run(lambda: privacy.erase(actor, visitor_id, reason), self._erased)

    def _erased(self, _result: None) -> None:
        self.app.notify(f"Visitor #{self.visitor.id} has been anonymised.", title="Privacy")
        self.dismiss(True)

    def failed(self, error: FrontdeskError) -> None:
        if isinstance(error, ValidationError):
            show_field_errors(self, error.field, error.message)
        else:
            self._show_block(
                error.message.removeprefix("Cannot erase this visitor yet: ").rstrip(".")
            )

    def action_close(self) -> None:
        self.dismiss(False)


def _opens(
    app: App[Any], modal: type[ExportModal] | type[EraseModal]
) -> Callable[[VisitorRecord], object]:
    return lambda visitor: app.push_screen(modal(visitor))


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
            lambda: pick_visitor(app, "Access request: find the visitor", _opens(app, ExportModal)),
        )
    if allowed(actor.role, "privacy.erase"):
        yield SystemCommand(
            "Privacy: erase a visitor",
            "Erasure request: anonymise one visitor now, with a reason",
            lambda: pick_visitor(app, "Erasure request: find the visitor", _opens(app, EraseModal)),
        )
