"""Referrals: lifecycle, consent, follow-up dates, permissions, worklists and the report."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import openpyxl
import pytest

from frontdesk.clock import FixedClock
from frontdesk.services import (
    Actor,
    Conflict,
    PermissionDenied,
    Services,
    ValidationError,
)
from frontdesk.services.partners import PartnerInput
from frontdesk.services.referrals import ReferralRow, follow_up_date
from frontdesk.services.visitors import VisitorInput
from tests.conftest import make_services

PHONE, EMAIL = "+31612345678", "zoe.test@example.org"


@pytest.fixture
def setup(services: Services, lead: Actor, clerk: Actor) -> tuple[int, int, int]:
    """A visitor with phone and e-mail, and two partners."""
    visitor = services.visitors.register(
        clerk, VisitorInput(given_names="Zoë", family_name="Ødegård", phone=PHONE, email=EMAIL)
    )
    bank = services.partners.add(lead, PartnerInput(name="Rijnland Bank", category="bank"))
    school = services.partners.add(lead, PartnerInput(name="Leiden Lingua", category="other"))
    return visitor.id, bank.id, school.id


def refer(services: Services, actor: Actor, visitor: int, partner: int, consent: bool = True):  # type: ignore[no-untyped-def]
    return services.referrals.create(
        actor,
        visitor_id=visitor,
        partner_id=partner,
        reason="opening a bank account",
        consent_given=consent,
        consent_how="verbal" if consent else None,
    )


def test_lifecycle_to_closed_with_history(
    services: Services, clerk: Actor, intern: Actor, setup: tuple[int, int, int]
) -> None:
    visitor, bank, _ = setup
    r = refer(services, clerk, visitor, bank)
    assert (r.status, r.assignee, r.consent_by, r.consent_how) == (
        "new",
        None,
        "Dirk Desk",
        "verbal",
    )
    refs = services.referrals
    assert refs.assign(intern, r.id).status == "assigned"
    assert refs.record_contact(intern, r.id, "called the bank").status == "contacted"
    assert refs.record_contact(intern, r.id, "sent the papers").status == "contacted"
    assert refs.accept(intern, r.id, "appointment on Monday").status == "accepted"
    later = refs.record_contact(intern, r.id, "intake moved to Tuesday")
    assert later.status == "accepted"  # a contact after the answer keeps the answer
    closed = refs.close(intern, r.id, "got_help")
    assert (closed.status, closed.outcome, closed.follow_up_on) == ("closed", "got_help", None)
    history = refs.get(intern, r.id).history
    assert [(h.from_status, h.to_status) for h in history] == [
        (None, "new"),
        ("new", "assigned"),
        ("assigned", "contacted"),
        ("contacted", "contacted"),
        ("contacted", "accepted"),
        ("accepted", "accepted"),
        ("accepted", "closed"),
    ]
    assert [h.staff for h in history] == ["Dirk Desk"] + ["Iris Intern"] * 6
    assert history[2].note == "called the bank"
    assert history[-1].note == "outcome: got help"


def test_illegal_transitions_are_refused_and_change_nothing(
    services: Services, clerk: Actor, intern: Actor, setup: tuple[int, int, int]
) -> None:
    visitor, bank, _ = setup
    refs = services.referrals
    r = refer(services, clerk, visitor, bank)
    with pytest.raises(ValidationError, match="new cannot be accepted: pick it up first"):
        refs.accept(intern, r.id)
    with pytest.raises(ValidationError, match="pick it up first"):
        refs.record_contact(intern, r.id, "called")
    with pytest.raises(ValidationError, match="pick it up first"):
        refs.close(intern, r.id, "got_help")
    refs.assign(intern, r.id)
    with pytest.raises(ValidationError, match="record the contact"):
        refs.decline(intern, r.id)
    with pytest.raises(ValidationError) as err:
        refs.record_contact(intern, r.id, "   ")
    assert err.value.field == "note"
    with pytest.raises(ValidationError) as err:
        refs.close(intern, r.id, "other", "")
    assert err.value.field == "outcome_text"
    with pytest.raises(ValidationError) as err:
        refs.close(intern, r.id, "sunshine")
    assert err.value.field == "outcome"
    assert len(refs.get(intern, r.id).history) == 2  # new, assigned: nothing else written
    refs.close(intern, r.id, "could_not_contact")
    for step in (
        lambda: refs.record_contact(intern, r.id, "x"),
        lambda: refs.accept(intern, r.id),
        lambda: refs.close(intern, r.id, "got_help"),
        lambda: refs.set_follow_up(intern, r.id, "2026-12-01"),
        lambda: refs.assign(intern, r.id),
    ):
        with pytest.raises(ValidationError, match="closed"):
            step()
    assert refs.get(intern, r.id).referral.outcome == "could_not_contact"


def test_create_validates_consent_partner_and_reason(
    services: Services, lead: Actor, clerk: Actor, setup: tuple[int, int, int]
) -> None:
    visitor, bank, _ = setup
    refs = services.referrals
    base = dict(visitor_id=visitor, partner_id=bank, reason="account", consent_given=True)
    with pytest.raises(ValidationError) as err:
        refs.create(clerk, **base)  # type: ignore[arg-type]
    assert err.value.field == "consent_how"
    with pytest.raises(ValidationError) as err:
        refs.create(clerk, **{**base, "reason": " ", "consent_how": "written"})  # type: ignore[arg-type]
    assert err.value.field == "reason"
    with pytest.raises(ValidationError) as err:
        refs.create(clerk, **{**base, "partner_id": None, "consent_how": "written"})  # type: ignore[arg-type]
    assert err.value.field == "partner"
    services.partners.set_active(lead, bank, False)
    with pytest.raises(ValidationError, match="no longer active"):
        refs.create(clerk, **{**base, "consent_how": "written"})  # type: ignore[arg-type]
    assert refs.worklist(lead, "open") == []


def test_without_consent_nobody_sees_contact_details(
    services: Services, lead: Actor, clerk: Actor, intern: Actor, setup: tuple[int, int, int]
) -> None:
    visitor, bank, school = setup
    with_consent = refer(services, clerk, visitor, bank, consent=True)
    without = refer(services, clerk, visitor, school, consent=False)
    assert (without.consent_how, without.consent_at, without.consent_by) == (None, None, None)
    for who in (lead, clerk, intern):
        rows = {r.id: r for r in services.referrals.worklist(who, "open")}
        assert (rows[with_consent.id].visitor_phone, rows[with_consent.id].visitor_email) == (
            PHONE,
            EMAIL,
        )
        assert (rows[without.id].visitor_phone, rows[without.id].visitor_email) == (None, None)
        detail = services.referrals.get(who, without.id)
        assert PHONE not in repr(detail) and EMAIL not in repr(detail)
    # A row carries nothing else about the visitor: name and consented contacts only.
    visitor_fields = {f for f in ReferralRow.__dataclass_fields__ if f.startswith("visitor")}
    assert visitor_fields == {"visitor_id", "visitor_name", "visitor_phone", "visitor_email"}
    # The export holds counts per partner, no visitor data at all.
    data = services.referrals.export_report(lead, date(2026, 11, 1), date(2026, 11, 30), "csv")
    for secret in (PHONE, EMAIL, "Ødegård", "Zoë"):
        assert secret.encode() not in data


def test_permissions_per_role(
    services: Services, lead: Actor, clerk: Actor, intern: Actor, setup: tuple[int, int, int]
) -> None:
    visitor, bank, _ = setup
    with pytest.raises(PermissionDenied):
        refer(services, intern, visitor, bank)
    r = refer(services, clerk, visitor, bank)
    refs = services.referrals
    with pytest.raises(PermissionDenied):
        refs.assign(intern, r.id, clerk.staff_id)  # only the lead hands work to others
    refs.assign(intern, r.id)
    with pytest.raises(Conflict, match="Someone else"):
        refs.assign(clerk, r.id)
    assert refs.assign(lead, r.id, clerk.staff_id).assignee == "Dirk Desk"
    assert refs.get(lead, r.id).referral.status == "assigned"
    for who in (clerk, intern):
        with pytest.raises(PermissionDenied):
            refs.partner_report(who, date(2026, 11, 1), date(2026, 11, 30))
        with pytest.raises(PermissionDenied):
            refs.export_report(who, date(2026, 11, 1), date(2026, 11, 30), "xlsx")


def test_worklists(
    services: Services, clerk: Actor, intern: Actor, setup: tuple[int, int, int]
) -> None:
    visitor, bank, school = setup
    clock: FixedClock = services.clock  # type: ignore[assignment]
    clock.set(datetime(2026, 11, 9, 10, 0))  # Monday
    old = refer(services, clerk, visitor, bank)  # follow-up Monday 16 Nov
    clock.set(datetime(2026, 11, 16, 9, 0))
    due = refer(services, clerk, visitor, school)  # follow-up Monday 23 Nov
    services.referrals.assign(intern, due.id)  # follow-up again 23 Nov
    clock.set(datetime(2026, 11, 23, 10, 0))
    fresh = refer(services, clerk, visitor, school)
    refs = services.referrals

    def ids(view: str, who: Actor = intern) -> list[int]:
        return [r.id for r in refs.worklist(who, view)]

    assert ids("overdue") == [old.id]
    assert ids("due_today") == [due.id]
    assert ids("mine") == [due.id]
    assert ids("mine", clerk) == []
    assert ids("unassigned") == [old.id, fresh.id]
    assert ids("open") == [old.id, due.id, fresh.id]
    assert refs.counts(intern) == {
        "mine": 1, "unassigned": 2, "due_today": 1, "overdue": 1, "open": 3,
    }  # fmt: skip
    row = refs.worklist(intern, "overdue")[0]
    assert row.overdue and not row.due_today
    refs.assign(intern, old.id)  # a change moves the follow-up on: no longer overdue
    assert ids("overdue") == []
    assert refs.get(intern, old.id).referral.follow_up_on == date(2026, 11, 30)


def test_follow_up_dates_skip_weekends() -> None:
    assert follow_up_date(date(2026, 10, 23), 7) == date(2026, 10, 30)  # Fri -> Fri
    assert follow_up_date(date(2026, 10, 23), 1) == date(2026, 10, 26)  # Sat -> Mon
    assert follow_up_date(date(2026, 10, 23), 2) == date(2026, 10, 26)  # Sun -> Mon
    assert follow_up_date(date(2026, 10, 24), 7) == date(2026, 11, 2)  # Sat -> Mon
    assert follow_up_date(date(2026, 12, 26), 7) == date(2027, 1, 4)  # over the year's end


@pytest.mark.parametrize(
    ("local_moment", "days", "expected"),
    [
        # Last change Friday 23 Oct 2026; clocks go back on Sunday 25 Oct.
        (datetime(2026, 10, 23, 16, 0), 7, date(2026, 10, 30)),
        (datetime(2026, 10, 23, 16, 0), 2, date(2026, 10, 26)),  # lands on the DST Sunday
        # Just after midnight on Saturday is still Friday in UTC: the local date counts.
        (datetime(2026, 10, 24, 0, 30), 7, date(2026, 11, 2)),
        # Late on the DST Sunday itself (25 hours long).
        (datetime(2026, 10, 25, 23, 30), 1, date(2026, 10, 26)),
        # Spring forward: Sunday 29 March 2026, 00:30 is Saturday 23:30 UTC.
        (datetime(2026, 3, 29, 0, 30), 1, date(2026, 3, 30)),
        (datetime(2026, 3, 27, 23, 30), 7, date(2026, 4, 3)),
    ],
)
def test_follow_up_dates_across_dst(
    db_url: str,
    local_moment: datetime,
    days: int,
    expected: date,
) -> None:
    clock = FixedClock(local_moment)
    services = make_services(db_url, clock, referral_follow_up_days=days)
    try:
        from tests.conftest import add_staff

        lead = add_staff(services, "Lea Lead", "lead")
        v = services.visitors.register(lead, VisitorInput(given_names="A", family_name="B"))
        p = services.partners.add(lead, PartnerInput(name="P", category="bank"))
        r = refer(services, lead, v.id, p.id)
        assert r.follow_up_on == expected
    finally:
        services.close()


def test_set_follow_up(
    services: Services, clerk: Actor, intern: Actor, setup: tuple[int, int, int]
) -> None:
    visitor, bank, _ = setup
    r = refer(services, clerk, visitor, bank)
    refs = services.referrals
    assert refs.set_follow_up(intern, r.id, "27-11-2026").follow_up_on == date(2026, 11, 27)
    for bad, words in (("2026-11-20", "past"), ("soon", "not a date"), ("", "type")):
        with pytest.raises(ValidationError, match=words) as err:
            refs.set_follow_up(intern, r.id, bad)
        assert err.value.field == "follow_up_on"
    assert refs.get(intern, r.id).referral.status == "new"  # a date does not move the status


def test_partner_report_figures_csv_and_xlsx(
    services: Services, lead: Actor, clerk: Actor, intern: Actor, setup: tuple[int, int, int]
) -> None:
    visitor, bank, school = setup
    clock: FixedClock = services.clock  # type: ignore[assignment]
    refs = services.referrals

    def at(day: int, hour: int = 10) -> None:
        clock.set(datetime(2026, 11, day, hour, 0))

    at(2)  # Monday 2 Nov
    b1 = refer(services, clerk, visitor, bank)
    b2 = refer(services, clerk, visitor, bank)
    b3 = refer(services, clerk, visitor, bank, consent=False)
    s1 = refer(services, clerk, visitor, school)
    for r in (b1, b2, b3, s1):
        refs.assign(intern, r.id)
    at(3)
    refs.record_contact(intern, b1.id, "ok")
    refs.accept(intern, b1.id)
    at(6)
    refs.close(intern, b1.id, "got_help")  # 4 days
    refs.record_contact(intern, b2.id, "ok")
    refs.decline(intern, b2.id)
    at(12, 23)  # late evening, local date still the 12th
    refs.close(intern, b2.id, "no_capacity")  # 10 days
    refs.close(intern, s1.id, "other", "moved to Utrecht")  # 10 days
    at(20)
    outside = refer(services, clerk, visitor, bank)  # after the period
    refs.assign(intern, outside.id)
    refs.close(intern, outside.id, "not_eligible")

    report = refs.partner_report(lead, date(2026, 11, 1), date(2026, 11, 15))
    by_name = {r.partner: r for r in report.rows}
    bank_row = by_name["Rijnland Bank"]
    assert (bank_row.made, bank_row.accepted, bank_row.declined) == (3, 1, 1)
    assert bank_row.outcomes["got_help"] == 1 and bank_row.outcomes["no_capacity"] == 1
    assert bank_row.outcomes["not_eligible"] == 0
    assert bank_row.median_days_to_outcome == 7.0  # median of 4 and 10
    school_row = by_name["Leiden Lingua"]
    assert (school_row.made, school_row.outcomes["other"], school_row.median_days_to_outcome) == (
        1,
        1,
        10.0,
    )
    assert (report.total.made, report.total.accepted, report.total.declined) == (4, 1, 1)
    assert report.total.median_days_to_outcome == 10.0  # 4, 10, 10

    parsed = list(
        csv.reader(
            io.StringIO(
                refs.export_report(lead, report.start, report.end, "csv").decode("utf-8-sig")
            )
        )
    )
    assert parsed[0][:5] == ["partner", "category", "referrals made", "accepted", "declined"]
    assert parsed[1][:5] == ["Leiden Lingua", "other", "1", "0", "0"]
    assert parsed[2][:5] == ["Rijnland Bank", "bank", "3", "1", "1"]
    assert parsed[2][-1] == "7.0"
    assert parsed[3][0] == "All partners" and parsed[3][2] == "4"

    data = refs.export_report(lead, report.start, report.end, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "Referrals 2026-11-01 to 2026-11-15"
    assert values[1][2] == "referrals made"
    assert values[3][:5] == ["Rijnland Bank", "bank", 3, 1, 1]
    assert values[3][-1] == 7.0
    assert values[4][0] == "All partners"
    exports = services.audit.recent(lead, action="referral.export")
    assert len(exports) == 2


def test_report_empty_period_and_bad_period(services: Services, lead: Actor) -> None:
    report = services.referrals.partner_report(lead, date(2026, 1, 1), date(2026, 1, 31))
    assert report.rows == () and report.total.made == 0
    assert report.total.median_days_to_outcome is None
    with pytest.raises(ValidationError):
        services.referrals.partner_report(lead, date(2026, 2, 1), date(2026, 1, 1))
