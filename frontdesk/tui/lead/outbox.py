"""The lead's e-mail tab: the appointment e-mails still to send and those that failed
(with the server's reason); retry or cancel the one selected."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.widgets import DataTable, Label, Static

from frontdesk.tui.dates import moment_text
from frontdesk.tui.lead.common import LeadTab
from frontdesk.tui.screens.dialogs import ConfirmModal
from frontdesk.tui.work import run_service

if TYPE_CHECKING:  # the mail package (and icalendar) is imported when the tab first loads
    from frontdesk.services.mail import OutboxEntry

OutboxData = tuple[dict[str, int], list["OutboxEntry"]]
KIND_LABELS = {"confirmation": "Confirmation", "reminder": "Reminder", "cancellation": "Cancelled"}


class OutboxTab(LeadTab):
    """Counts per status, then the queued, sending and failed e-mails (failed first)."""

    def __init__(self, title: str) -> None:
        super().__init__(title, id="outbox")
        self.rows: list[OutboxEntry] = []

    def compose_tab(self) -> ComposeResult:
        k = self.key
        yield Static("", id="outbox-counts")
        yield Label(
            f"E-mails to send and failed  ({k('lead_mail_retry')} retry · "
            f"{k('lead_mail_cancel')} cancel)",
            classes="panel-title",
        )
        yield DataTable(id="outbox-table", cursor_type="row", zebra_stripes=True)
        yield Static(
            "'frontdesk mail send' delivers them (cron or a systemd timer: docs/mail.md).",
            id="outbox-note",
        )

    def on_built(self) -> None:
        self.query_one("#outbox-table", DataTable).add_columns(
            "Status", "E-mail", "Appt", "To", "Next try", "Tries", "Reason"
        )

    def reload(self) -> None:
        actor = self.actor

        def fetch() -> OutboxData:
            mail = self.services.mail
            return mail.counts(actor), mail.outbox(actor)

        run_service(self, fetch, done=self.show_outbox, group="lead-outbox", exclusive=True)

    def show_outbox(self, data: OutboxData) -> None:
        counts, rows = data
        self.rows = rows
        self.query_one("#outbox-counts", Static).update(
            " · ".join(f"{status} {n}" for status, n in counts.items())
        )
        table = self.query_one("#outbox-table", DataTable)
        table.clear()
        for e in rows:
            table.add_row(
                e.status,
                KIND_LABELS.get(e.kind, e.kind),
                str(e.appointment_id or ""),
                e.to_address or "",
                moment_text(self, e.next_try_at) if e.status == "queued" else "",
                str(e.attempts),
                e.last_error or "",
                key=str(e.id),
            )
        if not rows:
            table.add_row("(nothing to send, nothing failed)", "", "", "", "", "", "")
        self.reloads.drawn()

    def selected(self) -> OutboxEntry | None:
        table = self.query_one("#outbox-table", DataTable)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            self.app.notify("Pick an e-mail in the table first.", severity="warning")
            return None
        return self.rows[table.cursor_row]

    def retry(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        actor, mail = self.actor, self.services.mail
        run_service(self, lambda: mail.retry(actor, entry.id), done=self._changed)

    def cancel(self) -> None:
        entry = self.selected()
        if entry is None:
            return
        actor, mail = self.actor, self.services.mail

        def answered(yes: bool | None) -> None:
            if yes:
                run_service(self, lambda: mail.cancel(actor, entry.id), done=self._changed)

        self.app.push_screen(
            ConfirmModal(
                f"Cancel this {entry.kind} e-mail? It will not be sent.",
                yes="Cancel the e-mail",
                no="Keep it",
            ),
            answered,
        )

    def _changed(self, entry: OutboxEntry) -> None:
        self.app.notify(f"E-mail {entry.id}: {entry.status}.")
        self.reload()
