"""The kiosk's services: its account, taking a ticket, checking in, its two limits, the
opening hours; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from frontdesk.clock import FixedClock
from frontdesk.db.models import Ticket, TicketEvent
from frontdesk.i18n import languages
from frontdesk.services import Actor, PermissionDenied, Services, ValidationError
from frontdesk.services.kiosk import CHECK_IN_FAILURES, KioskRefusal
from tests.helpers import household

# These tests are about the opening hours themselves: the configured ones, not TEST_HOURS.
pytestmark = pytest.mark.real_hours

MONDAY_1530 = datetime(2026, 11, 23, 15, 30)


@pytest.fixture
def kiosk(services: Services) -> Actor:
    return services.kiosk.account()


def test_the_kiosk_account_is_made_once_and_never_logs_in(
    services: Services, kiosk: Actor, lead: Actor
) -> None:
    assert kiosk.role == "kiosk"
    assert services.kiosk.account() == kiosk  # a second start finds it
    assert "Kiosk" not in [s.name for s in services.staff.active_staff()]
    assert "Kiosk" not in [s.name for s in services.staff.list(lead)]
    with pytest.raises(ValidationError):
        services.staff.login(kiosk.staff_id, "!")
    with pytest.raises(ValidationError, match="staff member has this name"):
        services.kiosk.account("Lea Lead")


def test_a_kiosk_first_leaves_the_first_lead_to_a_person(services: Services) -> None:
    services.kiosk.account()
    assert services.staff.needs_first_lead()
    lead = services.staff.create_first_lead("Anne Lead", "1357", "1357")
    assert lead.role == "lead"


def test_the_kiosk_may_do_its_three_things_only(
    services: Services, kiosk: Actor, clerk: Actor
) -> None:
    with pytest.raises(PermissionDenied):
        services.queue.today(kiosk)
    with pytest.raises(PermissionDenied):
        services.queue.issue(kiosk, "info")
    with pytest.raises(PermissionDenied):
        services.visitors.search(kiosk, "a")
    with pytest.raises(PermissionDenied):
        services.appointments.day(kiosk, services.clock.today())
    with pytest.raises(PermissionDenied):
        services.staff.list(kiosk)
    services.kiosk.state(kiosk)  # allowed


def test_take_a_ticket_in_walk_in_hours(services: Services, kiosk: Actor, clerk: Actor) -> None:
    assert isinstance(services.clock, FixedClock)
    services.clock.set(MONDAY_1530)
    state = services.kiosk.state(kiosk)
    assert state.tickets_open and not state.check_in_open
    assert [o.code for o in state.offers] == ["info", "welcome_pack", "referral"]
    first = services.kiosk.take_ticket(kiosk, "info", language="pl", first_name=" Maria ")
    second = services.kiosk.take_ticket(kiosk, "info", language="uk")
    assert (first.label, second.label) == ("A001", "A002")
    assert first.first_name == "Maria" and first.wait_minutes == 0
    assert second.wait_minutes == 15  # one ahead, 15 minutes each (as the desk says)
    queue = {t.label: t for t in services.queue.today(clerk)}
    assert queue["A001"].visitor_name == "Maria"
    assert queue["A002"].visitor_id is None
    with services.db.read() as session:
        rows = session.execute(select(Ticket.label, Ticket.language))
        langs = {label: lang for label, lang in rows}
    assert langs == {"A001": "pl", "A002": "uk"}


def test_no_appointment_service_and_no_unknown_language(services: Services, kiosk: Actor) -> None:
    assert isinstance(services.clock, FixedClock)
    services.clock.set(MONDAY_1530)
    with pytest.raises(ValidationError):
        services.kiosk.take_ticket(kiosk, "bsn_registration")
    with pytest.raises(ValidationError):
        services.kiosk.take_ticket(kiosk, "info", language="xx")
    with pytest.raises(KioskRefusal) as refused:
        services.kiosk.take_ticket(kiosk, "info", first_name="R2D2")
    assert refused.value.key == "name_invalid"
    with services.db.read() as session:
        assert session.scalars(select(Ticket)).all() == []


def test_closed_hours_issue_nothing_and_say_when_it_opens(services: Services, kiosk: Actor) -> None:
    assert isinstance(services.clock, FixedClock)
    services.clock.set(datetime(2026, 11, 22, 20, 0))  # Sunday evening
    state = services.kiosk.state(kiosk)
    assert state.closed and state.offers == ()
    assert state.opens_at == datetime(2026, 11, 23, 9, 0, tzinfo=services.clock.tz)
    with pytest.raises(KioskRefusal) as refused:
        services.kiosk.take_ticket(kiosk, "info")
    assert refused.value.key == "closed"
    with pytest.raises(KioskRefusal):
        services.kiosk.check_in(kiosk, "BK-1", "1990-04-12")
    with services.db.read() as session:
        assert session.scalars(select(Ticket)).all() == []


def test_the_rate_limit_counts_this_kiosk_per_minute(db_url: str, clock: FixedClock) -> None:
    from tests.conftest import make_services

    services = make_services(db_url, clock, kiosk_tickets_per_minute=2)
    try:
        clock.set(MONDAY_1530)
        kiosk = services.kiosk.account()
        other = services.kiosk.account("Kiosk upstairs")
        services.kiosk.take_ticket(kiosk, "info")
        services.kiosk.take_ticket(kiosk, "info")
        with pytest.raises(KioskRefusal) as refused:
            services.kiosk.take_ticket(kiosk, "info")
        assert refused.value.key == "rate_limit"
        services.kiosk.take_ticket(other, "info")  # another kiosk has its own count
        clock.advance(seconds=61)
        assert services.kiosk.take_ticket(kiosk, "info").label == "A004"
    finally:
        services.close()


def test_a_household_checks_in_into_the_bsn_queue_in_appointment_order(
    services: Services, kiosk: Actor, clerk: Actor
) -> None:
    late = services.appointments.book(clerk, household(time="10:30", reference="BK-2"))
    early = services.appointments.book(clerk, household(time="09:30", reference="BK-1"))
    got = services.kiosk.check_in(kiosk, "bk-2 ", "12-04-1990", language="nl")
    assert got.service_code == "bsn_registration" and got.label == "B001"
    assert got.appointment_at is not None and got.appointment_at.hour == 10
    services.kiosk.check_in(kiosk, "BK-1", "1990-04-12", language="en")
    assert services.appointments.get(clerk, late.id).status == "checked_in"
    assert services.appointments.get(clerk, early.id).status == "checked_in"
    # The desk calls the 09:30 household first, though it checked in second.
    called = services.queue.call_next(clerk, 1)
    assert called is not None and called.label == "B002"
    with pytest.raises(KioskRefusal) as refused:  # already checked in: the desk helps
        services.kiosk.check_in(kiosk, "BK-1", "1990-04-12")
    assert refused.value.key == "ask_desk"


def test_wrong_pairs_say_the_same_and_pause_check_in(
    services: Services, kiosk: Actor, clerk: Actor
) -> None:
    assert isinstance(services.clock, FixedClock)
    services.appointments.book(clerk, household(time="10:30", reference="BK-7"))
    answers = set()
    for i in range(CHECK_IN_FAILURES):
        reference = "BK-7" if i % 2 else "NOPE-1"  # a real reference, a wrong birth date
        with pytest.raises(KioskRefusal) as refused:
            services.kiosk.check_in(kiosk, reference, "01-01-2000")
        answers.add((refused.value.key, tuple(refused.value.values.items())))
    assert answers == {("wrong_pair", ())}
    with pytest.raises(KioskRefusal) as refused:  # the right pair, but paused
        services.kiosk.check_in(kiosk, "BK-7", "1990-04-12")
    assert refused.value.key == "paused"
    assert 0 < services.kiosk.pause_left(kiosk) <= 60
    services.clock.advance(seconds=61)
    assert services.kiosk.pause_left(kiosk) == 0
    assert services.kiosk.check_in(kiosk, "BK-7", "1990-04-12").label == "B001"


def test_an_appointment_on_another_day_is_for_the_desk(
    services: Services, kiosk: Actor, clerk: Actor
) -> None:
    services.appointments.book(
        clerk, household(day=services.clock.today() + timedelta(days=2), reference="BK-9")
    )
    with pytest.raises(KioskRefusal) as refused:
        services.kiosk.check_in(kiosk, "BK-9", "1990-04-12")
    assert refused.value.key == "ask_desk"


def test_the_demo_has_kiosk_tickets_in_its_history(services: Services) -> None:
    from frontdesk.demo import fill_demo

    summary = fill_demo(services, days=3)
    assert "tickets taken at the kiosk" in summary
    kiosk = services.kiosk.account()
    with services.db.read() as session:
        rows = session.execute(
            select(Ticket.language, TicketEvent.staff_id)
            .join(TicketEvent, TicketEvent.ticket_id == Ticket.id)
            .where(Ticket.language.is_not(None), TicketEvent.action == "issued")
        ).all()
    assert rows and {staff for _lang, staff in rows} == {kiosk.staff_id}
    assert {lang for lang, _staff in rows} <= set(languages("kiosk"))


def test_service_names_in_the_visitor_s_language_unless_the_centre_renamed_them() -> None:
    from frontdesk.services.kiosk import visitor_service_name

    assert visitor_service_name("nl", "info", "Information & advice") == "Informatie & advies"
    assert visitor_service_name(None, "info", "Information & advice") == "Information & advice"
    assert visitor_service_name("nl", "info", "Spreekuur") == "Spreekuur"  # the centre's own
    assert visitor_service_name("pl", "housing", "Housing desk") == "Housing desk"
