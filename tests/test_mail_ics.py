"""The calendar file of an appointment e-mail, written by hand for speed, is the text the
``icalendar`` package writes for the same event, line for line: in every language, for
each kind of message, with long documents lists, commas, semicolons, backslashes and
non-ASCII text that must be escaped and folded."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from icalendar.parser import Contentline

from frontdesk.clock import FixedClock
from frontdesk.config import Settings
from frontdesk.db.models import Appointment, AppointmentPerson, Visitor
from frontdesk.i18n import languages
from frontdesk.services.mail import compose as mail

CLOCK = FixedClock(datetime(2026, 11, 20, 10, 15, 42, 123456, tzinfo=UTC))


def package_ics(
    kind: str, lang: str, ap: Appointment, values: dict[str, str], documents: str, sequence: int
) -> str:
    """What the e-mails carried before: the event built with the icalendar package."""
    settings = Settings()
    cal = icalendar.Calendar()
    cal.add("prodid", "-//frontdesk//appointment e-mails//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = icalendar.Event()
    event.add("uid", f"appointment-{ap.id}@{settings.mail.sender_domain}")
    event.add("dtstamp", CLOCK.now())
    event.add("dtstart", ap.start_at)
    event.add("dtend", ap.start_at + timedelta(minutes=ap.minutes))
    summary = mail.text(
        mail.AREA, lang, "event_summary", kind=values["kind"], centre=values["centre"]
    )
    event.add("summary", summary[:1].upper() + summary[1:])
    event.add("location", f"{values['centre']}, {values['address']}")
    if documents:
        event.add("description", documents)
    event.add("sequence", sequence)
    event.add("status", "CANCELLED" if kind == "cancellation" else "CONFIRMED")
    cal.add_component(event)
    return str(cal.to_ical().decode("utf-8"))


Household = tuple[Appointment, list[tuple[AppointmentPerson, Visitor]]]


def household(kind: str, people: int) -> Household:
    ap = Appointment(
        id=4711,
        reference="BK-2026-0042",
        kind=kind,
        start_at=datetime(2026, 12, 2, 8, 30, tzinfo=UTC),
        minutes=45,
    )
    relations = ["main", "partner", "child", "child"][:people]
    persons = [
        (
            AppointmentPerson(relation=relation, married=i == 1),
            Visitor(id=100 + i, given_names="Zoë", nationality="IN", employer="LUMC"),
        )
        for i, relation in enumerate(relations)
    ]
    return ap, persons


CENTRES = [
    ("Leiden International Centre", "Stationsweg 41, 2312 AT Leiden"),
    ("Centre; Łódź \\ Zürich, 北京 office", "Straße 1;\nBuilding\\N2, Kraków"),
]


@pytest.mark.parametrize("lang", sorted(languages(mail.AREA)))
@pytest.mark.parametrize("kind", mail.KINDS)
@pytest.mark.parametrize("centre", range(len(CENTRES)))
def test_the_calendar_file_is_the_packages_text(lang: str, kind: str, centre: int) -> None:
    name, address = CENTRES[centre]
    settings = Settings()
    settings = dataclasses.replace(
        settings, mail=dataclasses.replace(settings.mail, centre_name=name, address=address)
    )
    for appointment_kind, people in (("first_registration", 4), ("bsn_collection", 1)):
        ap, persons = household(appointment_kind, people)
        recipient = persons[0][1]
        for sequence in (0, 3):
            composed = mail.compose(
                kind, "booked", lang, ap, persons, recipient, settings, CLOCK, sequence
            )
            start = CLOCK.to_local(ap.start_at)
            values = {
                "centre": name,
                "address": address,
                "kind": mail.text(mail.AREA, lang, f"kind_{ap.kind}"),
                "date": mail.local_date(lang, start.date()),
            }
            documents = mail.documents_text(ap, persons, lang) if kind != "cancellation" else ""
            expected = package_ics(kind, lang, ap, values, documents, sequence)
            assert composed.ics == expected


def _package_fold(line: str) -> str:
    """The package's folding of one content line."""
    return Contentline(line).to_ical().decode()


def test_a_long_line_folds_between_characters_and_never_after_a_backslash() -> None:
    for line in ["DESCRIPTION:" + "é" * 80, "X:" + "a" * 71 + "\\,b" * 10, "Y:" + "中" * 40]:
        folded = mail.ics_fold(line)
        pieces = folded.split("\r\n ")
        assert "".join(pieces) == line
        assert all(len(p.encode()) < 75 for p in pieces)
        assert not any(p.endswith("\\") for p in pieces[:-1])
        assert folded == _package_fold(line)


def test_ascii_and_other_lines_fold_like_the_package_at_every_length() -> None:
    for n in range(60, 160):
        for tail in ("", "\\", "^", "\\,", "é"):
            line = "DESCRIPTION:" + ("ab\\;" * 50)[:n] + tail
            assert mail.ics_fold(line) == _package_fold(line), (n, tail)
