"""Importing a CSV file from the app: appointments from the booking system, partners.

The same imports as ``frontdesk import appointments|partners FILE [--dry-run]``: type the
file's path, check first with a dry run, then import; every rejected row is listed with
its line number, column and reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Button, Checkbox, Input, Static

from frontdesk.services import FrontdeskError, ValidationError
from frontdesk.tui.actions import labelled
from frontdesk.tui.dialogs import Dialog
from frontdesk.tui.widgets.field import Field, show_field_errors, show_refusal_beside
from frontdesk.tui.work import run_service

KINDS = {
    "appointments": (
        "Import appointments",
        "The booking system's CSV: one row per person; rows sharing a reference are one "
        "household. Comma or semicolon, UTF-8 with or without BOM. If an import stops "
        "half-way, run the same file again: nothing is doubled.",
    ),
    "partners": (
        "Import partners",
        "Columns name, category (required), contact, email, phone, website, languages, "
        "notes. A row matches an existing partner by name; a blank cell keeps what is known.",
    ),
}


@dataclass(frozen=True)
class ImportOutcome:
    summary: str
    problems: tuple[str, ...]
    changes: tuple[str, ...] = ()


class ImportModal(Dialog[None]):
    """Ctrl+P "Import ...": pick a file, dry-run it, import it, read the report."""

    BINDINGS = [
        Binding("ctrl+s", "run", "Import", id="import_run", tooltip="Run the import"),
        Binding("escape", "close", "Close", id="import_close", tooltip="Close"),
    ]

    def __init__(self, kind: str) -> None:
        title, self.hint = KINDS[kind]
        super().__init__(title)
        self.kind = kind

    def compose_body(self) -> ComposeResult:
        yield Static(self.hint, id="dialog-message")
        yield Field("CSV file", Input(id="path", placeholder="/path/to/file.csv"), name="path")
        yield Checkbox("Dry run: check the file, save nothing", value=True, id="dry_run")
        with VerticalScroll(id="import-report"):
            yield Static("", id="import-result")

    def compose_buttons(self) -> Iterable[Button]:
        yield Button(labelled(self, "Run", "import_run"), variant="primary", id="run")
        yield Button(labelled(self, "Close", "import_close"), id="close")

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()

    @on(Input.Submitted, "#path")
    @on(Button.Pressed, "#run")
    def action_run(self) -> None:
        raw = self.query_one("#path", Input).value.strip()
        dry_run = self.query_one("#dry_run", Checkbox).value
        services = self.services
        actor = self.actor
        kind = self.kind

        def work() -> ImportOutcome:
            if not raw:
                raise ValidationError("path", "type the path of the CSV file")
            path = Path(raw).expanduser()
            if not path.is_file():
                raise ValidationError("path", "there is no file at this path")
            if kind == "appointments":
                from frontdesk.services.appointments.importer import import_appointments

                try:
                    data = path.read_bytes()
                except OSError:
                    raise ValidationError("path", "this file cannot be read") from None
                report = import_appointments(services.appointments, actor, data, dry_run=dry_run)
                warnings = tuple(f"warning: {w}" for w in report.warnings)
                return ImportOutcome(report.summary, tuple(report.errors), warnings)
            result = services.partners.import_csv(actor, path, dry_run=dry_run)
            return ImportOutcome(
                result.summary(),
                tuple(str(r) for r in result.rejected),
                tuple(result.changes),
            )

        run_service(self, work, done=self._done, failed=self._failed)

    def _done(self, outcome: ImportOutcome) -> None:
        show_field_errors(self, None, None)
        lines = [outcome.summary, *outcome.changes, *outcome.problems]
        self.query_one("#import-result", Static).update(Text("\n".join(lines)))

    def _failed(self, error: FrontdeskError) -> None:
        if not show_refusal_beside(self, error, "path"):
            show_field_errors(self, "path", error.message)

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
