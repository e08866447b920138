"""The lead's period report counts appointments, referrals and packs (hand-counted fixtures)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from frontdesk.db.models import (
    Appointment,
    AppointmentPerson,
    PackIssue,
    PackType,
    Partner,
    Referral,
    StockMovement,
    Visitor,
)
from frontdesk.services import Actor, PermissionDenied, Services
from frontdesk.services.reports import Period
from tests.conftest import letters

WEEK = Period(date(2026, 11, 16), date(2026, 11, 22))  # Monday to Sunday
BEFORE = date(2026, 11, 10)  # in the week before


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _fill(services: Services) -> None:
    now = services.clock.now()
    with services.db.write() as session:
        people = [
            Visitor(
                given_names=f"P{letters(i)}",
                family_name="Test",
                search_key=f"p{i} test",
                family_key="test",
                created_at=now,
                updated_at=now,
            )
            for i in range(4)
        ]
        session.add_all(people)
        session.flush()
        for n, (day, kind, status, outcomes) in enumerate(
            [
                (date(2026, 11, 16), "first_registration", "completed", ["issued", "by_post"]),
                (date(2026, 11, 18), "first_registration", "completed", ["issued"]),
                (date(2026, 11, 18), "first_registration", "no_show", []),
                (date(2026, 11, 20), "bsn_collection", "completed", []),
                (BEFORE, "first_registration", "completed", ["issued"]),
            ]
        ):
            appointment = Appointment(
                reference=f"R{n}",
                kind=kind,
                day=day,
                start_at=_at(day),
                minutes=30,
                employer=None,
                fee_cents=5000,
                status=status,
                created_at=now,
                updated_at=now,
            )
            session.add(appointment)
            session.flush()
            for i, outcome in enumerate(outcomes or [None]):
                session.add(
                    AppointmentPerson(
                        appointment_id=appointment.id,
                        visitor_id=people[i].id,
                        relation="main" if i == 0 else "partner",
                        position=i,
                        married=False,
                        fee_cents=0,
                        documents="",
                        bsn_outcome=outcome,
                        welcome_bag=False,
                    )
                )
        bank, school = (
            Partner(
                name=name,
                name_key=name.lower(),
                category=category,
                active=True,
                created_at=now,
                updated_at=now,
            )
            for name, category in (("Bank", "bank"), ("School", "language school"))
        )
        session.add_all([bank, school])
        session.flush()
        for partner, made, status, outcome, outcome_day in [
            (bank, date(2026, 11, 16), "closed", "got_help", date(2026, 11, 19)),
            (bank, date(2026, 11, 17), "assigned", None, None),
            (school, date(2026, 11, 21), "new", None, None),
            (school, BEFORE, "closed", "no_capacity", date(2026, 11, 17)),
        ]:
            session.add(
                Referral(
                    visitor_id=people[0].id,
                    partner_id=partner.id,
                    reason="x",
                    consent_given=False,
                    status=status,
                    outcome=outcome,
                    outcome_at=_at(outcome_day) if outcome_day else None,
                    created_at=_at(made),
                    updated_at=_at(made),
                )
            )
        bag = PackType(
            code="bag",
            name="Welcome bag",
            name_key="welcome bag",
            low_threshold=1,
            active=True,
            created_at=now,
        )
        session.add(bag)
        session.flush()
        for day in (date(2026, 11, 16), date(2026, 11, 16), date(2026, 11, 20), BEFORE):
            move = StockMovement(pack_type_id=bag.id, quantity=-1, reason="issue", at=_at(day))
            session.add(move)
            session.flush()
            session.add(
                PackIssue(
                    pack_type_id=bag.id, visitor_id=people[1].id, at=_at(day), movement_id=move.id
                )
            )


def _rows(report, key: str) -> dict[str, tuple[int, int]]:  # type: ignore[no-untyped-def]
    return {row[0]: (row[1], row[2]) for row in report.table(key).rows}


def test_period_counts_appointments_referrals_and_packs(services: Services, lead: Actor) -> None:
    _fill(services)
    report = services.reports.period(lead, WEEK)
    assert _rows(report, "appointments") == {
        "First registration": (3, 1),
        "BSN collection": (1, 0),
        "All": (4, 1),
    }
    outcomes = _rows(report, "appointment_outcomes")
    assert outcomes["completed"] == (3, 1) and outcomes["no-show"] == (1, 0)
    assert _rows(report, "bsn") == {
        "BSN issued at the desk": (2, 1),
        "BSN to follow by post": (1, 0),
        "All": (3, 1),
    }
    assert _rows(report, "referrals") == {"bank": (2, 0), "language school": (1, 1), "All": (3, 1)}
    # Outcomes count when they were reached: the school's was reached this week.
    assert _rows(report, "referral_outcomes") == {
        "got help": (1, 0),
        "no capacity": (1, 0),
        "All": (2, 0),
    }
    assert _rows(report, "packs") == {"Welcome bag": (3, 1), "All": (3, 1)}


def test_an_empty_period_has_only_zero_totals(services: Services, lead: Actor) -> None:
    report = services.reports.period(lead, Period(date(2025, 1, 6), date(2025, 1, 12)))
    for key in ("appointments", "bsn", "referrals", "referral_outcomes", "packs"):
        assert _rows(report, key) == {"All": (0, 0)}


def test_desk_staff_cannot_read_the_sections(services: Services, clerk: Actor) -> None:
    with pytest.raises(PermissionDenied):
        services.reports.period(clerk, WEEK)


def test_a_previous_period_that_does_not_touch_counts_only_its_own_days(
    services: Services,
) -> None:
    """Each section reads both periods in one query: what lies between them counts nowhere."""
    _fill(services)
    gap = Period(date(2026, 11, 11), date(2026, 11, 15))  # after BEFORE, before the week
    apart = Period(date(2026, 11, 1), date(2026, 11, 7))  # BEFORE (the 10th) is not in it
    holding = Period(date(2026, 11, 8), date(2026, 11, 10))
    by_key = {}
    with services.db.read() as session:
        for section in services.reports.sections:
            for previous, name in ((apart, "apart"), (holding, "holding"), (gap, "gap")):
                for table in section.period_tables(session, WEEK, previous, services.clock):
                    by_key[(table.key, name)] = {row[0]: (row[1], row[2]) for row in table.rows}
    for name, before in (("apart", 0), ("holding", 1), ("gap", 0)):
        assert by_key[("appointments", name)]["All"] == (4, before)
        assert by_key[("bsn", name)]["All"] == (3, before)
        assert by_key[("referrals", name)]["All"] == (3, before)
        assert by_key[("packs", name)]["All"] == (3, before)
    # The school's outcome was reached in the week: nothing before it in any of them.
    assert by_key[("referral_outcomes", "apart")]["All"] == (2, 0)
