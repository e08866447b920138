"""The demo's day for ``frontdesk --db URL demo``, as for ``frontdesk --demo``: when the
centre is closed now, the demo lives the last opening day (``demo.demo_moment``).

``--demo`` keeps the clock's offset in a file beside its SQLite file; a database filled
with ``frontdesk --db URL demo`` (PostgreSQL too) keeps it in the database
(``centre_rules``), so every run on it (the app, a second desk, a report) lives the same
day. A real centre's database never has this row.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from frontdesk.clock import Clock, ShiftedClock
from frontdesk.config import Settings
from frontdesk.db import Database
from frontdesk.db.models import CentreRule

DEMO_OFFSET_KEY = "demo_clock_offset"  # seconds the demo's clock is moved (an int)


def demo_shift(settings: Settings, now: datetime | None = None) -> timedelta:
    """How far the demo's clock is moved from ``now`` (zero while the centre is open)."""
    from frontdesk.services.demo import demo_moment

    now = now or datetime.now(UTC)
    moment = demo_moment(settings.hours, now, ZoneInfo(settings.timezone))
    return timedelta(0) if moment is None else moment - now


def keep_demo_offset(db: Database, offset: timedelta, now: datetime) -> None:
    """Store the demo's offset in the database it fills."""
    seconds = int(offset.total_seconds())
    with db.write() as session:
        row = session.get(CentreRule, DEMO_OFFSET_KEY)
        if row is None:
            session.add(CentreRule(key=DEMO_OFFSET_KEY, value=seconds, updated_at=now))
        else:
            row.value, row.updated_at = seconds, now


def demo_offset(db: Database) -> timedelta:
    """The offset a demo database keeps (zero for every other database)."""
    with db.read() as session:
        value = session.scalar(select(CentreRule.value).where(CentreRule.key == DEMO_OFFSET_KEY))
    return timedelta(seconds=value) if isinstance(value, int) else timedelta(0)


def clock_for(db: Database, settings: Settings) -> Clock:
    """The clock of a run on ``db``: the demo's day on a demo database, else now."""
    offset = demo_offset(db)
    return ShiftedClock(offset, settings.timezone) if offset else Clock(settings.timezone)


def fill_on_demo_day(settings: Settings, days: int, now: datetime | None = None) -> str:
    """``frontdesk --db URL demo``: fill the database on the demo's day (as ``--demo``
    does), keep that day in it, and say which day it is."""
    from frontdesk.services import Services
    from frontdesk.services.demo import demo_note, fill_demo

    now = now or datetime.now(UTC)
    shift = demo_shift(settings, now)
    services = Services.open(settings, ShiftedClock(shift, settings.timezone))
    try:
        keep_demo_offset(services.db, shift, now)
        summary = fill_demo(services, days=days)
    finally:
        services.close()
    note = demo_note(now + shift if shift else None, ZoneInfo(settings.timezone))
    return summary + (f"\ndemo day: {note}" if note else "")
