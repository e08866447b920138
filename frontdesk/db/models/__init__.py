"""ORM models. One module per capability; every table is listed here for Alembic."""

from frontdesk.db.models.base import Base
from frontdesk.db.models.core import AuditEvent, Staff
from frontdesk.db.models.packs import PackIssue, PackType, StockMovement
from frontdesk.db.models.visitors import Visitor

__all__ = [
    "AuditEvent",
    "Base",
    "PackIssue",
    "PackType",
    "Staff",
    "StockMovement",
    "Visitor",
]
