"""The e-mails a visitor was sent, for the privacy service (access and erasure requests)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from frontdesk.db.models import OutboxMessage
from frontdesk.services.dml import rowcount
from frontdesk.services.privacy import ERASED_TEXT, json_value

UNSENT = ("queued", "failed", "cancelled")


class MailHolder:
    """Exports the e-mails sent (and still to send) to the visitor; erasure deletes the
    unsent ones and strips the sent ones to kind, appointment and time."""

    name = "e-mails"

    def keep_ids(self, cutoff: datetime) -> None:
        return None  # an e-mail is not the visitor being active

    def last_activity(self, session: Session, visitor_id: int) -> datetime | None:
        return session.scalar(
            select(func.max(OutboxMessage.sent_at)).where(OutboxMessage.visitor_id == visitor_id)
        )

    def export(self, session: Session, visitor_id: int) -> list[dict[str, Any]]:
        rows = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.visitor_id == visitor_id)
            .order_by(OutboxMessage.created_at, OutboxMessage.id)
        )
        return [
            {
                "kind": row.kind,
                "appointment": row.appointment_id,
                "to": row.to_address,
                "language": row.language,
                "status": row.status,
                "created_at": json_value(row.created_at),
                "sent_at": json_value(row.sent_at),
                "subject": row.subject,
                "text": row.body,
            }
            for row in rows
        ]

    def anonymise(self, session: Session, visitor_id: int) -> int:
        gone = session.execute(
            delete(OutboxMessage)
            .where(OutboxMessage.visitor_id == visitor_id, OutboxMessage.status.in_(UNSENT))
            .execution_options(synchronize_session=False)
        )
        # A message being sent right now keeps its status: the sender marks it sent.
        stripped = session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.visitor_id == visitor_id,
                OutboxMessage.status.in_(("sent", "sending")),
                OutboxMessage.to_address.is_not(None),
            )
            .values(to_address=None, subject=ERASED_TEXT, body=None, ics=None, last_error=None)
            .execution_options(synchronize_session=False)
        )
        return rowcount(gone) + rowcount(stripped)

    def blocks_erasure(self, session: Session, visitor_id: int, today: date) -> str | None:
        return None
