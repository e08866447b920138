"""Privacy: what the referrals hold about a visitor, for retention, access and erasure
requests.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import Session

from frontdesk.db.models import Partner, Referral, ReferralEvent
from frontdesk.services.dml import rowcount
from frontdesk.services.privacy import ERASED_TEXT, json_value, staff_names
from frontdesk.services.referrals.rules import (
    CONSENT_HOW,
    OUTCOMES,
    STATUSES,
)


# -- privacy: what the referrals hold about a visitor -----------------------------------------
class ReferralHolder:
    """Referrals to partners, for retention, access and erasure requests.

    Anonymising replaces the reason, the outcome text and the notes of the history with
    ``(removed)``; the partner, the statuses, the dates, the outcome code and how consent
    was given stay, and so does the link to the (anonymised) visitor, so the figures per
    partner do not change.
    """

    name = "referrals"

    def keep_ids(self, cutoff: datetime) -> Select[int]:
        return select(Referral.visitor_id).where(
            or_(Referral.status != "closed", Referral.updated_at >= cutoff)
        )

    def last_activity(self, session: Session, visitor_id: int) -> datetime | None:
        return session.scalar(
            select(func.max(Referral.updated_at)).where(Referral.visitor_id == visitor_id)
        )

    def export(self, session: Session, visitor_id: int) -> list[dict[str, Any]]:
        staff = staff_names(session)
        rows = session.execute(
            select(Referral, Partner.name)
            .join(Partner, Partner.id == Referral.partner_id)
            .where(Referral.visitor_id == visitor_id)
            .order_by(Referral.created_at, Referral.id)
        ).all()
        out: list[dict[str, Any]] = []
        for ref, partner in rows:
            events = session.scalars(
                select(ReferralEvent)
                .where(ReferralEvent.referral_id == ref.id)
                .order_by(ReferralEvent.at, ReferralEvent.id)
            )
            out.append(
                {
                    "referral": f"#{ref.id}",
                    "partner": partner,
                    "made_at": json_value(ref.created_at),
                    "reason": ref.reason,
                    "consent_to_share_contact_details": ref.consent_given,
                    "consent_how": CONSENT_HOW.get(ref.consent_how or ""),
                    "consent_at": json_value(ref.consent_at),
                    "status": STATUSES.get(ref.status, ref.status),
                    "follow_up_on": json_value(ref.follow_up_on),
                    "outcome": OUTCOMES.get(ref.outcome or ""),
                    "outcome_text": ref.outcome_text,
                    "outcome_at": json_value(ref.outcome_at),
                    "history": [
                        {
                            "at": json_value(e.at),
                            "from": e.from_status,
                            "to": e.to_status,
                            "staff": staff.get(e.staff_id) if e.staff_id else None,
                            "note": e.note,
                        }
                        for e in events
                    ],
                }
            )
        return out

    def anonymise(self, session: Session, visitor_id: int) -> int:
        mine = select(Referral.id).where(Referral.visitor_id == visitor_id)
        changed = rowcount(
            session.execute(
                update(Referral)
                .where(Referral.visitor_id == visitor_id, Referral.reason != ERASED_TEXT)
                .values(reason=ERASED_TEXT)
            )
        )
        changed += rowcount(
            session.execute(
                update(Referral)
                .where(
                    Referral.visitor_id == visitor_id,
                    Referral.outcome_text.is_not(None),
                    Referral.outcome_text != ERASED_TEXT,
                )
                .values(outcome_text=ERASED_TEXT)
            )
        )
        # The note of the first event is written by the app ("consent to share contact
        # details: given (verbal)") and holds nothing personal: it stays. Every later
        # note was typed by staff.
        changed += rowcount(
            session.execute(
                update(ReferralEvent)
                .where(
                    ReferralEvent.referral_id.in_(mine),
                    ReferralEvent.from_status.is_not(None),
                    ReferralEvent.note.is_not(None),
                    ReferralEvent.note != ERASED_TEXT,
                )
                .values(note=ERASED_TEXT)
            )
        )
        return int(changed or 0)

    def blocks_erasure(self, session: Session, visitor_id: int, today: date) -> str | None:
        # An open referral is no legal duty: the centre referred the visitor as a
        # courtesy, and the visitor may withdraw at any time. It keeps the visitor out of
        # the retention purge (keep_ids), but an explicit erasure request wins; the
        # referral stays open with "(removed)" texts, so whoever works it sees the
        # visitor asked to be forgotten and can close it.
        return None
