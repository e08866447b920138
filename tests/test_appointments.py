"""BSN appointments: lifecycle, fees, documents, BSN outcome and masking, permissions."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from frontdesk.clock import FixedClock
from frontdesk.db.models import AppointmentPerson, TicketEvent
from frontdesk.services import Actor, Conflict, PermissionDenied, Services, ValidationError
from frontdesk.services.appointments import (
    AppointmentInput,
    PersonInput,
    check_bsn,
    invoice_rows,
    required_documents,
)
from frontdesk.services.visitors import VisitorInput
from tests.conftest import make_services
from tests.helpers import MONDAY, OTHER_BSN, VALID_BSN, household, ready_to_complete, tick_all


def test_lifecycle_and_illegal_transitions(services: Services, clerk: Actor) -> None:
    ap = services.appointments.book(clerk, household())
    assert ap.status == "booked"
    with pytest.raises(Conflict, match="booked; it cannot be completed"):
        services.appointments.complete(clerk, ap.id)
    with pytest.raises(Conflict):
        services.appointments.start(clerk, ap.id)
    ap = services.appointments.check_in(clerk, ap.id)
    assert ap.status == "checked_in"
    assert ap.ticket_label == "B001"
    assert ap.late_minutes == 30  # clock is 10:00, appointment 09:30
    ticket = services.queue.ticket(clerk, ap.ticket_id or 0)
    assert ticket.source == "appointment" and ticket.appointment_at == ap.start_at
    with pytest.raises(Conflict, match="checked in; it cannot be checked in"):
        services.appointments.check_in(clerk, ap.id)
    ap = services.appointments.start(clerk, ap.id)
    ready_to_complete(services, clerk, ap.id)
    ap = services.appointments.complete(clerk, ap.id)
    assert ap.status == "completed" and ap.finished_at is not None
    assert all(p.welcome_bag for p in ap.persons)
    with pytest.raises(Conflict, match="completed; it cannot be"):
        services.appointments.no_show(clerk, ap.id)
    history = services.appointments.history(clerk, ap.id)
    assert [
        e.status
        for e in history
        if e.action in ("booked", "checked_in", "in_progress", "completed")
    ] == [
        "booked",
        "checked_in",
        "in_progress",
        "completed",
    ]
    assert all(e.staff_name == "Dirk Desk" for e in history)


def test_the_households_ticket_follows_its_appointment(
    services: Services, clerk: Actor, clock: FixedClock
) -> None:
    """Issue 19: a completed household stayed in the desk's queue and could be called again."""
    ap = services.appointments.check_in(clerk, services.appointments.book(clerk, household()).id)
    ticket_id = ap.ticket_id or 0
    called = services.queue.call_next(clerk, 1)
    assert called is not None and called.id == ticket_id
    ap = services.appointments.start_from_ticket(clerk, ticket_id) or ap
    ready_to_complete(services, clerk, ap.id)
    services.appointments.complete(clerk, ap.id)
    ticket = services.queue.ticket(clerk, ticket_id)
    assert ticket.status == "done" and ticket.finished_at == clock.now()
    assert ticket_id not in {t.id for t in services.queue.today(clerk) if t.status == "waiting"}
    with pytest.raises(Conflict):
        services.queue.call_ticket(clerk, ticket_id, 1)
    assert services.queue.call_next(clerk, 1) is None

    # Cancelled or a no-show after check-in (they left): the waiting ticket ends too.
    for end, status in (("cancel", "cancelled"), ("no_show", "no_show")):
        ap = services.appointments.book(
            clerk, household(time="10:30" if end == "cancel" else "11:00")
        )
        ap = services.appointments.check_in(clerk, ap.id)
        if end == "cancel":
            services.appointments.cancel(clerk, ap.id, "they had to leave")
        else:
            clock.advance(hours=1, minutes=5)
            services.appointments.no_show(clerk, ap.id)
        ticket = services.queue.ticket(clerk, ap.ticket_id or 0)
        assert ticket.status == status and ticket.finished_at == clock.now()
    assert services.queue.call_next(clerk, 1) is None
    with services.db.read() as session:
        actions = session.scalars(
            select(TicketEvent.action).where(TicketEvent.detail.like("appointment %"))
        ).all()
    assert sorted(actions) == ["cancelled", "finished", "no_show"]


def test_a_ticket_a_desk_closed_is_not_overwritten(services: Services, clerk: Actor) -> None:
    ap = services.appointments.check_in(clerk, services.appointments.book(clerk, household()).id)
    services.queue.call_next(clerk, 1)
    services.queue.no_show(clerk, ap.ticket_id or 0)  # the desk called; nobody came
    services.appointments.cancel(clerk, ap.id, "they phoned: ill")
    assert services.queue.ticket(clerk, ap.ticket_id or 0).status == "no_show"


def test_complete_needs_documents_and_bsn_outcome(services: Services, clerk: Actor) -> None:
    ap = services.appointments.book(clerk, household(partner=False, children=0))
    services.appointments.check_in(clerk, ap.id)
    services.appointments.start(clerk, ap.id)
    with pytest.raises(ValidationError, match="documents are not ticked"):
        services.appointments.complete(clerk, ap.id)
    tick_all(services, clerk, ap.id)
    with pytest.raises(ValidationError, match="BSN outcome"):
        services.appointments.complete(clerk, ap.id)
    assert services.appointments.get(clerk, ap.id).status == "in_progress"


def test_no_show_only_after_start_and_late_arrival_kept(
    services: Services, clerk: Actor, clock: FixedClock
) -> None:
    ap = services.appointments.book(clerk, household(time="11:00"))
    with pytest.raises(Conflict, match="not started yet"):
        services.appointments.no_show(clerk, ap.id)
    clock.advance(hours=1, minutes=10)  # 11:10
    assert services.appointments.no_show(clerk, ap.id).status == "no_show"
    clock.advance(minutes=15)  # they turn up after all
    ap = services.appointments.check_in(clerk, ap.id)
    assert ap.status == "checked_in" and ap.late_minutes == 25


def test_check_in_only_on_the_day(services: Services, clerk: Actor) -> None:
    ap = services.appointments.book(clerk, household(day="25-11-2026", time="10:00"))
    with pytest.raises(Conflict, match="not today"):
        services.appointments.check_in(clerk, ap.id)
    assert services.appointments.get(clerk, ap.id).status == "booked"


def test_outside_bsn_hours_refused(services: Services, clerk: Actor) -> None:
    with pytest.raises(ValidationError, match="outside the BSN appointment hours") as err:
        services.appointments.book(clerk, household(time="12:00"))  # 12:00-12:30 > 12:15
    assert err.value.field == "time"
    with pytest.raises(ValidationError):
        services.appointments.book(clerk, household(day="2026-11-24"))  # a Tuesday


def test_reschedule_and_cancel(services: Services, clerk: Actor) -> None:
    ap = services.appointments.book(clerk, household())
    moved = services.appointments.reschedule(clerk, ap.id, "25-11-2026", "14:00")
    assert moved.day == date(2026, 11, 25) and moved.status == "booked"
    assert services.appointments.day(clerk, MONDAY) == []
    for empty in (None, "", "   "):
        with pytest.raises(ValidationError, match="say why") as err:
            services.appointments.cancel(clerk, ap.id, empty)
        assert err.value.field == "reason"
    assert services.appointments.get(clerk, ap.id).status == "booked"
    cancelled = services.appointments.cancel(clerk, ap.id, "visitor called")
    assert cancelled.status == "cancelled"
    with pytest.raises(Conflict):
        services.appointments.reschedule(clerk, ap.id, "25-11-2026", "14:00")


def test_fees(services: Services, clerk: Actor) -> None:
    private = services.appointments.book(clerk, household())
    assert private.fee_cents == 5000 + 2500 + 1250
    assert [p.fee_cents for p in private.persons] == [5000, 2500, 1250]
    assert private.payer == "private"
    single = services.appointments.book(
        clerk, household(partner=False, children=0, employer="LUMC", time="10:00")
    )
    assert single.fee_cents == 5000 and single.employer == "LUMC"
    collection = services.appointments.book(clerk, household(kind="bsn_collection", time="10:30"))
    assert collection.fee_cents == 0


def test_exempt_employer_pays_nothing(db_url: str, clock: FixedClock) -> None:
    from tests.conftest import add_staff

    services = make_services(
        db_url,
        clock,
        exempt_employers=("Leiden University",),
        fees={"first": 60.0, "partner": 30.0, "child": 10.0},
    )
    try:
        clerk = add_staff(services, "Dirk Desk", "desk")
        exempt = services.appointments.book(clerk, household(employer="leiden university"))
        assert exempt.exempt and exempt.fee_cents == 0
        paying = services.appointments.book(clerk, household(employer="Naturalis", time="10:00"))
        assert paying.fee_cents == 6000 + 3000 + 1000
    finally:
        services.close()


def test_checklist_derived_from_the_person() -> None:
    assert required_documents("first_registration", "main", "DE", False, True) == [
        "id",
        "birth_certificate",
        "address",
        "job_letter",
    ]
    assert required_documents("first_registration", "partner", "US", True, False) == [
        "id",
        "birth_certificate_legalised",
        "residence_permit",
        "marriage",
    ]
    assert required_documents("first_registration", "child", "NO", False, False) == [
        "id",
        "birth_certificate",
    ]
    assert required_documents("bsn_collection", "main", "US", True, True) == ["id"]


def test_reject_for_missing_documents_lists_what_to_bring(services: Services, clerk: Actor) -> None:
    ap = services.appointments.book(clerk, household(children=0))
    services.appointments.check_in(clerk, ap.id)
    main = ap.persons[0]
    services.appointments.tick_document(clerk, main.id, "id")
    rejected = services.appointments.reject_missing_documents(clerk, ap.id)
    assert rejected.status == "rejected_missing_documents"
    text = rejected.bring_next_time or ""
    assert "legalised or with an apostille" in text
    assert "Residence permit or IND letter" in text
    assert "Marriage or divorce certificate" in text
    assert "Valid passport" in text  # the partner's passport was not seen
    assert text.count("Valid passport") == 1
    with pytest.raises(Conflict):
        services.appointments.start(clerk, ap.id)


@pytest.mark.parametrize("number", ["111222333", "123456782", "1112.22.333", " 111 222 333 "])
def test_valid_bsn(number: str) -> None:
    assert check_bsn(number) in ("111222333", "123456782")


def test_eight_digit_bsn_gets_a_leading_zero() -> None:
    # 010000008: 0*9+1*8+0*7...+0*2 - 8 = 0 (mod 11)
    assert check_bsn("10000008") == "010000008"


@pytest.mark.parametrize(
    "number",
    ["111222334", "123456789", "000000000", "00000000", "1234567", "1112223334", "11122233a", ""],
)
def test_invalid_bsn(number: str) -> None:
    with pytest.raises(ValidationError) as err:
        check_bsn(number)
    if number.strip():
        assert number not in err.value.message and number not in str(err.value)


def _issue(services: Services, clerk: Actor, number: str = VALID_BSN) -> tuple[int, int]:
    ap = services.appointments.book(clerk, household(partner=False, children=0))
    services.appointments.check_in(clerk, ap.id)
    services.appointments.start(clerk, ap.id)
    person = ap.persons[0]
    services.appointments.record_bsn(clerk, person.id, "issued", number)
    return ap.id, person.id


def test_bsn_is_masked_everywhere(
    services: Services, clerk: Actor, lead: Actor, caplog: pytest.LogCaptureFixture, tmp_path
) -> None:
    caplog.set_level(logging.DEBUG)
    ap_id, person_id = _issue(services, clerk)
    info = services.appointments.get(clerk, ap_id)
    assert info.persons[0].bsn_masked == "******333"
    assert info.persons[0].bsn_text == "******333"
    assert VALID_BSN not in repr(info)
    assert all(VALID_BSN not in repr(a) for a in services.appointments.day(clerk, MONDAY))
    assert all(VALID_BSN not in repr(e) for e in services.appointments.history(clerk, ap_id))
    assert all(VALID_BSN not in repr(e) for e in services.audit.recent(lead))
    # an invalid number typed is not repeated in the refusal
    with pytest.raises(ValidationError) as err:
        services.appointments.record_bsn(clerk, person_id, "issued", "111222334")
    assert "111222334" not in str(err.value)
    assert services.appointments.get(clerk, ap_id).persons[0].bsn_masked == "******333"
    tick_all(services, clerk, ap_id)
    services.appointments.complete(clerk, ap_id)
    # the invoice export
    lines = services.appointments.invoices(lead, "2026Q4")
    assert VALID_BSN not in repr(lines) + repr(invoice_rows(lines))
    assert VALID_BSN not in caplog.text


def test_reveal_is_audited_and_needs_a_reason(
    services: Services, clerk: Actor, lead: Actor, intern: Actor
) -> None:
    _ap_id, person_id = _issue(services, clerk)
    with pytest.raises(ValidationError, match="say why"):
        services.appointments.reveal_bsn(clerk, person_id, "   ")
    assert services.audit.recent(lead, action="bsn.reveal") == []
    assert services.appointments.reveal_bsn(clerk, person_id, "visitor asked for it") == VALID_BSN
    events = services.audit.recent(lead, action="bsn.reveal")
    assert len(events) == 1
    assert events[0].reason == "visitor asked for it" and events[0].actor == "Dirk Desk"
    assert events[0].object_id == str(person_id)
    with pytest.raises(PermissionDenied):
        services.appointments.reveal_bsn(intern, person_id, "curious")
    assert len(services.audit.recent(lead, action="bsn.reveal")) == 1


def test_issued_flag_policy_stores_no_number(db_url: str, clock: FixedClock) -> None:
    from tests.conftest import add_staff

    services = make_services(db_url, clock, bsn_storage="issued_flag")
    try:
        clerk = add_staff(services, "Dirk Desk", "desk")
        _ap_id, person_id = _issue(services, clerk, OTHER_BSN)
        with services.db.read() as session:
            stored = session.scalars(select(AppointmentPerson.bsn)).all()
        assert stored == [None]
        info = services.appointments.get(clerk, _ap_id)
        assert info.persons[0].bsn_outcome == "issued" and info.persons[0].bsn_masked is None
        assert info.persons[0].bsn_text == "issued"
        with pytest.raises(Exception, match="no BSN number is stored"):
            services.appointments.reveal_bsn(clerk, person_id, "need it")
    finally:
        services.close()


def test_bsn_collection_records_the_letter(services: Services, clerk: Actor) -> None:
    ap = services.appointments.book(
        clerk, household(kind="bsn_collection", partner=False, children=0)
    )
    services.appointments.check_in(clerk, ap.id)
    services.appointments.start(clerk, ap.id)
    tick_all(services, clerk, ap.id)
    with pytest.raises(ValidationError, match="letter"):
        services.appointments.complete(clerk, ap.id)
    services.appointments.letter_collected(clerk, ap.id)
    done = services.appointments.complete(clerk, ap.id)
    assert done.status == "completed" and done.letter_collected_at is not None


def test_welcome_bags_per_person(services: Services, clerk: Actor) -> None:
    ap = services.appointments.book(clerk, household())
    services.appointments.check_in(clerk, ap.id)
    services.appointments.start(clerk, ap.id)
    ready_to_complete(services, clerk, ap.id)
    done = services.appointments.complete(clerk, ap.id, welcome_bags=[ap.persons[0].id])
    assert [p.welcome_bag for p in done.persons] == [True, False, False]


def test_invoices_per_employer(services: Services, clerk: Actor, lead: Actor) -> None:
    for time, employer in (("09:00", "LUMC"), ("09:30", "Naturalis"), ("10:00", None)):
        ap = services.appointments.book(clerk, household(employer=employer, time=time, children=0))
        services.appointments.check_in(clerk, ap.id)
        services.appointments.start(clerk, ap.id)
        ready_to_complete(services, clerk, ap.id)
        services.appointments.complete(clerk, ap.id)
    lines = services.appointments.invoices(lead, "2026Q4")
    assert [(x.employer, x.relation, x.fee_cents) for x in lines] == [
        ("LUMC", "main", 5000),
        ("LUMC", "partner", 2500),
        ("Naturalis", "main", 5000),
        ("Naturalis", "partner", 2500),
    ]
    assert services.appointments.invoices(lead, "2026Q3") == []
    rows = invoice_rows(lines)
    assert ["LUMC", "", "", "total", "", "75.00", ""] in rows
    with pytest.raises(PermissionDenied):
        services.appointments.invoices(clerk, "2026Q4")
    with pytest.raises(ValidationError):
        services.appointments.invoices(lead, "Q5")


def test_permissions_per_role(services: Services, clerk: Actor, intern: Actor, lead: Actor) -> None:
    ap = services.appointments.book(lead, household())
    for call in (
        lambda: services.appointments.day(intern, MONDAY),
        lambda: services.appointments.book(intern, household(time="10:00")),
        lambda: services.appointments.check_in(intern, ap.id),
        lambda: services.appointments.get(intern, ap.id),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert services.appointments.day(clerk, MONDAY)[0].id == ap.id


def test_rejected_booking_changes_nothing(services: Services, clerk: Actor) -> None:
    data = household()
    bad = replace(
        data,
        people=(*data.people, PersonInput("child", VisitorInput("Kid", "X", "2099-01-01", "IN"))),
    )
    with pytest.raises(ValidationError) as err:
        services.appointments.book(clerk, bad)
    assert err.value.field == "p3_birth_date"
    assert services.appointments.day(clerk, MONDAY) == []
    assert services.visitors.search(clerk, "Raghunathan") == []


def test_same_person_is_not_duplicated(services: Services, clerk: Actor) -> None:
    services.appointments.book(clerk, household(time="09:00"))
    services.appointments.book(clerk, household(time="09:30"))
    assert len(services.visitors.search(clerk, "Priya Raghunathan")) == 1


def test_invoice_exports_csv_and_xlsx(
    services: Services, clerk: Actor, lead: Actor, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    from frontdesk.services.appointments import export_invoices

    ap_id, _person_id = _issue(services, clerk)
    tick_all(services, clerk, ap_id)
    services.appointments.complete(clerk, ap_id)
    # employer-paid household of three
    ap = services.appointments.book(clerk, household(employer="LUMC", time="10:30"))
    services.appointments.check_in(clerk, ap.id)
    services.appointments.start(clerk, ap.id)
    tick_all(services, clerk, ap.id)
    for person, number in zip(ap.persons, (OTHER_BSN, "123456708", "123456721"), strict=True):
        services.appointments.record_bsn(clerk, person.id, "issued", number)
    services.appointments.complete(clerk, ap.id)
    lines = services.appointments.invoices(lead, "2026Q4")
    csv_path, xlsx_path = tmp_path / "q4.csv", tmp_path / "q4.xlsx"
    assert export_invoices(lines, str(csv_path), "csv") == 4  # 3 persons + a total
    text = csv_path.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "employer,date,reference,person,relation,fee_eur,exempt"
    assert "LUMC,,,total,,87.50," in text
    assert VALID_BSN not in text and OTHER_BSN not in text and "333" not in text
    export_invoices(lines, str(xlsx_path), "xlsx")
    sheet = load_workbook(xlsx_path).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][:6] == ["LUMC", "2026-11-23", "#2", "Priya Raghunathan", "main", 50.0]
    assert values[-1][3:6] == ["total", None, 87.5]
    flat = repr(values)
    assert OTHER_BSN not in flat and VALID_BSN not in flat


def test_cli_invoices(tmp_path: Path, sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    from frontdesk.cli import main

    out = tmp_path / "q4.xlsx"
    base = ["--config", str(tmp_path / "none.toml"), "--db", sqlite_url]
    assert (
        main([*base, "appointments", "invoices", "--quarter", "2026Q4", "--output", str(out)]) == 0
    )
    assert out.exists() and "0 persons" in capsys.readouterr().out
    assert main([*base, "appointments", "invoices", "--quarter", "Q9", "--output", str(out)]) == 2
    assert "2026Q4" in capsys.readouterr().err


def test_demo_fills_the_appointment_book(services: Services) -> None:
    from datetime import timedelta

    from frontdesk.demo import fill_demo

    summary = fill_demo(services, days=14)
    assert "BSN appointments" in summary
    desk = next(s for s in services.staff.active_staff() if s.role == "desk")
    actor = Actor(desk.id, desk.name, "desk", 1, "test")
    today = services.appointments.day(actor, MONDAY)
    statuses = {a.status for a in today}
    assert today and "booked" in statuses and statuses & {"completed", "checked_in"}
    past = [
        a
        for d in range(1, 15)
        for a in services.appointments.day(actor, MONDAY - timedelta(days=d))
    ]
    assert {"completed", "no_show"} <= {a.status for a in past}
    assert all(a.status != "booked" for a in past)
    assert all(p.bsn_masked is None for a in past for p in a.persons)  # no demo BSNs stored


def test_fee_settings_from_the_config_file(tmp_path: Path) -> None:
    from frontdesk.config import ConfigError, load_settings

    path = tmp_path / "config.toml"
    path.write_text('fees = {first = 60, child = 10.5}\nexempt_employers = ["LUMC"]\n')
    settings = load_settings(config_path=path, environ={})
    assert settings.fees == {"first": 60.0, "partner": 25.0, "child": 10.5}
    assert settings.exempt_employers == ("LUMC",)
    path.write_text('fees = {first = "fifty"}\n')
    with pytest.raises(ConfigError, match=r"fees\.first"):
        load_settings(config_path=path, environ={})


def test_calling_the_ticket_starts_the_appointment(services: Services, clerk: Actor) -> None:
    ap = services.appointments.check_in(clerk, services.appointments.book(clerk, household()).id)
    _, walk = services.queue.register_walk_in(clerk, VisitorInput("Other", "Visitor"))
    assert services.appointments.start_from_ticket(clerk, walk.id) is None  # not an appointment
    called = services.queue.call_ticket(clerk, ap.ticket_id or 0, 1)
    started = services.appointments.start_from_ticket(clerk, called.id)
    assert started is not None and started.id == ap.id
    assert started.status == "in_progress" and started.started_at == services.clock.now()
    # A recall (or a resume after a hold) leaves it as it is.
    assert services.appointments.start_from_ticket(clerk, called.id) is None
    assert services.appointments.get(clerk, ap.id).status == "in_progress"
    history = services.appointments.history(clerk, ap.id)
    assert [e.action for e in history].count("in_progress") == 1


def test_start_from_ticket_needs_the_permission(
    services: Services, clerk: Actor, intern: Actor
) -> None:
    ap = services.appointments.check_in(clerk, services.appointments.book(clerk, household()).id)
    with pytest.raises(PermissionDenied):
        services.appointments.start_from_ticket(intern, ap.ticket_id or 0)
    assert services.appointments.get(clerk, ap.id).status == "checked_in"


def test_welcome_bag_given_follows_a_pack(services: Services, clerk: Actor) -> None:
    ap = services.appointments.book(clerk, household(children=0))
    with pytest.raises(Conflict, match="welcome bag"):
        services.appointments.welcome_bag_given(clerk, ap.persons[0].id)  # only booked
    services.appointments.check_in(clerk, ap.id)
    services.appointments.start(clerk, ap.id)
    ready_to_complete(services, clerk, ap.id)
    done = services.appointments.complete(clerk, ap.id, welcome_bags=[])
    assert [p.welcome_bag for p in done.persons] == [False, False]
    after = services.appointments.welcome_bag_given(clerk, ap.persons[1].id)
    assert [p.welcome_bag for p in after.persons] == [False, True]
    again = services.appointments.welcome_bag_given(clerk, ap.persons[1].id)  # idempotent
    assert [p.welcome_bag for p in again.persons] == [False, True]
    actions = [e.action for e in services.appointments.history(clerk, ap.id)]
    assert actions.count("welcome_bag") == 1


def test_a_bsn_belongs_to_one_person(
    services: Services, clerk: Actor, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 19: a mother and her 7-year-old were both given 111222333 without a word."""
    ap = services.appointments.book(clerk, household(partner=False, children=1))
    ap = services.appointments.check_in(clerk, ap.id)
    mother, child = ap.persons
    services.appointments.record_bsn(clerk, mother.id, "issued", VALID_BSN)
    with caplog.at_level(logging.DEBUG), pytest.raises(ValidationError) as err:
        services.appointments.record_bsn(clerk, child.id, "issued", VALID_BSN)
    assert err.value.field == "bsn"
    assert (
        "******333" in err.value.message
        and f"visitor record {mother.visitor_id}" in err.value.message
    )
    assert f"appointment {ap.id} of 23-11-2026" in err.value.message
    assert VALID_BSN not in err.value.message and VALID_BSN not in caplog.text
    info = services.appointments.get(clerk, ap.id)
    assert info.persons[1].bsn_outcome is None and info.persons[1].bsn_masked is None
    # Another number is fine; the same person may have their number again later.
    services.appointments.record_bsn(clerk, child.id, "issued", OTHER_BSN)
    services.appointments.record_bsn(clerk, mother.id, "issued", VALID_BSN)
    # A second person on another appointment: refused too, pointing at the first.
    other = services.appointments.book(clerk, household(partner=False, children=0, time="10:30"))
    other = services.appointments.check_in(clerk, other.id)
    assert other.persons[0].visitor_id == mother.visitor_id  # the same Priya: allowed
    services.appointments.record_bsn(clerk, other.persons[0].id, "issued", VALID_BSN)
    third = services.appointments.book(
        clerk,
        AppointmentInput(
            day=MONDAY,
            time="11:00",
            people=(PersonInput("main", VisitorInput("Mara", "Fictief", "1991-02-03", "PL")),),
        ),  # type: ignore[arg-type]
    )
    third = services.appointments.check_in(clerk, third.id)
    with pytest.raises(ValidationError, match=r"\*\*\*\*\*\*782 is|\(\*\*\*\*\*\*782\)"):
        services.appointments.record_bsn(clerk, third.persons[0].id, "issued", OTHER_BSN)


def test_marital_status_only_for_adults(services: Services, clerk: Actor) -> None:
    ap = services.appointments.book(clerk, household(partner=False, children=1))
    mother, child = ap.persons  # the child was born in 2010: 16 on the appointment day
    with pytest.raises(ValidationError, match="under 18") as err:
        services.appointments.set_married(clerk, child.id, True)
    assert err.value.field == "married"
    assert services.appointments.get(clerk, ap.id).persons[1].married is False
    assert services.appointments.set_married(clerk, child.id, False).persons[1].married is False
    assert services.appointments.set_married(clerk, mother.id, True).persons[0].married is True
    # Booking a married child is refused beside the child's Married box.
    data = household(partner=False, children=1, time="10:30")
    kid = replace(data.people[1], married=True)
    with pytest.raises(ValidationError, match="under 18") as err:
        services.appointments.book(clerk, replace(data, people=(data.people[0], kid)))
    assert err.value.field == "p1_married"
    # 18 on the day (born 23-11-2008) is an adult.
    adult = PersonInput(
        "child", VisitorInput("Kim", "Raghunathan", "2008-11-23", "IN"), married=True
    )
    booked = services.appointments.book(clerk, replace(data, people=(data.people[0], adult)))
    assert booked.persons[1].married is True
