"""What the referral service returns: plain frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from frontdesk.services.referrals.rules import (
    OPEN_STATUSES,
    OUTCOMES,
)


@dataclass(frozen=True)
class ReferralRow:
    """One referral as the worklist shows it. Visitor contacts only with consent."""

    id: int
    visitor_id: int
    visitor_name: str
    visitor_phone: str | None
    visitor_email: str | None
    partner_id: int
    partner_name: str
    partner_category: str
    reason: str
    consent_given: bool
    consent_how: str | None
    consent_at: datetime | None
    consent_by: str | None
    status: str
    assignee_id: int | None
    assignee: str | None
    follow_up_on: date | None
    outcome: str | None
    outcome_text: str | None
    created_at: datetime
    created_by: str | None
    updated_at: datetime
    overdue: bool
    due_today: bool

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    staff: str | None
    from_status: str | None
    to_status: str
    note: str | None


@dataclass(frozen=True)
class ReferralDetail:
    referral: ReferralRow
    history: tuple[HistoryEntry, ...]


@dataclass(frozen=True)
class PartnerReportRow:
    partner: str
    category: str
    made: int
    accepted: int
    declined: int
    outcomes: dict[str, int]
    median_days_to_outcome: float | None


@dataclass(frozen=True)
class PartnerReport:
    start: date
    end: date
    rows: tuple[PartnerReportRow, ...]
    total: PartnerReportRow

    def table(self) -> list[list[Any]]:
        """Header and rows, for CSV and XLSX alike (no personal data: counts only)."""
        header = [
            "partner",
            "category",
            "referrals made",
            "accepted",
            "declined",
            *(f"outcome: {label}" for label in OUTCOMES.values()),
            "median days to outcome",
        ]
        out: list[list[Any]] = [header]
        for row in (*self.rows, self.total):
            out.append(
                [
                    row.partner,
                    row.category,
                    row.made,
                    row.accepted,
                    row.declined,
                    *(row.outcomes.get(code, 0) for code in OUTCOMES),
                    row.median_days_to_outcome,
                ]
            )
        return out


@dataclass(frozen=True)
class _Made:
    """What the report needs of one referral."""

    id: int
    outcome: str | None
    created_at: datetime
    outcome_at: datetime | None
    partner: str
    category: str
