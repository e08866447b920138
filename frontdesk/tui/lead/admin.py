"""The lead's staff & services tab: staff accounts, services, opening hours, target wait."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Label, Static

from frontdesk.services import Actor
from frontdesk.services.queue import ServiceInfo
from frontdesk.services.reports import SettingLine
from frontdesk.services.rules import DAY_NAMES, KINDS, TARGET_FIELD, CentreRules, RuleChange
from frontdesk.services.staff import StaffInfo, StaffService
from frontdesk.tui.dates import moment_text
from frontdesk.tui.lead import bookings
from frontdesk.tui.lead.common import LeadTab
from frontdesk.tui.lead.forms import (
    FormField,
    FormModal,
    RulesModal,
    active_checkbox,
    pin_input,
    role_select,
    text_input,
)
from frontdesk.tui.screens.dialogs import ConfirmModal
from frontdesk.tui.work import run_service

AdminData = tuple[list[StaffInfo], list[ServiceInfo], tuple[str, list[SettingLine]], CentreRules]
Row = TypeVar("Row")


def _reset_pin(staff: StaffService, actor: Actor, staff_id: int, values: dict[str, Any]) -> bool:
    staff.reset_pin(actor, staff_id, values["pin"], values["pin_repeat"])
    return True


class AdminTab(LeadTab):
    """Staff, services, opening hours and the target wait; the configuration, read-only."""

    def __init__(self, title: str) -> None:
        super().__init__(title, id="admin")
        self.staff_rows: list[StaffInfo] = []
        self.service_rows: list[ServiceInfo] = []
        self.centre_rules: CentreRules | None = None

    def compose_tab(self) -> ComposeResult:
        k = self.key
        with Horizontal(id="admin-main"):
            with Vertical(id="admin-staff"):
                yield Label(
                    f"Staff  ({k('lead_add_staff')} add · {k('lead_deactivate_staff')} "
                    f"deactivate · {k('lead_reset_pin')} reset PIN · "
                    f"{k('lead_change_role')} role)",
                    classes="panel-title",
                )
                yield DataTable(id="staff-table", cursor_type="row", zebra_stripes=True)
                yield Label(f"Opening hours and target wait  ({k('lead_edit_rules')} change)",
                            classes="panel-title")  # fmt: skip
                yield DataTable(id="hours-table", cursor_type="none", zebra_stripes=True)
                yield Static("", id="rules-view")
            with Vertical(id="admin-services"):
                yield Label(f"Services  ({k('lead_edit_service')} edit)", classes="panel-title")
                yield DataTable(id="service-table", cursor_type="row", zebra_stripes=True)
                yield Label(
                    f"Appointments  ({k('lead_capacity')} capacity · "
                    f"{k('lead_employers')} employer names · {k('lead_duplicates')} duplicates)",
                    classes="panel-title",
                )
                yield Static("", id="bookings-view")
                yield Label("Configuration (read-only)", classes="panel-title")
                yield Static("", id="config-view")

    def on_built(self) -> None:
        self.query_one("#staff-table", DataTable).add_columns("Name", "Role", "Active")
        self.query_one("#service-table", DataTable).add_columns(
            "Name", "Prefix", "Active", "Desks", "Code"
        )
        self.query_one("#hours-table", DataTable).add_columns(
            "Day", *(f"{label[0].upper()}{label[1:]}" for label in KINDS.values())
        )

    def reload(self) -> None:
        actor = self.actor

        def fetch() -> AdminData:
            s = self.services
            return (
                s.staff.list(actor),
                s.catalogue.list(actor),
                s.reports.configuration(actor),
                s.rules.current(),
            )

        run_service(self, fetch, done=self.show_admin, group="lead-admin", exclusive=True)
        bookings.load(self, self.show_bookings)

    def show_bookings(self, rules: bookings.BookingRules) -> None:
        self.query_one("#bookings-view", Static).update(bookings.rules_text(rules))

    def edit_capacity(self) -> None:
        bookings.edit_capacity(self, self._booking_saved)

    def edit_employers(self) -> None:
        bookings.edit_employers(self, self._booking_saved)

    def _booking_saved(self, result: Any) -> None:
        if result is not None:
            self.app.notify("Saved for every desk.")
            bookings.load(self, self.show_bookings)

    def show_admin(self, data: AdminData) -> None:
        staff, services, (path, lines), rules = data
        self.staff_rows, self.service_rows = staff, services
        self.show_rules(rules)
        table = self.query_one("#staff-table", DataTable)
        table.clear()
        for p in staff:
            table.add_row(p.name, p.role, "yes" if p.active else "no", key=str(p.id))
        table = self.query_one("#service-table", DataTable)
        table.clear()
        for s in services:
            desks = ", ".join(str(d) for d in s.desks) or "all"
            table.add_row(s.name, s.prefix, "yes" if s.active else "no", desks, s.code, key=s.code)
        self.query_one("#config-view", Static).update(
            "\n".join(f"{line.name}: {line.value}" for line in lines)
            + f"\n\nEdit these in the config file:\n{path}"
        )
        self.reloads.drawn()

    def show_rules(self, rules: CentreRules) -> None:
        self.centre_rules = rules
        table = self.query_one("#hours-table", DataTable)
        table.clear()
        for day, name in enumerate(DAY_NAMES):
            table.add_row(name, *(rules.day_text(kind, day) or "closed" for kind in KINDS))
        if rules.hours_changed is None and rules.target_changed is None:
            source = (
                "From the config file until you change them "
                f"({self.key('lead_edit_rules')}), for every desk."
            )
        else:
            source = (
                f"Hours {self._source(rules.hours_changed)}\n"
                f"Target {self._source(rules.target_changed)}"
            )
        self.query_one("#rules-view", Static).update(
            f"Target wait: {rules.target_wait_minutes} minutes\n{source}"
        )

    def _source(self, change: RuleChange | None) -> str:
        if change is None:
            return "from the config file"
        when = moment_text(self, change.at)
        return f"set by {change.by or 'the command line'}, {when}"

    def _selected(self, selector: str, rows: Sequence[Row]) -> Row | None:
        table = self.query_one(selector, DataTable)
        if not rows or table.cursor_row < 0 or table.cursor_row >= len(rows):
            self.app.notify("Pick a row in the table first.", severity="warning")
            return None
        return rows[table.cursor_row]

    def _form(
        self, title: str, fields: list[FormField], submit: Callable[[dict[str, Any]], object]
    ) -> None:
        """A staff or service form; the tab shows the change once it is saved."""
        self.app.push_screen(FormModal(title, fields, submit), self._admin_done)

    def _admin_done(self, result: Any) -> None:
        if result:
            self.app.notify("Saved.")
            self.reload()

    def add_staff(self) -> None:
        actor, staff = self.actor, self.services.staff
        self._form(
            "Add a staff member",
            [
                FormField("name", "Name", text_input("name")),
                FormField("role", "Role", role_select()),
                FormField("pin", "PIN", pin_input("pin")),
                FormField("pin_repeat", "PIN again", pin_input("pin_repeat")),
            ],
            lambda v: staff.add(actor, v["name"], v["role"], v["pin"], v["pin_repeat"]),
        )

    def deactivate_staff(self) -> None:
        person = self._selected("#staff-table", self.staff_rows)
        if person is None:
            return
        actor = self.actor

        def answered(yes: bool | None) -> None:
            if yes:
                run_service(self, lambda: self.services.staff.deactivate(actor, person.id),
                            done=self._admin_done)  # fmt: skip

        self.app.push_screen(
            ConfirmModal(f"Deactivate {person.name}? They can no longer log in.",
                         yes="Deactivate", no="Cancel"),
            answered,
        )  # fmt: skip

    def reset_pin(self) -> None:
        person = self._selected("#staff-table", self.staff_rows)
        if person is None:
            return
        actor, staff = self.actor, self.services.staff
        self._form(
            f"New PIN for {person.name}",
            [
                FormField("pin", "New PIN", pin_input("pin")),
                FormField("pin_repeat", "New PIN again", pin_input("pin_repeat")),
            ],
            lambda v: _reset_pin(staff, actor, person.id, v),
        )

    def change_role(self) -> None:
        person = self._selected("#staff-table", self.staff_rows)
        if person is None:
            return
        actor, staff = self.actor, self.services.staff
        self._form(
            f"Role of {person.name}",
            [FormField("role", "Role", role_select(person.role))],
            lambda v: staff.change_role(actor, person.id, v["role"]),
        )

    def edit_rules(self) -> None:
        # Read them again: another machine may have changed them since the tab was shown.
        run_service(self, self.services.rules.current, done=self._edit_rules)

    def _edit_rules(self, rules: CentreRules) -> None:
        self.show_rules(rules)
        actor, service = self.actor, self.services.rules

        shown = {**rules.texts(), TARGET_FIELD: str(rules.target_wait_minutes)}

        def submit(values: dict[str, Any]) -> CentreRules:
            # Only what the lead changed: another lead's change to another day meanwhile stays.
            changed = {k: v for k, v in values.items() if str(v).strip() != shown[k]}
            target = changed.pop(TARGET_FIELD, None)
            return service.save(actor, hours=changed, target_wait=target)

        self.app.push_screen(RulesModal(rules, submit), self._rules_saved)

    def _rules_saved(self, result: Any) -> None:
        if isinstance(result, CentreRules):
            self.show_rules(result)
            self.app.notify("Opening hours and target wait saved for every desk.")
            self.reload()

    def edit_service(self) -> None:
        service = self._selected("#service-table", self.service_rows)
        if service is None:
            return
        actor, catalogue = self.actor, self.services.catalogue
        self._form(
            f"Service: {service.name}",
            [
                FormField("name", "Name", text_input("name", service.name)),
                FormField("prefix", "Ticket prefix (1-2 letters)",
                          text_input("prefix", service.prefix)),
                FormField("desks", "Desks that call it", text_input(
                    "desks", ", ".join(str(d) for d in service.desks), "empty = every desk"),
                    hint="desk numbers, e.g. 1, 2; empty = every desk"),
                FormField("active", "Active", active_checkbox(service.active)),
            ],
            lambda v: catalogue.update(actor, service.code, name=v["name"], prefix=v["prefix"],
                                       active=bool(v["active"]), desks=v["desks"]),
        )  # fmt: skip
