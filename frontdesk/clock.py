"""The one source of "now" and "today".

Timestamps are stored in UTC; "today", opening hours and reports use the configured
time zone (default Europe/Amsterdam), daylight saving time included. Tests inject a
:class:`FixedClock` so that time never depends on the machine.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


class Clock:
    """Wall-clock time in a given time zone."""

    def __init__(self, tz: str | ZoneInfo = "Europe/Amsterdam") -> None:
        self.tz = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)

    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        return datetime.now(UTC)

    def local_now(self) -> datetime:
        return self.now().astimezone(self.tz)

    def today(self) -> date:
        return self.local_now().date()

    def to_local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:  # stored naive by SQLite: always UTC
            moment = moment.replace(tzinfo=UTC)
        return moment.astimezone(self.tz)

    def day_bounds(self, day: date) -> tuple[datetime, datetime]:
        """The UTC instants at which a local day starts and ends (23 or 25 hours on DST days)."""
        start = datetime.combine(day, time.min, tzinfo=self.tz)
        end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=self.tz)
        return start.astimezone(UTC), end.astimezone(UTC)


class FixedClock(Clock):
    """A clock that stands still until moved; for tests and demos."""

    def __init__(self, moment: datetime, tz: str | ZoneInfo = "Europe/Amsterdam") -> None:
        super().__init__(tz)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.tz)
        self._moment = moment.astimezone(UTC)

    def now(self) -> datetime:
        return self._moment

    def advance(self, **delta: float) -> None:
        self._moment += timedelta(**delta)

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.tz)
        self._moment = moment.astimezone(UTC)


class ShiftedClock(Clock):
    """Wall-clock time moved by a fixed offset: it runs, but on another day (the demo on
    the last opening day when the centre is closed today)."""

    def __init__(self, offset: timedelta, tz: str | ZoneInfo = "Europe/Amsterdam") -> None:
        super().__init__(tz)
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset
