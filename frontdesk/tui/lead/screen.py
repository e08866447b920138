"""The team lead's screen: four tabs (dashboard, day review, period reports, staff &
services), each a widget of its own that loads its own figures (``frontdesk/tui/lead/``).

The screen holds the keys: it switches tabs and hands each action to the tab it belongs
to; exporting and closing or reopening a day take the day or period of the tab shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.widgets import Button, TabbedContent

from frontdesk.services.reports import PRESETS, Dashboard
from frontdesk.tui.actions import labelled, palette_commands
from frontdesk.tui.dates import date_text
from frontdesk.tui.lead.admin import AdminTab
from frontdesk.tui.lead.common import LeadTab
from frontdesk.tui.lead.dashboard import DashboardTab
from frontdesk.tui.lead.forms import (
    FormField,
    FormModal,
    format_select,
    names_checkbox,
    text_input,
    write_export,
)
from frontdesk.tui.lead.outbox import OutboxTab
from frontdesk.tui.lead.reports import ReportsTab
from frontdesk.tui.lead.review import ReviewTab
from frontdesk.tui.paths import stylesheet
from frontdesk.tui.screens.base import WorkScreen
from frontdesk.tui.screens.dialogs import ConfirmModal
from frontdesk.tui.work import run_service

TABS = ("dashboard", "review", "reports", "admin", "outbox")
T = TypeVar("T", bound=LeadTab)


class LeadScreen(WorkScreen):
    """The lead's tabs; see the module docstring. It opens with the dashboard alone: each
    other tab is built the first time it is shown or an action needs it (``with_tab``)."""

    HELP_TITLE = "Team lead"
    MODE = "lead"
    CSS_PATH: ClassVar = [stylesheet("lead.tcss")]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "tab('dashboard')", "Dashboard", id="lead_dashboard", show=False,
                tooltip="Today's queue live: waits, desks, charts"),
        Binding("f3", "tab('review')", "Day review", id="lead_review", show=False,
                tooltip="Any day's tickets, filters and a ticket's timeline"),
        Binding("f4", "tab('reports')", "Reports", id="lead_reports", show=False,
                tooltip="Week, month, quarter, year or any range"),
        Binding("f8", "tab('admin')", "Staff & services", id="lead_admin", show=False,
                tooltip="Staff accounts, services, opening hours and the target wait"),
        Binding("f5", "shift_day(-1)", "Prev day", id="lead_prev_day",
                tooltip="Day review: the day before"),
        Binding("f6", "shift_day(1)", "Next day", id="lead_next_day",
                tooltip="Day review: the day after"),
        Binding("f9", "close_day", "Close day", id="lead_close_day",
                tooltip="Close the reviewed day: open tickets become not served (asks first)"),
        Binding("shift+f9", "reopen_day", "Reopen day", id="lead_reopen_day", show=False,
                tooltip="Reopen the reviewed day so tickets can be issued again (asks first)"),
        Binding("f10", "export", "Export", id="lead_export",
                tooltip="Save the day or period report as xlsx, csv or md"),
        Binding("ctrl+r", "refresh", "Refresh", id="lead_refresh",
                tooltip="Load the figures again now"),
        Binding("ctrl+n", "admin('add_staff')", "Add staff", id="lead_add_staff", show=False,
                tooltip="Add a staff account"),
        Binding("ctrl+d", "admin('deactivate_staff')", "Deactivate", id="lead_deactivate_staff",
                show=False, tooltip="Deactivate the selected staff account"),
        Binding("ctrl+t", "admin('reset_pin')", "Reset PIN", id="lead_reset_pin", show=False,
                tooltip="Give the selected staff member a new PIN"),
        Binding("ctrl+o", "admin('change_role')", "Change role", id="lead_change_role", show=False,
                tooltip="Change the selected staff member's role"),
        Binding("ctrl+e", "admin('edit_service')", "Edit service", id="lead_edit_service",
                show=False, tooltip="Edit the selected service: name, prefix, active, desks"),
        Binding("ctrl+u", "duplicates", "Duplicates", id="lead_duplicates", show=False,
                tooltip="Possible duplicate visitor records: merge them"),
        Binding("ctrl+k", "admin('edit_capacity')", "Capacity", id="lead_capacity", show=False,
                tooltip="How many households a BSN appointment slot takes"),
        Binding("ctrl+y", "admin('edit_employers')", "Employer names", id="lead_employers",
                show=False, tooltip="The list of employer spellings (alias = name to use)"),
        Binding("f7", "admin('edit_rules')", "Hours & target", id="lead_edit_rules", show=False,
                tooltip="Change the opening hours (walk-in, BSN appointments) and the target "
                "wait, for every desk; audited"),
        Binding("f11", "tab('outbox')", "E-mails", id="lead_outbox", show=False,
                tooltip="Appointment e-mails to send and failed ones"),
        Binding("ctrl+b", "mail('retry')", "Retry e-mail", id="lead_mail_retry", show=False,
                tooltip="E-mails: send the selected failed e-mail again"),
        Binding("ctrl+x", "mail('cancel')", "Cancel e-mail", id="lead_mail_cancel", show=False,
                tooltip="E-mails: do not send the selected e-mail (asks first)"),
    ]  # fmt: skip

    def compose_body(self) -> ComposeResult:
        with TabbedContent(initial="dashboard", id="lead-tabs"):
            yield DashboardTab(labelled(self, "Dashboard", "lead_dashboard"))
            yield ReviewTab(labelled(self, "Day review", "lead_review"))
            yield ReportsTab(
                labelled(self, "Reports", "lead_reports"), labelled(self, "Export", "lead_export")
            )
            yield AdminTab(labelled(self, "Staff & services", "lead_admin"))
            yield OutboxTab(labelled(self, "E-mails", "lead_outbox"))

    @property
    def review(self) -> ReviewTab:
        return self.query_one(ReviewTab)

    @property
    def reports(self) -> ReportsTab:
        return self.query_one(ReportsTab)

    @property
    def dashboard(self) -> Dashboard | None:
        """Today's figures as the dashboard last showed them (None before the first load)."""
        return self.query_one(DashboardTab).dashboard

    def commands(self) -> Iterable[SystemCommand]:
        yield from palette_commands(self, self.BINDINGS, "Lead")
        for preset in PRESETS:
            yield SystemCommand(
                f"Lead: report this {preset}", f"The period report for this {preset}",
                lambda p=preset: self.show_preset(p),
            )  # fmt: skip

    @property
    def tab(self) -> str:
        return self.query_one(TabbedContent).active

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def with_tab(self, tab: type[T], do: Callable[[T], None]) -> None:
        """Do this with a tab once its widgets are there (building it if never shown)."""
        self.query_one(tab).when_built(do)

    @on(TabbedContent.TabActivated)
    def _tab_changed(self, event: TabbedContent.TabActivated) -> None:
        pane = event.pane
        if isinstance(pane, ReportsTab) and pane.report is not None:
            return  # a report once shown stays until asked again
        if isinstance(pane, LeadTab):
            pane.when_built(_activated)

    def action_refresh(self) -> None:
        self.query_one(f"#{self.tab}", LeadTab).when_built(_reload)

    def show_preset(self, preset: str) -> None:
        """The period report for this week, month, ...: on its tab."""

        def show(reports: ReportsTab) -> None:
            reports.set_preset(preset)
            if self.tab != "reports":
                reports.report = None
                self.action_tab("reports")  # loads the report when the tab opens
            else:
                reports.reload()

        self.with_tab(ReportsTab, show)

    # -- the reviewed day ------------------------------------------------------------------
    def _day(self) -> date | None:
        """The day an action is about: the reviewed day on the day review, else today (the
        review opens on today)."""
        return (self.review.day if self.tab == "review" else None) or self.services.clock.today()

    def action_shift_day(self, delta: int) -> None:
        if self.tab != "review":
            self.action_tab("review")

        def shift(review: ReviewTab) -> None:
            if review.day is not None:
                review.set_day(review.day + timedelta(days=delta))

        self.with_tab(ReviewTab, shift)

    def action_close_day(self) -> None:
        day = self._day()
        if day is None:
            return
        if day > self.services.clock.today():
            self.app.notify("A day in the future cannot be closed.", severity="warning")
            return
        actor = self.actor

        def answered(yes: bool | None) -> None:
            if yes:
                run_service(self, lambda: self.services.queue.close_day(actor, day),
                            done=self._day_closed)  # fmt: skip

        self.app.push_screen(
            ConfirmModal(
                f"Close {day:%A} {date_text(self, day)}? Tickets still waiting, called or on "
                "hold become "
                "'not served'. This is recorded in the audit log.",
                yes="Close the day",
                no="Keep it open",
            ),
            answered,
        )

    def action_reopen_day(self) -> None:
        day = self._day()
        if day is None:
            return
        actor = self.actor

        def answered(yes: bool | None) -> None:
            if yes:
                run_service(self, lambda: self.services.queue.reopen_day(actor, day),
                            done=lambda _none: self._day_reopened(day))  # fmt: skip

        self.app.push_screen(
            ConfirmModal(
                f"Reopen {day:%A} {date_text(self, day)}? Desks can issue tickets for it "
                "again; tickets "
                "closed as 'not served' stay so. This is recorded in the audit log.",
                yes="Reopen the day",
                no="Keep it closed",
            ),
            answered,
        )

    def _day_reopened(self, day: date) -> None:
        self.app.notify(f"{day:%A} {date_text(self, day)} is open again: desks can issue tickets.")
        self.action_refresh()

    def _day_closed(self, count: int) -> None:
        self.app.notify(f"Day closed: {count} ticket{'s' if count != 1 else ''} not served.")
        self.action_refresh()

    # -- exports ---------------------------------------------------------------------------
    def action_export(self) -> None:
        actor = self.actor
        reports = self.services.reports
        period = self.reports.period
        submit: Callable[[dict[str, Any]], Path]
        if self.tab == "reports" and period is not None:
            default = f"frontdesk-{period.start.isoformat()}-{period.end.isoformat()}.xlsx"
            fields = [
                FormField(
                    "path", "Save as (file path)", text_input("path", str(Path.home() / default))
                ),
                FormField("format", "Format", format_select()),
            ]

            def submit(v: dict[str, Any]) -> Path:
                return write_export(
                    v["path"],
                    v["format"],
                    lambda to: reports.export_period(actor, period, v["format"], to=to),
                )

            title = f"Export the report {period}"
        else:
            day = (self.review.day if self.tab == "review" else None) or self.services.clock.today()
            default = f"frontdesk-{day.isoformat()}.xlsx"
            fields = [
                FormField(
                    "path", "Save as (file path)", text_input("path", str(Path.home() / default))
                ),
                FormField("format", "Format", format_select()),
                FormField("with_names", "Names", names_checkbox()),
            ]

            def submit(v: dict[str, Any]) -> Path:
                names = bool(v["with_names"])
                return write_export(
                    v["path"],
                    v["format"],
                    lambda to: reports.export_day(actor, day, v["format"], with_names=names, to=to),
                )

            title = f"Export the day report {date_text(self, day)}"
        self.app.push_screen(
            FormModal(
                title, fields, submit, save_label="Export",
                intro="Aggregated figures only, unless you add the ticket list with names. "
                "BSNs are never exported. Every export is recorded in the audit log.",
            ),
            self._exported,
        )  # fmt: skip

    def _exported(self, path: Any) -> None:
        if isinstance(path, Path):
            self.app.notify(f"Saved {path}")

    @on(Button.Pressed, "#export-report")
    def _export_pressed(self) -> None:
        self.action_export()

    # -- staff and services, e-mails: jobs of one tab ---------------------------------------
    def action_admin(self, job: str) -> None:
        """A job of the staff & services tab (going there first). A job on the selected row
        waits until the tab is shown, so it never acts on a row the lead has not seen."""
        run, on_a_row = ADMIN_JOBS[job]
        if self.tab != "admin":
            self.action_tab("admin")
            if on_a_row:
                return
        self.with_tab(AdminTab, run)

    def action_mail(self, job: str) -> None:
        """Retry or cancel the selected e-mail; elsewhere, F11's tab first."""
        if self.tab == "outbox":
            self.with_tab(OutboxTab, MAIL_JOBS[job])
        else:
            self.action_tab("outbox")

    def action_duplicates(self) -> None:
        from frontdesk.tui.lead.bookings import open_duplicates

        open_duplicates(self)


def _reload(tab: LeadTab) -> None:
    tab.reload()


def _activated(tab: LeadTab) -> None:
    tab.activated()


# job -> (the tab's method, True when it acts on the selected row)
ADMIN_JOBS: dict[str, tuple[Callable[[AdminTab], None], bool]] = {
    "add_staff": (AdminTab.add_staff, False),
    "edit_rules": (AdminTab.edit_rules, False),
    "edit_capacity": (AdminTab.edit_capacity, False),
    "edit_employers": (AdminTab.edit_employers, False),
    "deactivate_staff": (AdminTab.deactivate_staff, True),
    "reset_pin": (AdminTab.reset_pin, True),
    "change_role": (AdminTab.change_role, True),
    "edit_service": (AdminTab.edit_service, True),
}
MAIL_JOBS: dict[str, Callable[[OutboxTab], None]] = {
    "retry": OutboxTab.retry,
    "cancel": OutboxTab.cancel,
}


__all__ = ["LeadScreen"]
