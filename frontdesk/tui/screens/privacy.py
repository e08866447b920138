"""The team lead's privacy duties: retention purge, access and erasure requests.

They open from the command palette (App-level commands, so every screen has them) as
modal dialogs; the work itself is done by :class:`frontdesk.services.privacy.PrivacyService`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual import on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from frontdesk.services import FrontdeskError, ValidationError
from frontdesk.services.auth import allowed
from frontdesk.services.privacy import PurgeReport
from frontdesk.tui.widgets.field import Field, show_field_errors
from frontdesk.tui.work import run_service


def _services(app: App[Any]) -> Any:
    return app.services  # type: ignore[attr-defined]


class PurgeModal(ModalScreen[None]):
    """Retention: shows the dry-run count first; anonymises only after "Anonymise"."""

    BINDINGS = [
        Binding("escape", "close", "Cancel", id="close_dialog", tooltip="Close, change nothing"),
        Binding("ctrl+s", "purge", "Anonymise", id="save", tooltip="Anonymise the visitors"),
    ]

    def __init__(self) -> None:
        super().__init__(classes="dialog", id="purge")
        self.report: PurgeReport | None = None

    def compose(self) -> ComposeResult:
        days = self.app.settings.retention_days  # type: ignore[attr-defined]
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
        actor = self.app.actor  # type: ignore[attr-defined]
        privacy = _services(self.app).privacy
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
        actor = self.app.actor  # type: ignore[attr-defined]
        privacy = _services(self.app).privacy
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


def privacy_commands(app: App[Any]) -> Iterable[SystemCommand]:
    """The palette commands of the privacy duties, for those whose role allows them."""
    actor = getattr(app, "actor", None)
    if actor is None:
        return
    if allowed(actor.role, "privacy.purge"):
        yield SystemCommand(
            "Privacy: anonymise old visitors",
            "Retention: anonymise visitors with no activity in the retention period",
            lambda: app.push_screen(PurgeModal()),
        )
