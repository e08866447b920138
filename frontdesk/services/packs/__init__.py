"""Welcome packs: pack kinds, stock (the sum of movements), issuing at the desk, reports.

records.py holds what the service returns; rules.py what needs no database (quantities,
periods, the export's file); service.py :class:`PackService`; holder.py the privacy
holder.
"""

from frontdesk.services.packs.holder import PackHolder
from frontdesk.services.packs.records import (
    MAX_QUANTITY,
    MOVEMENT_LABELS,
    PERIODS,
    STOCK_RECOUNT_WINDOW,
    WELCOME_BAG_WORDS,
    IssuedPack,
    IssueOption,
    Movement,
    PackGiven,
    PackKind,
    Period,
    PeriodRow,
)
from frontdesk.services.packs.rules import (
    check_export_path,
    parse_quantity,
    period_label,
    period_start,
    write_export,
)
from frontdesk.services.packs.service import NO_KIND, PackService

__all__ = [
    "MAX_QUANTITY",
    "MOVEMENT_LABELS",
    "NO_KIND",
    "PERIODS",
    "STOCK_RECOUNT_WINDOW",
    "WELCOME_BAG_WORDS",
    "IssueOption",
    "IssuedPack",
    "Movement",
    "PackGiven",
    "PackHolder",
    "PackKind",
    "PackService",
    "Period",
    "PeriodRow",
    "check_export_path",
    "parse_quantity",
    "period_label",
    "period_start",
    "write_export",
]
