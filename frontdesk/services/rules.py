"""Centre-wide rules the team lead manages: the opening hours and the target wait.

The config file gives the starting values (``[hours]`` and ``target_wait_minutes``). Once
the lead saves a rule on the lead screen it is stored in the database (``centre_rules``)
and wins from then on, for every desk and every machine sharing that database. Every read
asks the database (one small query), so a change made at one machine holds at every other
machine at once; nothing is cached in a process.

Opening hours are typed one line per weekday and kind, as in the config file:
``09:00-12:15, 13:00-16:30``; an empty line means closed. Each change is audited with
what it was and what it became (hours and minutes only, nothing about a person).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from frontdesk.clock import Clock
from frontdesk.config import WEEKDAYS, Hours, Settings
from frontdesk.db import Database
from frontdesk.db.models import CentreRule, Staff
from frontdesk.services import audit
from frontdesk.services.auth import Actor, require
from frontdesk.services.errors import Conflict, ValidationError
from frontdesk.services.text import fold

log = logging.getLogger(__name__)
# What a stored rule that cannot be read raises (written by hand or by a newer frontdesk).
_UNREADABLE = (ValueError, TypeError, KeyError, ValidationError)

KINDS: dict[str, str] = {"walk_in": "walk-in", "bsn_appointments": "BSN appointments"}
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
TARGET_MIN, TARGET_MAX = 1, 240
MAX_BLOCKS_A_DAY = 6
HOURS_KEY, TARGET_KEY = "hours", "target_wait"
TARGET_FIELD = "target_wait"
CLOSED_WORDS = ("", "-", "closed", "none", "gesloten")
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth")

_CLOCK = r"(\d{1,2})(?:[:.](\d{2}))?"
_SPAN = re.compile(rf"^{_CLOCK}-{_CLOCK}$")
_TARGET = re.compile(r"^(\d{1,4})\s*(m|min|mins|minutes|minuten)?$")


def hours_field(kind: str, weekday: int) -> str:
    """The form field (and ValidationError field) of one weekday's hours of one kind."""
    return f"{kind}_{WEEKDAYS[weekday]}"


HOURS_FIELDS: tuple[tuple[str, str, int], ...] = tuple(
    (hours_field(kind, day), kind, day) for kind in KINDS for day in range(7)
)
_FIELD_INDEX = {name: (kind, day) for name, kind, day in HOURS_FIELDS}


def format_blocks(blocks: Iterable[Hours]) -> str:
    """``09:00-12:15, 13:00-16:30``; empty for none."""
    return ", ".join(f"{b.start:%H:%M}-{b.end:%H:%M}" for b in sorted(blocks, key=_order))


def _order(block: Hours) -> tuple[int, int, time, time]:
    kinds = list(KINDS)
    rank = kinds.index(block.kind) if block.kind in kinds else len(kinds)
    return (rank, block.weekday, block.start, block.end)


def _sorted(blocks: Iterable[Hours]) -> tuple[Hours, ...]:
    return tuple(sorted(blocks, key=_order))


@dataclass(frozen=True)
class RuleChange:
    """When the lead last saved a rule, and who (None: it still comes from the config file)."""

    at: datetime
    by: str | None


@dataclass(frozen=True)
class CentreRules:
    """The rules in force now, and where each comes from."""

    hours: tuple[Hours, ...]
    target_wait_minutes: int
    hours_changed: RuleChange | None = None
    target_changed: RuleChange | None = None

    def blocks(self, kind: str, weekday: int) -> tuple[Hours, ...]:
        return tuple(h for h in self.hours if h.kind == kind and h.weekday == weekday)

    def day_text(self, kind: str, weekday: int) -> str:
        return format_blocks(self.blocks(kind, weekday))

    def texts(self) -> dict[str, str]:
        """Every form field with its current text (what the edit form starts with)."""
        return {name: self.day_text(kind, day) for name, kind, day in HOURS_FIELDS}


def is_open(
    clock: Clock, hours: Iterable[Hours], kind: str, early: timedelta = timedelta(0)
) -> bool:
    """Whether ``now`` lies in a block of ``kind`` today (from ``early`` before its start)."""
    now = clock.local_now()
    for block in hours:
        if block.kind != kind or block.weekday != now.weekday():
            continue
        start = datetime.combine(now.date(), block.start, tzinfo=clock.tz)
        end = datetime.combine(now.date(), block.end, tzinfo=clock.tz)
        if start - early <= now < end:
            return True
    return False


def todays_hours_text(clock: Clock, hours: Iterable[Hours], kind: str) -> str:
    """Today's hours of ``kind`` in words: ``Monday 15:00-17:00``, or ``no walk-in hours on
    Sundays``."""
    weekday = clock.local_now().weekday()
    blocks = [h for h in hours if h.kind == kind and h.weekday == weekday]
    if not blocks:
        return f"no {KINDS.get(kind, kind)} hours on {DAY_NAMES[weekday]}s"
    return f"{DAY_NAMES[weekday]} {format_blocks(blocks)}"


# -- parsing and checking -------------------------------------------------------------------
def _clock(hour: str, minute: str | None) -> time | None:
    h, m = int(hour), int(minute or 0)
    if h > 23 or m > 59:
        return None
    return time(h, m)


def _ordinal(index: int) -> str:
    return _ORDINALS[index] if index < len(_ORDINALS) else f"#{index + 1}"


def _which(index: int, count: int) -> str:
    return "this block" if count == 1 else f"the {_ordinal(index)} block"


def parse_day(kind: str, weekday: int, text: object) -> tuple[Hours, ...]:
    """One weekday's hours of one kind, as typed: ``09:00-12:15, 13:00-16:30`` or empty.

    Raises ValidationError naming the form field; the message says which block is wrong
    (never repeating what was typed, as every service message).
    """
    field = hours_field(kind, weekday)
    raw = str(text or "").strip()
    if fold(raw) in CLOSED_WORDS:
        return ()
    cleaned = re.sub(r"\s*(?:-|–|—|\bto\b|\btot\b)\s*", "-", raw.replace("–", "-"))
    parts = [p for p in re.split(r"[,;\s]+", cleaned) if p]
    if len(parts) > MAX_BLOCKS_A_DAY:
        raise ValidationError(field, f"at most {MAX_BLOCKS_A_DAY} blocks a day")
    blocks: list[Hours] = []
    for i, part in enumerate(parts):
        which = _which(i, len(parts))
        match = _SPAN.match(part)
        if match is None:
            raise ValidationError(
                field,
                f"write {which} as HH:MM-HH:MM, e.g. 09:00-12:15; separate blocks with "
                "commas; leave it empty when closed",
            )
        start = _clock(match.group(1), match.group(2))
        end = _clock(match.group(3), match.group(4))
        if start is None or end is None:
            raise ValidationError(
                field, f"{which} has a time that does not exist; times run from 00:00 to 23:59"
            )
        if end <= start:
            raise ValidationError(
                field,
                f"{which} ends {'when' if end == start else 'before'} it starts; "
                "write the opening time first, e.g. 09:00-12:15",
            )
        blocks.append(Hours(weekday, start, end, kind))
    _check_overlap(field, blocks)
    return _sorted(blocks)


def _check_overlap(field: str, blocks: list[Hours]) -> None:
    ordered = sorted(enumerate(blocks), key=lambda item: item[1].start)
    for (i, a), (j, b) in pairwise(ordered):
        if b.start < a.end:
            first, second = sorted((i, j))
            raise ValidationError(
                field,
                f"the {_ordinal(first)} and {_ordinal(second)} blocks overlap; "
                "one block must end before the next starts",
            )


def check_blocks(blocks: Iterable[Hours]) -> tuple[Hours, ...]:
    """A whole week of blocks: known kinds and weekdays, each ends after it starts, and
    no two blocks of the same kind overlap on a day (walk-in and BSN hours may)."""
    by_day: dict[tuple[str, int], list[Hours]] = {}
    for block in blocks:
        if block.kind not in KINDS:
            raise ValidationError("hours", "opening hours are walk-in or BSN appointments")
        if not 0 <= block.weekday <= 6:
            raise ValidationError("hours", "a weekday is Monday to Sunday")
        field = hours_field(block.kind, block.weekday)
        if block.end <= block.start:
            raise ValidationError(
                field, "a block ends before it starts; write the opening time first"
            )
        by_day.setdefault((block.kind, block.weekday), []).append(block)
    for (kind, day), items in by_day.items():
        if len(items) > MAX_BLOCKS_A_DAY:
            field = hours_field(kind, day)
            raise ValidationError(field, f"at most {MAX_BLOCKS_A_DAY} blocks a day")
        _check_overlap(hours_field(kind, day), items)
    return _sorted(b for items in by_day.values() for b in items)


def check_target_wait(value: object) -> int:
    """Whole minutes, 1 to 240 ("20" or "20 min")."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, int):
        minutes = value
    else:
        match = _TARGET.match(fold(str(value or "")))
        if match is None:
            raise ValidationError(TARGET_FIELD, "type the target wait in whole minutes, e.g. 15")
        minutes = int(match.group(1))
    if not TARGET_MIN <= minutes <= TARGET_MAX:
        raise ValidationError(
            TARGET_FIELD, f"the target wait must be {TARGET_MIN} to {TARGET_MAX} minutes"
        )
    return minutes


# -- storage ---------------------------------------------------------------------------------
def _hours_json(blocks: Iterable[Hours]) -> dict[str, dict[str, list[str]]]:
    """The config file's shape: ``{"walk_in": {"mon": ["15:00-17:00"], ...}, ...}``."""
    out: dict[str, dict[str, list[str]]] = {k: {d: [] for d in WEEKDAYS} for k in KINDS}
    for b in _sorted(blocks):
        out[b.kind][WEEKDAYS[b.weekday]].append(f"{b.start:%H:%M}-{b.end:%H:%M}")
    return out


def _hours_from_json(value: Any) -> tuple[Hours, ...]:
    blocks: list[Hours] = []
    for kind, days in dict(value).items():
        for day, spans in dict(days).items():
            blocks += parse_day(kind, WEEKDAYS.index(day), ", ".join(spans))
    return check_blocks(blocks)


def _target_from_json(value: Any) -> int:
    return check_target_wait(int(dict(value)["minutes"]))


def load_rules(session: Session, settings: Settings) -> CentreRules:
    """The rules in force: what the lead saved, else the config file's values."""
    hours, target = _sorted(settings.hours), settings.target_wait_minutes
    hours_changed = target_changed = None
    rows = session.execute(
        select(CentreRule, Staff.name).outerjoin(Staff, Staff.id == CentreRule.updated_by)
    ).all()
    for row, name in rows:
        try:
            if row.key == HOURS_KEY:
                hours = _hours_from_json(row.value)
                hours_changed = RuleChange(row.updated_at, name)
            elif row.key == TARGET_KEY:
                target = _target_from_json(row.value)
                target_changed = RuleChange(row.updated_at, name)
        except _UNREADABLE:
            # Keep working on the config's value rather than stop every desk.
            log.warning("centre rule %r in the database cannot be read; using the config", row.key)
    return CentreRules(hours, target, hours_changed, target_changed)


def hours_in(session: Session, settings: Settings) -> tuple[Hours, ...]:
    """The opening hours in force, read in the caller's transaction."""
    value = session.scalar(select(CentreRule.value).where(CentreRule.key == HOURS_KEY))
    if value is not None:
        try:
            return _hours_from_json(value)
        except _UNREADABLE:
            log.warning("centre rule 'hours' cannot be read; using the config")
    return _sorted(settings.hours)


def target_wait_in(session: Session, settings: Settings) -> int:
    """The target wait in force (minutes), read in the caller's transaction."""
    value = session.scalar(select(CentreRule.value).where(CentreRule.key == TARGET_KEY))
    return target_wait_of(value, settings)


def target_wait_of(value: Any, settings: Settings) -> int:
    """The target wait (minutes) from the saved rule's value (None: none saved)."""
    if value is not None:
        try:
            return _target_from_json(value)
        except _UNREADABLE:
            log.warning("centre rule 'target_wait' cannot be read; using the config")
    return settings.target_wait_minutes


def _hours_summary(old: tuple[Hours, ...], new: tuple[Hours, ...]) -> str:
    """``Fri walk-in 09:00-13:00 -> 09:00-12:00; Sat walk-in closed -> 10:00-12:00``."""
    before, after = CentreRules(old, 0), CentreRules(new, 0)
    changes = []
    for kind, label in KINDS.items():
        for day in range(7):
            was, now = before.day_text(kind, day), after.day_text(kind, day)
            if was != now:
                changes.append(
                    f"{WEEKDAYS[day].capitalize()} {label} {was or 'closed'} -> {now or 'closed'}"
                )
    return "; ".join(changes)


class RuleWrite:
    """Writing centre rules in one unit of work: each change is stored (the row made or
    updated, with who and when) and audited, with one moment for the whole save."""

    def __init__(self, session: Session, clock: Clock, actor: Actor) -> None:
        self.session, self.clock, self.actor = session, clock, actor
        self.now, self.by = clock.now(), actor.staff_id or None

    @staticmethod
    def locked(session: Session, key: str) -> CentreRule | None:
        """The rule's row, locked until the save ends (None before its first save)."""
        return session.scalars(
            select(CentreRule).where(CentreRule.key == key).with_for_update()
        ).first()

    def put(
        self, row: CentreRule | None, key: str, value: Any, *, action: str, reason: str
    ) -> None:
        if row is None:
            self.session.add(
                CentreRule(key=key, value=value, updated_at=self.now, updated_by=self.by)
            )
        else:
            row.value, row.updated_at, row.updated_by = value, self.now, self.by
        audit.record(
            self.session,
            self.clock,
            action=action,
            actor=self.actor,
            object_type="centre_rules",
            object_id=key,
            reason=reason,
        )


class CentreRulesService:
    """Read the rules in force; the lead changes them (``rules.manage``), audited."""

    def __init__(self, db: Database, settings: Settings, clock: Clock) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock

    # -- reading (every desk needs the hours; nothing here is personal) ----------------------
    def current(self) -> CentreRules:
        with self.db.read() as session:
            return load_rules(session, self.settings)

    def hours(self) -> tuple[Hours, ...]:
        with self.db.read() as session:
            return hours_in(session, self.settings)

    def target_wait_minutes(self) -> int:
        with self.db.read() as session:
            return target_wait_in(session, self.settings)

    # -- changing (the team lead) --------------------------------------------------------------
    def set_hours(self, actor: Actor, blocks: Iterable[Hours]) -> CentreRules:
        """Replace the whole week's opening hours (both kinds) with ``blocks``."""
        require(actor, "rules.manage")
        return self._save(actor, check_blocks(blocks), None, {})

    def set_target_wait(self, actor: Actor, minutes: object) -> CentreRules:
        require(actor, "rules.manage")
        return self._save(actor, None, check_target_wait(minutes), {})

    def save(
        self,
        actor: Actor,
        *,
        hours: Mapping[str, object] | None = None,
        target_wait: object = None,
    ) -> CentreRules:
        """The lead screen's form: hours as typed per field (``walk_in_fri`` = "09:00-13:00";
        fields left out keep their hours) and the target wait as typed. Everything is
        checked first; then one transaction saves what changed, or nothing."""
        require(actor, "rules.manage")
        days: dict[tuple[str, int], tuple[Hours, ...]] = {}
        for name, text in (hours or {}).items():
            if name not in _FIELD_INDEX:
                raise ValidationError(name, "this is not a weekday of walk-in or BSN hours")
            kind, day = _FIELD_INDEX[name]
            days[(kind, day)] = parse_day(kind, day, text)
        target = None if target_wait is None else check_target_wait(target_wait)
        return self._save(actor, None, target, days)

    def _save(
        self,
        actor: Actor,
        blocks: tuple[Hours, ...] | None,
        target: int | None,
        days: dict[tuple[str, int], tuple[Hours, ...]],
    ) -> CentreRules:
        try:
            with self.db.write() as session:
                rows = {
                    r.key: r
                    for r in session.scalars(select(CentreRule).with_for_update())  # one at a time
                }
                current = load_rules(session, self.settings)
                new_hours = blocks
                if days:
                    kept = [h for h in current.hours if (h.kind, h.weekday) not in days]
                    new_hours = _sorted([*kept, *(b for items in days.values() for b in items)])
                change = RuleWrite(session, self.clock, actor)
                if new_hours is not None and new_hours != current.hours:
                    change.put(
                        rows.get(HOURS_KEY),
                        HOURS_KEY,
                        _hours_json(new_hours),
                        action="rules.hours",
                        reason=_hours_summary(current.hours, new_hours),
                    )
                if target is not None and target != current.target_wait_minutes:
                    change.put(
                        rows.get(TARGET_KEY),
                        TARGET_KEY,
                        {"minutes": target},
                        action="rules.target_wait",
                        reason=f"{current.target_wait_minutes} -> {target} minutes",
                    )
                session.flush()
                return load_rules(session, self.settings)
        except IntegrityError:
            # Two leads saved a rule for the very first time at the same moment (PostgreSQL).
            raise Conflict(
                "Someone else saved the opening hours or the target at the same moment; "
                "look at them again and save once more."
            ) from None


__all__ = [
    "DAY_NAMES",
    "HOURS_FIELDS",
    "KINDS",
    "TARGET_FIELD",
    "CentreRules",
    "CentreRulesService",
    "RuleChange",
    "check_blocks",
    "check_target_wait",
    "format_blocks",
    "hours_field",
    "hours_in",
    "is_open",
    "load_rules",
    "parse_day",
    "target_wait_in",
    "todays_hours_text",
]
