"""The lead's reports tab: a week, month, quarter, year or any range, with its tables."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from frontdesk.services import ValidationError
from frontdesk.services.reports import PRESETS, Period, PeriodReport, check_period, preset_period
from frontdesk.services.tables import Table, cell_text
from frontdesk.tui.dates import date_text
from frontdesk.tui.lead.common import LeadTab, plot_type
from frontdesk.tui.widgets.field import Field, show_field_errors
from frontdesk.tui.work import run_service


class ReportsTab(LeadTab):
    """The period report: preset or custom range, a chart and the report's tables."""

    def __init__(self, title: str, export_label: str) -> None:
        super().__init__(title, id="reports")
        self.export_label = export_label
        self.period: Period | None = None
        self.report: PeriodReport | None = None

    def compose_tab(self) -> ComposeResult:
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
            yield Button(self.export_label, id="export-report")
        yield Static("", id="report-heading")
        with VerticalScroll(id="report-body"):
            yield plot_type()(id="chart-days")
            yield Vertical(id="report-tables")

    def on_built(self) -> None:
        self.set_preset("month")

    def set_preset(self, preset: str) -> None:
        """Show this preset's period in the bar (the report loads when asked)."""
        self.period = preset_period(preset, self.services.clock.today())
        self.query_one("#start", Input).value = date_text(self, self.period.start)
        self.query_one("#end", Input).value = date_text(self, self.period.end)
        if self.query_one("#preset", Select).value != preset:
            self.query_one("#preset", Select).value = preset

    @on(Select.Changed, "#preset")
    def _preset_changed(self, event: Select.Changed) -> None:
        # A change the select has moved on from since (set twice in a row) is stale.
        if event.value in PRESETS and event.value == event.select.value and self.is_mounted:
            self.set_preset(str(event.value))
            if self.shown:
                self.reload()
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
        self.reload()

    def reload(self) -> None:
        if self.period is None:
            return
        actor, period = self.actor, self.period
        run_service(self, lambda: self.services.reports.period(actor, period),
                    done=self.show_report, group="lead-report", exclusive=True)  # fmt: skip

    def show_report(self, report: PeriodReport) -> None:
        self.report = report
        heading = f"[b]{report.period}[/b] ({report.period.days} days) · "
        if report.in_progress:  # like for like: the days so far and the same days before
            heading += f"so far: {report.comparison}"
        else:
            heading += f"compared with {report.previous}"
        self.query_one("#report-heading", Static).update(heading)
        chart = self.query_one("#chart-days", plot_type())
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
            widgets.append(data_table(table))
        holder.mount_all(widgets)


def data_table(table: Table) -> DataTable[str]:
    """A report table as a DataTable as tall as its rows."""
    widget: DataTable[str] = DataTable(cursor_type="row", zebra_stripes=True,
                                       classes="report-table")  # fmt: skip
    widget.add_columns(*(c.title for c in table.columns))
    for row in table.rows:
        widget.add_row(*(cell_text(v, c.kind) for v, c in zip(row, table.columns, strict=True)))
    if not table.rows:
        widget.add_row("(nothing in this period)", *[""] * (len(table.columns) - 1))
    widget.styles.height = len(table.rows) + 2 if table.rows else 3
    return widget
