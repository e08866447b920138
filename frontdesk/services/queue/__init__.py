"""The daily queue: service.py holds the rules (issuing, calling, serving), on day.py (the
end of the day) and core.py (services, locks, one ticket's change); records.py what they
return, statements.py the statements that are read often, board.py the board's view."""

from frontdesk.services.queue.core import UNDO_MINUTES, service_info
from frontdesk.services.queue.records import (
    CHANNELS,
    CLOSED_STATUSES,
    OPEN_STATUSES,
    STATUS_LABELS,
    BoardCall,
    BoardState,
    ContactInfo,
    QueueChanges,
    ServiceInfo,
    ServiceLoad,
    TicketInfo,
    VisitRecord,
    wait_words,
)
from frontdesk.services.queue.service import QueueService

__all__ = [
    "CHANNELS",
    "CLOSED_STATUSES",
    "OPEN_STATUSES",
    "STATUS_LABELS",
    "UNDO_MINUTES",
    "BoardCall",
    "BoardState",
    "ContactInfo",
    "QueueChanges",
    "QueueService",
    "ServiceInfo",
    "ServiceLoad",
    "TicketInfo",
    "VisitRecord",
    "service_info",
    "wait_words",
]
