"""The partner directory: search, add, edit and (de)activate the centre's service partners."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Input, Select, Static

from frontdesk.services import FrontdeskError
from frontdesk.services.auth import allowed
from frontdesk.services.fields import format_phone
from frontdesk.services.partners import PARTNER_FIELDS, PartnerInput, PartnerRecord
from frontdesk.tui.actions import palette_commands
from frontdesk.tui.paths import stylesheet
from frontdesk.tui.referrals.dialogs import (
    StepField,
    StepModal,
)
from frontdesk.tui.screens.base import WorkScreen
from frontdesk.tui.work import run_service


class PartnerDirectoryScreen(WorkScreen):
    """Search partners by name, category and language; the team lead edits them."""

    HELP_TITLE = "Partner directory"
    CSS_PATH = [stylesheet("referrals.tcss")]
    BINDINGS = [
        Binding("escape", "back", "Back", id="back", tooltip="Back to the referral list"),
        Binding("f2", "add", "Add", id="add_partner", tooltip="Add a partner (team lead)"),
        Binding(
            "f4",
            "edit",
            "Edit",
            id="edit_partner",
            tooltip="Change the highlighted partner (team lead)",
        ),
        Binding(
            "f8",
            "toggle_active",
            "Deactivate/activate",
            id="toggle_partner",
            tooltip="Deactivate the partner (history kept) or bring it back (team lead)",
        ),
        Binding(
            "ctrl+t",
            "toggle_inactive",
            "Show inactive",
            id="show_inactive",
            tooltip="Show or hide deactivated partners",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.partners: list[PartnerRecord] = []
        self.include_inactive = False

    def compose_body(self) -> ComposeResult:
        categories = self.services.partners.categories
        with Horizontal(id="pd-filters"):
            yield Input(placeholder="name", id="pd-name")
            yield Select([(c, c) for c in categories], prompt="any category", id="pd-category")
            yield Input(placeholder="language", id="pd-language")
        with Horizontal(id="pd-body"):
            yield DataTable(id="pd-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="pd-detail"):
                yield Static("", id="pd-info")

    def on_mount(self) -> None:
        table = self.query_one("#pd-table", DataTable)
        table.add_columns("Name", "Category", "Languages")
        self.query_one("#pd-name", Input).focus()
        self._search()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add", "edit", "toggle_active"):
            return self.actor is not None and allowed(self.actor.role, "partner.edit")
        return True

    @on(Input.Changed)
    @on(Select.Changed)
    def _search(self) -> None:
        text = self.query_one("#pd-name", Input).value
        language = self.query_one("#pd-language", Input).value
        category = self.query_one("#pd-category", Select).value
        cat = category if isinstance(category, str) else None
        service, actor, inactive = (
            self.services.partners,
            self.actor,
            self.include_inactive,
        )
        run_service(
            self,
            lambda: service.search(
                actor, text, category=cat, language=language, include_inactive=inactive
            ),
            done=self._show,
            group="partner-search",
            exclusive=True,
        )

    @on(Input.Submitted)
    def _to_table(self) -> None:
        self.query_one("#pd-table", DataTable).focus()

    def _show(self, partners: list[PartnerRecord]) -> None:
        self.partners = partners
        table = self.query_one("#pd-table", DataTable)
        table.clear()
        for p in partners:
            name = Text(p.name, style="" if p.active else "dim strike")
            table.add_row(name, Text(p.category), Text(p.languages or ""), key=str(p.id))
        self._show_detail()

    def current(self) -> PartnerRecord | None:
        table = self.query_one("#pd-table", DataTable)
        if not self.partners or not 0 <= table.cursor_row < len(self.partners):
            return None
        return self.partners[table.cursor_row]

    @on(DataTable.RowHighlighted, "#pd-table")
    def _show_detail(self) -> None:
        p = self.current()
        info = Text()
        if p is None:
            info.append("No partner matches." if not self.partners else "")
        else:
            info.append(p.name + ("" if p.active else "  (deactivated)") + "\n", style="bold")
            for label, value in (
                ("Category", p.category),
                ("Contact", p.contact),
                ("Phone", format_phone(p.phone)),
                ("E-mail", p.email),
                ("Website", p.website),
                ("Languages", p.languages),
                ("Notes", p.notes),
            ):
                info.append(f"{label:<11}", style="dim")
                info.append(f"{value or '—'}\n")
        self.query_one("#pd-info", Static).update(info)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_toggle_inactive(self) -> None:
        self.include_inactive = not self.include_inactive
        self._search()

    def _form(self, title: str, record: PartnerRecord | None) -> None:
        service, actor = self.services.partners, self.actor
        current = record.as_input() if record else PartnerInput()
        labels = {
            "name": "Name",
            "category": "Category",
            "contact": "Contact person",
            "email": "E-mail",
            "phone": "Phone",
            "website": "Website",
            "languages": "Languages (comma-separated)",
            "notes": "Notes",
        }
        fields = [
            StepField(
                name,
                labels[name],
                getattr(current, name) or "",
                options=[(c, c) for c in service.categories] if name == "category" else None,
            )
            for name in PARTNER_FIELDS
        ]

        def submit(values: dict[str, str]) -> PartnerRecord:
            data = PartnerInput(**values)
            if record is None:
                return service.add(actor, data)
            return service.update(actor, record.id, data)

        def done(result: object) -> None:
            if result is not None:
                self.app.notify("Partner saved.")
                self._search()

        self.app.push_screen(StepModal(title, fields, submit), done)

    def action_add(self) -> None:
        self._form("Add a partner", None)

    def action_edit(self) -> None:
        p = self.current()
        if p is not None:
            self._form(f"Change {p.name}", p)

    def action_toggle_active(self) -> None:
        p = self.current()
        if p is None:
            return
        service, actor = self.services.partners, self.actor

        def done(record: PartnerRecord) -> None:
            state = "active again" if record.active else "deactivated (its history is kept)"
            self.app.notify(f"{record.name} is {state}.")
            self._search()

        def failed(error: FrontdeskError) -> None:
            self.show_refusal(error)

        run_service(
            self, lambda: service.set_active(actor, p.id, not p.active), done=done, failed=failed
        )

    def commands(self) -> Iterable[SystemCommand]:
        return palette_commands(self, self.BINDINGS, "Partners")
