"""A report's period: two days inclusive, the presets (week, month, quarter, year), the
period to compare with (like for like while a period is in progress) and the check of two
typed dates.
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

    @property
    def months(self) -> int | None:
        """How many whole calendar months this period is (a month, quarter, year), or None."""
        if self.start.day != 1 or (self.end + timedelta(days=1)).day != 1:
            return None
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def previous(self) -> Period:
        """The period just before this one: the calendar months before whole months
        (November for December, 2025 for 2026), else as many days just before."""
        months = self.months
        if months is not None:
            return Period(shift_months(self.start, -months), self.start - timedelta(days=1))
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def so_far(self, today: date) -> Period:
        """The days of this period up to ``today`` while it is in progress, else itself."""
        return Period(self.start, today) if self.start <= today < self.end else self

    def same_days_before(self, shown: Period) -> Period:
        """What ``shown`` (this period, or its first days) is compared with: the same days
        of the previous period. 1-6 Dec -> 1-6 Nov; 1 Jan-6 Dec 2026 -> the same in 2025;
        Monday-Wednesday -> last week's Monday-Wednesday."""
        before = self.previous()
        if shown == self:
            return before
        months = self.months
        if months is not None:
            return Period(before.start, min(shift_months(shown.end, -months), before.end))
        return Period(before.start, before.start + (shown.end - shown.start))

    def __str__(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


def shift_months(day: date, months: int) -> date:
    """The same day ``months`` later (earlier when negative), kept within its month:
    31 March -1 -> 28 (or 29) February."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    first_of_next = date(year + (month == 11), (month + 1) % 12 + 1, 1)
    return date(year, month + 1, min(day.day, (first_of_next - timedelta(days=1)).day))


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
