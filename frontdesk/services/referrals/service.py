"""Referrals to partners: created at the desk, worked by interns until an outcome is known.

Lifecycle (every change is a :class:`ReferralEvent`, the referral's history)::

    new -> assigned -> contacted -> accepted | declined -> closed (with an outcome)

A referral that was picked up may also be closed early (could not contact, no longer
interested...). Each change sets the next follow-up date: ``referral_follow_up_days``
local days later, moved off the weekend to the Monday.

Privacy: a row handed to whoever works the list carries the visitor's name, and their
phone and e-mail only when the visitor consented to sharing them with the partner.
Nothing else about the visitor (and never a BSN) leaves this package.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from frontdesk.clock import Clock
from frontdesk.config import Settings
from frontdesk.db import Database
from frontdesk.db.models import Partner, Referral, ReferralEvent, Staff, Visitor
from frontdesk.services import audit
from frontdesk.services.auth import Actor, allowed, require
from frontdesk.services.errors import (
    Conflict,
    NotFound,
    ValidationError,
    check_id,
    check_optional_id,
)
from frontdesk.services.exports import (
    Target,
    check_target,
    deliver_audited,
)
from frontdesk.services.fields import parse_date
from frontdesk.services.records import record_of
from frontdesk.services.referrals.records import (
    HistoryEntry,
    PartnerReport,
    PartnerReportRow,
    ReferralDetail,
    ReferralRow,
    _Made,
)
from frontdesk.services.referrals.report import median, report_csv, report_xlsx
from frontdesk.services.referrals.rules import (
    CONSENT_HOW,
    OPEN_STATUSES,
    OUTCOMES,
    VIEWS,
    follow_up_date,
    step_refusal,
)
from frontdesk.services.rows import live_visitor
from frontdesk.services.text import clean_text


class ReferralService:
    def __init__(self, db: Database, settings: Settings, clock: Clock) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock

    # -- helpers -------------------------------------------------------------------------
    def next_follow_up(self) -> date:
        return follow_up_date(self.clock.today(), self.settings.referral_follow_up_days)

    def _rows_query(self) -> Select[Referral, Visitor, Partner, str, str, str]:
        assignee = aliased(Staff)
        creator = aliased(Staff)
        consenter = aliased(Staff)
        return (
            select(
                Referral,
                Visitor,
                Partner,
                assignee.name,
                creator.name,
                consenter.name,
            )
            .join(Visitor, Visitor.id == Referral.visitor_id)
            .join(Partner, Partner.id == Referral.partner_id)
            .outerjoin(assignee, assignee.id == Referral.assignee_id)
            .outerjoin(creator, creator.id == Referral.created_by_id)
            .outerjoin(consenter, consenter.id == Referral.consent_by_id)
        )

    def _row(self, result: Any, today: date) -> ReferralRow:
        ref, visitor, partner, assignee, creator, consenter = result
        anonymised = visitor.anonymised_at is not None
        share = ref.consent_given and not anonymised
        name = "(anonymised)" if anonymised else visitor_label(visitor)
        is_open = ref.status in OPEN_STATUSES
        return record_of(
            ReferralRow,
            ref,
            visitor_name=name,
            visitor_phone=visitor.phone if share else None,
            visitor_email=visitor.email if share else None,
            partner_id=partner.id,
            partner_name=partner.name,
            partner_category=partner.category,
            consent_by=consenter,
            assignee=assignee,
            created_by=creator,
            overdue=is_open and ref.follow_up_on is not None and ref.follow_up_on < today,
            due_today=is_open and ref.follow_up_on == today,
        )

    def _load_row(self, session: Session, referral_id: int) -> ReferralRow:
        result = session.execute(self._rows_query().where(Referral.id == referral_id)).one_or_none()
        if result is None:
            raise NotFound("this referral does not exist")
        return self._row(result, self.clock.today())

    def _locked(self, session: Session, referral_id: int) -> Referral:
        row = session.scalar(select(Referral).where(Referral.id == referral_id).with_for_update())
        if row is None:
            raise NotFound("this referral does not exist")
        return row

    def _change(
        self,
        session: Session,
        actor: Actor,
        ref: Referral,
        to_status: str,
        note: str | None,
        *,
        follow_up: date | None = None,
    ) -> None:
        """Check the transition, apply it, and write the event; the one way a status moves."""
        refused = step_refusal(ref.status, to_status)
        if refused:
            raise ValidationError("status", refused)
        now = self.clock.now()
        session.add(
            ReferralEvent(
                referral_id=ref.id,
                at=now,
                staff_id=actor.staff_id or None,
                from_status=ref.status,
                to_status=to_status,
                note=note,
            )
        )
        ref.status = to_status
        ref.updated_at = now
        ref.follow_up_on = None if to_status == "closed" else (follow_up or self.next_follow_up())

    def _note(
        self, value: object, *, required: bool = False, label: str = "The note"
    ) -> str | None:
        return clean_text(
            value, "note", label=label, max_length=2000, required=required, multiline=True
        )

    # -- creating --------------------------------------------------------------------------
    def create(
        self,
        actor: Actor,
        *,
        visitor_id: int,
        partner_id: int | None,
        reason: str,
        consent_given: bool,
        consent_how: str | None = None,
    ) -> ReferralRow:
        """Refer a visitor to a partner, recording whether they consent to sharing contacts."""
        require(actor, "referral.create")
        visitor_id = check_id(visitor_id, "this visitor no longer exists")
        partner_id = check_optional_id(partner_id, "pick a partner from the list", field="partner")
        if partner_id is None:
            raise ValidationError("partner", "pick a partner from the list")
        text = clean_text(
            reason, "reason", label="The reason", max_length=1000, required=True, multiline=True
        )
        assert text is not None
        how: str | None = None
        if consent_given:
            if consent_how not in CONSENT_HOW:
                raise ValidationError(
                    "consent_how", "say how the visitor gave consent: verbal, written or e-mail"
                )
            how = consent_how
        with self.db.write() as session:
            live_visitor(session, visitor_id)
            partner = session.get(Partner, partner_id)
            if partner is None:
                raise ValidationError("partner", "pick a partner from the list")
            if not partner.active:
                raise ValidationError(
                    "partner", "this partner is no longer active; pick another one"
                )
            now = self.clock.now()
            staff_id = actor.staff_id or None
            ref = Referral(
                visitor_id=visitor_id,
                partner_id=partner_id,
                reason=text,
                consent_given=bool(consent_given),
                consent_how=how,
                consent_at=now if consent_given else None,
                consent_by_id=staff_id if consent_given else None,
                status="new",
                assignee_id=None,
                follow_up_on=self.next_follow_up(),
                created_by_id=staff_id,
                created_at=now,
                updated_at=now,
            )
            session.add(ref)
            session.flush()
            session.add(
                ReferralEvent(
                    referral_id=ref.id,
                    at=now,
                    staff_id=staff_id,
                    from_status=None,
                    to_status="new",
                    note="consent to share contact details: "
                    + (f"given ({CONSENT_HOW[how]})" if how else "not given"),
                )
            )
            audit.record(
                session,
                self.clock,
                action="referral.create",
                actor=actor,
                object_type="referral",
                object_id=ref.id,
            )
            session.flush()
            return self._load_row(session, ref.id)

    # -- working the list ----------------------------------------------------------------
    def assign(self, actor: Actor, referral_id: int, staff_id: int | None = None) -> ReferralRow:
        """Pick a referral up (``staff_id`` None = me); the lead may hand it to anyone."""
        require(actor, "referral.work")
        referral_id = check_id(referral_id, "this referral does not exist")
        staff_id = check_optional_id(staff_id, "pick an active staff member", field="assignee")
        target = staff_id if staff_id is not None else actor.staff_id
        if target != actor.staff_id:
            require(actor, "referral.assign_others")
        with self.db.write() as session:
            ref = self._locked(session, referral_id)
            if ref.status == "closed":
                raise ValidationError("status", "This referral is closed; nothing more can change.")
            if ref.assignee_id == target and ref.status != "new":
                raise Conflict("This referral is already assigned to that person.")
            if (
                ref.assignee_id is not None
                and ref.assignee_id != actor.staff_id
                and not allowed(actor.role, "referral.assign_others")
            ):
                raise Conflict(
                    "Someone else already picked this referral up; ask the team lead to move it."
                )
            person = session.get(Staff, target)
            if person is None or not person.active:
                raise ValidationError("assignee", "pick an active staff member")
            to_status = "assigned" if ref.status == "new" else ref.status
            ref.assignee_id = target
            self._change(session, actor, ref, to_status, f"assigned to {person.name}")
            session.flush()
            return self._load_row(session, referral_id)

    def record_contact(self, actor: Actor, referral_id: int, note: str) -> ReferralRow:
        """The partner was contacted (phone, e-mail...): what was said.

        After the partner has answered (accepted or declined) a contact is still worth
        logging (an intake date, a reminder sent); it goes into the history and moves the
        follow-up date, and the answer stays.
        """
        require(actor, "referral.work")
        referral_id = check_id(referral_id, "this referral does not exist")
        text = self._note(note, required=True, label="What was said")
        with self.db.write() as session:
            ref = self._locked(session, referral_id)
            answered = ref.status in ("accepted", "declined")
            self._change(session, actor, ref, ref.status if answered else "contacted", text)
            session.flush()
            return self._load_row(session, referral_id)

    def accept(self, actor: Actor, referral_id: int, note: str | None = None) -> ReferralRow:
        return self._answer(actor, referral_id, "accepted", note)

    def decline(self, actor: Actor, referral_id: int, note: str | None = None) -> ReferralRow:
        return self._answer(actor, referral_id, "declined", note)

    def _answer(self, actor: Actor, referral_id: int, status: str, note: str | None) -> ReferralRow:
        require(actor, "referral.work")
        referral_id = check_id(referral_id, "this referral does not exist")
        text = self._note(note)
        with self.db.write() as session:
            ref = self._locked(session, referral_id)
            self._change(session, actor, ref, status, text)
            session.flush()
            return self._load_row(session, referral_id)

    def close(
        self, actor: Actor, referral_id: int, outcome: str, text: str | None = None
    ) -> ReferralRow:
        require(actor, "referral.work")
        referral_id = check_id(referral_id, "this referral does not exist")
        if outcome not in OUTCOMES:
            raise ValidationError("outcome", "pick an outcome from the list")
        detail = clean_text(
            text, "outcome_text", label="The outcome text", max_length=2000, multiline=True
        )
        if outcome == "other" and not detail:
            raise ValidationError("outcome_text", "say what the outcome was")
        with self.db.write() as session:
            ref = self._locked(session, referral_id)
            self._change(
                session,
                actor,
                ref,
                "closed",
                f"outcome: {OUTCOMES[outcome]}" + (f" — {detail}" if detail else ""),
            )
            ref.outcome = outcome
            ref.outcome_text = detail
            ref.outcome_at = self.clock.now()
            session.flush()
            return self._load_row(session, referral_id)

    def set_follow_up(
        self, actor: Actor, referral_id: int, day: date | str, note: str | None = None
    ) -> ReferralRow:
        """Choose the next follow-up date yourself (today or later)."""
        require(actor, "referral.work")
        referral_id = check_id(referral_id, "this referral does not exist")
        when = parse_date(day, "follow_up_on", "The follow-up date")
        if when is None:
            raise ValidationError("follow_up_on", "type the follow-up date")
        if when < self.clock.today():
            raise ValidationError("follow_up_on", "the follow-up date is in the past")
        if when > self.clock.today() + timedelta(days=366):
            raise ValidationError("follow_up_on", "the follow-up date is more than a year away")
        text = self._note(note)
        with self.db.write() as session:
            ref = self._locked(session, referral_id)
            self._change(
                session,
                actor,
                ref,
                ref.status,
                f"next follow-up {when.isoformat()}" + (f" — {text}" if text else ""),
                follow_up=when,
            )
            session.flush()
            return self._load_row(session, referral_id)

    # -- reading -------------------------------------------------------------------------
    def worklist(self, actor: Actor, view: str = "open", limit: int = 500) -> list[ReferralRow]:
        """``mine``, ``unassigned``, ``due_today``, ``overdue``, ``open`` or ``closed``."""
        require(actor, "referral.view")
        if view not in VIEWS:
            raise ValidationError("view", "unknown list")
        today = self.clock.today()
        stmt = self._rows_query()
        if view == "closed":
            stmt = stmt.where(Referral.status == "closed").order_by(
                Referral.updated_at.desc(), Referral.id.desc()
            )
        else:
            stmt = stmt.where(Referral.status.in_(OPEN_STATUSES))
            if view == "mine":
                stmt = stmt.where(Referral.assignee_id == actor.staff_id)
            elif view == "unassigned":
                stmt = stmt.where(Referral.assignee_id.is_(None))
            elif view == "due_today":
                stmt = stmt.where(Referral.follow_up_on == today)
            elif view == "overdue":
                stmt = stmt.where(Referral.follow_up_on < today)
            stmt = stmt.order_by(Referral.follow_up_on, Referral.id)
        with self.db.read() as session:
            return [self._row(r, today) for r in session.execute(stmt.limit(limit))]

    def counts(self, actor: Actor) -> dict[str, int]:
        """How many referrals each list holds (for the tab labels)."""
        require(actor, "referral.view")
        out = {view: 0 for view in VIEWS if view != "closed"}
        for row in self.worklist(actor, "open", limit=100_000):
            out["open"] += 1
            out["mine"] += row.assignee_id == actor.staff_id
            out["unassigned"] += row.assignee_id is None
            out["due_today"] += row.due_today
            out["overdue"] += row.overdue
        return out

    def get(self, actor: Actor, referral_id: int) -> ReferralDetail:
        require(actor, "referral.view")
        referral_id = check_id(referral_id, "this referral does not exist")
        with self.db.read() as session:
            row = self._load_row(session, referral_id)
            events = session.execute(
                select(ReferralEvent, Staff.name)
                .outerjoin(Staff, Staff.id == ReferralEvent.staff_id)
                .where(ReferralEvent.referral_id == referral_id)
                .order_by(ReferralEvent.at, ReferralEvent.id)
            )
            history = tuple(
                HistoryEntry(e.at, name, e.from_status, e.to_status, e.note) for e, name in events
            )
            return ReferralDetail(row, history)

    def for_visitor(self, actor: Actor, visitor_id: int) -> list[ReferralRow]:
        require(actor, "referral.view")
        visitor_id = check_id(visitor_id, "this visitor no longer exists")
        stmt = (
            self._rows_query()
            .where(Referral.visitor_id == visitor_id)
            .order_by(Referral.created_at.desc())
        )
        with self.db.read() as session:
            return [self._row(r, self.clock.today()) for r in session.execute(stmt)]

    # -- the partner meeting -------------------------------------------------------------
    def partner_report(self, actor: Actor, start: date, end: date) -> PartnerReport:
        """Per partner, for referrals made from ``start`` to ``end`` (local days, inclusive)."""
        require(actor, "referral.report")
        if end < start:
            raise ValidationError("to", "the period ends before it starts")
        since, _ = self.clock.day_bounds(start)
        _, until = self.clock.day_bounds(end)
        with self.db.read() as session:
            refs = [
                _Made(ref.id, ref.outcome, ref.created_at, ref.outcome_at, name, category)
                for ref, name, category in session.execute(
                    select(Referral, Partner.name, Partner.category)
                    .join(Partner, Partner.id == Referral.partner_id)
                    .where(Referral.created_at >= since, Referral.created_at < until)
                )
            ]
            ids = [r.id for r in refs]
            answered: dict[int, set[str]] = defaultdict(set)
            for chunk in range(0, len(ids), 500):
                part = ids[chunk : chunk + 500]
                for ref_id, status in session.execute(
                    select(ReferralEvent.referral_id, ReferralEvent.to_status).where(
                        ReferralEvent.referral_id.in_(part),
                        ReferralEvent.to_status.in_(("accepted", "declined")),
                    )
                ):
                    answered[ref_id].add(status)
        groups: dict[tuple[str, str], list[_Made]] = defaultdict(list)
        for made in refs:
            groups[(made.partner, made.category)].append(made)

        def summarise(partner: str, category: str, items: list[_Made]) -> PartnerReportRow:
            outcomes: dict[str, int] = {code: 0 for code in OUTCOMES}
            days: list[int] = []
            for ref in items:
                if ref.outcome:
                    outcomes[ref.outcome] += 1
                if ref.outcome_at is not None:
                    made = self.clock.to_local(ref.created_at).date()
                    done = self.clock.to_local(ref.outcome_at).date()
                    days.append((done - made).days)
            return PartnerReportRow(
                partner=partner,
                category=category,
                made=len(items),
                accepted=sum("accepted" in answered[r.id] for r in items),
                declined=sum("declined" in answered[r.id] for r in items),
                outcomes=outcomes,
                median_days_to_outcome=median(days),
            )

        rows = tuple(
            summarise(name, category, items)
            for (name, category), items in sorted(groups.items(), key=lambda kv: kv[0][0].lower())
        )
        total = summarise("All partners", "", refs)
        return PartnerReport(start, end, rows, total)

    def export_report(
        self, actor: Actor, start: date, end: date, fmt: str, *, to: Target | None = None
    ) -> bytes:
        """The partner report as CSV or XLSX bytes, sent ``to`` a file (private, atomic)
        or a callable; audited once delivered (see services.exports)."""
        require(actor, "referral.report")
        if fmt not in ("csv", "xlsx"):
            raise ValidationError("format", "the format must be csv or xlsx")
        if isinstance(to, Path):
            check_target(to)
        report = self.partner_report(actor, start, end)
        data = (
            report_csv(report, self.settings.csv_delimiter) if fmt == "csv" else report_xlsx(report)
        )
        deliver_audited(
            self.db,
            self.clock,
            actor,
            data,
            to,
            action="referral.export",
            object_type="report",
            reason=f"partner report {start.isoformat()}..{end.isoformat()} as {fmt}",
        )
        return data


def visitor_label(visitor: Visitor) -> str:
    return " ".join(p for p in (visitor.given_names, visitor.family_name) if p)
