"""The outbox: what the lead sees and does with it, and ``mail send`` delivering it.

Delivery is at most once per run and at most one duplicate overall:
1. claim one due message: ``UPDATE outbox SET status='sending' WHERE id=:id AND
   status='queued'`` counts only when it changed one row (the candidate is picked
   with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite writes one at a time), commit;
2. hand it to the SMTP server;
3. mark it sent (or back to queued with a back-off, or failed with the server's reason).
A run killed between 2 and 3 leaves the message ``sending``; after ``stale_minutes`` the
next run sends it once more with the same Message-ID (receivers drop the copy when it
did arrive), and a second interruption fails it rather than risk a third copy.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from frontdesk.clock import Clock
from frontdesk.config import Settings
from frontdesk.config_mail import MailConfigError
from frontdesk.db import Database
from frontdesk.db.models import Appointment, OutboxMessage, Visitor
from frontdesk.services import audit
from frontdesk.services.auth import Actor, require
from frontdesk.services.dml import rowcount
from frontdesk.services.errors import Conflict, check_id
from frontdesk.services.mail.smtp import (
    DeliveryFailure,
    PermanentFailure,
    SmtpTransport,
    TemporaryFailure,
    Transport,
)
from frontdesk.services.records import record_of
from frontdesk.services.rows import row_or_refuse

STATUSES = ("queued", "sending", "sent", "failed", "cancelled")
BACKOFF_MINUTES = (5, 15, 30, 60, 120, 240, 480)
MAX_ATTEMPTS = 12  # then failed: about two days of trying
_ADDRESS = re.compile(r"[^\s<>@\"']+@[^\s<>@\"']+")


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: 5, 15, 30 minutes ... 8 hours."""
    return timedelta(minutes=BACKOFF_MINUTES[min(max(attempts, 1), len(BACKOFF_MINUTES)) - 1])


def no_addresses(reason: str) -> str:
    """A server's reason without e-mail addresses (it goes to the audit log and screens)."""
    return _ADDRESS.sub("<address>", reason)[:300]


@dataclass(frozen=True)
class OutboxEntry:
    id: int
    kind: str
    appointment_id: int | None
    to_address: str | None
    language: str
    subject: str
    status: str
    attempts: int
    next_try_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


@dataclass
class SendReport:
    sent: int = 0
    retry: int = 0
    failed: int = 0
    cancelled: int = 0
    resumed: int = 0
    stopped: str | None = None  # why the run stopped early (the server is down)
    message_ids: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"sent {self.sent}, to retry later {self.retry}, failed {self.failed}, "
            f"cancelled {self.cancelled}"
        )
        if self.resumed:
            text += f", resumed after an interrupted run {self.resumed}"
        if self.stopped:
            text += f"; stopped: {self.stopped}"
        return text


@dataclass(frozen=True)
class _Claimed:
    id: int
    kind: str
    appointment_id: int | None
    to_address: str
    subject: str
    body: str
    ics: str | None
    message_id: str
    attempts: int


def _entry(row: OutboxMessage) -> OutboxEntry:
    return record_of(OutboxEntry, row)


class MailService:
    def __init__(self, db: Database, settings: Settings, clock: Clock) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock

    # -- the lead's view ------------------------------------------------------------------
    def counts(self, actor: Actor) -> dict[str, int]:
        """Messages per status (every status, zeros included)."""
        require(actor, "mail.view")
        with self.db.read() as session:
            rows = session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            )
            found = {status: int(n) for status, n in rows}
        return {status: found.get(status, 0) for status in STATUSES}

    def outbox(
        self,
        actor: Actor,
        statuses: Sequence[str] = ("queued", "sending", "failed"),
        limit: int = 200,
    ) -> list[OutboxEntry]:
        """Messages in these statuses, failed first, then by when they are due."""
        require(actor, "mail.view")
        with self.db.read() as session:
            rows = session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.status.in_(tuple(statuses)))
                .order_by(
                    (OutboxMessage.status != "failed"),
                    OutboxMessage.next_try_at,
                    OutboxMessage.id,
                )
                .limit(limit)
            )
            return [_entry(r) for r in rows]

    def _change(
        self, actor: Actor, message_id: int, from_: tuple[str, ...], to: str, action: str
    ) -> OutboxEntry:
        message_id = check_id(message_id, "this e-mail is not in the outbox (any more)")
        now = self.clock.now()
        with self.db.write() as session:
            row = row_or_refuse(
                session, OutboxMessage, message_id, "this e-mail is not in the outbox (any more)"
            )
            values: dict[str, object] = {"status": to}
            if to == "queued":
                values |= {"next_try_at": now, "attempts": 0}
            else:
                values["last_error"] = f"cancelled by {actor.name}"[:300]
            changed = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id, OutboxMessage.status.in_(from_))
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            if rowcount(changed) != 1:
                raise Conflict(
                    f"This e-mail is {row.status} now; it cannot be {action}. Nothing was changed."
                )
            self._audit(session, row, action, actor=actor)
            session.refresh(row)
            return _entry(row)

    def retry(self, actor: Actor, message_id: int) -> OutboxEntry:
        """A failed message goes back to the queue, due now. (Not a cancelled one: it may
        speak of a time the appointment no longer has.)"""
        require(actor, "mail.manage")
        return self._change(actor, message_id, ("failed",), "queued", "retried")

    def cancel(self, actor: Actor, message_id: int) -> OutboxEntry:
        """A queued or failed message is not sent."""
        require(actor, "mail.manage")
        return self._change(actor, message_id, ("queued", "failed"), "cancelled", "cancelled")

    def _audit(
        self,
        session: Session,
        row: OutboxMessage,
        result: str,
        *,
        actor: Actor | None = None,
        reason: str | None = None,
    ) -> None:
        """kind, appointment, time, result; never the body or the address."""
        audit.record(
            session,
            self.clock,
            action=f"mail.{row.kind}",
            actor=actor,
            origin="mail send",
            object_type="appointment",
            object_id=row.appointment_id,
            result=result,
            reason=f"outbox {row.id}" + (f": {reason}" if reason else ""),
        )

    # -- mail send ------------------------------------------------------------------------
    def check_can_send(self) -> None:
        if self.settings.demo:
            raise Conflict("The demo never sends e-mail; its outbox is for looking at.")
        mail = self.settings.mail
        if not mail.host or not mail.from_address:
            raise Conflict(
                "No mail server is set: add host and from under [mail] in the config file "
                "(see docs/mail.md). Nothing was sent."
            )

    def send_due(
        self,
        actor: Actor,
        transport: Callable[[], Transport] | None = None,
        limit: int = 1000,
    ) -> SendReport:
        """Deliver every message that is due (up to ``limit``); safe to run in parallel."""
        require(actor, "mail.send")
        if transport is None:
            self.check_can_send()
            mail = self.settings.mail
            try:
                password = mail.password()
            except MailConfigError as exc:
                raise Conflict(f"{exc}. Nothing was sent.") from None

            def transport() -> Transport:
                return SmtpTransport(mail, password)

        report = SendReport()
        report.resumed = self._resume_interrupted(actor)
        sender: Transport | None = None
        try:
            while report.sent + report.retry + report.failed < limit:
                claimed = self._claim(actor, report)
                if claimed is None:
                    break
                try:
                    if sender is None:
                        sender = transport()
                    sender.send(self._message(claimed))
                except TemporaryFailure as failure:
                    self._after_failure(actor, claimed, failure, report)
                    if failure.stop_run:
                        report.stopped = no_addresses(failure.reason)
                        break
                except PermanentFailure as failure:
                    self._after_failure(actor, claimed, failure, report)
                    if failure.stop_run:
                        report.stopped = no_addresses(failure.reason)
                        break
                else:
                    self._finish(actor, claimed, "sent", report)
        finally:
            if sender is not None:
                sender.close()
        return report

    def _message(self, claimed: _Claimed) -> EmailMessage:
        mail = self.settings.mail
        msg = EmailMessage()
        msg["From"] = mail.from_address or f"frontdesk@{mail.sender_domain}"
        msg["To"] = claimed.to_address
        msg["Subject"] = claimed.subject
        msg["Message-ID"] = claimed.message_id
        msg["Date"] = format_datetime(self.clock.now())
        msg["Auto-Submitted"] = "auto-generated"
        msg.set_content(claimed.body)
        if claimed.ics:
            msg.add_attachment(
                claimed.ics.encode("utf-8"),
                maintype="text",
                subtype="calendar",
                filename="appointment.ics",
                params={"method": "PUBLISH", "charset": "utf-8"},
            )
        return msg

    def _still_wanted(self, session: Session, row: OutboxMessage) -> str | None:
        """Why a due message should not go out after all (None: send it)."""
        if row.visitor_id is not None:
            visitor = session.get(Visitor, row.visitor_id)
            if visitor is None or visitor.anonymised_at is not None:
                return "the visitor's data was erased"
            if visitor.mail_opt_out:
                return "the visitor asked for no e-mails"
        if not row.to_address or row.body is None:
            return "there is no address or text any more"
        if row.kind != "cancellation" and row.appointment_id is not None:
            found = session.execute(
                select(Appointment.status, Appointment.start_at).where(
                    Appointment.id == row.appointment_id
                )
            ).first()
            if found is None:
                return "the appointment is gone"
            status, start_at = found
            if start_at <= self.clock.now():
                return "the appointment time has passed"
            if row.kind == "reminder" and status != "booked":
                return "the appointment is no longer booked"
        return None

    def _claim(self, actor: Actor, report: SendReport) -> _Claimed | None:
        """Mark the next due message `sending` and commit; None when nothing is due."""
        now = self.clock.now()
        while True:
            with self.db.write() as session:
                pick = (
                    select(OutboxMessage)
                    .where(OutboxMessage.status == "queued", OutboxMessage.next_try_at <= now)
                    .order_by(OutboxMessage.next_try_at, OutboxMessage.id)
                    .limit(1)
                )
                if session.get_bind().dialect.name == "postgresql":
                    pick = pick.with_for_update(skip_locked=True)
                row = session.scalar(pick)
                if row is None:
                    return None
                why_not = self._still_wanted(session, row)
                to, values = (
                    ("cancelled", {"last_error": why_not})
                    if why_not
                    else (
                        "sending",
                        {"claimed_at": now, "attempts": OutboxMessage.attempts + 1},
                    )
                )
                changed = session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == row.id, OutboxMessage.status == "queued")
                    .values(status=to, **values)
                    .execution_options(synchronize_session=False)
                )
                if rowcount(changed) != 1:
                    continue  # another run took it first
                if why_not:
                    report.cancelled += 1
                    self._audit(session, row, "cancelled", actor=actor, reason=why_not)
                    continue
                return _Claimed(
                    row.id,
                    row.kind,
                    row.appointment_id,
                    row.to_address or "",
                    row.subject,
                    row.body or "",
                    row.ics,
                    row.message_id,
                    row.attempts + 1,
                )

    def _finish(
        self,
        actor: Actor,
        claimed: _Claimed,
        to: str,
        report: SendReport,
        reason: str | None = None,
    ) -> None:
        now = self.clock.now()
        values: dict[str, object] = {"status": to, "claimed_at": None}
        if to == "sent":
            values |= {"sent_at": now, "last_error": None}
        else:
            values["last_error"] = reason
        if to == "queued":
            values["next_try_at"] = now + backoff(claimed.attempts)
        with self.db.write() as session:
            changed = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == claimed.id, OutboxMessage.status == "sending")
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            row = session.get(OutboxMessage, claimed.id)
            if rowcount(changed) == 1 and row is not None:
                self._audit(
                    session, row, "retry" if to == "queued" else to, actor=actor, reason=reason
                )
        if to == "sent":
            report.sent += 1
            report.message_ids.append(claimed.message_id)
        elif to == "queued":
            report.retry += 1
        else:
            report.failed += 1

    def _after_failure(
        self, actor: Actor, claimed: _Claimed, failure: DeliveryFailure, report: SendReport
    ) -> None:
        reason = no_addresses(failure.reason)
        if isinstance(failure, TemporaryFailure) and claimed.attempts < MAX_ATTEMPTS:
            self._finish(actor, claimed, "queued", report, reason)
        else:
            self._finish(actor, claimed, "failed", report, reason)

    def _resume_interrupted(self, actor: Actor) -> int:
        """Messages left `sending` by a run that was killed: once more, then failed."""
        now = self.clock.now()
        cutoff = now - timedelta(minutes=self.settings.mail.stale_minutes)
        with self.db.write() as session:
            stale = select(OutboxMessage).where(
                OutboxMessage.status == "sending", OutboxMessage.claimed_at < cutoff
            )
            if session.get_bind().dialect.name == "postgresql":
                stale = stale.with_for_update(skip_locked=True)
            resumed = 0
            for row in session.scalars(stale).all():
                again = row.interrupted == 0
                reason = (
                    "a sending run stopped half-way; sent once more with the same Message-ID"
                    if again
                    else "a sending run stopped half-way twice; not sent again (it may have "
                    "arrived)"
                )
                changed = session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == row.id, OutboxMessage.status == "sending")
                    .values(
                        status="queued" if again else "failed",
                        interrupted=OutboxMessage.interrupted + 1,
                        next_try_at=now,
                        claimed_at=None,
                        last_error=reason,
                    )
                    .execution_options(synchronize_session=False)
                )
                if rowcount(changed) == 1:
                    resumed += 1
                    self._audit(
                        session,
                        row,
                        "interrupted" if again else "failed",
                        actor=actor,
                        reason=reason,
                    )
            return resumed
