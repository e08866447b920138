"""What the appointment book returns (plain frozen dataclasses) and what it takes in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from frontdesk.services.appointments.rules import (
    DOCUMENT_SHORT,
    RELATIONS,
)
from frontdesk.services.visitors import VisitorInput


# -- plain data returned to screens, the CLI and tests --------------------------------
@dataclass(frozen=True)
class DocumentItem:
    code: str
    label: str
    ticked: bool

    @property
    def short(self) -> str:
        return DOCUMENT_SHORT.get(self.code, self.label)


@dataclass(frozen=True)
class PersonInfo:
    """A person of the household. The BSN only ever appears masked here."""

    id: int
    visitor_id: int
    name: str
    relation: str
    birth_date: date | None
    nationality: str | None
    married: bool
    fee_cents: int
    documents: tuple[DocumentItem, ...]
    bsn_outcome: str | None
    bsn_masked: str | None  # "******123"; None when no number is stored
    welcome_bag: bool

    @property
    def missing(self) -> tuple[DocumentItem, ...]:
        return tuple(d for d in self.documents if not d.ticked)

    @property
    def bsn_text(self) -> str:
        """What a screen shows: the masked number, or "issued" / "by post" / "-"."""
        if self.bsn_outcome == "issued":
            return self.bsn_masked or "issued"
        if self.bsn_outcome == "by_post":
            return "by post"
        return "-"


@dataclass(frozen=True)
class AppointmentInfo:
    id: int
    reference: str | None
    kind: str
    day: date
    start_at: datetime
    minutes: int
    employer: str | None
    exempt: bool
    fee_cents: int
    status: str
    persons: tuple[PersonInfo, ...]
    ticket_id: int | None
    ticket_label: str | None
    arrived_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    letter_collected_at: datetime | None
    bring_next_time: str | None
    notes: str | None

    @property
    def main(self) -> PersonInfo | None:
        return self.persons[0] if self.persons else None

    @property
    def late_minutes(self) -> int:
        if self.arrived_at is None or self.arrived_at <= self.start_at:
            return 0
        return int((self.arrived_at - self.start_at).total_seconds() // 60)

    @property
    def payer(self) -> str:
        return self.employer or "private"


@dataclass(frozen=True)
class EventInfo:
    at: datetime
    action: str
    status: str
    staff_name: str | None
    detail: str | None


@dataclass(frozen=True)
class InvoiceLine:
    """One registered person on an employer's quarterly invoice. Never a BSN."""

    employer: str
    day: date
    reference: str
    name: str
    relation: str
    fee_cents: int
    exempt: bool


# -- input -----------------------------------------------------------------------------
@dataclass(frozen=True)
class PersonInput:
    """A person of the household as a form or an import row gives it."""

    relation: str = "main"
    data: VisitorInput = field(default_factory=VisitorInput)
    visitor_id: int | None = None  # an existing visitor (their details may be corrected)
    married: bool | None = False  # None: keep what the desk recorded (imports)


@dataclass(frozen=True)
class AppointmentInput:
    kind: str = "first_registration"
    day: str | date | None = None
    time: str | time | None = None
    minutes: int | str | None = 30
    employer: str | None = None
    notes: str | None = None
    reference: str | None = None
    people: tuple[PersonInput, ...] = ()


@dataclass
class _Checked:
    kind: str
    day: date
    start_at: datetime
    minutes: int
    employer: str | None
    notes: str | None
    reference: str | None
    people: list[tuple[PersonInput, dict[str, Any]]]


@dataclass(frozen=True)
class InvoiceExport:
    persons: int
    employers: int


def bring_next_time_text(info: AppointmentInfo) -> str:
    """What the visitor must bring next time, per person, to print or copy."""
    lines = ["Please bring these documents to your next appointment:"]
    for person in info.persons:
        if person.missing:
            lines.append("")
            lines.append(f"{person.name} ({RELATIONS[person.relation].lower()}):")
            lines.extend(f"  - {d.label}" for d in person.missing)
    lines.append("")
    lines.append("Everyone being registered must come to the appointment.")
    return "\n".join(lines)
