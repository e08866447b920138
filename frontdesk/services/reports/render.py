"""The day's figures as tables for the exports: the summary, per service, desk, staff
member and hour, and the ticket list with names (only when the lead asks for it).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from frontdesk.clock import Clock
from frontdesk.services.queue import STATUS_LABELS
from frontdesk.services.reports.records import (
    DayFigures,
    GroupFigures,
    TicketRow,
)
from frontdesk.services.tables import Column, Table


def _stats_columns(prefix: str) -> tuple[Column, ...]:
    return (
        Column(prefix, width=24),
        Column("Tickets", "int"),
        Column("Served", "int"),
        Column("No-shows", "int"),
        Column("Average wait (min)", "minutes"),
        Column("Median wait (min)", "minutes"),
        Column("90% waited at most (min)", "minutes"),
        Column("Average service (min)", "minutes"),
        Column("Median service (min)", "minutes"),
        Column("90% service (min)", "minutes"),
    )


def _group_row(g: GroupFigures) -> tuple[Any, ...]:
    return (
        g.name,
        g.tickets,
        g.served,
        g.no_shows,
        g.wait.mean,
        g.wait.median,
        g.wait.p90,
        g.service_time.mean,
        g.service_time.median,
        g.service_time.p90,
    )


def day_tables(figures: DayFigures, *, with_staff: bool) -> list[Table]:
    """The day's figures as tables (per staff member only when names are asked for)."""
    summary = Table(
        "summary",
        f"Day {figures.day.isoformat()}",
        (Column("Figure", width=34), Column("Value", width=14)),
        (
            ("Tickets issued", figures.issued),
            ("Served", figures.served),
            ("No-shows", figures.no_shows),
            ("Cancelled", figures.cancelled),
            ("Not served (day closed)", figures.not_served),
            ("Still open", figures.open_now),
            ("Average wait (min)", _round(figures.wait.mean)),
            ("Median wait (min)", _round(figures.wait.median)),
            ("90% waited at most (min)", _round(figures.wait.p90)),
            ("Average service time (min)", _round(figures.service_time.mean)),
            (
                f"Share called within {figures.target_minutes} min",
                None if figures.within_target is None else round(figures.within_target, 3),
            ),
            ("Hours in this day", figures.hours_in_day),
            ("Day closed", "yes" if figures.closed_at else "no"),
        ),
    )
    tables = [
        summary,
        Table(
            "services",
            "Per service",
            _stats_columns("Service"),
            tuple(_group_row(g) for g in figures.by_service),
        ),
        Table(
            "desks",
            "Per desk",
            _stats_columns("Desk"),
            tuple(_group_row(g) for g in figures.by_desk),
        ),
    ]
    if with_staff:
        tables.append(
            Table(
                "staff",
                "Per staff member",
                _stats_columns("Staff member"),
                tuple(_group_row(g) for g in figures.by_staff),
            )
        )
    tables.append(
        Table(
            "hours",
            "Arrivals and waits per hour",
            (Column("Hour"), Column("Arrivals", "int"), Column("Average wait (min)", "minutes")),
            tuple((h.label, h.arrivals, h.average_wait) for h in figures.hourly),
        )
    )
    return tables


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def ticket_table(rows: Sequence[TicketRow], clock: Clock) -> Table:
    """The ticket list with visitor names: only exported when the lead asks for it."""

    def local(moment: datetime | None) -> datetime | None:
        return clock.to_local(moment) if moment else None

    return Table(
        "tickets",
        "Tickets (with names)",
        (
            Column("Ticket"),
            Column("Service", width=24),
            Column("Status"),
            Column("Priority"),
            Column("Arrived", "datetime"),
            Column("First called", "datetime"),
            Column("Finished", "datetime"),
            Column("Wait (min)", "minutes"),
            Column("Desk", "int"),
            Column("Staff member", width=20),
            Column("Visitor", width=28),
        ),
        tuple(
            (
                r.label,
                r.service_name,
                STATUS_LABELS.get(r.status, r.status),
                "yes" if r.priority else "",
                local(r.arrived_at),
                local(r.first_called_at),
                local(r.finished_at),
                r.wait,
                r.desk,
                r.staff_name,
                r.visitor_name,
            )
            for r in rows
        ),
    )
