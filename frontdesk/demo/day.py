"""``frontdesk --db URL demo`` on the demo's day, as ``frontdesk --demo``: when the centre
is closed now, the data is made for the last opening day (:func:`demo_moment`), and the
database keeps that day (``services.demo_day``) for every later run on it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from frontdesk.clock import ShiftedClock
from frontdesk.config import Settings
from frontdesk.demo.builder import fill_demo
from frontdesk.demo.start import demo_moment, demo_note
from frontdesk.services import Services
from frontdesk.services.demo_day import keep_demo_offset


def demo_shift(settings: Settings, now: datetime | None = None) -> timedelta:
    """How far the demo's clock is moved from ``now`` (zero while the centre is open)."""
    now = now or datetime.now(UTC)
    moment = demo_moment(settings.hours, now, ZoneInfo(settings.timezone))
    return timedelta(0) if moment is None else moment - now


def fill_on_demo_day(settings: Settings, days: int, now: datetime | None = None) -> str:
    """``frontdesk --db URL demo``: fill the database on the demo's day (as ``--demo``
    does), keep that day in it, and say which day it is."""
    now = now or datetime.now(UTC)
    shift = demo_shift(settings, now)
    services = Services.open(settings, ShiftedClock(shift, settings.timezone))
    try:
        summary = fill_demo(services, days=days)  # refuses a database that has data
        keep_demo_offset(services.db, shift, now)
    finally:
        services.close()
    note = demo_note(now + shift if shift else None, ZoneInfo(settings.timezone))
    return summary + (f"\ndemo day: {note}" if note else "")
