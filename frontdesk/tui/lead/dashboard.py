"""The lead's dashboard tab: today's queue live, per service, desk and staff, two charts.

It polls ``services.queue.version()`` while shown and reloads when a ticket changed (and
twice a minute, as waits grow while nothing happens).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import DataTable, Static

from frontdesk.services.reports import Dashboard, DayFigures
from frontdesk.services.tables import percent_text
from frontdesk.tui.lead.common import LeadTab, clock_time, minutes, plot_theme, plot_type, stats
from frontdesk.tui.work import run_service

POLL_SECONDS = 3
FULL_REFRESH_SECONDS = 30


class DashboardTab(LeadTab):
    """Today's queue live (built with the screen: it opens on it)."""

    LAZY = False

    def __init__(self, title: str) -> None:
        super().__init__(title, id="dashboard")
        self.version = -1
        self.last_full = 0.0
        self.dashboard: Dashboard | None = None
        # The first read starts as the tab mounts; the activation that opens the screen on
        # this tab then reads nothing more.
        self._opening = False
        # What each table and chart last showed: a refresh redraws only what changed (a
        # chart's plot costs ~25 ms to draw, a table's rebuild restyles every row).
        self._drawn: dict[str, object] = {}

    def compose_tab(self) -> ComposeResult:
        plot = plot_type()
        with Horizontal(id="dash-top"):
            yield DataTable(id="dash-waiting", cursor_type="none")
            yield DataTable(id="dash-desks", cursor_type="none")
            yield Static("", id="dash-figures")
        yield DataTable(id="dash-groups", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="dash-charts"):
            yield plot(id="chart-arrivals")
            yield plot(id="chart-waits")

    def on_built(self) -> None:
        self.query_one("#dash-waiting", DataTable).add_columns("Service", "Waiting", "Longest")
        self.query_one("#dash-desks", DataTable).add_columns("Desk", "Serving", "Staff", "Since")
        self.query_one("#dash-groups", DataTable).add_columns(
            "Today per", "Tickets", "Served", "No-shows", "Wait avg", "median", "p90",
            "Service avg", "median", "p90",
        )  # fmt: skip
        # The screen opens on this tab: its first figures are read now, while the screen is
        # still being styled and drawn, not once its activation has reached the screen.
        self._opening = True
        self.reload()
        self.set_interval(POLL_SECONDS, self._poll)

    def activated(self) -> None:
        if self._opening:
            self._opening = False  # the screen opening on this tab: read since it mounted
            return
        self.reload()

    def _poll(self) -> None:
        if not self.shown:
            return
        run_service(self, self.services.queue.version, done=self._version, group="lead-poll",
                    exclusive=True)  # fmt: skip

    def _version(self, version: int) -> None:
        if version != self.version or time.monotonic() - self.last_full >= FULL_REFRESH_SECONDS:
            self.reload()

    def reload(self) -> None:
        actor = self.actor
        run_service(self, lambda: self.services.reports.dashboard(actor), done=self.show_dashboard,
                    group="lead-dashboard", exclusive=True)  # fmt: skip

    def show_dashboard(self, board: Dashboard) -> None:
        self.dashboard = board
        self.version = board.version
        self.last_full = time.monotonic()
        services = self.services
        self._fill(
            "#dash-waiting",
            [
                (
                    w.name,
                    str(w.waiting),
                    "" if w.longest_wait is None else f"{w.longest_wait:.0f} min",
                )
                for w in board.waiting
            ],
        )
        desk_rows = [
            (str(d.desk), d.serving or "(free)", d.staff_name or "", clock_time(d.since, services))
            for d in board.desks
        ]
        self._fill("#dash-desks", desk_rows or [("", "no desk open", "", "")])
        f = board.today
        target = percent_text(f.within_target) or "-"
        longest = "-" if board.longest_wait is None else f"{max(0.0, board.longest_wait):.0f} min"
        self.query_one("#dash-figures", Static).update(
            f"[b]Waiting[/b] {sum(w.waiting for w in board.waiting)}, longest {longest}\n"
            f"[b]Served[/b] {f.served} · [b]no-shows[/b] {f.no_shows}\n"
            f"Wait avg {minutes(f.wait.mean)} · med {minutes(f.wait.median)}\n"
            f"Wait p90 {minutes(f.wait.p90)} min\n"
            f"Service avg {minutes(f.service_time.mean)} min\n"
            f"Within {f.target_minutes} min: {target}"
        )
        group_rows: list[tuple[str, ...]] = []
        for title, items in (("", f.by_service), ("", f.by_desk), ("Staff: ", f.by_staff)):
            for g in items:
                counts = (str(g.tickets), str(g.served), str(g.no_shows))
                group_rows.append((title + g.name, *counts, *stats(g.wait), *stats(g.service_time)))
        if not (f.by_service or f.by_desk):
            group_rows.append(("no tickets yet today", *[""] * 9))
        self._fill("#dash-groups", group_rows)
        self._hour_charts(f)
        self.reloads.drawn()

    def _fill(self, selector: str, rows: Sequence[tuple[str, ...]]) -> None:
        """Show these rows in the table, unless it shows them already."""
        if self._drawn.get(selector) == list(rows):
            return
        self._drawn[selector] = list(rows)
        table = self.query_one(selector, DataTable)
        table.clear()
        for row in rows:
            table.add_row(*row)

    def _hour_charts(self, f: DayFigures) -> None:
        hours = list(f.hourly)
        busy = [i for i, h in enumerate(hours) if h.arrivals]
        first = min([8, *busy])
        last = max([17, *busy])
        shown = hours[first : last + 1]
        labels = [h.label[:2] for h in shown]
        drawn = (labels, [h.arrivals for h in shown], [h.average_wait for h in shown])
        if self._drawn.get("charts") == drawn:
            return
        self._drawn["charts"] = drawn
        arrivals = self.query_one("#chart-arrivals", plot_type())
        plt = arrivals.plt
        plt.clear_data()
        plot_theme(arrivals)
        xs: list[float] = [float(i) for i in range(len(shown))]
        plt.bar(xs, [h.arrivals for h in shown])
        plt.xticks(xs, labels)
        plt.title("Arrivals per hour")
        arrivals.refresh()
        waits = self.query_one("#chart-waits", plot_type())
        plt = waits.plt
        plt.clear_data()
        plot_theme(waits)
        plt.bar(xs, [round(h.average_wait or 0, 1) for h in shown])
        plt.xticks(xs, labels)
        plt.title("Average wait (min) by arrival hour")
        waits.refresh()
