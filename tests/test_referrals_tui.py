"""The referral screens driven by keys: a desk clerk refers, an intern works it to closed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Static

from frontdesk.clock import FixedClock
from frontdesk.services import Actor, Services
from frontdesk.services.fields import format_phone
from frontdesk.services.partners import PartnerInput
from frontdesk.services.visitors import VisitorInput
from frontdesk.tui.app import FrontdeskApp
from frontdesk.tui.referrals import ReferralsScreen
from frontdesk.tui.referrals.dialogs import (
    NewReferralModal,
    StepModal,
    VisitorPickModal,
)
from frontdesk.tui.textual_compat import notifications
from tests.conftest import MONDAY_10, add_staff, make_services
from tests.helpers import enter_pin, press

PHONE = "+31612345678"


def seed(services: Services) -> tuple[int, int]:
    lead = add_staff(services, "Lea Lead", "lead")
    add_staff(services, "Dirk Desk", "desk")
    add_staff(services, "Iris Intern", "intern")
    visitor = services.visitors.register(
        lead, VisitorInput(given_names="Zoë", family_name="Ødegård", phone=PHONE)
    )
    services.partners.add(lead, PartnerInput(name="Rijnland Bank", category="bank"))
    other = services.partners.add(lead, PartnerInput(name="Leiden Lingua", category="other"))
    return visitor.id, other.id


async def test_desk_refers_then_intern_works_it_to_closed(sqlite_url: str) -> None:
    clock = FixedClock(MONDAY_10)
    services = make_services(sqlite_url, clock, staff="Dirk Desk")
    visitor_id, lingua = seed(services)
    app = FrontdeskApp(services, services.settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await enter_pin(pilot)
        assert app.actor is not None and app.actor.role == "desk"
        await press(pilot, "alt+3")
        assert isinstance(app.screen, ReferralsScreen)
        await press(pilot, "n")
        assert isinstance(app.screen, VisitorPickModal)
        await press(pilot, *"odegard", "enter")
        await press(pilot, "enter")
        assert isinstance(app.screen, NewReferralModal)
        await press(pilot, *"rijn")
        await pilot.press("enter", "enter")  # to the partner list, pick the first
        await press(pilot, "ctrl+s")  # no reason yet: refused beside the field
        assert isinstance(app.screen, NewReferralModal)
        error = app.screen.query_one("#field-reason .field-error", Static)
        assert "required" in str(error.render())
        await pilot.press(*"bank account", "enter", "space", "tab")
        await pilot.press("enter", "down", "enter")  # consent given: verbal
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ReferralsScreen)
    made = services.referrals.worklist(add_actor(services, "Dirk Desk"), "open")
    assert [(r.partner_name, r.consent_given, r.consent_how, r.status) for r in made] == [
        ("Rijnland Bank", True, "verbal", "new")
    ]
    # A second referral without consent, to check the screen keeps the phone out of it.
    services.referrals.create(
        add_actor(services, "Dirk Desk"), visitor_id=visitor_id, partner_id=lingua,
        reason="Dutch lessons", consent_given=False,
    )  # fmt: skip
    services.close()

    services = make_services(sqlite_url, clock, staff="Iris Intern")
    app = FrontdeskApp(services, services.settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await enter_pin(pilot)
        screen = app.screen
        assert isinstance(screen, ReferralsScreen) and screen.view == "mine"
        assert screen.rows == []
        await press(pilot, "2")
        assert [r.partner_name for r in screen.rows] == ["Rijnland Bank", "Leiden Lingua"]
        info = str(screen.query_one("#ref-info", Static).render())
        assert format_phone(PHONE) in info  # consent given: the intern may call
        await press(pilot, "down")
        info = str(screen.query_one("#ref-info", Static).render())
        assert "NOT given" in info and format_phone(PHONE) not in info and PHONE not in info
        await press(pilot, "a")  # a new referral: refused at once, no form (issue 19)
        assert not isinstance(app.screen, StepModal)
        assert any("pick it up first" in str(n.message) for n in notifications(app))
        await press(pilot, "up", "p")
        await press(pilot, "1")
        assert [r.status for r in screen.rows] == ["assigned"]
        await press(pilot, "a")  # not contacted yet: refused at once, before any form
        assert app.screen is screen
        said = " | ".join(str(n.message) for n in notifications(app))
        assert "cannot be accepted: record the contact with the partner first" in said
        assert screen.rows[0].status == "assigned"
        await press(pilot, "c", *"called the bank", "enter")
        await press(pilot, "a", "enter")
        await press(pilot, "x", "enter", "down", "enter", "ctrl+s")
        assert isinstance(app.screen, ReferralsScreen)
        assert screen.rows == []  # closed: off my list
    intern = add_actor(services, "Iris Intern")
    closed = services.referrals.worklist(intern, "closed")
    assert [(r.status, r.outcome, r.assignee) for r in closed] == [
        ("closed", "got_help", "Iris Intern")
    ]
    history = services.referrals.get(intern, closed[0].id).history
    assert [h.to_status for h in history] == ["new", "assigned", "contacted", "accepted", "closed"]
    services.close()


def add_actor(services: Services, name: str) -> Any:
    from frontdesk.services.auth import Actor

    person = services.staff.find_by_name(name)
    assert person is not None
    return Actor(person.id, person.name, person.role, 1, "test")


def test_worklist_snapshot(sqlite_url: str, snap_compare: Any) -> None:
    clock = FixedClock(datetime(2026, 11, 9, 10, 0))
    services = make_services(sqlite_url, clock, staff="Iris Intern")
    visitor_id, lingua = seed(services)
    desk, intern = add_actor(services, "Dirk Desk"), add_actor(services, "Iris Intern")
    refs = services.referrals
    bank = services.partners.search(desk, "rijnland")[0].id
    first = refs.create(desk, visitor_id=visitor_id, partner_id=bank, reason="bank account",
                        consent_given=True, consent_how="written")  # fmt: skip
    refs.assign(intern, first.id)
    clock.set(datetime(2026, 11, 16, 11, 0))
    second = refs.create(desk, visitor_id=visitor_id, partner_id=lingua, reason="Dutch lessons",
                         consent_given=False)  # fmt: skip
    refs.assign(intern, second.id)
    refs.record_contact(intern, second.id, "left a message")
    clock.set(datetime(2026, 11, 23, 10, 0))
    refs.create(desk, visitor_id=visitor_id, partner_id=bank, reason="mortgage advice",
                consent_given=True, consent_how="email")  # fmt: skip
    app = FrontdeskApp(services, services.settings)

    async def run_before(pilot: Pilot[Any]) -> None:
        await enter_pin(pilot)
        await press(pilot, "5")

    assert snap_compare(app, terminal_size=(120, 35), run_before=run_before)
    services.close()


async def test_the_lead_saves_the_partner_report_and_an_intern_may_not(
    sqlite_url: str, tmp_path: Any
) -> None:
    import openpyxl
    from textual.widgets import Input

    from frontdesk.tui.lead.forms import FormModal

    clock = FixedClock(MONDAY_10)
    services = make_services(sqlite_url, clock, staff="Lea Lead")
    visitor_id, lingua = seed(services)
    lead = Actor(1, "Lea Lead", "lead", 1, "test")
    services.referrals.create(
        lead, visitor_id=visitor_id, partner_id=lingua, reason="lessons", consent_given=False
    )
    app = FrontdeskApp(services, services.settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await enter_pin(pilot)
        await press(pilot, "alt+3")
        assert isinstance(app.screen, ReferralsScreen)
        await press(pilot, "f10")
        form = app.screen
        assert isinstance(form, FormModal)
        form.query_one("#start", Input).value = "31-02-2026"
        form.query_one("#end", Input).value = "01-01-2026"
        form.query_one("#path", Input).value = str(tmp_path / "partners")
        await press(pilot, "ctrl+s")
        assert app.screen is form, "a wrong date keeps the form open"
        assert "not a date" in str(form.query_one("#field-start .field-error", Static).render())
        assert form.query_one("#start", Input).value == "31-02-2026"
        assert not (tmp_path / "partners.xlsx").exists()
        form.query_one("#start", Input).value = "01-11-2026"
        form.query_one("#end", Input).value = "30-11-2026"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ReferralsScreen)
    sheet = openpyxl.load_workbook(tmp_path / "partners.xlsx").active
    assert sheet is not None
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert any(row and row[0] == "Leiden Lingua" for row in rows)
    assert not any("Ødegård" in str(cell) for row in rows for cell in row)
    services.close()

    services = make_services(sqlite_url, clock, staff="Iris Intern")
    app = FrontdeskApp(services, services.settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await enter_pin(pilot)
        assert isinstance(app.screen, ReferralsScreen)
        await press(pilot, "f10")
        assert isinstance(app.screen, ReferralsScreen)
        said = [n.message for n in notifications(app)]
        assert any("may not export the partner report" in m for m in said)
    services.close()


def test_an_export_named_for_another_format_gets_the_chosen_one(tmp_path: Any) -> None:
    from frontdesk.services.exports import write_private
    from frontdesk.tui.lead.forms import write_export

    made = write_export(str(tmp_path / "q4.xlsx"), "csv", lambda p: write_private(p, b"a,b\n"))
    assert made == tmp_path / "q4.csv" and made.read_bytes() == b"a,b\n"
    assert write_export(str(tmp_path / "q4"), "md", lambda p: write_private(p, b"#")) == (
        tmp_path / "q4.md"
    )
    two = write_export(str(tmp_path / "q4.v2"), "csv", lambda p: write_private(p, b""))
    assert two == tmp_path / "q4.v2.csv"
