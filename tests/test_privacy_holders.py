"""Privacy covers the appointment book, the referrals and the packs (SQLite and PostgreSQL).

Retention purges, access requests and erasure requests must reach every table that holds
personal data about a visitor, not only the queue: the BSN, the household's notes, the
"bring next time" list, referral reasons and notes, pack override reasons.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from frontdesk.db.models import (
    Appointment,
    AppointmentEvent,
    AppointmentPerson,
    PackIssue,
    Referral,
    ReferralEvent,
    Visitor,
)
from frontdesk.services import Actor, Conflict, Services
from frontdesk.services.appointments import AppointmentInput, PersonInput
from frontdesk.services.partners import PartnerInput
from frontdesk.services.privacy import ANONYMOUS, ERASED_TEXT
from frontdesk.services.visitors import VisitorInput

VALID_BSN = "111222333"  # passes the eleven-test; fictitious
MONDAY = date(2026, 11, 23)
BACK = 406  # days: 13 October 2025, a Monday, well past the 365-day retention
OLD_DAY = MONDAY - timedelta(days=BACK)
# Words that only appear in the personal data typed for Olga's household.
SECRETS = (
    "Olga",
    "Oldvisit",
    "Arjun",
    VALID_BSN,
    "only Ukrainian",
    "moving to Delft",
    "debts",
    "payment plan",
    "called the bank",
    "bag was torn",
)


def _household(
    given: str, family: str, *, partner: str | None = None, time: str = "09:30", **kw: Any
) -> AppointmentInput:
    people = [PersonInput("main", VisitorInput(given, family, "1980-02-03", "UA"), married=False)]
    if partner:
        people.append(
            PersonInput("partner", VisitorInput(partner, family, "1981-03-04", "UA"), married=True)
        )
        people[0] = PersonInput("main", people[0].data, married=True)
    return AppointmentInput(
        kind="first_registration", day=kw.pop("day", None), time=time, people=tuple(people), **kw
    )


def _finish_ticket(services: Services, clerk: Actor, ticket_id: int | None) -> None:
    """The desk calls the household's queue ticket and finishes it (they are at the desk)."""
    assert ticket_id is not None
    services.queue.call_ticket(clerk, ticket_id, 1)
    services.queue.finish(clerk, ticket_id)


def _old_household(services: Services, lead: Actor, clerk: Actor) -> dict[str, int]:
    """Olga and Arjun: a rejected and a cancelled appointment, a referral, two packs; long ago."""
    clock = services.clock
    clock.advance(days=-BACK)  # type: ignore[attr-defined]
    ap = services.appointments.book(
        clerk,
        _household("Olga", "Oldvisit", partner="Arjun", day=OLD_DAY, notes="Speaks only Ukrainian"),
    )
    olga, arjun = (p.visitor_id for p in ap.persons)
    services.appointments.check_in(clerk, ap.id)
    _finish_ticket(services, clerk, services.appointments.get(clerk, ap.id).ticket_id)
    services.appointments.start(clerk, ap.id)
    services.appointments.record_bsn(clerk, ap.persons[0].id, "issued", VALID_BSN)
    services.appointments.reject_missing_documents(clerk, ap.id)  # "bring next time" list
    later = services.appointments.book(
        clerk, _household("Olga", "Oldvisit", day=OLD_DAY + timedelta(days=7), time="10:00")
    )
    services.appointments.cancel(clerk, later.id, "She is moving to Delft")

    bank = services.partners.add(lead, PartnerInput(name="Rijnland Bank", category="bank"))
    ref = services.referrals.create(
        clerk,
        visitor_id=olga,
        partner_id=bank.id,
        reason="Help with debts",
        consent_given=True,
        consent_how="verbal",
    )
    services.referrals.assign(clerk, ref.id)
    services.referrals.record_contact(clerk, ref.id, "Olga called the bank herself")
    services.referrals.close(clerk, ref.id, "other", "Got a payment plan")

    kind = services.packs.add_kind(lead, "bag", "Welcome bag", 0)
    services.packs.receive(lead, kind.id, 10)
    services.packs.issue(clerk, kind.id, olga)
    services.packs.issue(clerk, kind.id, olga, override_reason="Her first bag was torn")
    clock.advance(days=BACK)  # type: ignore[attr-defined]
    return {
        "olga": olga,
        "arjun": arjun,
        "appointment": ap.id,
        "cancelled": later.id,
        "partner": bank.id,
        "kind": kind.id,
    }


def _texts(services: Services) -> str:
    """Every stored text of the three capabilities' tables, and the visitors, as one string."""
    parts: list[str] = []
    with services.db.read() as session:
        for model in (
            Appointment,
            AppointmentPerson,
            AppointmentEvent,
            Referral,
            ReferralEvent,
            PackIssue,
            Visitor,
        ):
            for row in session.scalars(select(model)):
                parts += [str(v) for k, v in vars(row).items() if not k.startswith("_")]
    return "\n".join(parts)


def _figures(services: Services, lead: Actor, ids: dict[str, int]) -> dict[str, Any]:
    report = services.referrals.partner_report(lead, OLD_DAY, OLD_DAY)
    packs = services.packs.per_period(lead, "day", since=OLD_DAY)
    with services.db.read() as session:
        appointments = [
            (a.kind, a.day, a.status, a.fee_cents, a.employer)
            for a in session.scalars(select(Appointment).order_by(Appointment.id))
        ]
        persons = [
            (p.relation, p.fee_cents, p.bsn_outcome, p.documents)
            for p in session.scalars(select(AppointmentPerson).order_by(AppointmentPerson.id))
        ]
        referrals = [
            (r.partner_id, r.visitor_id, r.status, r.outcome, r.consent_how)
            for r in session.scalars(select(Referral))
        ]
        issues = [(i.pack_type_id, i.visitor_id, i.at) for i in session.scalars(select(PackIssue))]
    return {
        "partners": [(r.partner, r.made, r.outcomes) for r in report.rows],
        "packs": [repr(row) for row in packs],
        "stock": services.packs.get(lead, ids["kind"]).stock,
        "appointments": appointments,
        "persons": persons,
        "referrals": referrals,
        "issues": issues,
    }


def test_purge_clears_every_text_and_bsn_and_keeps_the_figures(
    services: Services, lead: Actor, clerk: Actor
) -> None:
    ids = _old_household(services, lead, clerk)
    text = _texts(services)
    assert all(secret in text for secret in SECRETS), "the scenario did not store them"
    before = _figures(services, lead, ids)

    report = services.privacy.purge(lead)
    assert report.visitors == 2  # Olga and Arjun, the household member
    assert report.rows["appointments"] >= 3  # the BSN, two appointments' texts, the reason
    assert report.rows["referrals"] >= 3 and report.rows["packs"] == 1

    text = _texts(services)
    leaked = [secret for secret in SECRETS if secret in text]
    assert leaked == [], f"personal data left behind: {leaked}"
    assert _figures(services, lead, ids) == before
    with services.db.read() as session:
        assert set(session.scalars(select(AppointmentPerson.bsn))) == {None}
        rejected = session.get(Appointment, ids["appointment"])
        assert rejected is not None
        assert (rejected.notes, rejected.bring_next_time) == (None, None)
        cancelled = session.scalars(
            select(AppointmentEvent.detail).where(AppointmentEvent.action == "cancelled")
        ).one()
        assert cancelled == ERASED_TEXT
        ref = session.scalars(select(Referral)).one()
        assert (ref.reason, ref.outcome_text, ref.consent_how) == (
            ERASED_TEXT,
            ERASED_TEXT,
            "verbal",
        )
        notes = session.scalars(
            select(ReferralEvent.note).order_by(ReferralEvent.at, ReferralEvent.id)
        ).all()
        assert notes[0] == "consent to share contact details: given (verbal)"
        assert all(n in (None, ERASED_TEXT) for n in notes[1:])
        reasons = session.scalars(select(PackIssue.override_reason).order_by(PackIssue.id)).all()
        assert reasons == [None, ERASED_TEXT]
        olga = session.get(Visitor, ids["olga"])
        assert olga is not None and olga.given_names == ANONYMOUS
    # a second run finds nothing more to do
    assert services.privacy.purge(lead).visitors == 0


def _old_visitor(services: Services, lead: Actor, name: str) -> int:
    return services.visitors.register(lead, VisitorInput(name, "Keepme", "1980-02-03", "DE")).id


def test_recent_or_open_activity_keeps_the_visitor(
    services: Services, lead: Actor, clerk: Actor
) -> None:
    clock = services.clock
    clock.advance(days=-BACK)  # type: ignore[attr-defined]
    bank = services.partners.add(lead, PartnerInput(name="Rijnland Bank", category="bank"))
    kind = services.packs.add_kind(lead, "bag", "Welcome bag", 0)
    services.packs.receive(lead, kind.id, 10)
    gone = _old_visitor(services, lead, "Gone")
    open_ref = _old_visitor(services, lead, "Openref")
    services.referrals.create(
        clerk, visitor_id=open_ref, partner_id=bank.id, reason="Bank account", consent_given=False
    )
    closed_late = _old_visitor(services, lead, "Closedlate")
    late = services.referrals.create(
        clerk, visitor_id=closed_late, partner_id=bank.id, reason="Loan", consent_given=False
    )
    services.referrals.assign(clerk, late.id)
    never_came = services.appointments.book(
        clerk, _household("Never", "Keepme", day=OLD_DAY, time="11:00")
    )  # still "booked": not finished
    packed = _old_visitor(services, lead, "Packed")
    future = _old_visitor(services, lead, "Future")
    old_pack = _old_visitor(services, lead, "Oldpack")
    services.packs.issue(clerk, kind.id, old_pack)
    clock.advance(days=BACK)  # type: ignore[attr-defined]

    services.referrals.close(clerk, late.id, "got_help")  # changed within the period
    services.packs.issue(clerk, kind.id, packed)
    services.appointments.book(
        clerk,
        AppointmentInput(
            day=MONDAY + timedelta(days=7),
            time="10:00",
            people=(
                PersonInput(
                    "main", VisitorInput("Future", "Keepme", "1980-02-03", "DE"), visitor_id=future
                ),
            ),
        ),
    )
    # The future booking touched nobody's record; the visitor is as old as the others.
    with services.db.read() as session:
        row = session.get(Visitor, future)
        assert row is not None and row.updated_at < clock.now() - timedelta(days=400)

    services.privacy.purge(lead)
    with services.db.read() as session:
        anonymised = {
            v.id for v in session.scalars(select(Visitor).where(Visitor.anonymised_at.is_not(None)))
        }
    assert anonymised == {gone, old_pack}
    kept = {open_ref, closed_late, never_came.persons[0].visitor_id, packed, future}
    assert not kept & anonymised


def test_erasure_is_refused_while_an_appointment_is_in_progress(
    services: Services, lead: Actor, clerk: Actor
) -> None:
    ap = services.appointments.book(clerk, _household("Olga", "Oldvisit", day=MONDAY))
    olga = ap.persons[0].visitor_id
    services.appointments.check_in(clerk, ap.id)
    _finish_ticket(services, clerk, services.appointments.get(clerk, ap.id).ticket_id)
    for step in ("checked in", "in progress"):
        if step == "in progress":
            services.appointments.start(clerk, ap.id)
        with pytest.raises(Conflict) as err:
            services.privacy.erase(lead, olga, "Asked at the desk")
        message = str(err.value)
        assert "an appointment is in progress" in message and step in message
        assert "Olga" not in message and "Oldvisit" not in message
        assert services.privacy.erasure_blocked(lead, olga) is not None
    services.appointments.record_bsn(clerk, ap.persons[0].id, "issued", VALID_BSN)
    assert services.visitors.get(lead, olga).given_names == "Olga", "a refusal changed data"
    with services.db.read() as session:
        assert session.scalars(select(AppointmentPerson.bsn)).one() == VALID_BSN

    info = services.appointments.get(clerk, ap.id)
    for person in info.persons:
        for doc in person.documents:
            services.appointments.tick_document(clerk, person.id, doc.code)
    services.appointments.complete(clerk, ap.id)
    assert services.privacy.erasure_blocked(lead, olga) is None
    services.privacy.erase(lead, olga, "Asked at the desk")
    with services.db.read() as session:
        person = session.scalars(select(AppointmentPerson)).one()
        appointment = session.get(Appointment, ap.id)
        assert person.bsn is None and person.bsn_outcome == "issued"
        assert appointment is not None and appointment.status == "completed"
        assert appointment.fee_cents == ap.fee_cents


def test_access_request_has_appointments_referrals_packs_and_no_full_bsn(
    services: Services, lead: Actor, clerk: Actor, tmp_path: Path
) -> None:
    ids = _old_household(services, lead, clerk)
    files = services.privacy.export(lead, ids["olga"], tmp_path)
    raw = files.json_path.read_text(encoding="utf-8")
    markdown = files.markdown_path.read_text(encoding="utf-8")
    for text in (raw, markdown):
        assert VALID_BSN not in text
        assert "******333" in text
    data = json.loads(raw)

    appointments = data["appointments"]
    assert [a["status"] for a in appointments] == ["rejected: documents missing", "cancelled"]
    first = appointments[0]
    assert first["notes"] == "Speaks only Ukrainian" and "Olga" in first["bring_next_time"]
    me, other = first["persons"]
    assert me["name"] == "Olga Oldvisit" and me["bsn"] == "******333"
    assert me["bsn_outcome"] == "issued at the desk" and me["documents_missing"]
    assert other == {"person": "Partner", "name": "Arjun Oldvisit"}  # no details of others
    assert [e["action"] for e in first["history"]][:3] == ["Booked", "Checked in", "In progress"]
    assert appointments[1]["history"][-1]["detail"] == "She is moving to Delft"

    (referral,) = data["referrals"]
    assert referral["partner"] == "Rijnland Bank" and referral["reason"] == "Help with debts"
    assert referral["consent_how"] == "verbal" and referral["outcome_text"] == "Got a payment plan"
    assert [h["to"] for h in referral["history"]] == ["new", "assigned", "contacted", "closed"]

    assert [p["pack"] for p in data["packs"]] == ["Welcome bag", "Welcome bag"]
    assert data["packs"][1]["override_reason"] == "Her first bag was torn"
    assert data["packs"][0]["staff"] == "Dirk Desk"

    for heading in ("## Appointments", "## Referrals", "## Packs"):
        assert heading in markdown
    assert "### Persons of #" in markdown and "### History of #" in markdown
    assert "Rijnland Bank" in markdown and "Her first bag was torn" in markdown
    # Arjun's export lists Olga (main person) first with fewer columns; his own columns
    # (the masked BSN column among them) are not dropped from the table.
    arjun_md = services.privacy.export(lead, ids["arjun"], tmp_path).markdown_path
    persons = arjun_md.read_text(encoding="utf-8").split("### Persons of")[1]
    assert "| person | name | married |" in persons and "documents missing" in persons
    # The Arjun side of the household: his own export shows him, with Olga as main person.
    arjun = services.privacy.collect(lead, ids["arjun"])
    assert arjun["appointments"][0]["as"] == "Partner"
    assert arjun["referrals"] == [] and arjun["packs"] == []
    assert VALID_BSN not in json.dumps(arjun, default=str)
