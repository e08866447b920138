"""``frontdesk --demo``: the demo's clock (the last opening day when the centre is
closed) and its own SQLite file, shared by the demo runs that are open at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import make_url

from frontdesk.clock import Clock, ShiftedClock
from frontdesk.config import Hours, Settings
from frontdesk.db import DatabaseError

DEMO_INTO_THE_DAY = timedelta(hours=2, minutes=20)


def demo_moment(hours: Sequence[Hours], now: datetime, tz: ZoneInfo) -> datetime | None:
    """The moment the demo runs at: ``None`` (now) while the centre is open (walk-in or BSN
    hours); otherwise a moment inside the walk-in hours of the last day that had them
    (today's, once they are past), so that the desk's queue is in full swing."""
    local = now.astimezone(tz)
    if any(h.weekday == local.weekday() and h.start <= local.time() < h.end for h in hours):
        return None
    for back in range(15):
        day = local.date() - timedelta(days=back)
        blocks = sorted(
            (h for h in hours if h.kind == "walk_in" and h.weekday == day.weekday()),
            key=lambda h: h.start,
        )
        if not blocks:
            continue
        first = blocks[0]
        opened = datetime.combine(day, first.start, tzinfo=tz)
        closes = datetime.combine(day, first.end, tzinfo=tz)
        moment = min(opened + DEMO_INTO_THE_DAY, closes - timedelta(minutes=20))
        if moment <= now:
            return moment.astimezone(UTC)
    return None


def demo_note(moment: datetime | None, tz: ZoneInfo) -> str:
    """What the login says when the demo does not run on today."""
    if moment is None:
        return ""
    return f"{moment.astimezone(tz):%A %d-%m-%Y} (replayed: the centre is closed at this hour)"


def demo_clock(settings: Settings, fresh: bool, now: datetime | None = None) -> tuple[Clock, str]:
    """The clock a ``--demo`` run uses, and the note the login shows about its day.

    A fresh demo picks its moment (:func:`demo_moment`) and writes the offset beside the
    database; a run that joins it reads the offset, so that both desks live the same day.
    """
    tz = ZoneInfo(settings.timezone)
    now = now or datetime.now(UTC)
    shift_file = Path(f"{_demo_path(settings.db_url)}.clock")
    if fresh:
        moment = demo_moment(settings.hours, now, tz)
        offset = (moment - now) if moment is not None else timedelta(0)
        shift_file.write_text(f"{int(offset.total_seconds())}\n")
    else:
        try:
            offset = timedelta(seconds=int(shift_file.read_text().strip() or 0))
        except (OSError, ValueError):
            offset = timedelta(0)
    if not offset:
        return Clock(tz), ""
    return ShiftedClock(offset, tz), demo_note(now + offset, tz)


def _demo_path(url: str) -> Path:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        raise DatabaseError(
            "--demo makes its own SQLite file; fill another database with "
            "'frontdesk --db URL demo' instead"
        )
    return Path(parsed.database).expanduser()


def reset_demo_database(url: str) -> None:
    """``frontdesk --demo`` starts from a fresh file each time (demo data is made for today)."""
    path = _demo_path(url)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@dataclass
class DemoStart:
    """One ``frontdesk --demo`` run: ``fresh`` when it made the demo database anew (then it
    fills it and calls ``filled``); otherwise it joins the demo another run is showing."""

    fresh: bool
    _lock: Any = None

    def filled(self) -> None:
        """The demo is filled: other runs may join it now (exclusive -> shared lock)."""
        if self._lock is not None:
            import fcntl

            fcntl.flock(self._lock, fcntl.LOCK_SH)


@contextmanager
def demo_database(url: str) -> Iterator[DemoStart]:
    """The ``--demo`` database for as long as the app runs.

    ``--demo`` starts from a fresh file, unless another ``frontdesk --demo`` is running on
    it: then this run joins it, as a second desk on the same demo. Deleting the file under
    the first run left it working on a deleted file, alone, where neither desk saw the
    other's queue. Each run holds a shared lock on a file beside the database while it
    runs; a fresh start needs the exclusive lock, and a joining run waits (shared) until
    the first one has filled the demo. Where there are no such locks (not POSIX), every
    start is fresh as before.
    """
    path = _demo_path(url)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        reset_demo_database(url)
        yield DemoStart(fresh=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{path}.lock", "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fresh = True
        except BlockingIOError:
            fcntl.flock(lock, fcntl.LOCK_SH)  # waits while the first run fills the demo
            fresh = False
        if fresh:
            reset_demo_database(url)
        yield DemoStart(fresh=fresh, _lock=lock)
