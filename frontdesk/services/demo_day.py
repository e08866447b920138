"""The clock of a database filled by ``frontdesk --db URL demo`` (``frontdesk.demo.day``):
such a database keeps the demo clock's offset (``centre_rules``), so every run on it (the
app, a second desk, a report) lives the demo's day, as ``frontdesk --demo`` does with the
offset it keeps beside its SQLite file. A real centre's database never has this row.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from frontdesk.clock import Clock, ShiftedClock
from frontdesk.config import Settings
from frontdesk.db import Database
from frontdesk.db.models import CentreRule

DEMO_OFFSET_KEY = "demo_clock_offset"  # seconds the demo's clock is moved (an int)


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
