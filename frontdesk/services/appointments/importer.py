"""Importing appointments from the booking system's CSV export.

One row per person; rows that share a ``reference`` are one household. Header names are
case-insensitive and in any order; the file may be comma- or semicolon-delimited (a
spreadsheet in a Dutch locale writes semicolons), UTF-8 with or without a byte-order mark,
with dates as 2026-11-23 or 23-11-2026. Each row is checked like the registration form
(against the BSN hours as read once, at the start of the import); a household with a
rejected row is left out whole (a registration needs everyone).

Valid households are saved in chunks of about :data:`CHUNK_SECONDS` of work, each its own short
transaction with its own audit entry (counts, never names), so a desk registering a
walk-in meanwhile waits for one chunk at most. Importing the same file again changes
nothing: visitors are matched by name and date of birth, appointments by reference; so an
import that was stopped half-way keeps the chunks it committed, and running it again adds
the rest. A dry run only reads: it takes no write lock and writes no audit entry.

The CSV reading here is deliberately small and self-contained (a shared reader is planned).
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from frontdesk.config import Hours
from frontdesk.db.models import Appointment, AppointmentPerson, Visitor
from frontdesk.services import audit
from frontdesk.services.appointments.records import AppointmentInput, PersonInput, _Checked
from frontdesk.services.appointments.rules import KINDS, STATUSES, parse_time_of_day
from frontdesk.services.appointments.service import AppointmentService
from frontdesk.services.auth import Actor, require
from frontdesk.services.capacity import COUNTED_KINDS, capacity_in, full_slot
from frontdesk.services.csvimport import csv_problem
from frontdesk.services.employers import employer_index
from frontdesk.services.errors import FrontdeskError, ValidationError
from frontdesk.services.fields import parse_date
from frontdesk.services.mail.compose import household
from frontdesk.services.text import fold
from frontdesk.services.visitors import VisitorInput, check_visitor

COLUMNS = (
    "reference",
    "date",
    "time",
    "type",
    "role",
    "given_names",
    "family_name",
    "date_of_birth",
    "nationality",
    "phone",
    "email",
    "employer",
)
REQUIRED = ("reference", "date", "time", "role", "given_names", "family_name", "date_of_birth")
_ALIASES = {"birth_date": "date_of_birth", "dob": "date_of_birth", "relation": "role"}
# Form field -> the column that holds it.
_FIELD_COLUMN = {
    "given_names": "given_names",
    "family_name": "family_name",
    "birth_date": "date_of_birth",
    "nationality": "nationality",
    "phone": "phone",
    "email": "email",
    "employer": "employer",
    "relation": "role",
    "day": "date",
    "time": "time",
    "kind": "type",
    "reference": "reference",
    "minutes": "time",
    "notes": "reference",
}
_KIND_WORDS = {
    "first_registration": "first_registration",
    "registration": "first_registration",
    "first": "first_registration",
    "bsn_collection": "bsn_collection",
    "collection": "bsn_collection",
    "other": "other",
}


# A chunk: the households saved in one transaction, new ones in a few statements each
# (book_many_in). Its size follows the pace of the one before, so that each holds the
# write lock for about CHUNK_SECONDS whatever the machine's load; at most CHUNK_HOUSEHOLDS,
# and FIRST_CHUNK_HOUSEHOLDS to start with. The size is a forecast (a chunk's statements
# cannot stop half-way), so the aim is half the 0.2 s of the row-by-row import: measured
# at load 6, a registration meanwhile waited at most 189-311 ms, against 446-552 ms at 0.2 s.
CHUNK_SECONDS = 0.1
CHUNK_HOUSEHOLDS = 1000
FIRST_CHUNK_HOUSEHOLDS = 50
# After each chunk on SQLite, a pause longer than a waiting desk's retry step (at most
# ~15 ms, see db.engine), so the desk takes the write lock before the next chunk does.
CHUNK_PAUSE_SECONDS = 0.015


class ImportFileError(FrontdeskError):
    """The file cannot be read at all (the message is one line for the terminal)."""


@dataclass
class ImportReport:
    imported: int = 0
    unchanged: int = 0
    updated: int = 0
    rejected: int = 0
    errors: list[str] = field(default_factory=list)
    dry_run: bool = False
    # Booked all the same, but worth a look: a slot over the lead's capacity.
    warnings: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        rows = "row" if self.rejected == 1 else "rows"
        text = (
            f"{self.imported} imported, {self.unchanged} unchanged, {self.updated} updated "
            f"(appointments); {self.rejected} {rows} rejected"
        )
        if self.warnings:
            many = "warnings" if len(self.warnings) > 1 else "warning"
            text += f"; {len(self.warnings)} {many} (slots over capacity)"
        return text + (" — dry run, nothing saved" if self.dry_run else "")


@dataclass
class _Row:
    line: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "").strip()


def _column_name(text: str) -> str:
    name = fold(text).replace(" ", "_").replace("-", "_")
    return _ALIASES.get(name, name)


def read_rows(data: bytes) -> list[_Row]:
    """Decode, find the delimiter and the header, and return the non-blank rows."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            "the file is not UTF-8 text; save it from the spreadsheet as 'CSV UTF-8'"
        ) from None
    lines = text.splitlines()
    header_index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if header_index is None:
        raise ImportFileError("the file is empty")
    header_line = lines[header_index]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    rows: list[_Row] = []
    start = 0
    try:
        for cells in reader:
            start_line, start = start + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = [_column_name(c) for c in cells]
                missing = [c for c in REQUIRED if c not in header]
                if missing:
                    raise ImportFileError(
                        "the first line must name the columns; missing: " + ", ".join(missing)
                    )
                continue
            rows.append(_Row(start_line, dict(zip(header, cells, strict=False))))
    except csv.Error as exc:
        raise ImportFileError(f"line {start + 1}: {csv_problem(exc)}") from None
    return rows


def _kind(text: str) -> str:
    word = fold(text).replace(" ", "_").replace("-", "_")
    if not word:
        return "first_registration"
    if word in _KIND_WORDS:
        return _KIND_WORDS[word]
    raise ValidationError("kind", "the type must be first_registration, bsn_collection or other")


def _check_row(
    row: _Row, today: date, known: dict[VisitorInput, dict[str, Any]]
) -> tuple[str, str] | None:
    """The first problem of a row on its own, as (column, reason), or None; the person's
    checked details go into ``known`` (the household's check reuses them)."""
    try:
        role = fold(row.get("role"))
        if role not in ("main", "partner", "child"):
            raise ValidationError("relation", "the role must be main, partner or child")
        if not row.get("reference"):
            raise ValidationError("reference", "the reference is empty")
        has_date = parse_date(row.get("date"), "day", "The date") is not None
        if role == "main" and not has_date:
            raise ValidationError("day", "the date is empty")
        if role == "main" or row.get("time"):
            parse_time_of_day(row.get("time"))
        if role == "main":
            _kind(row.get("type"))
        person = _visitor_input(row)
        values = check_visitor(person, today)
        if values["birth_date"] is None:
            raise ValidationError("birth_date", "the date of birth is needed for a registration")
        known[person] = values
    except ValidationError as exc:
        return _FIELD_COLUMN.get(exc.field, exc.field), exc.message
    return None


def _visitor_input(row: _Row) -> VisitorInput:
    return VisitorInput(
        given_names=row.get("given_names"),
        family_name=row.get("family_name"),
        birth_date=row.get("date_of_birth"),
        nationality=row.get("nationality") or None,
        phone=row.get("phone") or None,
        email=row.get("email") or None,
        employer=row.get("employer") or None,
    )


def _household_input(rows: list[_Row]) -> AppointmentInput:
    main = rows[0]
    people = [PersonInput(fold(r.get("role")), _visitor_input(r), married=None) for r in rows]
    return AppointmentInput(
        kind=_kind(main.get("type")),
        day=main.get("date"),
        time=main.get("time"),
        minutes=30,
        employer=main.get("employer") or None,
        reference=main.get("reference"),
        people=tuple(people),
    )


def _signature(checked: _Checked) -> tuple[object, ...]:
    return (
        checked.kind,
        checked.start_at,
        checked.minutes,
        checked.employer,
        tuple((v["search_key"], v["birth_date"], p.relation) for p, v in checked.people),
    )


def import_appointments(
    service: AppointmentService, actor: Actor, data: bytes, *, dry_run: bool = False
) -> ImportReport:
    """Import a booking-system CSV; raises ImportFileError when the file cannot be read."""
    require(actor, "appointment.book")
    rows = read_rows(data)
    report = ImportReport(dry_run=dry_run)
    today = service.clock.today()
    hours = service.rules.hours()  # once per import, not once per household
    employers = employer_index(service.db)
    with service.db.read() as session:
        limit = capacity_in(session)

    problems: list[tuple[int, str]] = []

    def reject(row: _Row, column: str, reason: str) -> None:
        problems.append((abs(row.line), f"line {abs(row.line)}, column {column}: {reason}"))
        report.rejected += 1

    def left_out(rows: list[_Row], culprit: int) -> None:
        for r in rows:
            reject(r, "reference", f"not imported: line {culprit} of this household was rejected")

    households: dict[str, list[_Row]] = {}
    known: dict[VisitorInput, dict[str, Any]] = {}
    for row in rows:
        problem = _check_row(row, today, known)
        if problem:
            column, reason = problem
            reject(row, column, reason)
            # kept (as a negative line) so the rest of its household is reported left out
            row = _Row(-row.line, row.cells)
        households.setdefault(row.get("reference") or f"#{row.line}", []).append(row)

    valid: list[tuple[list[_Row], _Checked]] = []
    for members in households.values():
        bad = [r for r in members if r.line < 0]
        good = [r for r in members if r.line > 0]
        if bad:
            left_out(good, -bad[0].line)
            continue
        mains = [r for r in good if fold(r.get("role")) == "main"]
        if len(mains) != 1:
            for r in good:
                reject(
                    r,
                    "role",
                    "this household has no main person" if not mains else "two main persons",
                )
            continue
        main = mains[0]
        ordered = [main] + [r for r in good if r is not main]
        mismatch = [r for r in ordered[1:] if _differs(r, main)]
        if mismatch:
            reject(mismatch[0], "date", "the date or time differs from the main person's row")
            left_out([r for r in ordered if r is not mismatch[0]], mismatch[0].line)
            continue
        try:
            checked = service.check(_household_input(ordered), hours, employers, known)
        except ValidationError as exc:
            index, name = _split_field(exc.field)
            culprit = ordered[index]
            reject(culprit, _FIELD_COLUMN.get(name, name), exc.message)
            left_out([r for r in ordered if r is not culprit], culprit.line)
            continue
        valid.append((ordered, checked))

    def refuse(ordered: list[_Row], status: str) -> None:
        for r in ordered:
            reject(
                r,
                "reference",
                f"this appointment is already {STATUSES[status]}; change it at the desk",
            )

    if dry_run:
        # Reads only: what the real run would do, from one snapshot.
        planned: list[tuple[datetime, int]] = []  # households this file adds, in order
        with service.db.read() as session:
            for ordered, checked in valid:
                existing = session.scalar(
                    select(Appointment).where(Appointment.reference == checked.reference)
                )
                if existing is None:
                    report.imported += 1
                elif existing.status not in ("booked", "no_show"):
                    if _signature(checked) != _current_signature(session, existing):
                        refuse(ordered, existing.status)
                    continue
                elif _would_change(service, session, existing, checked):
                    report.updated += 1
                else:
                    report.unchanged += 1
                    continue
                warning = _room(service, session, checked, limit, hours, ordered[0], planned)
                if warning:
                    report.warnings.append(warning)
                if checked.kind in COUNTED_KINDS:
                    planned.append((checked.start_at, checked.minutes))
    else:
        position, number, size = 0, 0, FIRST_CHUNK_HOUSEHOLDS
        while number == 0 or position < len(valid):  # an import of nothing is audited once
            number += 1
            part = ImportReport()
            refused: list[tuple[list[_Row], str]] = []
            batch = valid[position : position + min(size, CHUNK_HOUSEHOLDS)]
            with service.db.write() as session:
                started = time.monotonic()
                outcomes = _save_chunk(service, session, actor, batch, limit, hours, report)
                for (ordered, _checked), (outcome, status) in zip(batch, outcomes, strict=True):
                    if outcome == "refused":
                        refused.append((ordered, status))
                        part.rejected += len(ordered)
                    else:
                        setattr(part, outcome, getattr(part, outcome) + 1)
                audit.record(
                    session,
                    service.clock,
                    action="appointments.import",
                    actor=actor,
                    object_type="appointments",
                    reason=_audit_text(number, part, len(rows), report.rejected),
                )
                took = time.monotonic() - started
            # committed: now it counts
            position += len(batch)
            report.imported += part.imported
            report.updated += part.updated
            report.unchanged += part.unchanged
            for ordered, status in refused:
                refuse(ordered, status)
            # the next chunk's size, from this one's pace: about CHUNK_SECONDS of work
            # (growing at most twofold, should this chunk have been unusually quick)
            pace = int(len(batch) * CHUNK_SECONDS / max(took, 0.001))
            size = max(1, min(2 * len(batch), pace))
            if position < len(valid) and service.db.dialect == "sqlite":
                time.sleep(CHUNK_PAUSE_SECONDS)
    report.errors = [text for _line, text in sorted(problems, key=lambda p: p[0])]
    return report


def _save_chunk(
    service: AppointmentService,
    session: Session,
    actor: Actor,
    batch: Sequence[tuple[list[_Row], _Checked]],
    limit: int | None,
    hours: Sequence[Hours],
    report: ImportReport,
) -> list[tuple[str, str]]:
    """Save one chunk, in file order; each household's (outcome, status) as :func:`_save`.

    New households are booked together (:meth:`book_many_in`); one whose reference is
    stored already is matched, updated or refused on its own, after the new ones before it
    are booked, so each capacity warning counts what the file booked before it."""
    references = [checked.reference for _ordered, checked in batch]
    stmt = select(Appointment).where(Appointment.reference.in_(references))
    if service.db.dialect == "postgresql":
        stmt = stmt.with_for_update()  # a desk may be changing one right now
    stored = {ap.reference: ap for ap in session.scalars(stmt)}
    new: list[_Checked] = []
    planned: list[tuple[datetime, int]] = []  # the new ones' slots, not yet booked
    taken: set[str | None] = set()
    outcomes: list[tuple[str, str]] = []

    def book_new() -> None:
        service.book_many_in(session, actor, new)
        new.clear()
        planned.clear()

    for ordered, checked in batch:
        if checked.reference not in stored and checked.reference not in taken:
            warning = _room(service, session, checked, limit, hours, ordered[0], planned, new=True)
            if warning:
                report.warnings.append(warning)
            new.append(checked)
            taken.add(checked.reference)
            if checked.kind in COUNTED_KINDS:
                planned.append((checked.start_at, checked.minutes))
            outcomes.append(("imported", "booked"))
            continue
        book_new()
        outcome, status = _save(service, session, actor, checked, stored.get(checked.reference))
        if outcome in ("imported", "updated"):
            warning = _room(service, session, checked, limit, hours, ordered[0])
            if warning:
                report.warnings.append(warning)
        outcomes.append((outcome, status))
    book_new()
    return outcomes


def _save(
    service: AppointmentService,
    session: Session,
    actor: Actor,
    checked: _Checked,
    existing: Appointment | None = None,
) -> tuple[str, str]:
    """Book, update or leave one household, matched by its reference: ("imported",
    "updated", "unchanged" or "refused", the appointment's status). A finished
    appointment that the file would change is refused (the desk changes it).
    ``existing``: the appointment with this reference, when the caller has read it."""
    if existing is None:
        stmt = select(Appointment).where(Appointment.reference == checked.reference)
        if service.db.dialect == "postgresql":
            stmt = stmt.with_for_update()  # a desk may be changing it right now
        existing = session.scalar(stmt)
    if existing is None:
        service.book_in(session, actor, checked)
        return "imported", "booked"
    status = existing.status
    open_ = status in ("booked", "no_show")
    if not open_ and _signature(checked) != _current_signature(session, existing):
        return "refused", status
    if open_ and service.update_in(session, actor, existing, checked):
        return "updated", status
    return "unchanged", status


def _room(
    service: AppointmentService,
    session: Session,
    checked: _Checked,
    limit: int | None,
    hours: Sequence[Hours],
    main: _Row,
    planned: Sequence[tuple[datetime, int]] = (),
    *,
    new: bool = False,
) -> str | None:
    """A warning when this household's slot is over the lead's capacity (counting the
    other households booked there, and those this file adds before it that ``planned``
    holds: in a dry run, or in a chunk before they are booked). ``new``: the household
    has no appointment stored yet."""
    if limit is None or checked.kind not in COUNTED_KINDS:
        return None
    own = (
        None
        if new
        else session.scalar(
            select(Appointment.id).where(Appointment.reference == checked.reference)
        )
    )
    full = full_slot(
        session,
        hours,
        service.clock.tz,
        checked.kind,
        checked.start_at,
        checked.minutes,
        leave_out=own,
        extra=planned,
        capacity=limit,
    )
    if full is None:
        return None
    return f"line {main.line}: " + full.import_text(service.clock.to_local(checked.start_at))


def _audit_text(number: int, part: ImportReport, rows: int, rejected: int) -> str:
    """One chunk's audit entry: counts only (the file's own counts on the first)."""
    text = (
        f"part {number}: {part.imported} added, {part.updated} updated, "
        f"{part.unchanged} unchanged (appointments)"
    )
    if part.rejected:
        text += f", {part.rejected} rows refused"
    if number == 1:
        text += f"; the file: {rows} rows, {rejected} rejected"
    return text


def _would_change(
    service: AppointmentService, session: Session, ap: Appointment, checked: _Checked
) -> bool:
    """Whether update_in would change this open appointment (reads only, for a dry run)."""
    if _signature(checked) != _current_signature(session, ap):
        return True
    if checked.notes is not None and checked.notes != ap.notes:
        return True
    persons = household(session, ap.id)
    for (person, values), (row, visitor) in zip(checked.people, persons, strict=False):
        if row.fee_cents != service.person_fee(checked.kind, person.relation, checked.employer):
            return True
        if person.married is not None and row.married != person.married:
            return True
        if any(v is not None and v != "" and getattr(visitor, k) != v for k, v in values.items()):
            return True
    return False


def _differs(row: _Row, main: _Row) -> bool:
    """A member's row names another date or time than the main person's (blank is fine)."""
    if row.get("date") and parse_date(row.get("date"), "day") != parse_date(
        main.get("date"), "day"
    ):
        return True
    return bool(
        row.get("time")
        and parse_time_of_day(row.get("time")) != parse_time_of_day(main.get("time"))
    )


def _split_field(name: str) -> tuple[int, str]:
    """ "p2_birth_date" -> (2, "birth_date"); "time" -> (0, "time") (the main row)."""
    head, _, rest = name.partition("_")
    if head[:1] == "p" and head[1:].isdigit():
        return int(head[1:]), rest
    return 0, name


def _current_signature(session: Session, ap: Appointment) -> tuple[object, ...]:
    people = session.execute(
        select(Visitor.search_key, Visitor.birth_date, AppointmentPerson.relation)
        .join(Visitor, Visitor.id == AppointmentPerson.visitor_id)
        .where(AppointmentPerson.appointment_id == ap.id)
        .order_by(AppointmentPerson.position, AppointmentPerson.id)
    ).all()
    return (ap.kind, ap.start_at, ap.minutes, ap.employer, tuple(tuple(p) for p in people))


__all__ = [
    "COLUMNS",
    "KINDS",
    "ImportFileError",
    "ImportReport",
    "import_appointments",
    "read_rows",
]
