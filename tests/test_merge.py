"""Merging two visitor records and finding likely duplicates (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from frontdesk.db.models import (
    AppointmentPerson,
    AuditEvent,
    ContactMoment,
    PackIssue,
    Referral,
    Ticket,
    Visitor,
    VisitorNameToken,
)
from frontdesk.services import Actor, NotFound, PermissionDenied, Services, ValidationError
from frontdesk.services.appointments import AppointmentInput, PersonInput
from frontdesk.services.partners import PartnerInput
from frontdesk.services.visitors import VisitorInput
from tests.helpers import OTHER_BSN, VALID_BSN

ZOE = VisitorInput(
    given_names="Zoë",
    family_name="Ødegård",
    birth_date="1990-05-17",
    nationality="NO",
    phone="+47 412 34 567",
    category="researcher",
)
# The same woman typed again at another desk: other word order, no accents, new e-mail.
ZOE_AGAIN = VisitorInput(
    given_names="Odegard",
    family_name="Zoe",
    birth_date="1990-05-17",
    email="zoe@example.org",
    employer="Leiden University",
)


def _one_of_each(services: Services, lead: Actor, clerk: Actor, visitor_id: int) -> None:
    """A ticket, a contact, an appointment, a referral and a pack for one visitor."""
    services.queue.issue(clerk, "info", visitor_id=visitor_id)
    services.queue.log_contact(clerk, "phone", "Asked about housing", 5, visitor_id=visitor_id)
    services.appointments.book(
        clerk,
        AppointmentInput(
            day="2026-11-25",
            time="10:00",
            people=(PersonInput("main", ZOE_AGAIN, visitor_id=visitor_id),),
        ),
    )
    bank = services.partners.add(lead, PartnerInput(name="Rijnland Bank", category="bank"))
    services.referrals.create(
        clerk,
        visitor_id=visitor_id,
        partner_id=bank.id,
        reason="Open an account",
        consent_given=True,
        consent_how="verbal",
    )
    kind = services.packs.add_kind(lead, "bag", "Welcome bag", 0)
    services.packs.receive(lead, kind.id, 5)
    services.packs.issue(clerk, kind.id, visitor_id)


def _count(services: Services, model: type, visitor_id: int) -> int:
    with services.db.read() as session:
        column = model.visitor_id  # type: ignore[attr-defined]
        return int(session.scalar(select(func.count()).where(column == visitor_id)) or 0)


MOVED = (Ticket, ContactMoment, AppointmentPerson, Referral, PackIssue)


def test_merge_moves_every_kind_of_row_and_keeps_the_chosen_fields(
    services: Services, lead: Actor, clerk: Actor
) -> None:
    keep = services.visitors.register(clerk, ZOE)
    other = services.visitors.register(clerk, ZOE_AGAIN)
    _one_of_each(services, lead, clerk, other.id)
    assert all(_count(services, m, other.id) == 1 for m in MOVED)

    preview = services.merge.preview(lead, keep.id, other.id)
    differing = {f.field for f in preview.differing}
    assert {"given_names", "family_name", "email", "employer"} <= differing
    assert "birth_date" not in differing and not preview.bsn_conflict

    result = services.merge.merge_visitors(
        lead, keep.id, other.id, {"given_names": "survivor", "phone": "other"}
    )
    # Chosen: the survivor's name; the phone the lead picked (other has none: emptied).
    # Not chosen: the survivor's own value, or the other's where the survivor had none.
    assert result.survivor.given_names == "Zoë" and result.survivor.family_name == "Ødegård"
    assert result.survivor.phone is None
    assert result.survivor.email == "zoe@example.org"
    assert result.survivor.employer == "Leiden University"
    assert result.survivor.nationality == "NO"
    assert result.removed_id == other.id
    for model in MOVED:
        assert _count(services, model, keep.id) == 1, model.__name__
        assert _count(services, model, other.id) == 0, model.__name__
    # and the confirmation e-mail her appointment queued (the outbox)
    assert set(result.moved) == {m.__tablename__ for m in MOVED} | {"outbox"}
    with services.db.read() as session:
        assert session.get(Visitor, other.id) is None
        tokens = set(
            session.scalars(
                select(VisitorNameToken.token).where(VisitorNameToken.visitor_id == keep.id)
            )
        )
        events = session.execute(
            select(AuditEvent.object_id, AuditEvent.reason).where(
                AuditEvent.action == "visitor.merge"
            )
        ).all()
    assert tokens == {"zoe", "odegard"}
    assert events == [(str(keep.id), f"visitor {other.id} merged into {keep.id}")]
    # The search finds her once, the card shows the moved contact.
    assert [v.id for v in services.visitors.search(clerk, "odegard")] == [keep.id]
    assert len(services.visitors.contacts(clerk, keep.id)) == 1


def test_merge_takes_the_other_name_and_birth_date_when_chosen(
    services: Services, lead: Actor, clerk: Actor
) -> None:
    keep = services.visitors.register(clerk, ZOE)
    other = services.visitors.register(
        clerk, VisitorInput(given_names="Zoe", family_name="Odegaard", birth_date="1990-05-18")
    )
    result = services.merge.merge_visitors(
        lead,
        keep.id,
        other.id,
        {"family_name": "other", "birth_date": "other", "given_names": "survivor"},
    )
    assert (result.survivor.given_names, result.survivor.family_name) == ("Zoë", "Odegaard")
    assert result.survivor.birth_date == date(1990, 5, 18)
    assert [v.id for v in services.visitors.search(clerk, "odegaard")] == [keep.id]
    assert services.visitors.search(clerk, "ødegård zoë") == []


def _bsn_person(services: Services, clerk: Actor, visitor_id: int, number: str, time: str) -> None:
    ap = services.appointments.book(
        clerk,
        AppointmentInput(
            day="2026-11-23",
            time=time,
            people=(PersonInput("main", ZOE, visitor_id=visitor_id),),
        ),
    )
    services.appointments.check_in(clerk, ap.id)
    services.appointments.record_bsn(clerk, ap.persons[0].id, "issued", number)


def test_a_bsn_conflict_needs_the_leads_choice(
    services: Services, lead: Actor, clerk: Actor
) -> None:
    keep = services.visitors.register(clerk, ZOE)
    other = services.visitors.register(clerk, ZOE_AGAIN)
    _bsn_person(services, clerk, keep.id, VALID_BSN, "09:30")
    _bsn_person(services, clerk, other.id, OTHER_BSN, "10:00")
    preview = services.merge.preview(lead, keep.id, other.id)
    assert preview.bsn_conflict
    bsn_row = next(f for f in preview.fields if f.field == "bsn")
    assert (bsn_row.survivor, bsn_row.other) == ("******333", "******782")
    with pytest.raises(ValidationError) as refused:
        services.merge.merge_visitors(lead, keep.id, other.id, {})
    assert refused.value.field == "bsn" and "333" not in refused.value.message
    assert _count(services, AppointmentPerson, other.id) == 1  # nothing moved
    with services.db.read() as session:
        assert session.get(Visitor, other.id) is not None

    services.merge.merge_visitors(lead, keep.id, other.id, {"bsn": "other"})
    with services.db.read() as session:
        numbers = sorted(
            (p.bsn or "", p.bsn_outcome or "")
            for p in session.scalars(
                select(AppointmentPerson).where(AppointmentPerson.visitor_id == keep.id)
            )
        )
    # The lead's pick stays; the other number is gone, "issued" is still known.
    assert numbers == [("", "issued"), (OTHER_BSN, "issued")]


def test_only_the_lead_merges_and_bad_requests_change_nothing(
    services: Services, lead: Actor, clerk: Actor, intern: Actor
) -> None:
    keep = services.visitors.register(clerk, ZOE)
    other = services.visitors.register(clerk, ZOE_AGAIN)
    for actor in (clerk, intern):
        with pytest.raises(PermissionDenied):
            services.merge.merge_visitors(actor, keep.id, other.id)
        with pytest.raises(PermissionDenied):
            services.merge.duplicates(actor)
    with pytest.raises(ValidationError):
        services.merge.merge_visitors(lead, keep.id, keep.id)
    with pytest.raises(ValidationError) as bad:
        services.merge.merge_visitors(lead, keep.id, other.id, {"phone": "both"})
    assert bad.value.field == "phone"
    with pytest.raises(ValidationError):
        services.merge.merge_visitors(lead, keep.id, other.id, {"bsn_number": "other"})
    with pytest.raises(NotFound):
        services.merge.merge_visitors(lead, keep.id, 999_999)
    assert services.visitors.get(clerk, other.id).email == "zoe@example.org"
    services.merge.merge_visitors(lead, keep.id, other.id)
    with pytest.raises(NotFound):  # merged already (by another desk)
        services.merge.merge_visitors(lead, keep.id, other.id)


def test_likely_duplicates_by_folded_name_and_birth_date(
    services: Services, lead: Actor, clerk: Actor
) -> None:
    a = services.visitors.register(clerk, ZOE)
    b = services.visitors.register(clerk, ZOE_AGAIN)  # order and accents differ
    c = services.visitors.register(clerk, VisitorInput("ZOË", "ødegård"))  # no date of birth
    d = services.visitors.register(  # another Zoë Ødegård: born another day
        clerk, VisitorInput("Zoë", "Ødegård", birth_date="1971-01-01")
    )
    services.visitors.register(clerk, VisitorInput("Zoë", "Odegardsen", birth_date="1990-05-17"))
    pairs = {(p.first.id, p.second.id): p.same_birth_date for p in services.merge.duplicates(lead)}
    assert pairs == {
        (a.id, b.id): True,
        (a.id, c.id): False,
        (b.id, c.id): False,
        (c.id, d.id): False,
    }
    marks = services.merge.duplicates_of(lead, [a.id, d.id])
    assert marks == {a.id: [b.id, c.id], d.id: [c.id]}
    services.merge.merge_visitors(lead, a.id, b.id)
    left = {(p.first.id, p.second.id) for p in services.merge.duplicates(lead)}
    assert left == {(a.id, c.id), (c.id, d.id)}


def test_two_people_of_one_household_are_not_merged(
    services: Services, lead: Actor, clerk: Actor
) -> None:
    ap = services.appointments.book(
        clerk,
        AppointmentInput(
            day="2026-11-23",
            time="09:30",
            people=(
                PersonInput("main", ZOE),
                PersonInput("child", VisitorInput("Zoe", "Odegard", "2019-05-17")),
            ),
        ),
    )
    mother, child = (p.visitor_id for p in ap.persons)
    with pytest.raises(ValidationError, match="two people of one household"):
        services.merge.merge_visitors(lead, mother, child)
    assert services.visitors.get(clerk, child).birth_date == date(2019, 5, 17)
