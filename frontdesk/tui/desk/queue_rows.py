"""Today's queue as table rows, and the smallest change that turns one table into the next.

The desk polls the database; when something changed it reads today's queue again, but it
must not rebuild the table (that flickers and loses the cursor). :func:`diff_rows` runs
in the worker thread and says which rows to add, remove and which cells to change, so
the UI thread does work in proportion to what changed, not to the length of the queue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from frontdesk.clock import Clock
from frontdesk.services.queue import STATUS_LABELS, TicketInfo

COLUMNS: tuple[tuple[str, str], ...] = (
    ("ticket", "Ticket"),
    ("service", "Service"),
    ("waiting", "Min"),
    ("priority", "Prio"),
    ("appointment", "Appt"),
    ("status", "Status"),
    ("desk", "Desk"),
)
COLUMN_KEYS = tuple(key for key, _ in COLUMNS)
# Below this table width (an 80-column terminal) the desk column hides and the
# service column shrinks: ticket, service, minutes, priority, appointment and status stay.
NARROW_QUEUE = 70


def queue_columns(room: int) -> list[tuple[str, str, int | None]]:
    """The queue's columns for a table ``room`` columns wide (see ``widgets.fit``)."""
    if room >= NARROW_QUEUE:
        return [(key, label, 0) for key, label in COLUMNS]
    narrow: dict[str, tuple[str, int | None]] = {
        "ticket": ("#", 4),
        "service": ("Service", -1),
        "waiting": ("Min", 3),
        "priority": ("★", 1),
        "appointment": ("Appt", 5),
        "status": ("Status", 7),
        "desk": ("Desk", None),
    }
    return [(key, *narrow[key]) for key, _ in COLUMNS]


PRIORITY_MARK = "★"

Cells = tuple[str, ...]


def row_cells(ticket: TicketInfo, now: datetime, clock: Clock) -> Cells:
    appointment = (
        clock.to_local(ticket.appointment_at).strftime("%H:%M") if ticket.appointment_at else ""
    )
    return (
        ticket.label,
        ticket.service_name,
        str(ticket.minutes_waiting(now)),
        PRIORITY_MARK if ticket.priority else "",
        appointment,
        STATUS_LABELS.get(ticket.status, ticket.status),
        str(ticket.desk) if ticket.desk and ticket.status != "waiting" else "",
    )


@dataclass(frozen=True)
class QueueDiff:
    removed: tuple[int, ...] = ()
    added: tuple[tuple[int, Cells], ...] = ()
    changed: tuple[tuple[int, int, str], ...] = ()  # (ticket id, column index, new text)
    order: tuple[int, ...] | None = None  # the new row order, when it is not the old one

    @property
    def empty(self) -> bool:
        return not (self.removed or self.added or self.changed or self.order is not None)

    @property
    def rows_touched(self) -> int:
        return len(self.removed) + len(self.added) + len({tid for tid, _, _ in self.changed})


def diff_rows(
    old: Mapping[int, Cells], old_order: Sequence[int], new: Sequence[tuple[int, Cells]]
) -> QueueDiff:
    """What to do to a table showing ``old`` (in ``old_order``) so that it shows ``new``."""
    new_ids = [tid for tid, _ in new]
    wanted = set(new_ids)
    removed = tuple(tid for tid in old_order if tid not in wanted)
    added: list[tuple[int, Cells]] = []
    changed: list[tuple[int, int, str]] = []
    for tid, cells in new:
        before = old.get(tid)
        if before is None:
            added.append((tid, cells))
        elif before != cells:
            changed.extend((tid, i, v) for i, v in enumerate(cells) if before[i] != v)
    # After removing and appending, would the rows already stand in the wanted order?
    gone = set(removed)
    after = [tid for tid in old_order if tid not in gone] + [tid for tid, _ in added]
    order = tuple(new_ids) if after != new_ids else None
    return QueueDiff(removed, tuple(added), tuple(changed), order)
