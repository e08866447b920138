"""The audit log, for the team lead: every sensitive act, filtered, read-only."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Static

from frontdesk.services import FrontdeskError
from frontdesk.services.audit import AuditEntry
from frontdesk.tui.actions import palette_commands
from frontdesk.tui.dates import moment_text
from frontdesk.tui.screens.base import WorkScreen
from frontdesk.tui.widgets.field import Field, show_field_errors, show_refusal_beside
from frontdesk.tui.work import run_service

# (field, label, placeholder, max length)
FILTERS = (
    ("action", "Action", "login, privacy…", 50),
    ("actor_name", "Staff member", "part of a name", 100),
    ("since", "From day", "2026-11-23", 10),
    ("until", "To day", "2026-11-30", 10),
    ("object", "Object", "visitor 42", 60),
)
LIMIT = 500


class AuditScreen(WorkScreen):
    """Pushed over the working screen from the palette; Escape goes back."""

    HELP_TITLE = "Audit log"
    BINDINGS = [
        Binding("escape", "close", "Back", id="close_audit", tooltip="Back to where you were"),
        Binding("ctrl+s", "apply", "Filter", id="apply_filter", tooltip="Apply the filters"),
        Binding("ctrl+r", "clear", "Clear", id="clear_filter", tooltip="Clear every filter"),
    ]

    def __init__(self) -> None:
        super().__init__(id="audit")

    def compose_body(self) -> ComposeResult:
        with Vertical(id="audit-body"):
            with Horizontal(id="audit-filters"):
                for name, label, hint, length in FILTERS:
                    control = Input(id=name, placeholder=hint, max_length=length)
                    yield Field(label, control, name=name)
            yield Static("", id="audit-count")
            yield DataTable(id="audit-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#audit-table", DataTable)
        table.add_columns("When", "Staff", "Action", "Object", "Result", "Origin", "Reason")
        self.query_one("#action", Input).focus()
        self.action_apply()

    def _filters(self) -> dict[str, Any]:
        values = {name: self.query_one(f"#{name}", Input).value for name, *_ in FILTERS}
        obj = values.pop("object").replace("#", " ").split()
        out: dict[str, Any] = {k: v.strip() or None for k, v in values.items()}
        if len(obj) == 1 and obj[0].isdigit():
            out["object_id"] = obj[0]
        elif obj:
            out["object_type"] = obj[0].casefold()
            if len(obj) > 1:
                out["object_id"] = obj[1]
        return out

    @on(Input.Submitted)
    def action_apply(self) -> None:
        actor = self.actor
        audit = self.services.audit
        filters = self._filters()
        run_service(
            self,
            lambda: audit.recent(actor, limit=LIMIT, **filters),
            done=self._show,
            failed=self._failed,
            group="audit",
            exclusive=True,
        )

    def _show(self, entries: Sequence[AuditEntry]) -> None:
        show_field_errors(self, None, None)
        table = self.query_one("#audit-table", DataTable)
        table.clear()
        for e in entries:
            obj = f"{e.object_type} {e.object_id or ''}".strip() if e.object_type else ""
            table.add_row(
                moment_text(self, e.at, seconds=True),
                e.actor or "—",
                e.action,
                obj,
                e.result,
                e.origin,
                e.reason or "",
                key=str(e.id),
            )
        more = f" (the latest {LIMIT}; narrow the filters to see older ones)"
        self.query_one("#audit-count", Static).update(
            f"{len(entries)} event(s){more if len(entries) >= LIMIT else ''}. "
            "Audit events cannot be changed or deleted."
        )

    def _failed(self, error: FrontdeskError) -> None:
        if not show_refusal_beside(self, error):
            self.app.notify(error.message, severity="warning")

    def action_clear(self) -> None:
        for name, *_ in FILTERS:
            self.query_one(f"#{name}", Input).value = ""
        self.action_apply()

    def action_close(self) -> None:
        self.app.pop_screen()

    def commands(self) -> Iterable[SystemCommand]:
        return palette_commands(self, self.BINDINGS, "Audit log")
