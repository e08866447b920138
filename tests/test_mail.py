"""Appointment e-mails through the outbox, against a real SMTP server (aiosmtpd), on
SQLite and PostgreSQL: what arrives, in which language, with which calendar file; what
happens when the server is down, refuses, or the visitor opted out."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import icalendar
import pytest
from sqlalchemy import delete, select

from frontdesk.clock import FixedClock
from frontdesk.db.models import AuditEvent, OutboxMessage
from frontdesk.services import Actor, Conflict, PermissionDenied, Services
from frontdesk.services.mail.compose import mail_language
from tests.conftest import make_services
from tests.helpers import MAIL_ADDRESS as ADDRESS
from tests.helpers import WEDNESDAY, SmtpSink, household
from tests.helpers import mail_booking as booking


@pytest.fixture
def mailing(db_url: str, clock: FixedClock, smtp_sink: SmtpSink) -> Iterator[Services]:
    services = make_services(db_url, clock, mail=smtp_sink.settings())
    yield services
    services.close()


def outbox(services: Services) -> list[OutboxMessage]:
    with services.db.read() as session:
        rows = list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        session.expunge_all()  # plain values after the read ends
        return rows


def mail_audit(services: Services) -> list[tuple[str, str, str | None]]:
    with services.db.read() as session:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.action.like("mail.%")).order_by(AuditEvent.id)
        )
        return [(e.action, e.result, e.object_id) for e in rows]


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def calendar_of(message: EmailMessage) -> Any:
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    assert parts[0].get_filename() == "appointment.ics"
    raw = parts[0].get_content()
    cal = icalendar.Calendar.from_ical(raw if isinstance(raw, bytes) else raw.encode())
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    return events[0]


def test_confirmation_reminder_and_cancellation_arrive_in_the_visitors_language(
    mailing: Services, clock: FixedClock, clerk: Actor, smtp_sink: SmtpSink
) -> None:
    info = mailing.appointments.book(clerk, booking(language="Dutch"))
    queued = outbox(mailing)
    assert [(m.kind, m.status, m.language) for m in queued] == [
        ("confirmation", "queued", "nl"),
        ("reminder", "queued", "nl"),
    ]
    # The reminder waits for 17:00 the day before (Tuesday, Leiden time).
    assert clock.to_local(queued[1].next_try_at) == datetime(2026, 11, 24, 17, 0, tzinfo=clock.tz)

    report = mailing.mail.send_due(Actor(0, "cron", "lead"))
    assert (report.sent, report.retry, report.failed) == (1, 0, 0)
    [confirmation] = smtp_sink.messages
    assert confirmation["To"] == ADDRESS
    assert (
        str(confirmation["Subject"])
        .strip()
        .startswith("Uw afspraak bij Leiden International Centre op 25")
    )
    body = text_of(confirmation)
    assert "Beste Priya," in body and "woensdag 25 november 2026 om 10:00" in body
    assert "Stationsweg 41" in body
    # The household's documents, by place in the household, never by name.
    assert "Uw partner:" in body and "Kind 1:" in body
    assert "Verblijfsvergunning of brief van de IND" in body
    assert "Arjun" not in confirmation.as_string() and "KidA" not in confirmation.as_string()
    event = calendar_of(confirmation)
    assert event.decoded("dtstart") == info.start_at
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=info.minutes)
    assert str(event["status"]) == "CONFIRMED"
    assert str(event["summary"]).startswith("Inschrijving in Nederland (BSN) bij Leiden")

    clock.set(datetime(2026, 11, 24, 16, 59, tzinfo=clock.tz))
    assert mailing.mail.send_due(CLI).sent == 0  # not yet
    clock.set(datetime(2026, 11, 24, 17, 1, tzinfo=clock.tz))
    assert mailing.mail.send_due(CLI).sent == 1
    reminder = smtp_sink.messages[1]
    assert str(reminder["Subject"]).strip().startswith("Herinnering: uw afspraak")
    assert calendar_of(reminder)["uid"] == event["uid"]

    mailing.appointments.cancel(clerk, info.id, "the visitor asked")
    assert mailing.mail.send_due(CLI).sent == 1
    cancellation = smtp_sink.messages[2]
    assert str(cancellation["Subject"]).strip().startswith("Geannuleerd:")
    cancelled_event = calendar_of(cancellation)
    assert str(cancelled_event["status"]) == "CANCELLED"
    assert cancelled_event["uid"] == event["uid"]
    assert int(cancelled_event["sequence"]) > int(event["sequence"])
    assert len(set(smtp_sink.message_ids())) == 3
    # Every e-mail audited: kind, appointment, result (never the body or the address).
    assert mail_audit(mailing) == [
        ("mail.confirmation", "sent", str(info.id)),
        ("mail.reminder", "sent", str(info.id)),
        ("mail.cancellation", "sent", str(info.id)),
    ]
    with mailing.db.read() as session:
        reasons = " ".join(e.reason or "" for e in session.scalars(select(AuditEvent)))
    assert ADDRESS not in reasons and "Priya" not in reasons


CLI = Actor(0, "command line", "lead", None, "command line")


def test_no_bsn_in_a_message_to_a_visitor_who_has_one(
    mailing: Services, clerk: Actor, smtp_sink: SmtpSink
) -> None:
    """A visitor given a BSN at one appointment books another: the number stays out."""
    first = mailing.appointments.book(clerk, booking(day=date(2026, 11, 23), time="10:30"))
    mailing.appointments.check_in(clerk, first.id)
    mailing.appointments.start(clerk, first.id)
    bsn = "111222333"
    assert first.main is not None
    mailing.appointments.record_bsn(clerk, first.main.id, "issued", bsn)
    second = dataclasses.replace(
        booking(day=WEDNESDAY, time="11:00"), kind="bsn_collection", reference="BK-9"
    )
    mailing.appointments.book(clerk, second)
    mailing.mail.send_due(CLI)
    assert len(smtp_sink.messages) == 2
    for message in smtp_sink.messages:
        raw = message.as_string()
        assert bsn not in raw and "******333" not in raw
        assert not re.search(r"\b\d{9}\b", text_of(message))


def test_english_when_the_language_is_unknown_and_spanish_when_asked(
    mailing: Services, clerk: Actor, smtp_sink: SmtpSink
) -> None:
    assert mail_language("Klingon") == "en" and mail_language(None) == "en"
    assert mail_language("nederlands") == "nl" and mail_language("Español") == "es"
    assert mail_language("Polish") == "pl" and mail_language("Українська") == "uk"
    assert mail_language("中文") == "zh" and mail_language("Mandarin") == "zh"
    mailing.appointments.book(clerk, booking(language="Klingon"))
    other = dataclasses.replace(booking(language="spanish", time="11:00", email="ana@example.org"))
    other = dataclasses.replace(
        other,
        people=(
            dataclasses.replace(
                other.people[0],
                data=dataclasses.replace(
                    other.people[0].data, given_names="Ana", family_name="Ruiz"
                ),
            ),
        ),
    )
    mailing.appointments.book(clerk, other)
    mailing.mail.send_due(CLI)
    subjects = sorted(str(m["Subject"]).strip() for m in smtp_sink.messages)
    assert subjects[0].startswith("Su cita en Leiden International Centre el 25 de noviembre")
    assert subjects[1].startswith("Your appointment at Leiden International Centre on 25 November")


def test_a_server_that_is_down_then_up_gets_each_message_once(
    mailing: Services, clock: FixedClock, clerk: Actor, smtp_sink: SmtpSink
) -> None:
    mailing.appointments.book(clerk, booking())
    smtp_sink.stop()
    report = mailing.mail.send_due(CLI)
    assert (report.sent, report.retry) == (0, 1)
    assert report.stopped and "refused the connection" in report.stopped
    [confirmation, _reminder] = outbox(mailing)
    assert confirmation.status == "queued" and confirmation.attempts == 1
    first_wait = confirmation.next_try_at - clock.now()
    assert first_wait == timedelta(minutes=5)
    # Still down at the next try: it waits longer.
    clock.advance(minutes=6)
    assert mailing.mail.send_due(CLI).retry == 1
    assert outbox(mailing)[0].next_try_at - clock.now() > first_wait

    smtp_sink.start()
    assert mailing.mail.send_due(CLI).sent == 0  # not due yet: the back-off holds
    clock.advance(minutes=16)
    assert mailing.mail.send_due(CLI).sent == 1
    assert mailing.mail.send_due(CLI).sent == 0
    assert len(smtp_sink.messages) == 1
    assert smtp_sink.message_ids() == [outbox(mailing)[0].message_id]
    assert [r for _a, r, _o in mail_audit(mailing)] == ["retry", "retry", "sent"]


def test_a_550_refusal_fails_with_the_reason_and_is_not_retried(
    mailing: Services, clock: FixedClock, clerk: Actor, lead: Actor, smtp_sink: SmtpSink
) -> None:
    smtp_sink.refuse.add(ADDRESS)
    mailing.appointments.book(clerk, booking())
    report = mailing.mail.send_due(CLI)
    assert (report.sent, report.retry, report.failed) == (0, 0, 1)
    failed = outbox(mailing)[0]
    assert failed.status == "failed"
    assert failed.last_error is not None and "550" in failed.last_error
    assert "mailbox unavailable" in failed.last_error
    assert ADDRESS not in failed.last_error  # the server's words, without the address
    clock.advance(days=1)
    assert mailing.mail.send_due(CLI).failed == 0
    assert smtp_sink.messages == []
    # The lead sees it with its reason, and can try again once the address is fixed.
    [shown] = [e for e in mailing.mail.outbox(lead) if e.status == "failed"]
    assert shown.id == failed.id and "550" in (shown.last_error or "")
    smtp_sink.refuse.clear()
    assert mailing.mail.retry(lead, failed.id).status == "queued"
    assert mailing.mail.send_due(CLI).sent == 1
    assert smtp_sink.message_ids() == [failed.message_id]


def test_opt_out_is_respected_when_booking_and_when_sending(
    mailing: Services, clerk: Actor, smtp_sink: SmtpSink
) -> None:
    mailing.appointments.book(clerk, booking(opt_out=True))
    assert outbox(mailing) == []
    mailing.appointments.book(clerk, booking(email=None, time="11:00", given="Mei"))
    assert outbox(mailing) == []
    # Queued first, opted out at the desk before it went: not sent.
    info = mailing.appointments.book(
        clerk, booking(time="12:00", email="lin@example.org", given="Lin")
    )
    assert info.main is not None
    assert len(outbox(mailing)) == 2
    record = mailing.visitors.get(clerk, info.main.visitor_id)
    data = dataclasses.replace(
        household().people[0].data,
        given_names=record.given_names,
        family_name=record.family_name,
        birth_date=record.birth_date,
        nationality=record.nationality,
        email=record.email,
        mail_opt_out=True,
    )
    mailing.visitors.update(clerk, record.id, data)
    assert mailing.visitors.get(clerk, record.id).mail_opt_out is True
    report = mailing.mail.send_due(CLI)
    assert (report.sent, report.cancelled) == (0, 1)
    assert smtp_sink.messages == []
    assert outbox(mailing)[0].status == "cancelled"


def test_a_move_confirms_the_new_time_and_drops_the_old_reminder(
    mailing: Services, clerk: Actor, smtp_sink: SmtpSink
) -> None:
    # Moved before the first confirmation went out: one plain confirmation of the new time.
    early = mailing.appointments.book(clerk, booking(given="Lin", email="lin@example.org"))
    mailing.appointments.reschedule(clerk, early.id, "2026-11-25", "14:00")
    mailing.mail.send_due(CLI)
    [first] = smtp_sink.messages
    assert "moved" not in first["Subject"] and "14:00" in first["Subject"]
    smtp_sink.messages.clear()
    with mailing.db.write() as session:
        session.execute(delete(OutboxMessage))

    info = mailing.appointments.book(clerk, booking())
    mailing.mail.send_due(CLI)
    mailing.appointments.reschedule(clerk, info.id, "2026-11-30", "09:30")
    rows = outbox(mailing)
    assert [(m.kind, m.status) for m in rows] == [
        ("confirmation", "sent"),
        ("reminder", "cancelled"),
        ("confirmation", "queued"),
        ("reminder", "queued"),
    ]
    mailing.mail.send_due(CLI)
    moved = smtp_sink.messages[1]
    assert "moved" in moved["Subject"] and "30 November" in moved["Subject"]
    assert calendar_of(moved).decoded("dtstart") == datetime(
        2026, 11, 30, 9, 30, tzinfo=mailing.clock.tz
    )


def test_the_lead_cancels_a_queued_message_and_others_may_not(
    mailing: Services, clerk: Actor, lead: Actor, intern: Actor, smtp_sink: SmtpSink
) -> None:
    mailing.appointments.book(clerk, booking())
    first = mailing.mail.outbox(lead)[0]
    with pytest.raises(PermissionDenied):
        mailing.mail.cancel(clerk, first.id)
    with pytest.raises(PermissionDenied):
        mailing.mail.outbox(intern)
    assert mailing.mail.cancel(lead, first.id).status == "cancelled"
    with pytest.raises(Conflict):
        mailing.mail.cancel(lead, first.id)
    assert mailing.mail.counts(lead)["cancelled"] == 1
    mailing.mail.send_due(CLI)
    assert smtp_sink.messages == []


def test_the_demo_and_a_missing_server_never_send(
    db_url: str, clock: FixedClock, smtp_sink: SmtpSink
) -> None:
    demo = make_services(db_url, clock, demo=True, mail=smtp_sink.settings())
    try:
        with pytest.raises(Conflict, match="demo never sends"):
            demo.mail.send_due(CLI)
    finally:
        demo.close()
    bare = make_services(db_url, clock)
    try:
        with pytest.raises(Conflict, match="No mail server"):
            bare.mail.send_due(CLI)
    finally:
        bare.close()
    assert smtp_sink.messages == []


def test_the_privacy_export_holds_the_emails_and_erasure_removes_queued_ones(
    mailing: Services, clerk: Actor, lead: Actor, smtp_sink: SmtpSink
) -> None:
    info = mailing.appointments.book(clerk, booking())
    mailing.mail.send_due(CLI)
    assert info.main is not None
    visitor_id = info.main.visitor_id
    data = mailing.privacy.collect(lead, visitor_id)
    emails = data["e-mails"] if "e-mails" in data else data["holders"]["e-mails"]
    assert [(e["kind"], e["status"]) for e in emails] == [
        ("confirmation", "sent"),
        ("reminder", "queued"),
    ]
    assert emails[0]["to"] == ADDRESS and "Priya" in emails[0]["text"]
    mailing.appointments.cancel(clerk, info.id, "moving abroad")
    mailing.privacy.erase(lead, visitor_id, "erasure request")
    rows = outbox(mailing)
    assert all(r.status in ("sent", "sending") for r in rows)
    for row in rows:
        assert row.to_address is None and row.body is None and row.ics is None
        assert "Priya" not in row.subject
    mailing.mail.send_due(CLI)
    assert len(smtp_sink.messages) == 1


def test_the_demo_outbox_holds_sent_queued_and_refused_mail_to_example_addresses(
    sqlite_url: str, clock: FixedClock
) -> None:
    from frontdesk.config import DEFAULT_HOURS
    from frontdesk.demo import fill_demo

    services = make_services(sqlite_url, clock, demo=True, hours=DEFAULT_HOURS)
    try:
        fill_demo(services, days=3)
        counts = services.mail.counts(CLI)
        assert counts["sent"] > 0 and counts["queued"] > 0 and counts["failed"] == 1
        rows = outbox(services)
        assert {r.to_address.rpartition("@")[2] for r in rows if r.to_address} == {"example.org"}
        assert all(r.sent_at is None or r.sent_at <= clock.now() for r in rows)
        with pytest.raises(Conflict, match="demo never sends"):
            services.mail.send_due(CLI)
    finally:
        services.close()


def test_an_import_confirms_new_and_moved_appointments_once(
    mailing: Services, clerk: Actor, smtp_sink: SmtpSink
) -> None:
    from frontdesk.services.appointments.importer import import_appointments
    from tests.helpers import CLEAN

    import_appointments(mailing.appointments, clerk, CLEAN.encode())
    assert mailing.mail.send_due(CLI).sent == 2
    rows = outbox(mailing)
    assert sorted((r.kind, r.to_address) for r in rows if r.kind == "confirmation") == [
        ("confirmation", "emily@example.org"),
        ("confirmation", "priya@example.org"),
    ]
    # The same file again changes nothing, so nothing new is queued.
    import_appointments(mailing.appointments, clerk, CLEAN.encode())
    assert len(outbox(mailing)) == len(rows)
    # The booking system moved one household: a new confirmation for it alone.
    moved = CLEAN.replace("BK-1002,2026-11-25,09:30", "BK-1002,2026-11-25,11:30")
    import_appointments(mailing.appointments, clerk, moved.encode())
    mailing.mail.send_due(CLI)
    subjects = [str(m["Subject"]).strip() for m in smtp_sink.messages]
    assert len(subjects) == 3
    assert sum("has moved" in s and "11:30" in s for s in subjects) == 1


def test_nothing_is_sent_about_an_appointment_whose_time_has_passed(
    mailing: Services, clock: FixedClock, clerk: Actor, smtp_sink: SmtpSink
) -> None:
    mailing.appointments.book(clerk, booking())
    smtp_sink.stop()
    mailing.mail.send_due(CLI)  # the server is down for days
    smtp_sink.start()
    clock.set(datetime(2026, 11, 26, 9, 0, tzinfo=clock.tz))  # the day after
    report = mailing.mail.send_due(CLI)
    assert (report.sent, report.cancelled) == (0, 2)
    assert smtp_sink.messages == []
    assert {r.last_error for r in outbox(mailing)} == {"the appointment time has passed"}
