"""Appointment capacity: how many households one BSN appointment slot takes.

A centre with two BSN desks serves two households at the same time. The team lead sets
the number on the lead screen (``rules.manage``); it is stored with the other centre
rules (``centre_rules``, key ``slot_capacity``) and holds for every desk at once. No
number set means no limit (as before there was one).

A household "takes" a slot when its appointment (a first registration or a BSN
collection, not cancelled) overlaps the slot's time. The booking form refuses a full
slot and names the next free one; the appointment import books what the booking system
sends but warns per row, with the next free slot, so the lead can move someone.

Checking and booking happen in one transaction: SQLite's ``BEGIN IMMEDIATE`` serialises
writers; on PostgreSQL a transaction-scoped advisory lock per day does, so two desks
cannot both take the last place of a slot.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from frontdesk.clock import Clock
from frontdesk.config import Hours
from frontdesk.db import Database
from frontdesk.db.models import Appointment, CentreRule
from frontdesk.services.auth import Actor, require
from frontdesk.services.errors import ValidationError
from frontdesk.services.rules import RuleWrite

CAPACITY_KEY = "slot_capacity"
CAPACITY_FIELD = "slot_capacity"
CAPACITY_MAX = 20
# The kinds that take a BSN desk (an "other" appointment does not count).
COUNTED_KINDS = ("first_registration", "bsn_collection")
SEARCH_DAYS = 28  # how far ahead the next free slot is looked for
_CAPACITY_LOCK = 0x63617061  # "capa"
_NUMBER = re.compile(r"^\s*(\d{1,3})\s*(households?|huishoudens?)?\s*$")


class Unread:
    """The capacity has not been read yet (None already means "no limit")."""


UNREAD = Unread()


def check_capacity(value: object) -> int | None:
    """The households a slot takes, as typed; empty (or "none") means no limit."""
    text = str(value if value is not None else "").strip().casefold()
    if text in ("", "-", "none", "no limit", "geen"):
        return None
    match = _NUMBER.match(text)
    number = int(match.group(1)) if match else -1
    if not 1 <= number <= CAPACITY_MAX:
        raise ValidationError(
            CAPACITY_FIELD,
            f"type the number of households a slot takes (1-{CAPACITY_MAX}), "
            "or leave it empty for no limit",
        )
    return number


def capacity_in(session: Session) -> int | None:
    """The households a slot takes (None: no limit), read in the caller's transaction."""
    value = session.scalar(select(CentreRule.value).where(CentreRule.key == CAPACITY_KEY))
    try:
        return None if value is None else check_capacity(dict(value)["households"])
    except (ValueError, TypeError, KeyError, ValidationError):
        return None


def lock_day(session: Session, day: date) -> None:
    """One booking at a time per day on PostgreSQL (SQLite's writer lock does it there)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(_CAPACITY_LOCK, day.toordinal())))


def households_at(
    session: Session, start_at: datetime, minutes: int, *, leave_out: int | None = None
) -> int:
    """Households whose BSN appointment overlaps [start_at, start_at + minutes)."""
    end_at = start_at + timedelta(minutes=minutes)
    # Appointments are at most 240 minutes: one that starts 4 hours earlier ends in time.
    rows = session.execute(
        select(Appointment.id, Appointment.start_at, Appointment.minutes).where(
            Appointment.start_at > start_at - timedelta(minutes=240),
            Appointment.start_at < end_at,
            Appointment.kind.in_(COUNTED_KINDS),
            Appointment.status != "cancelled",
        )
    ).all()
    return sum(
        1
        for r in rows
        if r.id != leave_out and r.start_at + timedelta(minutes=r.minutes) > start_at
    )


def slot_times(hours: Sequence[Hours], day: date, minutes: int) -> list[time]:
    """The slot start times in the BSN hours of a day, every ``minutes``."""
    out: list[time] = []
    for h in sorted(
        (h for h in hours if h.kind == "bsn_appointments" and h.weekday == day.weekday()),
        key=lambda h: h.start,
    ):
        moment = datetime.combine(day, h.start)
        while moment + timedelta(minutes=minutes) <= datetime.combine(day, h.end):
            out.append(moment.time())
            moment += timedelta(minutes=minutes)
    return out


@dataclass(frozen=True)
class FullSlot:
    """A slot over capacity, and where there is still room."""

    households: int  # booked there already (without the one being booked)
    capacity: int
    next_free: datetime | None  # local time; None: nothing free in the next 4 weeks

    @property
    def suggestion(self) -> str:
        return slot_words(self.next_free, "next")

    def import_text(self, start: datetime) -> str:
        """The import's warning (the household is booked all the same)."""
        return (
            f"the slot of {start:%a %d-%m-%Y %H:%M} is over capacity ({self.households + 1} "
            f"households, room for {self.capacity}); {self.suggestion}"
        )

    @property
    def message(self) -> str:
        return self.message_with(self.suggestion)

    def message_with(self, suggestion: str) -> str:
        """The refusal with another suggestion (a move offers the nearest free slot)."""
        taken = "household" if self.households == 1 else "households"
        return f"this slot is full ({self.households} {taken}, room for {self.capacity}); " + (
            suggestion
        )


def next_free(
    session: Session,
    hours: Sequence[Hours],
    tz: ZoneInfo,
    start: datetime,
    minutes: int,
    capacity: int,
    *,
    extra: Iterable[tuple[datetime, int]] = (),
    leave_out: int | None = None,
) -> datetime | None:
    """The first slot at or after ``start`` (local) with room, within SEARCH_DAYS days.
    ``extra``: households planned but not saved yet (an import's dry run), as (UTC start,
    minutes)."""
    planned = list(extra)
    local = start.astimezone(tz)
    for offset in range(SEARCH_DAYS + 1):
        day = local.date() + timedelta(days=offset)
        for slot in slot_times(hours, day, minutes):
            moment = datetime.combine(day, slot, tzinfo=tz)
            if moment < local:
                continue
            at = moment.astimezone(UTC)
            taken = households_at(session, at, minutes, leave_out=leave_out)
            taken += sum(1 for s, m in planned if _overlap(s, m, at, minutes))
            if taken < capacity:
                return moment
    return None


def nearest_free(
    session: Session,
    hours: Sequence[Hours],
    tz: ZoneInfo,
    start: datetime,
    minutes: int,
    capacity: int | None,
    *,
    now: datetime,
    leave_out: int | None = None,
) -> datetime | None:
    """The free slot nearest to ``start`` (local), before or after it, never before
    ``now``, within SEARCH_DAYS days either way; at equal distance the later one. A slot
    is free when it has room (``capacity`` None: every slot in the BSN hours is).
    ``start`` itself is not offered: it is the moment that was refused."""
    local, earliest = start.astimezone(tz), now.astimezone(tz)

    def has_room(moment: datetime) -> bool:
        if capacity is None:
            return True
        taken = households_at(session, moment.astimezone(UTC), minutes, leave_out=leave_out)
        return taken < capacity

    before: datetime | None = None
    for offset in range(SEARCH_DAYS + 1):
        day = local.date() - timedelta(days=offset)
        if day < earliest.date():
            break
        for slot in reversed(slot_times(hours, day, minutes)):
            moment = datetime.combine(day, slot, tzinfo=tz)
            if earliest <= moment < local and has_room(moment):
                before = moment
                break
        if before is not None:
            break
    after: datetime | None = None
    for offset in range(SEARCH_DAYS + 1):
        day = local.date() + timedelta(days=offset)
        if before is not None and datetime.combine(day, time.min, tzinfo=tz) - local > (
            local - before
        ):
            break  # every slot of this day is further away than the one before
        for slot in slot_times(hours, day, minutes):
            moment = datetime.combine(day, slot, tzinfo=tz)
            if moment > local and moment >= earliest and has_room(moment):
                after = moment
                break
        if after is not None:
            break
    if before is None or (after is not None and after - local <= local - before):
        return after
    return before


def slot_words(moment: datetime | None, which: str = "nearest") -> str:
    """``the nearest free slot is Wed 25-11-2026 09:00`` (or that there is none)."""
    if moment is None:
        return f"no free slot in the next {SEARCH_DAYS} days"
    return f"the {which} free slot is {moment:%a %d-%m-%Y %H:%M}"


def _overlap(a: datetime, a_minutes: int, b: datetime, b_minutes: int) -> bool:
    return a < b + timedelta(minutes=b_minutes) and b < a + timedelta(minutes=a_minutes)


def full_slot(
    session: Session,
    hours: Sequence[Hours],
    tz: ZoneInfo,
    kind: str,
    start_at: datetime,
    minutes: int,
    *,
    leave_out: int | None = None,
    extra: Sequence[tuple[datetime, int]] = (),
    capacity: int | Unread | None = UNREAD,
) -> FullSlot | None:
    """None when a household of ``kind`` at ``start_at`` fits; else the slot's figures.
    ``leave_out``: the appointment being moved (it does not count against itself);
    ``capacity``: when the caller has read it already (an import reads it once)."""
    if kind not in COUNTED_KINDS:
        return None
    if isinstance(capacity, Unread):
        capacity = capacity_in(session)
    if capacity is None:
        return None
    taken = households_at(session, start_at, minutes, leave_out=leave_out)
    taken += sum(1 for s, m in extra if _overlap(s, m, start_at, minutes))
    if taken < capacity:
        return None
    after = next_free(
        session, hours, tz, start_at, minutes, capacity, extra=extra, leave_out=leave_out
    )
    return FullSlot(taken, capacity, after)


class CapacityService:
    """Read and set the households a slot takes (the lead's, audited)."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def capacity(self) -> int | None:
        with self.db.read() as session:
            return capacity_in(session)

    def set_capacity(self, actor: Actor, value: object) -> int | None:
        require(actor, "rules.manage")
        number = check_capacity(value)
        with self.db.write() as session:
            row = RuleWrite.locked(session, CAPACITY_KEY)
            old = capacity_in(session)
            if old == number:
                return number
            RuleWrite(session, self.clock, actor).put(
                row,
                CAPACITY_KEY,
                {"households": number},
                action="rules.capacity",
                reason=f"{_text(old)} -> {_text(number)} households a slot",
            )
            return number


def _text(number: int | None) -> str:
    return "no limit" if number is None else str(number)


__all__ = [
    "CAPACITY_FIELD",
    "CapacityService",
    "FullSlot",
    "check_capacity",
    "full_slot",
    "lock_day",
    "nearest_free",
    "slot_words",
]
