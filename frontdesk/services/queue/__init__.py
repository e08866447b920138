"""The daily queue: service.py holds the rules, records.py what they return, statements.py
the statements that are read often."""

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
from frontdesk.services.queue.service import UNDO_MINUTES, QueueService, service_info

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
