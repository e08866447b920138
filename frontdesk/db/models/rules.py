"""Centre-wide rules the team lead manages: opening hours and the target wait.

One row per rule, its value as JSON. No row means the config file's value applies; the
first save by the lead writes the row, and from then on every desk sharing the database
reads it from here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from frontdesk.db.models.base import Base
from frontdesk.db.types import UTCDateTime


class CentreRule(Base):
    __tablename__ = "centre_rules"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)  # "hours", "target_wait"
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
