"""Privacy: retention (purge), access requests (export) and erasure requests.

Personal data about a visitor lives in many tables, and more capabilities keep adding
some (packs, referrals, appointments with BSNs). Each of them plugs a
:class:`PersonalDataHolder` into the :class:`PrivacyService`; the service itself only
knows the visitor row. A holder answers four questions about one visitor:

- ``keep_ids(cutoff)``: a SELECT of visitor ids that must be kept because they were
  active at or after ``cutoff`` (or have something still open, e.g. a referral);
- ``last_activity(session, visitor_id)``: the latest moment this visitor was active;
- ``export(session, visitor_id)``: everything it holds, as JSON-able data;
- ``anonymise(session, visitor_id)``: remove the personal parts, keep the figures;
- ``blocks_erasure(session, visitor_id)``: a legal duty that forbids erasing now.

Anonymising keeps the row (so counts, waits, nationality, category and municipality stay
in the reports) and removes names, contact details, date of birth, free text and BSN.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import Session

from frontdesk.clock import Clock
from frontdesk.config import Settings
from frontdesk.db import Database
from frontdesk.db.models import (
    AuditEvent,
    ContactMoment,
    Service,
    Staff,
    Ticket,
    TicketEvent,
    Visitor,
)
from frontdesk.services import audit
from frontdesk.services.auth import Actor, require
from frontdesk.services.dml import rowcount
from frontdesk.services.errors import Conflict, FrontdeskError, ValidationError, check_id
from frontdesk.services.exports import write_private
from frontdesk.services.privacy_readable import readable, shown_moment
from frontdesk.services.queue.records import STATUS_LABELS
from frontdesk.services.rows import row_or_refuse
from frontdesk.services.text import clean_text
from frontdesk.services.visitors import write_name_tokens

ANONYMOUS = "Anonymised"  # what the name of an anonymised visitor reads as
ERASED_TEXT = "(removed)"  # what free text about an anonymised visitor reads as
PURGE_BATCH = 200


class PersonalDataHolder(Protocol):
    """One capability's personal data about visitors (see the module docstring)."""

    name: str

    def keep_ids(self, cutoff: datetime) -> Select[int] | Select[int | None] | None: ...

    def last_activity(self, session: Session, visitor_id: int) -> datetime | None: ...

    def export(self, session: Session, visitor_id: int) -> Any: ...

    def anonymise(self, session: Session, visitor_id: int) -> int: ...

    def blocks_erasure(self, session: Session, visitor_id: int, today: date) -> str | None: ...


def json_value(value: object) -> object:
    """Dates and datetimes as ISO text, anything else as it is (for holders' exports)."""
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def staff_names(session: Session) -> dict[int, str]:
    """Staff id -> name, to show who did what in an export."""
    return {staff_id: name for staff_id, name in session.execute(select(Staff.id, Staff.name))}


# -- the holders of the queue and the audit log -------------------------------------------
class TicketHolder:
    """Visits: tickets with their timeline. Notes and outcomes are free text: they go."""

    name = "visits"

    def keep_ids(self, cutoff: datetime) -> Select[int | None]:
        return select(Ticket.visitor_id).where(
            Ticket.visitor_id.is_not(None),
            or_(Ticket.arrived_at >= cutoff, Ticket.finished_at >= cutoff),
        )

    def last_activity(self, session: Session, visitor_id: int) -> datetime | None:
        return session.scalar(
            select(func.max(func.coalesce(Ticket.finished_at, Ticket.arrived_at))).where(
                Ticket.visitor_id == visitor_id
            )
        )

    def export(self, session: Session, visitor_id: int) -> list[dict[str, Any]]:
        staff = staff_names(session)
        rows = session.execute(
            select(Ticket, Service.name)
            .join(Service, Service.id == Ticket.service_id)
            .where(Ticket.visitor_id == visitor_id)
            .order_by(Ticket.arrived_at)
        ).all()
        out = []
        for ticket, service in rows:
            events = session.scalars(
                select(TicketEvent)
                .where(TicketEvent.ticket_id == ticket.id)
                .order_by(TicketEvent.at, TicketEvent.id)
            )
            out.append(
                {
                    "ticket": ticket.label,
                    "day": json_value(ticket.day),
                    "service": service,
                    "status": STATUS_LABELS.get(ticket.status, ticket.status),
                    "source": ticket.source,
                    "arrived_at": json_value(ticket.arrived_at),
                    "called_at": json_value(ticket.first_called_at),
                    "finished_at": json_value(ticket.finished_at),
                    "desk": ticket.desk,
                    "staff": staff.get(ticket.staff_id) if ticket.staff_id else None,
                    "notes": ticket.notes,
                    "outcome": ticket.outcome,
                    "timeline": [
                        {
                            "at": json_value(e.at),
                            "action": e.action,
                            "staff": staff.get(e.staff_id) if e.staff_id else None,
                            "desk": e.desk,
                            "detail": e.detail,
                        }
                        for e in events
                    ],
                }
            )
        return out

    def anonymise(self, session: Session, visitor_id: int) -> int:
        result = session.execute(
            update(Ticket)
            .where(
                Ticket.visitor_id == visitor_id,
                or_(Ticket.notes.is_not(None), Ticket.outcome.is_not(None)),
            )
            .values(notes=None, outcome=None)
        )
        return rowcount(result)

    def blocks_erasure(self, session: Session, visitor_id: int, today: date) -> str | None:
        label = session.scalar(
            select(Ticket.label).where(
                Ticket.visitor_id == visitor_id,
                Ticket.day == today,
                Ticket.status.in_(("waiting", "called", "on_hold")),
            )
        )
        if label:
            return (
                f"the visitor is in today's queue (ticket {label}); finish, cancel or "
                "no-show that ticket first"
            )
        return None


class ContactHolder:
    """Contacts by e-mail, phone, video or walk-in. The topic is free text: it goes."""

    name = "contacts"

    def keep_ids(self, cutoff: datetime) -> Select[int | None]:
        return select(ContactMoment.visitor_id).where(
            ContactMoment.visitor_id.is_not(None), ContactMoment.at >= cutoff
        )

    def last_activity(self, session: Session, visitor_id: int) -> datetime | None:
        return session.scalar(
            select(func.max(ContactMoment.at)).where(ContactMoment.visitor_id == visitor_id)
        )

    def export(self, session: Session, visitor_id: int) -> list[dict[str, Any]]:
        staff = staff_names(session)
        rows = session.scalars(
            select(ContactMoment)
            .where(ContactMoment.visitor_id == visitor_id)
            .order_by(ContactMoment.at)
        )
        return [
            {
                "at": json_value(c.at),
                "channel": c.channel,
                "topic": c.topic,
                "minutes": c.minutes,
                "staff": staff.get(c.staff_id) if c.staff_id else None,
            }
            for c in rows
        ]

    def anonymise(self, session: Session, visitor_id: int) -> int:
        result = session.execute(
            update(ContactMoment)
            .where(ContactMoment.visitor_id == visitor_id, ContactMoment.topic != ERASED_TEXT)
            .values(topic=ERASED_TEXT)
        )
        return rowcount(result)

    def blocks_erasure(self, session: Session, visitor_id: int, today: date) -> str | None:
        return None


class AuditHolder:
    """Audit events about the visitor: exported; never changed (they hold no names)."""

    name = "audit_events"

    def keep_ids(self, cutoff: datetime) -> None:
        return None  # looking a visitor up is not the visitor being active

    def last_activity(self, session: Session, visitor_id: int) -> datetime | None:
        return None

    def export(self, session: Session, visitor_id: int) -> list[dict[str, Any]]:
        staff = staff_names(session)
        rows = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "visitor", AuditEvent.object_id == str(visitor_id))
            .order_by(AuditEvent.at, AuditEvent.id)
        )
        return [
            {
                "at": json_value(e.at),
                "action": e.action,
                "actor": staff.get(e.actor_id) if e.actor_id else None,
                "result": e.result,
                "origin": e.origin,
                "reason": e.reason,
            }
            for e in rows
        ]

    def anonymise(self, session: Session, visitor_id: int) -> int:
        return 0

    def blocks_erasure(self, session: Session, visitor_id: int, today: date) -> str | None:
        return None


def queue_holders() -> list[PersonalDataHolder]:
    """The holders of the capabilities on the main line; others append theirs."""
    return [TicketHolder(), ContactHolder(), AuditHolder()]


# -- results --------------------------------------------------------------------------------
@dataclass(frozen=True)
class PurgeReport:
    cutoff: datetime
    dry_run: bool
    visitors: int  # anonymised (or, in a dry run, that would be)
    blocked: int  # old enough, but a holder reports a legal duty
    rows: dict[str, int] = field(default_factory=dict)  # per holder: rows changed

    def summary(self) -> str:
        verb = "would anonymise" if self.dry_run else "anonymised"
        text = f"{verb} {self.visitors} visitor(s) with no activity since {self.cutoff:%Y-%m-%d}"
        if self.blocked:
            text += f"; {self.blocked} kept because of a legal duty"
        return text


@dataclass(frozen=True)
class ExportFiles:
    json_path: Path
    markdown_path: Path


def _visitor_dict(row: Visitor) -> dict[str, Any]:
    keys = (
        "id",
        "given_names",
        "family_name",
        "birth_date",
        "nationality",
        "phone",
        "email",
        "category",
        "employer",
        "municipality",
        "language",
        "notes",
        "created_at",
        "updated_at",
        "anonymised_at",
    )
    return {k: json_value(getattr(row, k)) for k in keys}


def anonymise_visitor_row(row: Visitor, now: datetime) -> None:
    """Names, contact details, date of birth and free text go; the figures stay."""
    row.given_names = ANONYMOUS
    row.family_name = ""
    row.search_key = ""
    row.family_key = ""
    row.birth_date = None
    row.phone = None
    row.email = None
    row.email_key = None
    row.employer = None
    row.language = None
    row.notes = None
    row.anonymised_at = now
    row.updated_at = now


class PrivacyService:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        clock: Clock,
        holders: Iterable[PersonalDataHolder] = (),
    ) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self.holders: list[PersonalDataHolder] = list(holders)

    def add_holder(self, holder: PersonalDataHolder) -> None:
        """Plug in another capability's personal data (done in Services.__init__)."""
        self.holders.append(holder)

    # -- retention -------------------------------------------------------------------
    def _candidates(self, session: Session, cutoff: datetime, limit: int | None) -> list[int]:
        stmt = select(Visitor.id).where(
            Visitor.anonymised_at.is_(None), Visitor.updated_at < cutoff
        )
        for holder in self.holders:
            keep = holder.keep_ids(cutoff)
            if keep is not None:
                stmt = stmt.where(Visitor.id.not_in(keep))
        stmt = stmt.order_by(Visitor.id)
        if limit is not None:
            stmt = stmt.limit(limit)
        return list(session.scalars(stmt))

    def _blocked(self, session: Session, visitor_id: int) -> str | None:
        today = self.clock.today()
        for holder in self.holders:
            reason = holder.blocks_erasure(session, visitor_id, today)
            if reason:
                return reason
        return None

    def _anonymise(self, session: Session, row: Visitor, rows: dict[str, int]) -> None:
        for holder in self.holders:
            rows[holder.name] = rows.get(holder.name, 0) + holder.anonymise(session, row.id)
        anonymise_visitor_row(row, self.clock.now())
        write_name_tokens(session, row)  # the search index forgets the name too
        rows["visitors"] = rows.get("visitors", 0) + 1

    def purge(
        self, actor: Actor, *, older_than_days: int | None = None, dry_run: bool = False
    ) -> PurgeReport:
        """Anonymise every visitor with no activity in the retention period.

        Works in batches, each its own transaction with its own audit event (counts,
        never a name), so desks are never held up for long and a purge stopped half-way
        leaves data and audit log agreeing; running it again finishes the work.
        """
        require(actor, "privacy.purge")
        days = self.settings.retention_days if older_than_days is None else older_than_days
        if not isinstance(days, int) or isinstance(days, bool) or days < 1:
            raise ValidationError(
                "older_than", "the period must be a whole number of days, at least 1"
            )
        if days > 36500:
            raise ValidationError("older_than", "the period is too long (at most 36500 days)")
        cutoff = self.clock.now() - timedelta(days=days)
        if dry_run:
            with self.db.read() as session:
                ids = self._candidates(session, cutoff, None)
                blocked = sum(1 for i in ids if self._blocked(session, i))
            # A dry run changes nothing, not even the audit log.
            return PurgeReport(cutoff, True, len(ids) - blocked, blocked)

        rows: dict[str, int] = {}
        skipped: set[int] = set()
        anonymised = 0
        batch = 0
        while True:
            batch += 1
            with self.db.write() as session:
                ids = [
                    i
                    for i in self._candidates(session, cutoff, PURGE_BATCH + len(skipped))
                    if i not in skipped
                ][:PURGE_BATCH]
                if not ids and batch > 1:
                    break
                done: dict[str, int] = {}
                kept = 0
                for visitor_id in ids:
                    if self._blocked(session, visitor_id):
                        skipped.add(visitor_id)
                        kept += 1
                        continue
                    row = session.get(Visitor, visitor_id)
                    if row is not None:
                        self._anonymise(session, row, done)
                # This batch's audit entry commits with its anonymisations (a purge stopped
                # half-way leaves an entry for every batch it did); a run that finds
                # nothing is audited once.
                self._audit_purge(session, actor, days, batch, done, kept)
            anonymised += done.pop("visitors", 0)
            for name, count in done.items():
                rows[name] = rows.get(name, 0) + count
            if not ids:
                break
        return PurgeReport(cutoff, False, anonymised, len(skipped), rows)

    def _audit_purge(
        self,
        session: Session,
        actor: Actor,
        days: int,
        batch: int,
        rows: dict[str, int],
        kept: int,
    ) -> None:
        detail = ", ".join(f"{k} {v}" for k, v in sorted(rows.items()) if v and k != "visitors")
        audit.record(
            session,
            self.clock,
            action="privacy.purge",
            actor=actor,
            reason=f"batch {batch}, older than {days} days: {rows.get('visitors', 0)} visitors"
            + (f", {kept} kept (legal duty)" if kept else "")
            + (f"; {detail}" if detail else ""),
        )

    # -- access request --------------------------------------------------------------
    def collect(self, actor: Actor, visitor_id: int) -> dict[str, Any]:
        """Everything held about one visitor, as JSON-able data (audited as an export)."""
        require(actor, "privacy.export")
        visitor_id = check_id(visitor_id, "there is no visitor with this number")
        data = self._gather(actor, visitor_id)
        with self.db.write() as session:
            self._audit_export(session, actor, visitor_id)
        return data

    def _audit_export(
        self, session: Session, actor: Actor, visitor_id: int, failed: str | None = None
    ) -> None:
        audit.record(
            session,
            self.clock,
            action="privacy.export",
            actor=actor,
            object_type="visitor",
            object_id=visitor_id,
            result="failed" if failed else "ok",
            reason=f"not written: {failed}" if failed else None,
        )

    def _gather(self, actor: Actor, visitor_id: int) -> dict[str, Any]:
        with self.db.read() as session:
            row = row_or_refuse(
                session, Visitor, visitor_id, "there is no visitor with this number"
            )
            activity = [row.updated_at]
            held: dict[str, Any] = {}
            for holder in self.holders:
                held[holder.name] = holder.export(session, visitor_id)
                moment = holder.last_activity(session, visitor_id)
                if moment is not None:
                    activity.append(moment)
            data = {
                "exported_at": json_value(self.clock.now()),
                "exported_by": actor.name,
                "retention_days": self.settings.retention_days,
                "last_activity": json_value(max(activity)),
                "visitor": _visitor_dict(row),
                **held,
            }
        # Local times to the second, words for codes (services.privacy_readable).
        readable_data: dict[str, Any] = readable(data, self.clock.tz)
        return readable_data

    def export(self, actor: Actor, visitor_id: int, directory: str | Path) -> ExportFiles:
        """Write the access-request files (JSON and Markdown) into a folder: each 0600 and
        atomic; both or neither. Audited once both are written (a failure as failed)."""
        require(actor, "privacy.export")
        visitor_id = check_id(visitor_id, "there is no visitor with this number")
        folder = _check_folder(directory)
        data = self._gather(actor, visitor_id)
        stamp = self.clock.local_now().strftime("%Y%m%d-%H%M%S")
        base = folder / f"visitor-{visitor_id}-{stamp}"
        json_path = base.with_suffix(".json")
        md_path = base.with_suffix(".md")
        json_text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
        try:
            write_private(json_path, json_text.encode("utf-8"), field="directory")
            try:
                markdown = render_markdown(data, self.settings.date_style)
                write_private(md_path, markdown.encode("utf-8"), field="directory")
            except FrontdeskError:
                json_path.unlink(missing_ok=True)
                raise
        except FrontdeskError as exc:
            with self.db.write() as session:
                self._audit_export(session, actor, visitor_id, failed=exc.message)
            raise
        with self.db.write() as session:
            self._audit_export(session, actor, visitor_id)
        return ExportFiles(json_path, md_path)

    # -- erasure request -------------------------------------------------------------
    def erase(self, actor: Actor, visitor_id: int, reason: str) -> None:
        """Anonymise one visitor now, unless a legal duty still applies."""
        require(actor, "privacy.erase")
        visitor_id = check_id(visitor_id, "there is no visitor with this number")
        clean = clean_text(
            reason, "reason", label="The reason", max_length=500, required=True, multiline=True
        )
        with self.db.write() as session:
            row = row_or_refuse(
                session, Visitor, visitor_id, "there is no visitor with this number"
            )
            if row.anonymised_at is not None:
                raise Conflict("this visitor has already been anonymised; nothing was changed")
            blocked = self._blocked(session, visitor_id)
            if blocked:
                raise Conflict(f"Cannot erase this visitor yet: {blocked}.")
            self._anonymise(session, row, {})
            audit.record(
                session,
                self.clock,
                action="privacy.erase",
                actor=actor,
                object_type="visitor",
                object_id=visitor_id,
                reason=clean,
            )

    def erasure_blocked(self, actor: Actor, visitor_id: int) -> str | None:
        """Why this visitor cannot be erased now (None: they can)."""
        require(actor, "privacy.erase")
        visitor_id = check_id(visitor_id, "there is no visitor with this number")
        with self.db.read() as session:
            return self._blocked(session, visitor_id)


def _check_folder(directory: str | Path) -> Path:
    if not isinstance(directory, (str, Path)) or not str(directory).strip():
        raise ValidationError("directory", "type the folder to write the export to")
    try:
        folder = Path(str(directory).strip()).expanduser()
        exists = folder.is_dir()
    except (OSError, ValueError, RuntimeError):  # too long, NUL byte, unknown ~user
        exists = False
    if not exists:
        raise ValidationError("directory", "this folder does not exist")
    if not os.access(folder, os.W_OK):
        raise ValidationError("directory", "no permission to write in this folder")
    return folder


def _md_cell(value: object, date_style: str = "dutch") -> str:
    text = "" if value is None else (shown_moment(value, date_style) or str(value))
    return text.replace("|", "\\|").replace("\n", " ")


def _md_table(
    items: Sequence[dict[str, Any]], skip: Sequence[str] = (), date_style: str = "dutch"
) -> list[str]:
    if not items:
        return ["(none)", ""]
    # Every key of every row: rows may differ (another household member shows less).
    keys = [k for k in dict.fromkeys(k for i in items for k in i) if k not in skip]
    titles = [k.replace("_", " ") for k in keys]
    lines = ["| " + " | ".join(titles) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(_md_cell(i.get(k), date_style) for k in keys) + " |" for i in items]
    return [*lines, ""]


_TITLE_KEYS = ("ticket", "appointment", "referral", "at")


def _is_rows(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


def render_markdown(data: dict[str, Any], date_style: str = "dutch") -> str:
    """The access-request export as a document a visitor can read (data from
    :func:`readable`; moments in the centre's date style)."""
    visitor = data["visitor"]
    lines = [
        f"# Personal data held about visitor {visitor['id']}",
        "",
        f"Exported {_md_cell(data['exported_at'], date_style)} by {data['exported_by']}. "
        f"Last activity: {_md_cell(data['last_activity'], date_style)}. "
        f"Personal data is anonymised {data['retention_days']} days after the last activity.",
        "",
        "## Visitor record",
        "",
    ]
    lines += [f"- **{k.replace('_', ' ')}**: {_md_cell(v, date_style)}" for k, v in visitor.items()]
    lines.append("")
    for key, value in data.items():
        if key in ("exported_at", "exported_by", "retention_days", "last_activity", "visitor"):
            continue
        lines += [f"## {key.replace('_', ' ').capitalize()}", ""]
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            # Nested lists of rows (a ticket's timeline, a household's persons) get their
            # own table under the row they belong to.
            nested = list(dict.fromkeys(k for i in value for k, v in i.items() if _is_rows(v)))
            lines += _md_table(value, skip=nested, date_style=date_style)
            for item in value:
                title = next((item[k] for k in _TITLE_KEYS if item.get(k) not in (None, "")), "?")
                for sub in nested:
                    if item.get(sub):
                        lines += [f"### {sub.replace('_', ' ').capitalize()} of {title}", ""]
                        lines += _md_table(item[sub], date_style=date_style)
        else:
            lines += ["```", json.dumps(value, indent=2, ensure_ascii=False, default=str), "```"]
            lines.append("")
    return "\n".join(lines)


def as_dict(report: PurgeReport) -> dict[str, Any]:
    return {k: json_value(v) for k, v in asdict(report).items()}
