"""Demo data: the appointment e-mails of the demo's bookings, as if sent over the weeks.

The appointment step books through the service, so the outbox already holds a
confirmation (and a reminder) for each booking with an e-mail address; this step dates
them: confirmations went out when booked, reminders the evening before, the coming
reminders wait, and one address was refused (the lead's e-mails tab shows it). All
addresses are on example.org. ``--demo`` never sends: MailService refuses in the demo.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from frontdesk.db.models import Appointment, OutboxMessage
from frontdesk.demo.context import DemoContext
from frontdesk.services import Services

REFUSED = "the mail server answered 550: 5.1.1 <address>: mailbox unavailable"


def mail_step(services: Services, _rng: random.Random, ctx: DemoContext) -> None:
    # A generator of its own: drawing from the shared one would change the later steps' data.
    rng = random.Random(22)
    now = services.clock.now()
    counts = {"sent": 0, "queued": 0, "failed": 0}
    with services.db.write() as session:
        rows = session.execute(
            select(OutboxMessage, Appointment.start_at)
            .join(Appointment, Appointment.id == OutboxMessage.appointment_id)
            .where(OutboxMessage.status == "queued")
            .order_by(Appointment.start_at, OutboxMessage.id)
        ).all()
        refused = False
        for message, start in rows:
            booked = min(start - timedelta(days=rng.randint(2, 20)), now - timedelta(hours=1))
            message.created_at = booked
            if message.kind == "reminder" and message.next_try_at > now:
                counts["queued"] += 1
                continue
            if message.kind == "confirmation" and start > now and not refused:
                refused = True
                message.status, message.attempts, message.last_error = "failed", 1, REFUSED
                counts["failed"] += 1
                continue
            due = booked if message.kind == "confirmation" else message.next_try_at
            message.status, message.attempts = "sent", 1
            message.next_try_at = due
            message.sent_at = due + timedelta(minutes=rng.randint(1, 9))
            counts["sent"] += 1
    ctx.lines.append(
        f"{counts['sent']} e-mails sent, {counts['queued']} queued, {counts['failed']} refused"
    )
