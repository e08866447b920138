"""One person, one place: finding likely duplicate visitor records and merging two of them.

The team lead merges (``visitor.merge``). The lead picks, field by field, which record's
value survives; everything that points at the other record (tickets, contacts,
appointment persons, referrals, pack issues, and any table added later with a foreign key
to ``visitors.id``) moves to the survivor, and the other record is removed: removal is
kinder to personal data than a second, stale copy marked "merged". All of it is one
transaction, with both visitor rows locked in id order (``FOR UPDATE`` on PostgreSQL;
SQLite's ``BEGIN IMMEDIATE`` holds the write lock), so two desks merging or editing an
overlapping pair at once end in one consistent result; the later one is told the record
has gone. The audit row names the two ids only.

Likely duplicates: the same name once folded (case, accents and word order do not count:
"Ødegård Zoë" = "zoe odegard") and the same date of birth, or a date of birth on one
record only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from itertools import combinations
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from frontdesk.clock import Clock
from frontdesk.db import Database
from frontdesk.db.models import AppointmentPerson, Base, Visitor, VisitorNameToken
from frontdesk.services import audit
from frontdesk.services.auth import Actor, require
from frontdesk.services.dml import rowcount
from frontdesk.services.errors import NotFound, ValidationError, check_id
from frontdesk.services.text import fold
from frontdesk.services.visitors import (
    CATEGORIES,
    VisitorRecord,
    name_tokens,
    to_record,
    write_name_tokens,
)

# The fields a lead picks between, with the label the merge dialog shows.
MERGE_FIELDS: dict[str, str] = {
    "given_names": "Given names",
    "family_name": "Family name",
    "birth_date": "Date of birth",
    "nationality": "Nationality",
    "phone": "Phone",
    "email": "E-mail",
    "category": "Category",
    "employer": "Employer",
    "municipality": "Municipality",
    "language": "Language",
    "notes": "Notes",
}
BSN_FIELD = "bsn"
SIDES = ("survivor", "other")
GONE = "one of these records no longer exists (merged or erased meanwhile); look again"


@dataclass(frozen=True)
class DuplicatePair:
    """Two records that are likely one person; ``first`` is the older record."""

    first: VisitorRecord
    second: VisitorRecord
    same_birth_date: bool  # False: one of them has no date of birth


@dataclass(frozen=True)
class FieldChoice:
    """One field of the merge dialog: both values as the desk reads them."""

    field: str
    label: str
    survivor: str
    other: str

    @property
    def differs(self) -> bool:
        return self.survivor != self.other


@dataclass(frozen=True)
class MergePreview:
    """The two records side by side, for the lead's choice."""

    survivor: VisitorRecord
    other: VisitorRecord
    fields: tuple[FieldChoice, ...]  # every field, including a BSN row when one is stored
    bsn_conflict: bool  # both records have a BSN and they differ: the lead must pick

    @property
    def differing(self) -> tuple[FieldChoice, ...]:
        return tuple(f for f in self.fields if f.differs)


@dataclass(frozen=True)
class MergeResult:
    survivor: VisitorRecord
    removed_id: int
    moved: dict[str, int]  # table name -> rows moved to the survivor


def display(field: str, value: Any) -> str:
    """A field's value as the merge dialog shows it ("" for none)."""
    if value is None or value == "":
        return ""
    if isinstance(value, date):
        return f"{value:%d-%m-%Y}"
    if field == "category":
        return CATEGORIES.get(str(value), str(value))
    return str(value)


def name_key(given: str, family: str) -> str:
    """The name as the duplicate search compares it: folded words in sorted order."""
    return " ".join(name_tokens(f"{given} {family}"))


def _masked(numbers: set[str]) -> str:
    return ", ".join(sorted("******" + n[-3:] for n in numbers))


def _bsns(session: Session, visitor_id: int) -> set[str]:
    return {
        n
        for n in session.scalars(
            select(AppointmentPerson.bsn).where(
                AppointmentPerson.visitor_id == visitor_id, AppointmentPerson.bsn.is_not(None)
            )
        )
        if n
    }


def _visitor_references() -> list[tuple[Table, str]]:
    """Every (table, column) with a foreign key to visitors.id, found in the models, so a
    table another capability adds later moves too. The name tokens are rewritten instead."""
    out: list[tuple[Table, str]] = []
    for table in Base.metadata.sorted_tables:
        if table.name in ("visitors", VisitorNameToken.__tablename__):
            continue
        for column in table.columns:
            if any(fk.column.table.name == "visitors" for fk in column.foreign_keys):
                out.append((table, column.name))
    return out


def check_choices(choices: Mapping[str, str] | None) -> dict[str, str]:
    """The lead's picks, each "survivor" or "other"; anything else is refused."""
    out: dict[str, str] = {}
    for name, side in (choices or {}).items():
        if name not in MERGE_FIELDS and name != BSN_FIELD:
            raise ValidationError(name, "this is not a field of a visitor record")
        if side not in SIDES:
            raise ValidationError(name, "pick the value of one of the two records")
        out[name] = side
    return out


class MergeService:
    """Likely duplicates and merging two visitor records; the team lead's."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    # -- finding -------------------------------------------------------------------------
    def duplicates(self, actor: Actor, limit: int = 200) -> list[DuplicatePair]:
        """Pairs of records that are likely one person, by name, the older record first."""
        require(actor, "visitor.merge")
        with self.db.read() as session:
            rows = session.scalars(
                select(Visitor).where(Visitor.anonymised_at.is_(None)).order_by(Visitor.id)
            ).all()
            groups: dict[str, list[VisitorRecord]] = defaultdict(list)
            for row in rows:
                key = name_key(row.given_names, row.family_name)
                if key:
                    groups[key].append(to_record(row))
        pairs: list[DuplicatePair] = []
        for key in sorted(groups):  # one person's pairs together, by name
            for a, b in combinations(groups[key], 2):
                both_known = a.birth_date is not None and b.birth_date is not None
                if both_known and a.birth_date != b.birth_date:
                    continue
                pairs.append(DuplicatePair(a, b, a.birth_date == b.birth_date))
        return pairs[:limit]

    def duplicates_of(self, actor: Actor, visitor_ids: list[int]) -> dict[int, list[int]]:
        """For the search's marks: each of ``visitor_ids`` that has a likely duplicate, with
        the ids of its likely duplicates (oldest first)."""
        require(actor, "visitor.merge")
        ids = [check_id(i, "this visitor does not exist") for i in visitor_ids]
        if not ids:
            return {}
        with self.db.read() as session:
            mine = session.scalars(
                select(Visitor).where(Visitor.id.in_(ids), Visitor.anonymised_at.is_(None))
            ).all()
            out: dict[int, list[int]] = {}
            for row in mine:
                words = name_tokens(f"{row.given_names} {row.family_name}")
                if not words:
                    continue
                candidates = session.scalars(
                    select(Visitor)
                    .join(VisitorNameToken, VisitorNameToken.visitor_id == Visitor.id)
                    .where(
                        VisitorNameToken.token == words[0],
                        Visitor.id != row.id,
                        Visitor.anonymised_at.is_(None),
                    )
                    .order_by(Visitor.id)
                ).all()
                key = name_key(row.given_names, row.family_name)
                found = [
                    c.id
                    for c in candidates
                    if name_key(c.given_names, c.family_name) == key
                    and (
                        c.birth_date is None
                        or row.birth_date is None
                        or c.birth_date == row.birth_date
                    )
                ]
                if found:
                    out[row.id] = found
            return out

    # -- merging -------------------------------------------------------------------------
    def preview(self, actor: Actor, survivor_id: int, other_id: int) -> MergePreview:
        """Both records field by field, for the merge dialog."""
        require(actor, "visitor.merge")
        survivor_id, other_id = self._ids(survivor_id, other_id)
        with self.db.read() as session:
            keep, other = self._pair(session, survivor_id, other_id, lock=False)
            keep_bsn, other_bsn = _bsns(session, keep.id), _bsns(session, other.id)
            fields = [
                FieldChoice(
                    name,
                    label,
                    display(name, getattr(keep, name)),
                    display(name, getattr(other, name)),
                )
                for name, label in MERGE_FIELDS.items()
            ]
            if keep_bsn or other_bsn:
                fields.append(FieldChoice(BSN_FIELD, "BSN", _masked(keep_bsn), _masked(other_bsn)))
            return MergePreview(
                to_record(keep),
                to_record(other),
                tuple(fields),
                bool(keep_bsn and other_bsn and keep_bsn != other_bsn),
            )

    def merge_visitors(
        self,
        actor: Actor,
        survivor_id: int,
        other_id: int,
        choices: Mapping[str, str] | None = None,
    ) -> MergeResult:
        """Merge ``other_id`` into ``survivor_id``; ``choices`` says per field which record's
        value stays ("survivor" or "other"). A field left out keeps the survivor's value, or
        takes the other's where the survivor has none. When both records hold a different
        BSN the lead must pick one (``choices["bsn"]``); the other number is removed."""
        require(actor, "visitor.merge")
        survivor_id, other_id = self._ids(survivor_id, other_id)
        picks = check_choices(choices)
        with self.db.write() as session:
            keep, other = self._pair(session, survivor_id, other_id, lock=True)
            self._refuse_one_household(session, keep.id, other.id)
            self._settle_bsn(session, keep.id, other.id, picks.get(BSN_FIELD))
            values = {
                name: self._pick(getattr(keep, name), getattr(other, name), picks.get(name))
                for name in MERGE_FIELDS
            }
            if not values["given_names"] and not values["family_name"]:
                raise ValidationError("given_names", "the merged record needs a name")
            moved: dict[str, int] = {}
            for table, column in _visitor_references():
                count = rowcount(
                    session.execute(
                        update(table)
                        .where(table.c[column] == other.id)
                        .values({column: keep.id})
                        .execution_options(synchronize_session=False)
                    )
                )
                if count:
                    moved[table.name] = moved.get(table.name, 0) + count
            created = min(keep.created_at, other.created_at)
            session.delete(other)
            session.flush()
            for name, value in values.items():
                setattr(keep, name, value)
            keep.search_key = fold(f"{keep.given_names} {keep.family_name}")
            keep.family_key = fold(keep.family_name)
            keep.email_key = keep.email.casefold() if keep.email else None
            keep.created_at = created
            keep.updated_at = self.clock.now()
            session.flush()
            write_name_tokens(session, keep)
            audit.record(
                session,
                self.clock,
                action="visitor.merge",
                actor=actor,
                object_type="visitor",
                object_id=keep.id,
                reason=f"visitor {other.id} merged into {keep.id}",
            )
            return MergeResult(to_record(keep), other_id, moved)

    # -- helpers -------------------------------------------------------------------------
    @staticmethod
    def _ids(survivor_id: int, other_id: int) -> tuple[int, int]:
        survivor_id = check_id(survivor_id, "this visitor does not exist")
        other_id = check_id(other_id, "this visitor does not exist")
        if survivor_id == other_id:
            raise ValidationError("other", "pick two different records")
        return survivor_id, other_id

    @staticmethod
    def _pair(
        session: Session, survivor_id: int, other_id: int, *, lock: bool
    ) -> tuple[Visitor, Visitor]:
        """Both rows, locked in id order when ``lock`` (so two merges never deadlock)."""
        rows: dict[int, Visitor] = {}
        for visitor_id in sorted((survivor_id, other_id)):
            statement = select(Visitor).where(Visitor.id == visitor_id)
            if lock:
                statement = statement.with_for_update()
            row = session.scalars(statement).first()
            if row is None or row.anonymised_at is not None:
                raise NotFound(GONE)
            rows[visitor_id] = row
        return rows[survivor_id], rows[other_id]

    @staticmethod
    def _pick(keep: Any, other: Any, side: str | None) -> Any:
        if side == "other":
            return other
        if side == "survivor":
            return keep
        return other if keep in (None, "") else keep

    @staticmethod
    def _refuse_one_household(session: Session, keep_id: int, other_id: int) -> None:
        """Two people of one appointment's household are two people, not one."""
        mine = select(AppointmentPerson.appointment_id).where(
            AppointmentPerson.visitor_id == keep_id
        )
        shared = session.scalar(
            select(AppointmentPerson.appointment_id)
            .where(
                AppointmentPerson.visitor_id == other_id,
                AppointmentPerson.appointment_id.in_(mine),
            )
            .limit(1)
        )
        if shared is not None:
            raise ValidationError(
                "other",
                f"these two records are two people of one household (appointment {shared}); "
                "they cannot be merged",
            )

    @staticmethod
    def _settle_bsn(session: Session, keep_id: int, other_id: int, side: str | None) -> None:
        keep_bsn, other_bsn = _bsns(session, keep_id), _bsns(session, other_id)
        if not (keep_bsn and other_bsn) or keep_bsn == other_bsn:
            return
        if side is None:
            raise ValidationError(
                BSN_FIELD,
                "the two records have a different BSN: pick the one that is right",
            )
        drop = other_bsn if side == "survivor" else keep_bsn
        session.execute(
            update(AppointmentPerson)
            .where(
                AppointmentPerson.visitor_id.in_((keep_id, other_id)),
                AppointmentPerson.bsn.in_(drop),
            )
            .values(bsn=None)
            .execution_options(synchronize_session=False)
        )
