"""Writing appointment e-mails into the outbox, in the visitor's language.

:func:`queue_appointment_mail` is the one hook the appointment service calls (booked,
moved, cancelled) inside its own transaction, so an appointment and its messages commit
together or not at all. A message goes to the household's main person only, when they
have an e-mail address and have not opted out; it names them and no one else (the
partner and children are "your partner", "child 1"), and never holds a BSN.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Protocol, cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.orm import Session

from frontdesk.clock import Clock
from frontdesk.config import Settings
from frontdesk.db.models import Appointment, AppointmentPerson, OutboxMessage, Visitor
from frontdesk.i18n import catalogue, languages, text
from frontdesk.services.text import fold

AREA = "mail"
_OUTBOX = cast(Table, OutboxMessage.__table__)
KINDS = ("confirmation", "reminder", "cancellation")
CHANGES = ("booked", "moved", "cancelled")


def mail_language(preferred: str | None) -> str:
    """The catalogue code for a visitor's preferred language ("Dutch" -> "nl"); English
    when none is given or there is no catalogue for it."""
    return _language_of(fold(preferred or "").strip())


@lru_cache(maxsize=256)  # the catalogues ship with the package; a name maps to one code
def _language_of(wanted: str) -> str:
    if not wanted:
        return "en"
    for code in languages(AREA):
        names = {code, fold(catalogue(AREA, code).get("language", ""))}
        names |= {fold(n).strip() for n in catalogue(AREA, code).get("names", "").split(",")}
        if wanted in names:
            return code
    return "en"


def local_date(lang: str, day: date) -> str:
    month = text(AREA, lang, f"month_{day.month}")
    return text(AREA, lang, "date", day=day.day, month=month, year=day.year)


class MailAppointment(Protocol):
    """What a message needs of an appointment: a stored one, or one an import just wrote."""

    @property
    def id(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def start_at(self) -> datetime: ...
    @property
    def minutes(self) -> int: ...
    @property
    def reference(self) -> str | None: ...


class MailPerson(Protocol):
    """What a message needs of a household member's place in the appointment."""

    @property
    def relation(self) -> str: ...
    @property
    def married(self) -> bool: ...


class MailVisitor(Protocol):
    """What a message needs of a household member (never more than the recipient's name)."""

    @property
    def id(self) -> int: ...
    @property
    def given_names(self) -> str: ...
    @property
    def nationality(self) -> str | None: ...
    @property
    def employer(self) -> str | None: ...
    @property
    def language(self) -> str | None: ...
    @property
    def email(self) -> str | None: ...
    @property
    def mail_opt_out(self) -> bool | None: ...
    @property
    def anonymised_at(self) -> datetime | None: ...


Household = Sequence[tuple[MailPerson, MailVisitor]]


@dataclass(frozen=True)
class Composed:
    subject: str
    body: str
    ics: str


def household(session: Session, appointment_id: int) -> list[tuple[AppointmentPerson, Visitor]]:
    """The appointment's persons with their visitor rows, in the household's order."""
    rows = session.execute(
        select(AppointmentPerson, Visitor)
        .join(Visitor, Visitor.id == AppointmentPerson.visitor_id)
        .where(AppointmentPerson.appointment_id == appointment_id)
        .order_by(AppointmentPerson.position, AppointmentPerson.id)
    ).all()
    return [(p, v) for p, v in rows]


def documents_text(ap: MailAppointment, persons: Household, lang: str) -> str:
    """What each person must bring, by their place in the household, never by name."""
    from frontdesk.services.appointments.rules import required_documents  # (imports this)

    lines: list[str] = []
    child = 0
    for person, visitor in persons:
        if person.relation == "child":
            child += 1
            who = text(AREA, lang, "person_child", n=child)
        else:
            who = text(AREA, lang, f"person_{person.relation}")
        codes = required_documents(
            ap.kind, person.relation, visitor.nationality, person.married, bool(visitor.employer)
        )
        lines.append(f"{who}:")
        lines.extend(f"  - {text(AREA, lang, f'doc_{code}')}" for code in codes)
    return "\n".join(lines)


def compose(
    kind: str,
    change: str,
    lang: str,
    ap: MailAppointment,
    persons: Household,
    recipient: MailVisitor,
    settings: Settings,
    clock: Clock,
    sequence: int,
) -> Composed:
    return compose_all((kind,), change, lang, ap, persons, recipient, settings, clock, sequence)[0]


def compose_all(
    kinds: Sequence[str],
    change: str,
    lang: str,
    ap: MailAppointment,
    persons: Household,
    recipient: MailVisitor,
    settings: Settings,
    clock: Clock,
    sequence: int,
) -> list[Composed]:
    """The messages of ``kinds`` about one appointment, in that order. What they share
    (the date's words, the documents list, the calendar file) is composed once: a
    confirmation and its reminder carry the same documents and the same event."""
    mail = settings.mail
    start = clock.to_local(ap.start_at)
    values = {
        "centre": mail.centre_name,
        "address": mail.address,
        "date": local_date(lang, start.date()),
        "weekday": text(AREA, lang, f"weekday_{start.weekday()}"),
        "time": f"{start:%H:%M}",
        "kind": text(AREA, lang, f"kind_{ap.kind}"),
    }
    given = (recipient.given_names or "").strip()
    greeting = (
        text(AREA, lang, "greeting", name=given)
        if given
        else text(AREA, lang, "greeting_anonymous")
    )
    documents = ""
    if any(kind != "cancellation" for kind in kinds):
        documents = documents_text(ap, persons, lang)
    icses: dict[bool, str] = {}  # cancelled or not -> the calendar file
    out: list[Composed] = []
    for kind in kinds:
        cancelled = kind == "cancellation"
        intro = "moved" if kind == "confirmation" and change == "moved" else kind
        subject = text(AREA, lang, f"subject_{intro}", **values)
        lines = [
            greeting,
            "",
            text(AREA, lang, f"intro_{intro}", **values),
            "",
            text(AREA, lang, "when", **values),
            text(AREA, lang, "where", **values),
        ]
        if ap.reference:
            lines.append(text(AREA, lang, "reference", reference=ap.reference))
        if not cancelled:
            lines += ["", text(AREA, lang, "everyone"), text(AREA, lang, "bring"), documents]
        lines += [
            "",
            text(AREA, lang, "calendar"),
            "",
            text(AREA, lang, "closing"),
            mail.centre_name,
            "",
            "-- ",
            text(AREA, lang, "footer"),
        ]
        ics = icses.get(cancelled)
        if ics is None:
            ics = icses[cancelled] = _ics(
                kind, lang, ap, values, "" if cancelled else documents, settings, clock, sequence
            )
        out.append(Composed(subject=subject[:300], body="\n".join(lines) + "\n", ics=ics))
    return out


def _ics(
    kind: str,
    lang: str,
    ap: MailAppointment,
    values: dict[str, str],
    documents: str,
    settings: Settings,
    clock: Clock,
    sequence: int,
) -> str:
    """The appointment as a calendar file (RFC 5545); the same UID for every message about
    it, so a calendar updates (or, cancelled, removes) the one event.

    Written here rather than through the ``icalendar`` package: one event of fixed
    properties, and the package's builder took most of an import's time (an import
    composes two messages a household, sharing one calendar file). The text is the
    package's, line for line (tests/test_mail_ics.py compares the two)."""
    summary = text(AREA, lang, "event_summary", kind=values["kind"], centre=values["centre"])
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//frontdesk//appointment e-mails//EN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        "SUMMARY:" + _ics_text(summary[:1].upper() + summary[1:]),
        "DTSTART:" + _ics_utc(ap.start_at),
        "DTEND:" + _ics_utc(ap.start_at + timedelta(minutes=ap.minutes)),
        "DTSTAMP:" + _ics_utc(clock.now()),
        "UID:" + _ics_text(f"appointment-{ap.id}@{settings.mail.sender_domain}"),
        f"SEQUENCE:{int(sequence)}",
    ]
    if documents:
        lines.append("DESCRIPTION:" + _ics_text(documents))
    lines += [
        "LOCATION:" + _ics_text(f"{values['centre']}, {values['address']}"),
        "STATUS:" + ("CANCELLED" if kind == "cancellation" else "CONFIRMED"),
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(ics_fold(line) + "\r\n" for line in lines)


def _ics_text(value: str) -> str:
    """A TEXT value escaped (RFC 5545 3.3.11): backslash, semicolon, comma, line breaks."""
    return (
        value.replace(r"\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", r"\;")
        .replace(",", r"\,")
        .replace("\r\n", r"\n")
        .replace("\n", r"\n")
        .replace("\r", r"\n")
    )


def _ics_utc(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def ics_fold(line: str, limit: int = 75) -> str:
    """A content line folded before ``limit`` octets (RFC 5545 3.1), never inside a
    character, and never right after a backslash (an escape stays on one line)."""
    parts: list[str] = []
    if line.isascii():  # a character is an octet: cut by slices
        start, width = 0, limit - 1
        while len(line) - start > width:
            end = start + width
            if line[end - 1] in "\\^":
                end -= 1
            parts.append(line[start:end])
            start = end
        parts.append(line[start:])
        return "\r\n ".join(parts)
    current: list[str] = []
    size = 0
    for char in line:
        width = len(char.encode("utf-8"))
        if current and size + width >= limit:
            carried = current.pop() if len(current) > 1 and current[-1] in "\\^" else ""
            parts.append("".join(current))
            current = [carried] if carried else []
            size = len(carried.encode("utf-8"))
        current.append(char)
        size += width
    if current:
        parts.append("".join(current))
    return "\r\n ".join(parts)


def queue_booked_mail(
    session: Session,
    clock: Clock,
    settings: Settings,
    booked: Sequence[tuple[MailAppointment, Household]],
) -> None:
    """Queue what :func:`queue_appointment_mail` queues for "booked", for appointments
    just made in this transaction (nothing queued about them yet), with their persons in
    order: an import's chunk, in one INSERT. Runs inside the caller's transaction."""
    now = clock.now()
    rows: list[dict[str, object]] = []
    for ap, persons in booked:
        recipient = _recipient(persons)
        if recipient is None:
            continue
        lang = mail_language(recipient.language)
        wanted = _wanted(clock, settings, ap, "booked", now)
        kinds = [kind for kind, _due in wanted]
        messages = compose_all(kinds, "booked", lang, ap, persons, recipient, settings, clock, 0)
        for (kind, due), composed in zip(wanted, messages, strict=True):
            rows.append(
                {
                    "kind": kind,
                    "appointment_id": ap.id,
                    "visitor_id": recipient.id,
                    "to_address": recipient.email,
                    "language": lang,
                    "subject": composed.subject,
                    "body": composed.body,
                    "ics": composed.ics,
                    "message_id": message_id(settings),
                    "status": "queued",
                    "attempts": 0,
                    "interrupted": 0,
                    "next_try_at": due,
                    "created_at": now,
                }
            )
    if rows:
        session.execute(insert(_OUTBOX), rows)  # Core: no ORM bulk bookkeeping


def _wanted(
    clock: Clock, settings: Settings, ap: MailAppointment, change: str, now: datetime
) -> list[tuple[str, datetime]]:
    """The messages a change calls for, with when each is due."""
    if change == "cancelled":
        return [("cancellation", now)]
    wanted = [("confirmation", now)]
    start = clock.to_local(ap.start_at)
    remind = datetime.combine(
        start.date() - timedelta(days=1), settings.mail.reminder_at, tzinfo=clock.tz
    )
    if remind > now:
        wanted.append(("reminder", remind))
    return wanted


def _recipient(persons: Household) -> MailVisitor | None:
    main = next((v for p, v in persons if p.relation == "main"), None)
    if main is None and persons:
        main = persons[0][1]
    if main is None or main.anonymised_at is not None or main.mail_opt_out:
        return None
    return main if main.email else None


def message_id(settings: Settings) -> str:
    """A Message-ID made once per message: random, no personal data."""
    return f"<{uuid.uuid4().hex}@{settings.mail.sender_domain}>"


def queue_appointment_mail(
    session: Session, clock: Clock, settings: Settings, appointment_id: int, change: str
) -> list[int]:
    """Queue the e-mails an appointment change calls for; the outbox ids written.

    ``change``: "booked" (a confirmation and a reminder), "moved" (a new confirmation and
    reminder; the old reminder is cancelled) or "cancelled" (a cancellation notice; queued
    reminders are cancelled). Runs inside the caller's transaction; never commits.
    """
    if change not in CHANGES:
        raise ValueError(f"unknown appointment change {change!r}")
    session.flush()
    ap = session.get(Appointment, appointment_id)
    if ap is None:
        return []
    now = clock.now()
    # What was queued about the old time no longer holds.
    session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.appointment_id == appointment_id,
            OutboxMessage.status == "queued",
        )
        .values(status="cancelled", last_error="the appointment changed before it was sent")
        .execution_options(synchronize_session=False)
    )
    persons = household(session, appointment_id)
    recipient = _recipient(persons)
    if recipient is None:
        return []
    told = session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.appointment_id == appointment_id)
    )
    sent = session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.appointment_id == appointment_id,
            OutboxMessage.status.in_(("sent", "sending")),
        )
    )
    if told and not sent:
        # They were never told of the old time: nothing to take back, nothing "moved".
        if change == "cancelled":
            return []
        change = "booked"
    lang = mail_language(recipient.language)
    ids: list[int] = []
    wanted = _wanted(clock, settings, ap, change, now)
    messages = compose_all(
        [kind for kind, _due in wanted],
        change,
        lang,
        ap,
        persons,
        recipient,
        settings,
        clock,
        int(told or 0),
    )
    for (kind, due), composed in zip(wanted, messages, strict=True):
        row = OutboxMessage(
            kind=kind,
            appointment_id=ap.id,
            visitor_id=recipient.id,
            to_address=recipient.email,
            language=lang,
            subject=composed.subject,
            body=composed.body,
            ics=composed.ics,
            message_id=message_id(settings),
            status="queued",
            attempts=0,
            interrupted=0,
            next_try_at=due,
            created_at=now,
        )
        session.add(row)
        session.flush()
        ids.append(row.id)
    return ids
