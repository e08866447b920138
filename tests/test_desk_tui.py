"""The desk, registration and find screens, driven with the keys a clerk presses."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, DataTable, Input, OptionList, Static

from frontdesk.clock import FixedClock
from frontdesk.config import Settings
from frontdesk.services import Actor, Services
from frontdesk.services.visitors import VisitorInput
from frontdesk.tui.app import FrontdeskApp
from frontdesk.tui.desk import DeskScreen
from frontdesk.tui.desk.dialogs import (
    OutcomeModal,
    ServicePickModal,
    TicketIssuedModal,
)
from frontdesk.tui.desk.find import ContactModal, FindScreen
from frontdesk.tui.desk.queue_rows import diff_rows
from frontdesk.tui.desk.register import RegisterScreen
from frontdesk.tui.screens.dialogs import ConfirmModal
from frontdesk.tui.textual_compat import notifications
from frontdesk.tui.widgets.bigticket import BigTicket, big_lines
from tests.conftest import add_staff, make_services
from tests.helpers import (
    SIZE,
    at_desk,
    click,
    field_error,
    help_rows,
    log_in,
    make_app,
    open_find,
    open_register,
    press,
    queue_labels,
    queue_table,
    reloaded,
    row_of,
    settle,
    until,
    walk_in,
)


@pytest.fixture
def clerk(desk_services: Services) -> Actor:
    """A clerk at desk 1, on the SQLite database of the screens under test."""
    return add_staff(desk_services, "Dirk Desk", "desk", desk=1)


# -- the desk flow ---------------------------------------------------------------------
async def test_register_call_finish_with_keys(desk_services: Services, clerk: Actor) -> None:
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        await press(pilot, "f2")
        assert isinstance(app.screen, RegisterScreen)
        assert app.focused is not None and app.focused.id == "given_names"
        await pilot.press(*"Zoë")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, TicketIssuedModal)
        assert app.screen.query_one(BigTicket).label == "A001"
        await press(pilot, "enter")
        assert isinstance(app.screen, DeskScreen)
        assert queue_labels(app) == ["A001"]
        assert row_of(app, "A001")[5] == "Waiting"

        await press(pilot, "f4")
        assert row_of(app, "A001")[5:] == ["Called", "1"]
        assert app.screen.query_one("#current-number", BigTicket).label == "A001"
        assert "Zoë" in str(app.screen.query_one("#card", Static).content)

        await press(pilot, "f8")
        assert isinstance(app.screen, OutcomeModal)
        await press(pilot, *"ok", "enter")
        assert isinstance(app.screen, DeskScreen)
        assert queue_labels(app) == []
        assert app.screen.query_one("#current-number", BigTicket).label == ""
    visits = desk_services.queue.visits(clerk, desk_services.visitors.search(clerk, "zoe")[0].id)
    assert [(v.label, v.status, v.outcome) for v in visits] == [("A001", "done", "ok")]


async def test_no_show_transfer_recall_hold_resume(desk_services: Services, clerk: Actor) -> None:
    first = walk_in(desk_services, clerk, "First")
    second = walk_in(desk_services, clerk, "Second")
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        assert queue_labels(app) == ["A001", "A002"]
        # F4 + F7: the first one did not come.
        await press(pilot, "f4")
        await press(pilot, "f7")
        assert desk_services.queue.ticket(clerk, first.id).status == "no_show"
        assert queue_labels(app) == ["A002"]
        # F4 + F5: call the second again.
        await press(pilot, "f4")
        await press(pilot, "f5")
        assert desk_services.queue.ticket(clerk, second.id).recalls == 1
        # F9 hold, Ctrl+R resume.
        await press(pilot, "f9")
        assert row_of(app, "A002")[5] == "On hold"
        await press(pilot, "ctrl+r")
        assert row_of(app, "A002")[5] == "Called"
        # F6: transfer to the welcome pack; the number stays, it waits again.
        await press(pilot, "f6")
        assert isinstance(app.screen, ServicePickModal)
        choices = app.screen.query_one(OptionList)
        codes = [choices.get_option_at_index(i).id for i in range(choices.option_count)]
        assert "info" not in codes
        choices.highlighted = codes.index("welcome_pack")
        await press(pilot, "enter")
        moved = desk_services.queue.ticket(clerk, second.id)
        assert (moved.label, moved.service_code, moved.status) == (
            "A002",
            "welcome_pack",
            "waiting",
        )
        assert row_of(app, "A002")[1:2] == ["Welcome pack"]
        assert app.screen.query_one("#current-number", BigTicket).label == ""


async def test_a_no_show_or_a_finish_is_taken_back_with_ctrl_z(
    desk_services: Services, clerk: Actor
) -> None:
    first = walk_in(desk_services, clerk, "First")
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        await press(pilot, "f4")
        await press(pilot, "f7")  # the wrong key: the visitor is standing right there
        assert desk_services.queue.ticket(clerk, first.id).status == "no_show"
        await press(pilot, "ctrl+z")
        assert desk_services.queue.ticket(clerk, first.id).status == "called"
        assert app.screen.query_one("#current-number", BigTicket).label == "A001"
        await press(pilot, "ctrl+z")  # nothing left to take back: a message, no change
        assert desk_services.queue.ticket(clerk, first.id).status == "called"


async def test_f2_on_an_anonymous_ticket_gives_that_ticket_its_visitor(
    desk_services: Services, clerk: Actor
) -> None:
    anonymous = desk_services.queue.issue(clerk, "info")
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        await press(pilot, "f4")
        await press(pilot, "p")  # a pack needs a record: the desk says F2 gives it one
        await press(pilot, "f2")
        assert isinstance(app.screen, ConfirmModal)
        await press(pilot, "y")
        assert isinstance(app.screen, RegisterScreen)
        await pilot.press(*"Ngozi", "tab", *"Adeyemi")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, DeskScreen)
        ticket = desk_services.queue.ticket(clerk, anonymous.id)
        assert (ticket.label, ticket.status, ticket.visitor_name) == (
            "A001",
            "called",
            "Ngozi Adeyemi",
        )
        assert len(desk_services.queue.today(clerk)) == 1  # no second ticket
        assert app.screen.query_one("#current-number", BigTicket).label == "A001"


async def test_a_second_ticket_for_a_waiting_visitor_is_asked_first(
    desk_services: Services, clerk: Actor
) -> None:
    first = walk_in(desk_services, clerk, "Zoë")
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        find = await open_find(pilot, *"Zoë")
        find.action_issue()
        await settle(app, pilot)
        await press(pilot, "enter")  # the service picked: information
        assert isinstance(app.screen, ConfirmModal)
        assert first.label in str(app.screen.query_one("#dialog-message", Static).content)
        await press(pilot, "escape")  # no: one ticket is enough
    assert [t.label for t in desk_services.queue.today(clerk)] == [first.label]


async def test_call_out_of_turn_and_cancel(desk_services: Services, clerk: Actor) -> None:
    walk_in(desk_services, clerk, "One")
    two = walk_in(desk_services, clerk, "Two")
    three = walk_in(desk_services, clerk, "Three")
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        queue_table(app).focus()
        await press(pilot, "down", "down", "delete")
        assert isinstance(app.screen, ConfirmModal)
        await press(pilot, "y")
        assert desk_services.queue.ticket(clerk, three.id).status == "cancelled"
        assert queue_labels(app) == ["A001", "A002"]
        # The cursor stayed on the last row (A002); Enter calls it out of turn.
        await press(pilot, "enter")
        assert isinstance(app.screen, ConfirmModal)
        await press(pilot, "y")
        called = desk_services.queue.ticket(clerk, two.id)
        assert (called.status, called.desk) == ("called", 1)


async def test_refusal_is_a_message_not_a_crash(desk_services: Services, clerk: Actor) -> None:
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        await press(pilot, "f8", "f5", "f7")
        assert isinstance(app.screen, DeskScreen)
        await press(pilot, "f4")
        assert any("Nobody is waiting" in n.message for n in notifications(app))


async def test_second_desk_sees_changes_within_two_seconds(
    desk_services: Services, clerk: Actor, sqlite_url: str, clock: FixedClock
) -> None:
    other = make_services(sqlite_url, clock)
    try:
        desk2 = Actor(clerk.staff_id, clerk.name, clerk.role, 2, "test")
        app1, app2 = make_app(desk_services, 1), make_app(other, 2)
        async with app1.run_test(size=SIZE) as pilot1, app2.run_test(size=SIZE) as pilot2:
            screen1 = await log_in(app1, pilot1, clerk)
            screen2 = await log_in(app2, pilot2, desk2)
            await press(pilot1, "f2")
            await press(pilot1, *"Ana", "ctrl+s")
            await pilot1.press("enter")
            # Desk 2's own reload (the queue signal, or its poll) brings the new ticket.
            await reloaded(pilot2, screen2, lambda: queue_labels(app2) == ["A001"])
            assert queue_labels(app2) == ["A001"]
            await press(pilot2, "f4")
            await reloaded(pilot1, screen1, lambda: row_of(app1, "A001")[5:] == ["Called", "2"])
            assert row_of(app1, "A001")[5:] == ["Called", "2"]
            # Desk 1 does not treat desk 2's visitor as its own.
            assert app1.screen.query_one("#current-number", BigTicket).label == ""
    finally:
        other.close()


# -- registration: bad input -----------------------------------------------------------
BAD_INPUT = [
    ("phone", "12", "phone"),
    ("email", "x@", "e-mail"),
    ("birth_date", "01-01-2099", "future"),
    ("given_names", "x" * 10_000, "too long"),
    ("given_names", "Zo\x07ë", "control characters"),
    ("nationality", "Atlantis", "country"),
]


@pytest.mark.parametrize(("field", "value", "words"), BAD_INPUT)
async def test_registration_refuses_bad_input_beside_the_field(
    desk_services: Services, clerk: Actor, field: str, value: str, words: str
) -> None:
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        screen = await open_register(pilot, *"Mia")
        if field == "given_names":
            screen.query_one("#given_names", Input).value = value  # pasted
        else:
            screen.query_one(f"#{field}", Input).value = value
        await press(pilot, "ctrl+s")
        assert app.screen is screen, "the form stays open"
        assert words in field_error(screen, field)
        assert value not in field_error(screen, field)
        assert screen.query_one(f"#{field}", Input).value == value, "the form keeps what was typed"
        assert app.focused is not None and app.focused.id == field
    assert desk_services.queue.today(clerk) == []
    assert desk_services.visitors.search(clerk, "mia") == []


async def test_every_wrong_field_is_shown_at_once_and_the_first_gets_the_cursor(
    desk_services: Services, clerk: Actor
) -> None:
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        screen = await open_register(pilot, *"Olena")
        typed = {"birth_date": "31-02-1988", "phone": "12", "email": "olena@"}
        for field, value in typed.items():
            screen.query_one(f"#{field}", Input).value = value
        await press(pilot, "ctrl+s")
        assert "not a date" in field_error(screen, "birth_date")
        assert "phone" in field_error(screen, "phone")
        assert "e-mail" in field_error(screen, "email")
        assert field_error(screen, "given_names") == ""
        assert app.focused is not None and app.focused.id == "birth_date"
        for field, value in typed.items():
            assert screen.query_one(f"#{field}", Input).value == value
        # Corrected and saved: the old messages go, under the "ticket issued" dialog too.
        for field in typed:
            screen.query_one(f"#{field}", Input).value = ""
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, TicketIssuedModal)
        assert all(field_error(screen, field) == "" for field in typed)
    assert [t.label for t in desk_services.queue.today(clerk)] == ["A001"]


async def test_tab_out_of_the_nationality_takes_the_highlighted_country(
    desk_services: Services, clerk: Actor
) -> None:
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        screen = await open_register(pilot, *"Olena")
        screen.query_one("#nationality", Input).focus()
        await press(pilot, *"oekr")
        await press(pilot, "tab")
        assert screen.query_one("#nationality", Input).value == "Ukraine"
        assert app.focused is not None and app.focused.id == "phone"
        await pilot.press(*"0612345678")
        assert screen.query_one("#phone", Input).value == "0612345678"
        await press(pilot, "tab")  # no countries listed now: Tab simply moves on
        assert app.focused is not None and app.focused.id == "email"


async def test_country_suggestions_reach_the_netherlands(
    desk_services: Services, clerk: Actor
) -> None:
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        screen = await open_register(pilot, *"Noor")
        screen.query_one("#nationality", Input).focus()
        await press(pilot, *"neth")
        options = screen.query_one("#countries", OptionList)
        assert options.get_option_at_index(0).id == "NL"
        await press(pilot, "down", "enter")
        assert screen.query_one("#nationality", Input).value == "Netherlands"
        assert app.focused is not None and app.focused.id == "phone"
        await press(pilot, "ctrl+s")
        await press(pilot, "enter")
    (visitor,) = desk_services.visitors.search(clerk, "noor")
    assert visitor.nationality == "NL"


@pytest.mark.parametrize("typed", ["Nederland", "NL", "nl"])
async def test_dutch_name_and_code_also_work(
    desk_services: Services, clerk: Actor, typed: str
) -> None:
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        await press(pilot, "f2")
        app.screen.query_one("#nationality", Input).focus()
        await press(pilot, *typed)
        options = app.screen.query_one("#countries", OptionList)
        assert options.get_option_at_index(0).id == "NL"


async def test_returning_visitor_is_found_and_reused(desk_services: Services, clerk: Actor) -> None:
    existing = desk_services.visitors.register(
        clerk, VisitorInput(given_names="Zoë", family_name="Ødegård", phone="+47 412 34 567")
    )
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        await open_register(pilot, *"odegard")
        await settle(app, pilot)
        returning = app.screen.query_one("#returning", OptionList)
        assert returning.option_count == 1
        assert "Ødegård" in str(returning.get_option_at_index(0).prompt)
        await press(pilot, "down", "enter")
        assert app.screen.query_one("#family_name", Input).value == "Ødegård"
        assert app.screen.query_one("#phone", Input).value == "+47 41 23 45 67"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, TicketIssuedModal)
        await press(pilot, "escape")
    assert len(desk_services.visitors.search(clerk, "odegard")) == 1
    (ticket,) = desk_services.queue.today(clerk)
    assert ticket.visitor_id == existing.id


async def test_same_name_and_birth_date_offers_the_existing_record(
    desk_services: Services, clerk: Actor
) -> None:
    existing = desk_services.visitors.register(
        clerk, VisitorInput(given_names="Kenji", family_name="Tanaka", birth_date="1990-05-01")
    )
    desk_services.clock.advance(minutes=1)  # type: ignore[attr-defined]
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        screen = await open_register(pilot)
        screen.query_one("#given_names", Input).value = "kenji"
        screen.query_one("#family_name", Input).value = "TANAKA"
        screen.query_one("#birth_date", Input).value = "01-05-1990"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ConfirmModal)
        await press(pilot, "y")
        assert isinstance(app.screen, TicketIssuedModal)
        await press(pilot, "enter")
    assert len(desk_services.visitors.search(clerk, "tanaka")) == 1
    (ticket,) = desk_services.queue.today(clerk)
    assert ticket.visitor_id == existing.id


# -- find ------------------------------------------------------------------------------
async def test_find_by_ticket_issue_and_log_contact(desk_services: Services, clerk: Actor) -> None:
    walk_in(desk_services, clerk, "Łukasz", priority=False)
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        await open_find(pilot, *"a1", "enter")
        screen = app.screen
        assert "A001" in str(screen.query_one("#find-ticket", Static).content)
        assert screen.selected is not None and screen.selected.given_names == "Łukasz"
        assert "A001" in str(screen.query_one("#find-card", Static).content)
        # A ticket for this visitor, who waits with A001 already: the desk is asked first.
        await press(pilot, "ctrl+t")
        assert isinstance(app.screen, ServicePickModal)
        await press(pilot, "enter")
        assert isinstance(app.screen, ConfirmModal)
        await press(pilot, "y")
        assert isinstance(app.screen, TicketIssuedModal)
        await press(pilot, "enter")
        # A phone contact, first with bad minutes, then right.
        await press(pilot, "ctrl+g")
        assert isinstance(app.screen, ContactModal)
        modal = app.screen
        await pilot.press(*"Housing")
        modal.query_one("#minutes", Input).value = "lots"
        await press(pilot, "ctrl+s")
        assert "whole number" in field_error(modal, "minutes")
        modal.query_one("#minutes", Input).value = "12"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, FindScreen)
        await press(pilot, "escape")
        assert queue_labels(app) == ["A001", "A002"]
    with desk_services.db.read() as session:
        from sqlalchemy import select

        from frontdesk.db.models import ContactMoment

        (contact,) = session.scalars(select(ContactMoment))
        assert (contact.channel, contact.topic, contact.minutes) == ("email", "Housing", 12)
        assert contact.visitor_id == screen.selected.id


async def test_a_remapped_key_shows_on_button_palette_and_help(
    desk_services: Services, clerk: Actor
) -> None:
    # [keymap] call_next = "f11": the button, the palette and F1 all say F11, and F11 calls.
    walk_in(desk_services, clerk, "Ada")
    settings = Settings(db_url=desk_services.settings.db_url, desk=1, keymap={"call_next": "f11"})
    app = FrontdeskApp(desk_services, settings)
    async with app.run_test(size=SIZE) as pilot:
        screen = await log_in(app, pilot, clerk)
        assert str(screen.query_one("#do-call_next", Button).label) == "Call next F11"
        assert str(screen.query_one("#do-register", Button).label) == "Register F2"
        (entry,) = [c for c in app.get_system_commands(screen) if c.title == "Desk: Call next"]
        assert entry.help.endswith("(F11)")
        assert "No visitor: press F11" in str(screen.query_one("#card", Static).content)
        await press(pilot, "f1")
        assert ("f11", "Call next") in help_rows(app)
        assert ("f4", "Call next") not in help_rows(app)
        await pilot.press("escape")
        await press(pilot, "f11")
        assert screen.current is not None and screen.current.label == "A001"


async def test_every_desk_action_is_in_the_palette(desk_services: Services, clerk: Actor) -> None:
    async with at_desk(desk_services, clerk) as (app, _, screen):
        titles = {c.title for c in app.get_system_commands(screen)}
        for action in ("Register", "Find", "Call next", "Recall", "Transfer", "No-show"):
            assert f"Desk: {action}" in titles
        for action in ("Finish", "Hold", "Resume", "Call this", "Cancel ticket"):
            assert f"Desk: {action}" in titles
        ids = {b.id for b in screen.BINDINGS if hasattr(b, "id")}  # type: ignore[union-attr]
        assert {"register", "find", "call_next", "recall", "transfer", "no_show"} <= ids
        assert {"finish", "hold", "resume", "call_selected", "cancel_ticket"} <= ids


# -- 500 waiting: updates in place -----------------------------------------------------
async def test_busy_queue_updates_in_place(
    desk_services: Services, clerk: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    with desk_services.db.write() as session:
        for _ in range(500):
            desk_services.queue.issue_in(session, clerk, "info")
    async with at_desk(desk_services, clerk) as (app, pilot, screen):
        queue = queue_table(app)
        assert queue.row_count == 500
        queue.move_cursor(row=250)
        watched = queue.coordinate_to_cell_key(queue.cursor_coordinate).row_key
        touched: list[Any] = []
        cls = type(queue)  # the desk's QueueTable, which changes cells in place
        original = cls.update_cell

        def counting(self: Any, row_key: Any, column_key: Any, value: Any, **kw: Any) -> None:
            touched.append(row_key)
            original(self, row_key, column_key, value, **kw)

        monkeypatch.setattr(cls, "update_cell", counting)
        monkeypatch.setattr(DataTable, "clear", lambda *a, **k: pytest.fail("rebuilt"))
        # Another desk calls the first ticket: one row changes (status and desk).
        other = Actor(clerk.staff_id, clerk.name, clerk.role, 3, "test")
        called = desk_services.queue.call_next(other, 3)
        assert called is not None
        screen.refresh_queue()
        await settle(app, pilot)
        assert screen.last_update is not None
        assert screen.last_update.diff.rows_touched == 1
        assert set(touched) == {str(called.id)}
        assert queue.row_count == 500
        assert queue.coordinate_to_cell_key(queue.cursor_coordinate).row_key == watched
        # A poll with nothing new does not read the queue at all.
        screen.refresh_queue()
        await settle(app, pilot)
        assert screen.last_update.diff.rows_touched == 1  # unchanged: no new update


async def test_desk_reads_only_the_changed_tickets_and_all_once_a_minute(
    desk_services: Services, clerk: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    with desk_services.db.write() as session:
        for i in range(40):
            desk_services.queue.issue_in(session, clerk, "info" if i % 2 else "bsn_collection")
    async with at_desk(desk_services, clerk) as (app, pilot, screen):
        last = desk_services.queue.today(clerk)[-1].id  # the bottom row of the desk's table
        reads: list[str] = []
        queue_cls = type(desk_services.queue)
        original_today = queue_cls.today

        def today(self: Any, actor: Actor) -> Any:
            reads.append("today")
            return original_today(self, actor)

        monkeypatch.setattr(queue_cls, "today", today)
        other = Actor(clerk.staff_id, clerk.name, clerk.role, 3, "test")
        called = desk_services.queue.call_next(other, 3)
        assert called is not None
        desk_services.queue.issue(clerk, "info", priority=True)  # goes to the top
        desk_services.queue.cancel(clerk, last)  # leaves the queue
        screen.refresh_queue()
        await settle(app, pilot)
        assert reads == []  # only the changes were read...
        assert queue_labels(app) == [t.label for t in desk_services.queue.today(clerk)]
        assert row_of(app, called.label)[5] == "Called" and row_of(app, called.label)[6] == "3"
        # ...and the once-a-minute refresh reads the whole queue (minutes, due appointments).
        reads.clear()
        screen.refresh_queue(force=True, full=True)
        await settle(app, pilot)
        assert reads == ["today"]
        assert queue_labels(app) == [t.label for t in desk_services.queue.today(clerk)]


def test_diff_rows_is_the_smallest_change() -> None:
    old = {1: ("A001", "x"), 2: ("A002", "x"), 3: ("A003", "x")}
    diff = diff_rows(old, (1, 2, 3), [(1, ("A001", "x")), (3, ("A003", "y")), (4, ("A004", "x"))])
    assert diff.removed == (2,)
    assert diff.added == ((4, ("A004", "x")),)
    assert diff.changed == ((3, 1, "y"),)
    assert diff.order is None
    # A priority ticket goes to the top: the new order is given.
    moved = diff_rows(old, (1, 2, 3), [(9, ("A009", "x")), *((k, v) for k, v in old.items())])
    assert moved.order == (9, 1, 2, 3)
    assert diff_rows(old, (1, 2, 3), list(old.items())).empty


async def test_queue_table_draws_like_a_datatable_with_the_row_under_the_mouse() -> None:
    # QueueTable reuses drawn cells across updates; what it draws must stay what DataTable
    # draws, and a click must still read the row the cell is on now (after a sort).
    from textual.app import App, ComposeResult

    from frontdesk.tui.widgets.queue_table import QueueTable

    class Two(App[None]):
        def compose(self) -> ComposeResult:
            yield QueueTable(id="fast", cursor_type="row", zebra_stripes=True)
            yield DataTable(id="plain", cursor_type="row", zebra_stripes=True)

        def on_mount(self) -> None:
            for t in self.query(DataTable):
                t.styles.height = 9
                t.add_column("Ticket", key="ticket")
                t.add_column("Service", key="service")
                for i in range(6):
                    t.add_row(f"A{i:03d}", "Info" if i % 2 else "BSN [x]", key=str(i))

    def drawn(t: DataTable[Any]) -> list[list[tuple[str, Any]]]:
        return [[(seg.text, seg.style) for seg in t.render_line(y)] for y in range(7)]

    app = Two()
    async with app.run_test(size=(60, 20)) as pilot:
        fast, plain = app.query_one("#fast", QueueTable), app.query_one("#plain", DataTable)
        app.set_focus(None)  # the same pseudo-classes on both
        await pilot.pause()
        assert drawn(fast) == drawn(plain)
        for t in (fast, plain):
            t.sort("ticket", reverse=True)
            t.update_cell("2", "service", "Info")
            t.move_cursor(row=2)
        await pilot.pause()
        assert drawn(fast) == drawn(plain)
        # Row 0 is now A005: its cells carry row 0 in their meta, A000's carry row 5.
        top = [seg.style.meta for seg in fast.render_line(1) if seg.style and seg.style.meta]
        assert top and {m["row"] for m in top} == {0}
        assert "A005" in fast.render_line(1).text and "A000" in fast.render_line(6).text


def test_big_ticket_draws_every_prefix_letter() -> None:
    for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        lines = big_lines(f"{letter}07")
        assert all(len(line) == 9 for line in lines)
        assert lines[0][:3].strip(), letter


# -- snapshots -------------------------------------------------------------------------
def _busy_queue(services: Services, clerk: Actor) -> None:
    clock: FixedClock = services.clock  # type: ignore[assignment]
    names = ["Zoë", "Łukasz", "Nguyễn Thị", "Priya", "Emily", "Olena", "Sofía", "João"]
    codes = ["info", "welcome_pack", "referral", "info", "bsn_collection"]
    for i in range(24):
        walk_in(services, clerk, names[i % len(names)], codes[i % len(codes)], priority=i % 9 == 4)
        clock.advance(minutes=2)
    with services.db.write() as session:
        services.queue.issue_in(
            session,
            clerk,
            "bsn_registration",
            source="appointment",
            appointment_at=clock.now() + timedelta(minutes=10),
        )
    other = Actor(clerk.staff_id, clerk.name, clerk.role, 2, "test")
    services.queue.call_next(other, 2)
    services.queue.call_next(clerk, 1)
    clock.advance(minutes=3)


def test_snapshot_busy_desk(snap_compare: Any, desk_services: Services, clerk: Actor) -> None:
    desk_services.visitors.register(clerk, VisitorInput(given_names="Seed"))  # visitor id 1
    _busy_queue(desk_services, clerk)
    app = make_app(desk_services)

    async def run_before(pilot: Pilot[Any]) -> None:
        await log_in(app, pilot, clerk)
        await settle(app, pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_snapshot_registration_errors(
    snap_compare: Any, desk_services: Services, clerk: Actor
) -> None:
    app = make_app(desk_services)

    async def run_before(pilot: Pilot[Any]) -> None:
        await log_in(app, pilot, clerk)
        screen = await open_register(pilot, *"Amara")
        screen.query_one("#family_name", Input).value = "Okafor"
        screen.query_one("#phone", Input).value = "12"
        for field in screen.query(Input):
            field.cursor_blink = False  # a blinking cursor makes the picture flaky
        await press(pilot, "ctrl+s")

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_the_waiting_strip_wraps_between_services_never_inside_one() -> None:
    from frontdesk.services.queue import ServiceLoad
    from frontdesk.tui.desk.card import load_text

    load = [
        ServiceLoad("bsn", "BSN registration", "B", 2, 20),
        ServiceLoad("info", "Information & advice", "A", 12, 186),
        ServiceLoad("pack", "Welcome pack", "W", 2, 10),
        ServiceLoad("ref", "Partner referral", "R", 4, 60),
        ServiceLoad("idle", "Nobody waiting", "X", 0, 0),
    ]
    wide = load_text(load, 200)
    assert wide == ("Waiting 20 — B 2 (~10 min) · A 12 (~170 min) · W 2 (~5 min) · R 4 (~45 min)")
    lines = load_text(load, 68).splitlines()
    assert lines == [
        "Waiting 20 — B 2 (~10 min) · A 12 (~170 min) · W 2 (~5 min) ·",
        "R 4 (~45 min)",
    ]
    assert all(len(line) <= 68 for line in lines)
    assert load_text([], 71) == "Waiting 0"


async def test_visitor_buttons_disabled_and_styled_until_a_visitor_is_called(
    desk_services: Services, clerk: Actor
) -> None:
    from textual.widgets import Button

    from frontdesk.tui.desk.screen import NEEDS_CURRENT

    walk_in(desk_services, clerk, "First")
    async with at_desk(desk_services, clerk) as (app, pilot, screen):
        needs = [screen.query_one(f"#do-{a}", Button) for a in NEEDS_CURRENT]
        other = screen.query_one("#do-call_next", Button)

        def looks(button: Button) -> tuple[Any, ...]:
            s = button.styles
            return (s.text_opacity, s.background, s.color)

        def disabled(button: Button) -> bool:  # and drawn so: styled unlike an enabled one
            dimmed = looks(button) != looks(other)
            assert button.disabled == button.has_pseudo_class("disabled") == dimmed
            return dimmed

        assert all(disabled(b) for b in needs)
        await press(pilot, "f4")
        assert not any(disabled(b) for b in needs)
        needs[0].focus()
        await press(pilot, "f7")  # no-show: nobody at the desk, the focused button lets go
        assert all(disabled(b) for b in needs)
        assert app.focused is not needs[0]
        await click(pilot, "#do-finish")
        assert isinstance(app.screen, DeskScreen)  # a disabled button opens nothing


async def test_an_action_during_a_poll_still_shows_its_result(
    desk_services: Services, clerk: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    walk_in(desk_services, clerk, "First")
    async with at_desk(desk_services, clerk) as (app, pilot, screen):
        # A poll reads the queue as it was, then is held until the action is done.
        reading, release = threading.Event(), threading.Event()
        queue_cls = type(desk_services.queue)
        original = queue_cls.changed_since

        def held(self: Any, actor: Actor, version: int) -> Any:
            seen = original(self, actor, version)
            reading.set()
            release.wait(10)
            return seen

        monkeypatch.setattr(queue_cls, "changed_since", held)
        screen.refresh_queue(force=True)
        await until(pilot, reading.is_set)
        monkeypatch.setattr(queue_cls, "changed_since", original)
        await pilot.press("f4")  # the action must not read the queue while the poll does
        await until(pilot, lambda: desk_services.queue.today(clerk)[0].status == "called")
        assert row_of(app, "A001")[5] == "Waiting"  # not applied over the running poll
        release.set()  # the poll ends with what it saw; the refresh the action asked follows
        await settle(app, pilot)
        assert row_of(app, "A001")[5:] == ["Called", "1"]
        assert app.screen.query_one("#current-number", BigTicket).label == "A001"
        walk_in(desk_services, clerk, "Second")  # and the desk goes on polling
        screen.refresh_queue()
        await settle(app, pilot)
        assert queue_labels(app) == ["A001", "A002"]
