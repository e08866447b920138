"""The team lead's figures: the live dashboard, the day review, period reports, exports.

service.py holds :class:`ReportService`; records.py what it returns (plain dataclasses and
the :class:`ReportSection` protocol); periods.py the period and its presets;
statistics.py the percentiles; statements.py the day's statements; render.py the day's
tables for the exports; sections/ the period tables of the queue, the contacts, the
visitors and of the other capabilities (appointments, referrals, packs).
"""

from frontdesk.services.reports.periods import (
    MAX_PERIOD_DAYS,
    PRESETS,
    Period,
    check_period,
    preset_period,
)
from frontdesk.services.reports.records import (
    Dashboard,
    DayFigures,
    DeskState,
    GroupFigures,
    HourBucket,
    PeriodReport,
    ReportSection,
    ServiceWaiting,
    SettingLine,
    TicketFilter,
    TicketRow,
    TimelineEntry,
)
from frontdesk.services.reports.render import day_tables, ticket_table
from frontdesk.services.reports.service import DESK_OPEN_MINUTES, TIMELINE_LABELS, ReportService
from frontdesk.services.reports.statistics import Stats, percentile

__all__ = [
    "DESK_OPEN_MINUTES",
    "MAX_PERIOD_DAYS",
    "PRESETS",
    "TIMELINE_LABELS",
    "Dashboard",
    "DayFigures",
    "DeskState",
    "GroupFigures",
    "HourBucket",
    "Period",
    "PeriodReport",
    "ReportSection",
    "ReportService",
    "ServiceWaiting",
    "SettingLine",
    "Stats",
    "TicketFilter",
    "TicketRow",
    "TimelineEntry",
    "check_period",
    "day_tables",
    "percentile",
    "preset_period",
    "ticket_table",
]
