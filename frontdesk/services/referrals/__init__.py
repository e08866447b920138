"""Referrals to partners, from the desk to an outcome.

rules.py holds the lifecycle and its words; records.py what the service returns;
service.py :class:`ReferralService`; report.py the partner report as a file; holder.py
the privacy holder.
"""

from frontdesk.services.referrals.holder import ReferralHolder
from frontdesk.services.referrals.records import (
    HistoryEntry,
    PartnerReport,
    PartnerReportRow,
    ReferralDetail,
    ReferralRow,
)
from frontdesk.services.referrals.report import report_csv, report_xlsx
from frontdesk.services.referrals.rules import (
    CONSENT_HOW,
    DOING,
    NEXT_STEP,
    OPEN_STATUSES,
    OUTCOMES,
    STATUSES,
    TRANSITIONS,
    VIEWS,
    follow_up_date,
    step_refusal,
)
from frontdesk.services.referrals.service import ReferralService, visitor_label

__all__ = [
    "CONSENT_HOW",
    "DOING",
    "NEXT_STEP",
    "OPEN_STATUSES",
    "OUTCOMES",
    "STATUSES",
    "TRANSITIONS",
    "VIEWS",
    "HistoryEntry",
    "PartnerReport",
    "PartnerReportRow",
    "ReferralDetail",
    "ReferralHolder",
    "ReferralRow",
    "ReferralService",
    "follow_up_date",
    "report_csv",
    "report_xlsx",
    "step_refusal",
    "visitor_label",
]
