"""BSN registration appointments.

rules.py holds what needs no database (kinds, statuses, documents, the BSN check, fees);
records.py what the book returns and takes in; book.py the book (booking, changes,
reads); service.py :class:`AppointmentService`, the book plus the work at the desk;
invoices.py the employer invoices; holder.py the privacy holder; importer.py the import of
a booking system's CSV export (imported on its own: ``appointments.importer``).
"""

from frontdesk.services.appointments.holder import OPEN_APPOINTMENT, AppointmentHolder
from frontdesk.services.appointments.invoices import (
    export_invoices,
    invoice_bytes,
    invoice_rows,
    parse_quarter,
)
from frontdesk.services.appointments.records import (
    AppointmentInfo,
    AppointmentInput,
    DocumentItem,
    EventInfo,
    InvoiceExport,
    InvoiceLine,
    PersonInfo,
    PersonInput,
    bring_next_time_text,
)
from frontdesk.services.appointments.rules import (
    ADULT_AGE,
    BSN_OUTCOMES,
    DOCUMENT_SHORT,
    DOCUMENTS,
    EU_EEA,
    KINDS,
    RELATIONS,
    SERVICE_FOR_KIND,
    STATUSES,
    TICKET_END,
    TICKET_OPEN,
    TRANSITIONS,
    age_on,
    check_bsn,
    euro,
    is_eu,
    mask_bsn,
    parse_time_of_day,
    required_documents,
)
from frontdesk.services.appointments.service import AppointmentService

__all__ = [
    "ADULT_AGE",
    "BSN_OUTCOMES",
    "DOCUMENTS",
    "DOCUMENT_SHORT",
    "EU_EEA",
    "KINDS",
    "OPEN_APPOINTMENT",
    "RELATIONS",
    "SERVICE_FOR_KIND",
    "STATUSES",
    "TICKET_END",
    "TICKET_OPEN",
    "TRANSITIONS",
    "AppointmentHolder",
    "AppointmentInfo",
    "AppointmentInput",
    "AppointmentService",
    "DocumentItem",
    "EventInfo",
    "InvoiceExport",
    "InvoiceLine",
    "PersonInfo",
    "PersonInput",
    "age_on",
    "bring_next_time_text",
    "check_bsn",
    "euro",
    "export_invoices",
    "invoice_bytes",
    "invoice_rows",
    "is_eu",
    "mask_bsn",
    "parse_quarter",
    "parse_time_of_day",
    "required_documents",
]
