"""Privacy: which packs a visitor was given, for retention, access and erasure requests."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from frontdesk.db.models import PackIssue, PackType
from frontdesk.services.dml import rowcount
from frontdesk.services.privacy import ERASED_TEXT, json_value, staff_names


# -- privacy: which packs a visitor was given ----------------------------------------------
class PackHolder:
    """Packs handed to a visitor, for retention, access and erasure requests.

    Anonymising replaces an override reason ("first bag was torn") with ``(removed)``;
    the issue itself stays, so the counts per kind and the stock do not change.
    """

    name = "packs"

    def keep_ids(self, cutoff: datetime) -> Select[int]:
        return select(PackIssue.visitor_id).where(PackIssue.at >= cutoff)

    def last_activity(self, session: Session, visitor_id: int) -> datetime | None:
        return session.scalar(
            select(func.max(PackIssue.at)).where(PackIssue.visitor_id == visitor_id)
        )

    def export(self, session: Session, visitor_id: int) -> list[dict[str, Any]]:
        staff = staff_names(session)
        rows = session.execute(
            select(PackIssue, PackType.name)
            .join(PackType, PackType.id == PackIssue.pack_type_id)
            .where(PackIssue.visitor_id == visitor_id)
            .order_by(PackIssue.at, PackIssue.id)
        ).all()
        return [
            {
                "at": json_value(issue.at),
                "pack": kind,
                "staff": staff.get(issue.staff_id) if issue.staff_id else None,
                "override_reason": issue.override_reason,
            }
            for issue, kind in rows
        ]

    def anonymise(self, session: Session, visitor_id: int) -> int:
        result = session.execute(
            update(PackIssue)
            .where(
                PackIssue.visitor_id == visitor_id,
                PackIssue.override_reason.is_not(None),
                PackIssue.override_reason != ERASED_TEXT,
            )
            .values(override_reason=ERASED_TEXT)
        )
        return rowcount(result)

    def blocks_erasure(self, session: Session, visitor_id: int, today: date) -> str | None:
        return None  # a pack handed out is no legal duty
