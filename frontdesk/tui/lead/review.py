"""The lead's day review tab: any day's tickets, filters, a ticket's timeline.

Like the dashboard it refreshes by itself while shown: it polls ``services.queue.version()``
and reloads when a ticket changed (and twice a minute when it shows today, for the
contacts), keeping the ticket the lead was looking at.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Label, Select, Static

from frontdesk.services import ValidationError
from frontdesk.services.fields import parse_date
from frontdesk.services.queue import STATUS_LABELS, ServiceInfo
from frontdesk.services.reports import DayFigures, TicketFilter, TicketRow, TimelineEntry
from frontdesk.tui.dates import date_text
from frontdesk.tui.lead.common import LeadTab, clock_time, minutes
from frontdesk.tui.lead.dashboard import FULL_REFRESH_SECONDS, POLL_SECONDS
from frontdesk.tui.widgets.field import Field, show_field_errors
from frontdesk.tui.work import run_service


class ReviewTab(LeadTab):
    """One day's tickets (the day before and after on the screen's keys)."""

    def __init__(self, title: str) -> None:
        super().__init__(title, id="review")
        self.day: date | None = None
        self.ticket_rows: list[TicketRow] = []
        self.version = -1  # the queue's version the review shows
        self.last_full = 0.0

    def compose_tab(self) -> ComposeResult:
        with Horizontal(id="review-bar"):
            days = f"{self.key('lead_prev_day')}/{self.key('lead_next_day')}"
            yield Field(f"Day ({days})", Input(id="review_date"), name="review_date")
            yield Field("Service", Select([], id="flt_service", prompt="All"), name="flt_service")
            yield Field(
                "Status",
                Select([(v, k) for k, v in STATUS_LABELS.items()], id="flt_status", prompt="All"),
                name="flt_status",
            )
            yield Field("Desk", Input(id="flt_desk", placeholder="all"), name="flt_desk")
            yield Field("Staff", Select([], id="flt_staff", prompt="All"), name="flt_staff")
            yield Field(
                "Priority",
                Select([("Priority", "yes"), ("Normal", "no")], id="flt_priority", prompt="All"),
                name="flt_priority",
            )
        with Horizontal(id="review-main"):
            yield DataTable(id="review-tickets", cursor_type="row", zebra_stripes=True)
            with Vertical(id="review-side"):
                yield Label("Timeline", classes="panel-title")
                yield DataTable(id="timeline", cursor_type="none")
                yield Static("", id="review-summary")

    def on_built(self) -> None:
        # Wait, desk and staff before the times: at 80 columns they are what stays.
        self.query_one("#review-tickets", DataTable).add_columns(
            "Ticket", "Service", "Status", "Wait", "Desk", "Staff", "Prio", "Arrived",
            "Called", "Done", "Visitor",
        )  # fmt: skip
        self.query_one("#timeline", DataTable).add_columns("Time", "What", "Who", "Desk")
        today = self.services.clock.today()
        self.day = today
        self.query_one("#review_date", Input).value = date_text(self, today)
        self.load_choices()
        self.set_interval(POLL_SECONDS, self.poll)

    def poll(self) -> None:
        """Reload when the queue changed since the review was read (runs every few seconds
        while the tab is shown)."""
        if not self.shown or self.version < 0:
            return
        run_service(self, self.services.queue.version, done=self._version,
                    group="lead-review-poll", exclusive=True)  # fmt: skip

    def _version(self, version: int) -> None:
        stale = time.monotonic() - self.last_full >= FULL_REFRESH_SECONDS
        if version != self.version or (stale and self.day == self.services.clock.today()):
            self.reload()

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

    def reload(self) -> None:
        flt = self._filter()
        if flt is None or self.day is None:
            return
        show_field_errors(self.query_one("#review-bar"), None, None)
        actor, day = self.actor, self.day

        def fetch() -> tuple[list[TicketRow], DayFigures, int]:
            reports = self.services.reports
            version = self.services.queue.version()  # first: a change after it reloads again
            return reports.tickets(actor, day, flt), reports.day(actor, day), version

        run_service(self, fetch, done=self.show_review, group="lead-review", exclusive=True)

    def show_review(self, data: tuple[list[TicketRow], DayFigures, int]) -> None:
        rows, f, self.version = data
        self.last_full = time.monotonic()
        self.ticket_rows = rows
        services = self.services
        table = self.query_one("#review-tickets", DataTable)
        keep = self.highlighted_id()
        table.clear()
        for r in rows:
            table.add_row(
                r.label, r.service_name, STATUS_LABELS.get(r.status, r.status), minutes(r.wait),
                str(r.desk or ""), r.staff_name or "", "!" if r.priority else "",
                clock_time(r.arrived_at, services), clock_time(r.first_called_at, services),
                clock_time(r.finished_at, services), r.visitor_name or "",
                key=str(r.id),
            )  # fmt: skip
        contacts = " · ".join(f"{label} {n}" for label, n in f.contacts)
        closed = (
            f"closed at {clock_time(f.closed_at, services)}"
            if f.closed_at
            else f"not closed ({self.key('lead_close_day')} closes)"
        )
        self.query_one("#review-summary", Static).update(
            f"[b]{date_text(self, f.day, weekday=True)}[/b] · {f.hours_in_day} h · {closed}\n"
            f"{f.issued} tickets ({len(rows)} shown) · served {f.served} · no-shows "
            f"{f.no_shows} · not served {f.not_served}\n"
            f"Wait avg {minutes(f.wait.mean)} · median {minutes(f.wait.median)} · "
            f"p90 {minutes(f.wait.p90)}\n"
            f"Contacts: {contacts}"
        )
        self.query_one("#timeline", DataTable).clear()
        ids = [r.id for r in rows]
        if keep in ids:  # a refresh keeps the ticket the lead was looking at
            table.move_cursor(row=ids.index(keep))
            self.load_timeline(keep)
        elif rows:
            self.load_timeline(rows[0].id)
        self.reloads.drawn()

    def highlighted_id(self) -> int | None:
        """The ticket under the cursor in the list, if any."""
        table = self.query_one("#review-tickets", DataTable)
        if not table.row_count:
            return None
        row = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(row) if row else None

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
            table.add_row(clock_time(e.at, self.services), what, e.staff_name or "",
                          str(e.desk or ""))  # fmt: skip

    @on(Input.Submitted, "#review_date")
    def _date_typed(self, event: Input.Submitted) -> None:
        try:
            day = parse_date(event.value, "review_date", "The day")
        except ValidationError as exc:
            show_field_errors(self.query_one("#review-bar"), exc.field, exc.message)
            return
        self.set_day(day or self.services.clock.today())

    @on(Input.Submitted, "#flt_desk")
    @on(Select.Changed, "#review-bar Select")
    def _filter_changed(self) -> None:
        if self.day is not None and self.is_mounted:
            self.reload()

    def set_day(self, day: date) -> None:
        self.day = day
        self.query_one("#review_date", Input).value = date_text(self, day)
        self.reload()
