"""What the queue's service returns: plain, frozen records (never ORM rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from frontdesk.services.records import record_of

OPEN_STATUSES = ("waiting", "called", "on_hold")
CLOSED_STATUSES = ("done", "no_show", "cancelled", "not_served")
CHANNELS = {"walk_in": "Walk-in", "email": "E-mail", "phone": "Phone", "video": "Video call"}
STATUS_LABELS = {
    "waiting": "Waiting",
    "called": "Called",
    "on_hold": "On hold",
    "done": "Done",
    "no_show": "No-show",
    "cancelled": "Cancelled",
    "not_served": "Not served",
}
# How a status reads inside a sentence ("A012 is being served at desk 3").
STATUS_IN_A_SENTENCE = {
    "waiting": "waiting",
    "called": "being served",
    "on_hold": "on hold",
    "done": "finished",
    "no_show": "a no-show",
    "cancelled": "cancelled",
    "not_served": "closed as not served",
}


@dataclass(frozen=True)
class ServiceInfo:
    id: int
    code: str
    name: str
    prefix: str
    minutes: int
    by_appointment: bool
    active: bool
    desks: tuple[int, ...]


@dataclass(frozen=True)
class TicketInfo:
    id: int
    label: str
    day: date
    service_code: str
    service_name: str
    status: str
    priority: bool
    source: str
    arrived_at: datetime
    appointment_at: datetime | None
    called_at: datetime | None
    finished_at: datetime | None
    desk: int | None
    staff_name: str | None
    visitor_id: int | None
    visitor_name: str | None
    recalls: int
    notes: str | None
    outcome: str | None
    language: str | None = None  # chosen at the kiosk (tickets.language)

    def minutes_waiting(self, now: datetime) -> int:
        end = self.called_at if self.status != "waiting" and self.called_at else now
        return max(0, int((end - self.arrived_at).total_seconds() // 60))


@dataclass(frozen=True)
class QueueChanges:
    """What changed in today's queue after a version (see QueueService.changed_since)."""

    version: int
    tickets: tuple[TicketInfo, ...]  # today's tickets with a newer event, in no order


def wait_words(minutes: int) -> str:
    """A wait as the desk says it: "no wait" or "~15 min" (waiting strip and dialog)."""
    return "no wait" if minutes <= 0 else f"~{minutes} min"


@dataclass(frozen=True)
class ServiceLoad:
    code: str
    name: str
    prefix: str
    waiting: int
    estimated_wait: int  # minutes for someone joining now

    @property
    def wait_of_last(self) -> int:
        """Minutes the last ticket in line waits: those ahead of it, not itself. The desk's
        waiting strip and the "ticket issued" dialog both show this one figure."""
        if self.waiting <= 0:
            return 0
        return round(self.estimated_wait * (self.waiting - 1) / self.waiting)


@dataclass(frozen=True)
class BoardCall:
    label: str
    desk: int
    called_at: datetime
    language: str | None = None  # the visitor's choice at the kiosk: the call is spoken in it


@dataclass(frozen=True)
class BoardState:
    """What the waiting room sees: ticket numbers and desks, never a name."""

    serving: tuple[BoardCall, ...]
    recent: tuple[BoardCall, ...]
    load: tuple[ServiceLoad, ...]
    version: int


@dataclass(frozen=True)
class VisitRecord:
    """One past visit of a visitor, for the visitor card."""

    day: date
    label: str
    service_name: str
    status: str
    staff_name: str | None
    outcome: str | None


@dataclass(frozen=True)
class ContactInfo:
    id: int
    at: datetime
    channel: str
    topic: str
    minutes: int
    visitor_id: int | None


def service_desks(text: str) -> tuple[int, ...]:
    """A service's desks column ("1,3") as numbers; empty: every desk."""
    return tuple(int(p) for p in text.split(",") if p.strip().isdigit())


def ticket_info(row: Any) -> TicketInfo:
    """A statements.ticket_rows() row as the screens see it."""
    name = " ".join(p for p in (row.given_names, row.family_name) if p) or None
    return record_of(TicketInfo, row, service_code=row.code, visitor_name=name)
