"""Appointment e-mails: composed into an outbox with the appointment, sent by ``mail send``.

- :mod:`compose`: the texts (``frontdesk/locales/mail``), the ``.ics``, and the hook
  :func:`queue_appointment_mail` the appointment service calls in its transaction;
- :mod:`outbox`: the lead's view (retry, cancel) and delivery, claim by claim;
- :mod:`smtp`: the SMTP conversation and how its failures are sorted;
- :mod:`holder`: the e-mails in the privacy export, and erasure.
"""

from __future__ import annotations

from frontdesk.services.mail.compose import queue_appointment_mail, queue_booked_mail
from frontdesk.services.mail.outbox import MailService, OutboxEntry, SendReport

__all__ = [
    "MailService",
    "OutboxEntry",
    "SendReport",
    "queue_appointment_mail",
    "queue_booked_mail",
]
