"""The team lead's screen: live dashboard, day review, period reports, staff, services,
opening hours and the target wait.

Every figure comes from ``services.reports`` through thread workers; the dashboard polls
``services.queue.version()`` and reloads when a ticket changed (and twice a minute, as
waits grow while nothing happens).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import (
    Button,
    DataTable,
    Input,
    Label,
    Select,
    Static,
    TabbedContent,
    TabPane,
)

from frontdesk.services import Actor, Services, ValidationError
from frontdesk.services.fields import parse_date
from frontdesk.services.queue import STATUS_LABELS, ServiceInfo
from frontdesk.services.reports import (
    PRESETS,
    Dashboard,
    DayFigures,
    Period,
    PeriodReport,
    SettingLine,
    Stats,
    TicketFilter,
    TicketRow,
    TimelineEntry,
    check_period,
    preset_period,
)
from frontdesk.services.rules import DAY_NAMES, KINDS, TARGET_FIELD, CentreRules, RuleChange
from frontdesk.services.staff import StaffInfo
from frontdesk.services.tables import Table, cell_text
from frontdesk.tui.actions import labelled, palette_commands
from frontdesk.tui.paths import stylesheet
from frontdesk.tui.screens.base import WorkScreen
from frontdesk.tui.screens.dialogs import ConfirmModal
from frontdesk.tui.screens.lead_forms import (
    FormField,
    FormModal,
    RulesModal,
    active_checkbox,
    format_select,
    names_checkbox,
    pin_input,
    role_select,
    text_input,
    write_export,
)
from frontdesk.tui.widgets.field import Field, show_field_errors
from frontdesk.tui.work import run_service

POLL_SECONDS = 3
FULL_REFRESH_SECONDS = 30
TABS = ("dashboard", "review", "reports", "admin")
AdminData = tuple[list[StaffInfo], list[ServiceInfo], tuple[str, list[SettingLine]], CentreRules]

if TYPE_CHECKING:
    from textual_plotext import PlotextPlot


def _plot() -> type[PlotextPlot]:
    from textual_plotext import PlotextPlot

    return PlotextPlot


def _m(value: float | None) -> str:
    return "-" if value is None else cell_text(value, "minutes")


def _stats(s: Stats) -> tuple[str, str, str]:
    return _m(s.mean), _m(s.median), _m(s.p90)


def _hm(moment: datetime | None, services: Services) -> str:
    return services.clock.to_local(moment).strftime("%H:%M") if moment else ""


def _reset_pin(staff: Any, actor: Actor, staff_id: int, values: dict[str, Any]) -> bool:
    staff.reset_pin(actor, staff_id, values["pin"], values["pin_repeat"])
    return True


class LeadScreen(WorkScreen):
    """The lead's four tabs; see the module docstring."""

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
        Binding("ctrl+n", "add_staff", "Add staff", id="lead_add_staff", show=False,
                tooltip="Add a staff account"),
        Binding("ctrl+d", "deactivate_staff", "Deactivate", id="lead_deactivate_staff",
                show=False, tooltip="Deactivate the selected staff account"),
        Binding("ctrl+t", "reset_pin", "Reset PIN", id="lead_reset_pin", show=False,
                tooltip="Give the selected staff member a new PIN"),
        Binding("ctrl+o", "change_role", "Change role", id="lead_change_role", show=False,
                tooltip="Change the selected staff member's role"),
        Binding("ctrl+e", "edit_service", "Edit service", id="lead_edit_service", show=False,
                tooltip="Edit the selected service: name, prefix, active, desks"),
        Binding("f7", "edit_rules", "Hours & target", id="lead_edit_rules", show=False,
                tooltip="Change the opening hours (walk-in, BSN appointments) and the target "
                "wait, for every desk; audited"),
    ]  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self.review_day: date | None = None
        self.version = -1
        self.last_full = 0.0
        self.period: Period | None = None
        self.ticket_rows: list[TicketRow] = []
        self.staff_rows: list[StaffInfo] = []
        self.service_rows: list[ServiceInfo] = []
        self.centre_rules: CentreRules | None = None
        self.dashboard: Dashboard | None = None
        self.report: PeriodReport | None = None

    # -- plumbing ------------------------------------------------------------------------
    def compose_body(self) -> ComposeResult:
        # Imported here: plotext costs a good part of a second, and only the lead needs it.
        from textual_plotext import PlotextPlot

        with TabbedContent(initial="dashboard", id="lead-tabs"):
            with TabPane(labelled(self, "Dashboard", "lead_dashboard"), id="dashboard"):
                with Horizontal(id="dash-top"):
                    yield DataTable(id="dash-waiting", cursor_type="none")
                    yield DataTable(id="dash-desks", cursor_type="none")
                    yield Static("", id="dash-figures")
                yield DataTable(id="dash-groups", cursor_type="row", zebra_stripes=True)
                with Horizontal(id="dash-charts"):
                    yield PlotextPlot(id="chart-arrivals")
                    yield PlotextPlot(id="chart-waits")
            with TabPane(labelled(self, "Day review", "lead_review"), id="review"):
                with Horizontal(id="review-bar"):
                    days = f"{self.key('lead_prev_day')}/{self.key('lead_next_day')}"
                    yield Field(f"Day ({days})", Input(id="review_date"), name="review_date")
                    yield Field("Service", Select([], id="flt_service", prompt="All"),
                                name="flt_service")  # fmt: skip
                    yield Field(
                        "Status",
                        Select([(v, k) for k, v in STATUS_LABELS.items()], id="flt_status",
                               prompt="All"),
                        name="flt_status",
                    )  # fmt: skip
                    yield Field("Desk", Input(id="flt_desk", placeholder="all"), name="flt_desk")
                    yield Field("Staff", Select([], id="flt_staff", prompt="All"), name="flt_staff")
                    yield Field(
                        "Priority",
                        Select([("Priority", "yes"), ("Normal", "no")], id="flt_priority",
                               prompt="All"),
                        name="flt_priority",
                    )  # fmt: skip
                with Horizontal(id="review-main"):
                    yield DataTable(id="review-tickets", cursor_type="row", zebra_stripes=True)
                    with Vertical(id="review-side"):
                        yield Label("Timeline", classes="panel-title")
                        yield DataTable(id="timeline", cursor_type="none")
                        yield Static("", id="review-summary")
            with TabPane(labelled(self, "Reports", "lead_reports"), id="reports"):
                with Horizontal(id="report-bar"):
                    yield Field(
                        "Period",
                        Select([(p.capitalize(), p) for p in PRESETS] + [("Custom", "custom")],
                               value="month", allow_blank=False, id="preset"),
                        name="preset",
                    )  # fmt: skip
                    yield Field("From", Input(id="start"), name="start")
                    yield Field("To", Input(id="end"), name="end")
                    yield Button("Show", id="show-report", variant="primary")
                    yield Button(labelled(self, "Export", "lead_export"), id="export-report")
                yield Static("", id="report-heading")
                with VerticalScroll(id="report-body"):
                    yield PlotextPlot(id="chart-days")
                    yield Vertical(id="report-tables")
            with (
                TabPane(labelled(self, "Staff & services", "lead_admin"), id="admin"),
                Horizontal(id="admin-main"),
            ):
                with Vertical(id="admin-staff"):
                    k = self.key
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
                    yield Label("Configuration (read-only)", classes="panel-title")
                    yield Static("", id="config-view")

    def on_mount(self) -> None:
        self.query_one("#dash-waiting", DataTable).add_columns("Service", "Waiting", "Longest")
        self.query_one("#dash-desks", DataTable).add_columns("Desk", "Serving", "Staff", "Since")
        self.query_one("#dash-groups", DataTable).add_columns(
            "Today per", "Tickets", "Served", "No-shows", "Wait avg", "median", "p90",
            "Service avg", "median", "p90",
        )  # fmt: skip
        # Wait, desk and staff before the times: at 80 columns they are what stays.
        self.query_one("#review-tickets", DataTable).add_columns(
            "Ticket", "Service", "Status", "Wait", "Desk", "Staff", "Prio", "Arrived",
            "Called", "Done", "Visitor",
        )  # fmt: skip
        self.query_one("#timeline", DataTable).add_columns("Time", "What", "Who", "Desk")
        self.query_one("#staff-table", DataTable).add_columns("Name", "Role", "Active")
        self.query_one("#service-table", DataTable).add_columns(
            "Code", "Name", "Prefix", "Active", "Desks"
        )
        self.query_one("#hours-table", DataTable).add_columns(
            "Day", *(f"{label[0].upper()}{label[1:]}" for label in KINDS.values())
        )
        today = self.services.clock.today()
        self.review_day = today
        self.query_one("#review_date", Input).value = today.isoformat()
        self.period = preset_period("month", today)
        self.query_one("#start", Input).value = self.period.start.isoformat()
        self.query_one("#end", Input).value = self.period.end.isoformat()
        self.load_dashboard()
        self.load_choices()
        self.set_interval(POLL_SECONDS, self._poll)

    def commands(self) -> Iterable[SystemCommand]:
        yield from palette_commands(self, self.BINDINGS, "Lead")
        for preset in PRESETS:
            yield SystemCommand(
                f"Lead: report this {preset}", f"The period report for this {preset}",
                lambda p=preset: self._show_preset(p),
            )  # fmt: skip

    @property
    def tab(self) -> str:
        return self.query_one(TabbedContent).active

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    @on(TabbedContent.TabActivated)
    def _tab_changed(self, event: TabbedContent.TabActivated) -> None:
        tab = event.pane.id
        if tab == "dashboard":
            self.load_dashboard()
        elif tab == "review":
            self.load_review()
        elif tab == "reports" and self.report is None:
            self.load_report()
        elif tab == "admin":
            self.load_admin()

    def action_refresh(self) -> None:
        {
            "dashboard": self.load_dashboard,
            "review": self.load_review,
            "reports": self.load_report,
            "admin": self.load_admin,
        }[self.tab]()

    # -- dashboard -------------------------------------------------------------------------
    def _poll(self) -> None:
        if self.tab != "dashboard" or self.app.screen is not self:
            return
        run_service(self, self.services.queue.version, done=self._version, group="lead-poll",
                    exclusive=True)  # fmt: skip

    def _version(self, version: int) -> None:
        if version != self.version or time.monotonic() - self.last_full >= FULL_REFRESH_SECONDS:
            self.load_dashboard()

    def load_dashboard(self) -> None:
        actor = self.actor
        run_service(self, lambda: self.services.reports.dashboard(actor), done=self.show_dashboard,
                    group="lead-dashboard", exclusive=True)  # fmt: skip

    def show_dashboard(self, board: Dashboard) -> None:
        self.dashboard = board
        self.version = board.version
        self.last_full = time.monotonic()
        services = self.services
        waiting = self.query_one("#dash-waiting", DataTable)
        waiting.clear()
        for w in board.waiting:
            waiting.add_row(
                w.name,
                str(w.waiting),
                "" if w.longest_wait is None else f"{w.longest_wait:.0f} min",
            )
        desks = self.query_one("#dash-desks", DataTable)
        desks.clear()
        for d in board.desks:
            desks.add_row(
                str(d.desk), d.serving or "(free)", d.staff_name or "", _hm(d.since, services)
            )
        if not board.desks:
            desks.add_row("", "no desk open", "", "")
        f = board.today
        target = "-" if f.within_target is None else f"{f.within_target * 100:.0f}%"
        longest = "-" if board.longest_wait is None else f"{max(0.0, board.longest_wait):.0f} min"
        self.query_one("#dash-figures", Static).update(
            f"[b]Waiting[/b] {sum(w.waiting for w in board.waiting)}, longest {longest}\n"
            f"[b]Served[/b] {f.served} · [b]no-shows[/b] {f.no_shows}\n"
            f"Wait avg {_m(f.wait.mean)} · med {_m(f.wait.median)}\n"
            f"Wait p90 {_m(f.wait.p90)} min\n"
            f"Service avg {_m(f.service_time.mean)} min\n"
            f"Within {f.target_minutes} min: {target}"
        )
        groups = self.query_one("#dash-groups", DataTable)
        groups.clear()
        for title, items in (("", f.by_service), ("", f.by_desk), ("Staff: ", f.by_staff)):
            for g in items:
                groups.add_row(title + g.name, str(g.tickets), str(g.served), str(g.no_shows),
                               *_stats(g.wait), *_stats(g.service_time))  # fmt: skip
        if not (f.by_service or f.by_desk):
            groups.add_row("no tickets yet today", *[""] * 9)
        self._hour_charts(f)

    def _hour_charts(self, f: DayFigures) -> None:
        hours = list(f.hourly)
        busy = [i for i, h in enumerate(hours) if h.arrivals]
        first = min([8, *busy])
        last = max([17, *busy])
        shown = hours[first : last + 1]
        labels = [h.label[:2] for h in shown]
        arrivals = self.query_one("#chart-arrivals", _plot())
        plt = arrivals.plt
        plt.clear_data()
        xs: list[float] = [float(i) for i in range(len(shown))]
        plt.bar(xs, [h.arrivals for h in shown])
        plt.xticks(xs, labels)
        plt.title("Arrivals per hour")
        arrivals.refresh()
        waits = self.query_one("#chart-waits", _plot())
        plt = waits.plt
        plt.clear_data()
        plt.bar(xs, [round(h.average_wait or 0, 1) for h in shown])
        plt.xticks(xs, labels)
        plt.title("Average wait (min) by arrival hour")
        waits.refresh()

    # -- day review ------------------------------------------------------------------------
    def load_choices(self) -> None:
        actor = self.actor

        def fetch() -> tuple[list[ServiceInfo], list[tuple[int, str]]]:
            return (
                self.services.queue.services(active_only=False),
                self.services.reports.staff_choices(actor),
            )

        run_service(self, fetch, done=self._choices)

    def _choices(self, data: tuple[list[ServiceInfo], list[tuple[int, str]]]) -> None:
        services, staff = data
        self.query_one("#flt_service", Select).set_options([(s.name, s.code) for s in services])
        self.query_one("#flt_staff", Select).set_options([(n, i) for i, n in staff])

    def _filter(self) -> TicketFilter | None:
        def value(selector: str) -> Any:
            v = self.query_one(selector, Select).value
            return None if v is Select.NULL else v

        desk_text = self.query_one("#flt_desk", Input).value.strip()
        if desk_text and not (desk_text.isdigit() and 1 <= int(desk_text) <= 99):
            show_field_errors(self.query_one("#review-bar"), "flt_desk", "a desk number 1-99")
            return None
        prio = value("#flt_priority")
        return TicketFilter(
            service=value("#flt_service"),
            status=value("#flt_status"),
            desk=int(desk_text) if desk_text else None,
            staff_id=value("#flt_staff"),
            priority=None if prio is None else prio == "yes",
        )

    def load_review(self) -> None:
        flt = self._filter()
        if flt is None or self.review_day is None:
            return
        show_field_errors(self.query_one("#review-bar"), None, None)
        actor, day = self.actor, self.review_day

        def fetch() -> tuple[list[TicketRow], DayFigures]:
            reports = self.services.reports
            return reports.tickets(actor, day, flt), reports.day(actor, day)

        run_service(self, fetch, done=self.show_review, group="lead-review", exclusive=True)

    def show_review(self, data: tuple[list[TicketRow], DayFigures]) -> None:
        rows, f = data
        self.ticket_rows = rows
        services = self.services
        table = self.query_one("#review-tickets", DataTable)
        table.clear()
        for r in rows:
            table.add_row(
                r.label, r.service_name, STATUS_LABELS.get(r.status, r.status), _m(r.wait),
                str(r.desk or ""), r.staff_name or "", "!" if r.priority else "",
                _hm(r.arrived_at, services), _hm(r.first_called_at, services),
                _hm(r.finished_at, services), r.visitor_name or "",
                key=str(r.id),
            )  # fmt: skip
        contacts = " · ".join(f"{label} {n}" for label, n in f.contacts)
        closed = (
            f"closed at {_hm(f.closed_at, services)}"
            if f.closed_at
            else f"not closed ({self.key('lead_close_day')} closes)"
        )
        self.query_one("#review-summary", Static).update(
            f"[b]{f.day:%a %d %b %Y}[/b] · {f.hours_in_day} h · {closed}\n"
            f"{f.issued} tickets ({len(rows)} shown) · served {f.served} · no-shows "
            f"{f.no_shows} · not served {f.not_served}\n"
            f"Wait avg {_m(f.wait.mean)} · median {_m(f.wait.median)} · p90 {_m(f.wait.p90)}\n"
            f"Contacts: {contacts}"
        )
        self.query_one("#timeline", DataTable).clear()
        if rows:
            self.load_timeline(rows[0].id)

    @on(DataTable.RowHighlighted, "#review-tickets")
    def _ticket_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value:
            self.load_timeline(int(event.row_key.value))

    def load_timeline(self, ticket_id: int) -> None:
        actor = self.actor
        run_service(self, lambda: self.services.reports.timeline(actor, ticket_id),
                    done=self.show_timeline, group="lead-timeline", exclusive=True)  # fmt: skip

    def show_timeline(self, entries: list[TimelineEntry]) -> None:
        table = self.query_one("#timeline", DataTable)
        table.clear()
        for e in entries:
            what = e.label + (f" ({e.detail})" if e.action == "transferred" and e.detail else "")
            table.add_row(_hm(e.at, self.services), what, e.staff_name or "",
                          str(e.desk or ""))  # fmt: skip

    @on(Input.Submitted, "#review_date")
    def _date_typed(self, event: Input.Submitted) -> None:
        try:
            day = parse_date(event.value, "review_date", "The day")
        except ValidationError as exc:
            show_field_errors(self.query_one("#review-bar"), exc.field, exc.message)
            return
        self._set_day(day or self.services.clock.today())

    @on(Input.Submitted, "#flt_desk")
    @on(Select.Changed, "#review-bar Select")
    def _filter_changed(self) -> None:
        if self.review_day is not None and self.is_mounted:
            self.load_review()

    def _set_day(self, day: date) -> None:
        self.review_day = day
        self.query_one("#review_date", Input).value = day.isoformat()
        self.load_review()

    def action_shift_day(self, delta: int) -> None:
        if self.tab != "review":
            self.action_tab("review")
        if self.review_day is not None:
            self._set_day(self.review_day + timedelta(days=delta))

    def action_close_day(self) -> None:
        day = self.review_day if self.tab == "review" else self.services.clock.today()
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
                f"Close {day:%A %d %B %Y}? Tickets still waiting, called or on hold become "
                "'not served'. This is recorded in the audit log.",
                yes="Close the day",
                no="Keep it open",
            ),
            answered,
        )

    def action_reopen_day(self) -> None:
        day = self.review_day if self.tab == "review" else self.services.clock.today()
        if day is None:
            return
        actor = self.actor

        def answered(yes: bool | None) -> None:
            if yes:
                run_service(self, lambda: self.services.queue.reopen_day(actor, day),
                            done=lambda _none: self._day_reopened(day))  # fmt: skip

        self.app.push_screen(
            ConfirmModal(
                f"Reopen {day:%A %d %B %Y}? Desks can issue tickets for it again; tickets "
                "closed as 'not served' stay so. This is recorded in the audit log.",
                yes="Reopen the day",
                no="Keep it closed",
            ),
            answered,
        )

    def _day_reopened(self, day: date) -> None:
        self.app.notify(f"{day:%A %d %B} is open again: desks can issue tickets.")
        self.action_refresh()

    def _day_closed(self, count: int) -> None:
        self.app.notify(f"Day closed: {count} ticket{'s' if count != 1 else ''} not served.")
        self.action_refresh()

    # -- period reports --------------------------------------------------------------------
    @on(Select.Changed, "#preset")
    def _preset_changed(self, event: Select.Changed) -> None:
        if event.value in PRESETS and self.is_mounted:
            self._show_preset(str(event.value), switch=False)

    def _show_preset(self, preset: str, *, switch: bool = True) -> None:
        self.period = preset_period(preset, self.services.clock.today())
        self.query_one("#start", Input).value = self.period.start.isoformat()
        self.query_one("#end", Input).value = self.period.end.isoformat()
        if self.query_one("#preset", Select).value != preset:
            self.query_one("#preset", Select).value = preset
        if switch and self.tab != "reports":
            self.action_tab("reports")  # loads the report when the tab opens
        elif self.tab == "reports":
            self.load_report()
        else:
            self.report = None  # load when the tab opens

    @on(Button.Pressed, "#show-report")
    @on(Input.Submitted, "#report-bar Input")
    def _custom_period(self) -> None:
        bar = self.query_one("#report-bar")
        try:
            self.period = check_period(
                self.query_one("#start", Input).value, self.query_one("#end", Input).value
            )
        except ValidationError as exc:
            show_field_errors(bar, exc.field, exc.message)
            return
        show_field_errors(bar, None, None)
        self.load_report()

    def load_report(self) -> None:
        if self.period is None:
            return
        actor, period = self.actor, self.period
        run_service(self, lambda: self.services.reports.period(actor, period),
                    done=self.show_report, group="lead-report", exclusive=True)  # fmt: skip

    def show_report(self, report: PeriodReport) -> None:
        self.report = report
        self.query_one("#report-heading", Static).update(
            f"[b]{report.period}[/b] ({report.period.days} days) · compared with {report.previous}"
        )
        chart = self.query_one("#chart-days", _plot())
        plt = chart.plt
        plt.clear_data()
        if report.per_day:
            plt.date_form("Y-m-d")
            days = [d.isoformat() for d, _, _ in report.per_day]
            plt.bar(days, [served for _, _, served in report.per_day])
        plt.title("Served visits per day")
        chart.refresh()
        holder = self.query_one("#report-tables", Vertical)
        holder.remove_children()
        widgets: list[Label | DataTable[str]] = []
        for table in report.tables:
            widgets.append(Label(table.title, classes="panel-title"))
            widgets.append(self._data_table(table))
        holder.mount_all(widgets)

    @staticmethod
    def _data_table(table: Table) -> DataTable[str]:
        widget: DataTable[str] = DataTable(cursor_type="row", zebra_stripes=True,
                                           classes="report-table")  # fmt: skip
        widget.add_columns(*(c.title for c in table.columns))
        for row in table.rows:
            widget.add_row(*(cell_text(v, c.kind) for v, c in zip(row, table.columns, strict=True)))
        if not table.rows:
            widget.add_row("(nothing in this period)", *[""] * (len(table.columns) - 1))
        widget.styles.height = len(table.rows) + 2 if table.rows else 3
        return widget

    # -- exports ---------------------------------------------------------------------------
    def action_export(self) -> None:
        actor = self.actor
        reports = self.services.reports
        if self.tab == "reports" and self.period is not None:
            period = self.period
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
            day = (
                self.review_day
                if self.tab == "review" and self.review_day
                else self.services.clock.today()
            )
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

            title = f"Export the day report {day.isoformat()}"
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

    # -- staff and services ----------------------------------------------------------------
    def load_admin(self) -> None:
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
            table.add_row(s.code, s.name, s.prefix, "yes" if s.active else "no", desks, key=s.code)
        self.query_one("#config-view", Static).update(
            "\n".join(f"{line.name}: {line.value}" for line in lines)
            + f"\n\nEdit these in the config file:\n{path}"
        )

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
        when = self.services.clock.to_local(change.at).strftime("%d %b %Y %H:%M")
        return f"set by {change.by or 'the command line'}, {when}"

    def _selected(self, selector: str, rows: Sequence[Any]) -> Any:
        if self.tab != "admin":
            self.action_tab("admin")
            return None
        table = self.query_one(selector, DataTable)
        if not rows or table.cursor_row < 0 or table.cursor_row >= len(rows):
            self.app.notify("Pick a row in the table first.", severity="warning")
            return None
        return rows[table.cursor_row]

    def _admin_done(self, result: Any) -> None:
        if result:
            self.app.notify("Saved.")
            self.load_admin()

    def action_add_staff(self) -> None:
        if self.tab != "admin":
            self.action_tab("admin")
        actor, staff = self.actor, self.services.staff
        self.app.push_screen(
            FormModal(
                "Add a staff member",
                [
                    FormField("name", "Name", text_input("name")),
                    FormField("role", "Role", role_select()),
                    FormField("pin", "PIN", pin_input("pin")),
                    FormField("pin_repeat", "PIN again", pin_input("pin_repeat")),
                ],
                lambda v: staff.add(actor, v["name"], v["role"], v["pin"], v["pin_repeat"]),
            ),
            self._admin_done,
        )

    def action_deactivate_staff(self) -> None:
        person: StaffInfo | None = self._selected("#staff-table", self.staff_rows)
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

    def action_reset_pin(self) -> None:
        person: StaffInfo | None = self._selected("#staff-table", self.staff_rows)
        if person is None:
            return
        actor, staff = self.actor, self.services.staff
        self.app.push_screen(
            FormModal(
                f"New PIN for {person.name}",
                [
                    FormField("pin", "New PIN", pin_input("pin")),
                    FormField("pin_repeat", "New PIN again", pin_input("pin_repeat")),
                ],
                lambda v: _reset_pin(staff, actor, person.id, v),
            ),
            self._admin_done,
        )

    def action_change_role(self) -> None:
        person: StaffInfo | None = self._selected("#staff-table", self.staff_rows)
        if person is None:
            return
        actor, staff = self.actor, self.services.staff
        self.app.push_screen(
            FormModal(
                f"Role of {person.name}",
                [FormField("role", "Role", role_select(person.role))],
                lambda v: staff.change_role(actor, person.id, v["role"]),
            ),
            self._admin_done,
        )

    def action_edit_rules(self) -> None:
        if self.tab != "admin":
            self.action_tab("admin")
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
            self.load_admin()

    def action_edit_service(self) -> None:
        service: ServiceInfo | None = self._selected("#service-table", self.service_rows)
        if service is None:
            return
        actor, catalogue = self.actor, self.services.catalogue
        self.app.push_screen(
            FormModal(
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
            ),
            self._admin_done,
        )  # fmt: skip


__all__ = ["LeadScreen"]
