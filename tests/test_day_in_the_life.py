"""A morning at the counter, through the keys (issue 19): three desks and the team lead on
one database (SQLite; PostgreSQL too where FRONTDESK_TEST_POSTGRES_URL is set).

Walk-ins with names in several scripts, an anonymous ticket from the ticket machine that
gets its record (F2), a BSN registration from check-in to completion, a welcome pack, a
referral, a phone contact, a transfer, a no-show taken back (Ctrl+Z), a duplicate record
merged; then the lead's day review and day report show exactly that, and the lead closes
the day. One clock for all: every wait below is known to the minute.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import datetime, time
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, OptionList, Static

from frontdesk.clock import FixedClock
from frontdesk.config import Hours, Settings
from frontdesk.services import Actor, Services
from frontdesk.services.appointments import AppointmentInput, PersonInput
from frontdesk.services.auth import CLI_ACTOR
from frontdesk.services.partners import PartnerInput
from frontdesk.services.visitors import VisitorInput
from frontdesk.tui.app import FrontdeskApp
from frontdesk.tui.appointments.screen import AppointmentsScreen
from frontdesk.tui.desk.dialogs import OutcomeModal, ServicePickModal, TicketIssuedModal
from frontdesk.tui.desk.find import ContactModal
from frontdesk.tui.desk.register import RegisterScreen
from frontdesk.tui.desk.screen import DeskScreen
from frontdesk.tui.lead import LeadScreen
from frontdesk.tui.screens.dialogs import ConfirmModal
from frontdesk.tui.screens.login import LoggedIn
from frontdesk.tui.screens.merge import DuplicatesModal, MergeDialog
from frontdesk.tui.widgets.bigticket import BigTicket
from tests.conftest import add_staff, make_services
from tests.helpers import workers_done

TUESDAY_9 = datetime(2026, 11, 24, 9, 0)
# Tuesday: walk-ins all day, BSN appointments in the morning.
HOURS = (
    Hours(1, time(9, 0), time(17, 0), "walk_in"),
    Hours(1, time(9, 0), time(12, 0), "bsn_appointments"),
)
SIZE = (120, 35)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(TUESDAY_9)


@pytest.fixture
def morning(db_url: str, clock: FixedClock) -> Iterator[list[Services]]:
    """Four runs of frontdesk on one database: desks 1-3 and the lead's."""
    runs = [make_services(db_url, clock, hours=HOURS, desk=n) for n in (1, 2, 3, 4)]
    yield runs
    for services in runs:
        services.close()


class Desk:
    """One person at one frontdesk: their app, its pilot, and the keys they press."""

    def __init__(self, app: FrontdeskApp, pilot: Pilot[Any], actor: Actor) -> None:
        self.app, self.pilot, self.actor = app, pilot, actor

    async def settle(self) -> None:
        for _ in range(2):
            await workers_done(self.app)
            await self.pilot.pause()

    async def press(self, *keys: str) -> None:
        await self.pilot.press(*keys)
        await self.settle()

    @property
    def screen(self) -> Any:
        return self.app.screen

    def current(self) -> str:
        return str(self.screen.query_one("#current-number", BigTicket).label)

    async def call_next(self) -> str:
        """F4: the number this desk calls."""
        await self.press("f4")
        return self.current()

    async def go(self, mode: str) -> None:
        """Move to another working screen, as Ctrl+G does."""
        self.app.action_go(mode)
        await self.settle()


@asynccontextmanager
async def open_desk(services: Services, actor: Actor, desk: int) -> AsyncIterator[Desk]:
    settings = Settings(db_url=services.settings.db_url, desk=desk, hours=HOURS)
    app = FrontdeskApp(services, settings)
    async with app.run_test(size=SIZE) as pilot:
        person = Desk(app, pilot, actor)
        await person.settle()
        app.post_message(LoggedIn(actor))
        await person.settle()
        yield person


async def register(desk: Desk, given: str, family: str) -> str:
    """F2, the name, Ctrl+S: the ticket's number, read out from the dialog."""
    await desk.press("f2")
    assert isinstance(desk.screen, RegisterScreen)
    await desk.press(*given, "tab", *family, "ctrl+s")
    assert isinstance(desk.screen, TicketIssuedModal)
    label = str(desk.screen.query_one(BigTicket).label)
    await desk.press("enter")
    assert isinstance(desk.screen, DeskScreen)
    return label


async def finish(desk: Desk, note: str) -> None:
    await desk.press("f8")
    assert isinstance(desk.screen, OutcomeModal)
    await desk.press(*note, "enter")
    assert isinstance(desk.screen, DeskScreen) and desk.current() == ""


async def test_a_morning_at_three_desks_and_the_lead(
    morning: list[Services], clock: FixedClock
) -> None:
    one, two, three, lead_run = morning
    bram = add_staff(one, "Bram Jansen", "desk", desk=1)
    chiara = add_staff(one, "Chiara Rossi", "desk", desk=2)
    dirk = add_staff(one, "Dirk de Wit", "desk", desk=3)
    anne = add_staff(one, "Anne de Vries", "lead", desk=4)
    bram, chiara, dirk = (
        Actor(p.staff_id, p.name, p.role, n, "test") for n, p in ((1, bram), (2, chiara), (3, dirk))
    )
    anne = Actor(anne.staff_id, anne.name, anne.role, 4, "test")
    # Before the doors open: a partner, the welcome bags, a household booked for 09:30.
    one.partners.add(CLI_ACTOR, PartnerInput("Rijnland Bank", "bank", email="info@example.org"))
    bag = one.packs.add_kind(CLI_ACTOR, "bag", "Welcome bag", 2)
    one.packs.receive(CLI_ACTOR, bag.id, 10, "delivery")
    booked = one.appointments.book(
        dirk,
        AppointmentInput(
            day="2026-11-24",
            time="09:30",
            reference="BK-1",
            people=(PersonInput("main", VisitorInput("Amara", "Okafor", "1990-05-01", "DE")),),
        ),
    )

    async with AsyncExitStack() as stack:
        d1 = await stack.enter_async_context(open_desk(one, bram, 1))
        d2 = await stack.enter_async_context(open_desk(two, chiara, 2))
        d3 = await stack.enter_async_context(open_desk(three, dirk, 3))

        # 09:00 walk-ins, names in three scripts; 09:02 a ticket from the machine
        assert await register(d1, "Zoë", "Ødegård") == "A001"
        assert await register(d2, "小明", "王") == "A002"
        assert await register(d3, "Олена", "Шевченко") == "A003"
        clock.advance(minutes=2)
        machine = one.queue.issue(dirk, "info")  # no name: the ticket machine
        assert machine.label == "A004" and machine.visitor_id is None

        # 09:05 desk 1 calls Zoë: a welcome pack and a referral, then done at 09:15
        clock.advance(minutes=3)
        assert await d1.call_next() == "A001"
        await d1.press("p")
        await d1.press("enter")  # the welcome bag, the only kind
        assert one.packs.get(CLI_ACTOR, bag.id).stock == 9
        await d1.press("r")
        await d1.press(*"rijn")
        await d1.press("enter", "enter")  # to the partner list, pick the first
        await d1.press(*"bank account", "enter", "space", "tab")
        await d1.press("enter", "down", "enter")  # consent given: verbal
        await d1.press("ctrl+s")
        assert isinstance(d1.screen, DeskScreen)
        clock.advance(minutes=10)
        await finish(d1, "pack and bank")

        # 09:16 desk 2 calls 王小明 and sends them on to the welcome pack (F6); desk 3,
        # calling next, gets them at once (a transfer keeps its place): a bag, done 09:19
        clock.advance(minutes=1)
        assert await d2.call_next() == "A002"
        await d2.press("f6")
        assert isinstance(d2.screen, ServicePickModal)
        choices = d2.screen.query_one(OptionList)
        codes = [choices.get_option_at_index(i).id for i in range(choices.option_count)]
        choices.highlighted = codes.index("welcome_pack")
        await d2.press("enter")
        assert d2.current() == ""
        assert await d3.call_next() == "A002"
        await d3.press("p", "enter")
        assert one.packs.get(CLI_ACTOR, bag.id).stock == 8
        clock.advance(minutes=3)
        await finish(d3, "bag")

        # 09:21 desk 2 calls Olena; F7 by mistake, Ctrl+Z takes it back; done at 09:33
        clock.advance(minutes=2)
        assert await d2.call_next() == "A003"
        await d2.press("f7")
        assert d2.current() == ""
        await d2.press("ctrl+z")
        assert d2.current() == "A003"
        clock.advance(minutes=12)
        await finish(d2, "housing")

        # 09:34 desk 1 calls the anonymous A004 and gives it its record with F2
        clock.advance(minutes=1)
        assert await d1.call_next() == "A004"
        await d1.press("f2")
        assert isinstance(d1.screen, ConfirmModal)
        await d1.press("y")
        assert isinstance(d1.screen, RegisterScreen)
        await d1.press(*"Ngozi", "tab", *"Adeyemi", "ctrl+s")
        assert isinstance(d1.screen, DeskScreen) and d1.current() == "A004"
        clock.advance(minutes=4)
        await finish(d1, "advice")

        # 09:39 the household arrives: desk 3 checks it in on the appointment book
        clock.advance(minutes=1)
        await d3.go("appointments")
        assert isinstance(d3.screen, AppointmentsScreen)
        await d3.press("i")
        assert three.appointments.get(dirk, booked.id).ticket_label == "B001"
        # 09:40 desk 3 calls the household: documents, BSN issued, completed at 10:00
        clock.advance(minutes=1)
        await d3.go("desk")
        assert await d3.call_next() == "B001"
        await d3.go("appointments")
        await d3.press("tab", "down", "down")
        for _ in range(4):
            await d3.press("space", "down")
        assert all(d.ticked for d in three.appointments.get(dirk, booked.id).persons[0].documents)
        await d3.press("b", "tab", *"111222333", "ctrl+s")
        clock.advance(minutes=20)
        await d3.press("c")
        await d3.press("enter")  # a welcome bag for Amara
        done = three.appointments.get(dirk, booked.id)
        assert done.status == "completed" and done.persons[0].bsn_masked == "******333"
        assert three.queue.ticket(dirk, done.ticket_id or 0).status == "done"

        # 10:01 desk 1 logs a phone call for Zoë (F3, her card, Ctrl+G)
        clock.advance(minutes=1)
        await d1.press("f3")
        await d1.press(*"Ødegård", "enter")
        await d1.press("down")
        await d1.press("ctrl+g")
        await d1.press("shift+tab", "enter", "down", "enter")  # channel: phone
        await d1.press("tab", *"bank appointment", "tab", "enter")  # 10 minutes
        assert not isinstance(d1.screen, ContactModal)
        await d1.press("escape")
        assert isinstance(d1.screen, DeskScreen)

    # The lead reviews the morning and closes the day.
    zoe = one.visitors.search(bram, "Ødegård, Zoë")
    assert [v.full_name for v in zoe] == ["Zoë Ødegård"]
    assert [(c.channel, c.minutes) for c in one.visitors.contacts(bram, zoe[0].id)] == [
        ("phone", 10)
    ]
    # An old record of Zoë, without her accents, from before the desk knew her: the lead
    # merges it into today's record (Ctrl+U, the pair, Ctrl+S, y); her visit, ticket and
    # phone contact stay on the record that stays.
    older = one.visitors.register(bram, VisitorInput("Zoe", "Odegard", "1990-03-03", "NO"))
    lead_settings = Settings(db_url=lead_run.settings.db_url, desk=4, hours=HOURS)
    app = FrontdeskApp(lead_run, lead_settings)
    async with app.run_test(size=SIZE) as pilot:
        lead = Desk(app, pilot, anne)
        await lead.settle()
        app.post_message(LoggedIn(anne))
        await lead.settle()
        await lead.press("alt+5")
        assert isinstance(lead.screen, LeadScreen)
        await lead.press("ctrl+u")
        assert isinstance(lead.screen, DuplicatesModal)
        assert len(lead.screen.pairs) == 1
        await lead.press("enter")
        assert isinstance(lead.screen, MergeDialog)
        await lead.press("ctrl+s")
        assert isinstance(lead.screen, ConfirmModal)
        await lead.press("y")
        assert isinstance(lead.screen, DuplicatesModal) and not lead.screen.pairs
        await lead.press("escape")
        assert isinstance(lead.screen, LeadScreen)
        kept = lead_run.visitors.search(anne, "Odegard")
        assert [(v.id, v.full_name) for v in kept] == [(zoe[0].id, "Zoë Ødegård")]
        assert older.id != zoe[0].id
        assert [c.channel for c in lead_run.visitors.contacts(anne, zoe[0].id)] == ["phone"]
        await lead.press("f3")
        tickets = lead.screen.query_one("#review-tickets", DataTable)
        rows = {str(r[0]): r for r in (tickets.get_row_at(i) for i in range(tickets.row_count))}
        assert sorted(rows) == ["A001", "A002", "A003", "A004", "B001"]
        assert {str(r[2]) for r in rows.values()} == {"Done"}
        # label: wait, desk, staff
        waits = {label: [str(row[c]) for c in (3, 4, 5)] for label, row in rows.items()}
        assert waits == {
            "A001": ["5.0", "1", "Bram Jansen"],
            "A002": ["16.0", "3", "Dirk de Wit"],  # first called at desk 2, served at 3
            "A003": ["21.0", "2", "Chiara Rossi"],
            "A004": ["32.0", "1", "Bram Jansen"],
            "B001": ["1.0", "3", "Dirk de Wit"],
        }
        assert str(rows["A004"][10]) == "Ngozi Adeyemi"
        summary = str(lead.screen.query_one("#review-summary", Static).content)
        assert "5 tickets (5 shown) · served 5 · no-shows 0" in summary
        figures = lead_run.reports.day(anne, clock.today())
        per_desk = {g.name: (g.tickets, g.served) for g in figures.by_desk}
        assert per_desk == {"Desk 1": (2, 2), "Desk 2": (1, 1), "Desk 3": (2, 2)}
        report = lead_run.reports.export_day(anne, clock.today(), "md").decode()
        assert "| Tickets issued | 5 |" in report and "| No-shows | 0 |" in report
        assert "| Desk 1 | 2 | 2 | 0 |" in report
        await lead.press("f9")
        assert isinstance(lead.screen, ConfirmModal)
        await lead.press("y")
    assert lead_run.reports.day(anne, clock.today()).closed_at is not None
