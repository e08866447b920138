"""What the pack service returns (plain frozen dataclasses) and the words and limits it
uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

Period = Literal["day", "week", "month"]
PERIODS: tuple[Period, ...] = ("day", "week", "month")
MAX_QUANTITY = 100_000
# How far back (in ids) the stock cache recounts the ledger; see PackService._stock_totals.
STOCK_RECOUNT_WINDOW = 1000
MOVEMENT_LABELS = {"received": "received", "correction": "stock-take", "issue": "handed out"}
_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,19}$")


@dataclass(frozen=True)
class PackKind:
    id: int
    code: str
    name: str
    threshold: int
    active: bool
    stock: int

    @property
    def low(self) -> bool:
        """At or under the threshold: time to reorder."""
        return self.stock <= self.threshold

    @property
    def out(self) -> bool:
        return self.stock <= 0


@dataclass(frozen=True)
class IssuedPack:
    id: int
    kind_id: int
    kind_name: str
    visitor_id: int
    at: datetime
    stock_left: int
    low: bool
    override_reason: str | None


@dataclass(frozen=True)
class PackGiven:
    """A pack a visitor received (for the visitor's history)."""

    id: int
    kind_id: int
    kind_name: str
    at: datetime
    staff: str | None
    override_reason: str | None


# How a welcome-bag kind is named when no kind is configured (folded).
WELCOME_BAG_WORDS = ("welcome bag", "welkomsttas", "welkomstpakket")


@dataclass(frozen=True)
class IssueOption:
    """A kind as the issue dialog offers it to one visitor."""

    kind: PackKind
    last_given: datetime | None  # when this visitor last got this kind (None: never)


@dataclass(frozen=True)
class Movement:
    id: int
    at: datetime
    quantity: int
    reason: str  # received / correction / issue
    note: str | None
    staff: str | None
    stock_after: int


@dataclass(frozen=True)
class PeriodRow:
    start: date  # the first day of the day, ISO week (Monday) or month
    kind_code: str
    kind_name: str
    received: int
    corrected: int  # the net change of stock-take corrections
    issued: int  # packs handed out
    stock_end: int
