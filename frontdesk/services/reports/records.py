"""What the reports return: plain frozen dataclasses, and the protocol of a section."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy.orm import Session

from frontdesk.clock import Clock
from frontdesk.services.reports.periods import Period
from frontdesk.services.reports.statistics import Stats, minutes_between
from frontdesk.services.tables import Table


@dataclass(frozen=True)
class GroupFigures:
    """One service, desk or staff member over a day."""

    name: str
    tickets: int
    served: int
    no_shows: int
    wait: Stats
    service_time: Stats


@dataclass(frozen=True)
class HourBucket:
    label: str  # local "09:00"; on the day clocks go back the repeated hour gets its offset
    start: datetime  # UTC
    arrivals: int
    average_wait: float | None  # of those who arrived in this hour and were called


@dataclass(frozen=True)
class DayFigures:
    day: date
    hours_in_day: int
    issued: int
    served: int
    no_shows: int
    cancelled: int
    not_served: int
    open_now: int
    wait: Stats
    service_time: Stats
    target_minutes: int
    within_target: float | None  # share of called visitors who waited at most the target
    by_service: tuple[GroupFigures, ...]
    by_desk: tuple[GroupFigures, ...]
    by_staff: tuple[GroupFigures, ...]
    hourly: tuple[HourBucket, ...]
    contacts: tuple[tuple[str, int], ...]  # channel label, count (logged contact moments)
    closed_at: datetime | None


@dataclass(frozen=True)
class ServiceWaiting:
    name: str
    prefix: str
    waiting: int
    longest_wait: float | None  # minutes the longest-waiting visitor has waited so far


@dataclass(frozen=True)
class DeskState:
    desk: int
    serving: str | None  # ticket label
    service_name: str | None
    staff_name: str | None
    since: datetime | None
    last_call: datetime | None


@dataclass(frozen=True)
class Dashboard:
    now: datetime
    waiting: tuple[ServiceWaiting, ...]
    longest_wait: float | None
    desks: tuple[DeskState, ...]
    today: DayFigures
    version: int


@dataclass(frozen=True)
class TicketRow:
    id: int
    label: str
    service_name: str
    status: str
    priority: bool
    source: str
    arrived_at: datetime
    first_called_at: datetime | None
    finished_at: datetime | None
    desk: int | None
    staff_name: str | None
    visitor_name: str | None

    @property
    def wait(self) -> float | None:
        return minutes_between(self.arrived_at, self.first_called_at)

    @property
    def service_time(self) -> float | None:
        return (
            minutes_between(self.first_called_at, self.finished_at)
            if self.status == "done"
            else None
        )


@dataclass(frozen=True)
class TicketFilter:
    service: str | None = None  # service code
    status: str | None = None
    desk: int | None = None
    staff_id: int | None = None
    priority: bool | None = None


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    action: str
    label: str
    staff_name: str | None
    desk: int | None
    detail: str | None


@dataclass(frozen=True)
class PeriodReport:
    period: Period
    previous: Period
    tables: tuple[Table, ...]
    per_day: tuple[tuple[date, int, int], ...]  # day, tickets issued, served

    def table(self, key: str) -> Table:
        for table in self.tables:
            if table.key == key:
                return table
        raise KeyError(key)


@dataclass(frozen=True)
class SettingLine:
    name: str
    value: str


# -- sections: how other capabilities add their figures ----------------------------------
class ReportSection(Protocol):
    """A source of report tables; register with :meth:`ReportService.add_section`."""

    key: str

    def day_tables(self, session: Session, day: date, clock: Clock) -> list[Table]: ...

    def period_tables(
        self, session: Session, period: Period, previous: Period, clock: Clock
    ) -> list[Table]: ...
