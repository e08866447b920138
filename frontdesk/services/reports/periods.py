"""A report's period: two days inclusive, the presets (week, month, quarter, year) and
the check of two typed dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from frontdesk.services.errors import ValidationError
from frontdesk.services.fields import parse_date

MAX_PERIOD_DAYS = 366 * 10 + 3
PRESETS = ("week", "month", "quarter", "year")


@dataclass(frozen=True)
class Period:
    start: date  # first day, inclusive
    end: date  # last day, inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of equal length just before this one."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def __str__(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


def preset_period(preset: str, today: date) -> Period:
    """The current week (Mon-Sun), month, quarter or year that holds ``today``."""
    if preset == "week":
        start = today - timedelta(days=today.weekday())
        return Period(start, start + timedelta(days=6))
    if preset == "month":
        start = today.replace(day=1)
        nxt = (start + timedelta(days=32)).replace(day=1)
        return Period(start, nxt - timedelta(days=1))
    if preset == "quarter":
        first_month = 3 * ((today.month - 1) // 3) + 1
        start = date(today.year, first_month, 1)
        nxt = date(today.year + (first_month == 10), (first_month + 2) % 12 + 1, 1)
        return Period(start, nxt - timedelta(days=1))
    if preset == "year":
        return Period(date(today.year, 1, 1), date(today.year, 12, 31))
    raise ValidationError("preset", f"pick one of: {', '.join(PRESETS)}")


def check_period(start: object, end: object) -> Period:
    """Two typed dates -> a Period; the words say what is wrong."""
    first = parse_date(start, "start", "The first day")
    last = parse_date(end, "end", "The last day")
    if first is None:
        raise ValidationError("start", "type the first day of the period")
    if last is None:
        raise ValidationError("end", "type the last day of the period")
    if last < first:
        raise ValidationError("end", "the last day is before the first day")
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        raise ValidationError("end", "a report covers at most ten years")
    return Period(first, last)
