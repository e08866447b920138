"""The Welcome packs screen driven by keys: hand out a pack, see the stock drop and LOW appear."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Static

from frontdesk.clock import FixedClock
from frontdesk.services import Services
from frontdesk.services.auth import CLI_ACTOR
from frontdesk.services.visitors import VisitorInput
from frontdesk.tui.app import FrontdeskApp
from frontdesk.tui.packs import PacksScreen
from frontdesk.tui.packs.dialogs import IssuePackModal, VisitorPickModal
from frontdesk.tui.textual_compat import notifications
from tests.conftest import MONDAY_10, TEST_PIN, add_staff, make_services
from tests.helpers import enter_pin, press


@pytest.fixture
def desk_services(sqlite_url: str) -> Iterator[Services]:
    services = make_services(sqlite_url, FixedClock(MONDAY_10), staff="Dirk Desk")
    add_staff(services, "Lea Lead", "lead")
    add_staff(services, "Dirk Desk", "desk")
    packs = services.packs
    bag = packs.add_kind(CLI_ACTOR, "bag", "Welcome bag", 5)
    packs.receive(CLI_ACTOR, bag.id, 6, "first delivery")
    family = packs.add_kind(CLI_ACTOR, "family", "Family pack", 2)
    packs.receive(CLI_ACTOR, family.id, 9)
    packs.add_kind(CLI_ACTOR, "student", "Student pack", 3)  # none on the shelf
    services.visitors.register(CLI_ACTOR, VisitorInput(given_names="Emma", family_name="Visser"))
    yield services
    services.close()


async def login_to_packs(pilot: Pilot[Any]) -> None:
    await enter_pin(pilot, TEST_PIN, "alt+4")
    assert isinstance(pilot.app.screen, PacksScreen)


def stock_of(app: FrontdeskApp, name: str) -> tuple[str, str]:
    table = app.screen.query_one("#pack-kinds", DataTable)
    for row in range(table.row_count):
        cells = [str(c) for c in table.get_row_at(row)]
        if cells[1] == name:
            return cells[2], cells[4]
    raise AssertionError(f"{name} not in the table")


def low_line(app: FrontdeskApp) -> str:
    low = app.screen.query_one("#packs-low", Static)
    return str(low.content) if low.display else ""


async def test_hand_out_from_the_packs_screen(desk_services: Services) -> None:
    app = FrontdeskApp(desk_services, desk_services.settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await login_to_packs(pilot)
        assert stock_of(app, "Welcome bag") == ("6", "")
        assert stock_of(app, "Student pack") == ("0", "OUT")
        assert "Welcome bag" not in low_line(app)
        assert "Student pack OUT OF STOCK" in low_line(app)

        # The desk may not receive stock: a clear message, no form.
        await press(pilot, "r")
        assert isinstance(app.screen, PacksScreen)
        said = [n.message for n in notifications(app)]
        assert "As desk staff you may not receive pack stock; ask the team lead." in said

        await press(pilot, "i")
        assert isinstance(app.screen, VisitorPickModal)
        await press(pilot, *"visser", "enter")
        await press(pilot, "enter")
        modal = app.screen
        assert isinstance(modal, IssuePackModal)
        kinds = modal.query_one("#issue-kinds", OptionList)
        assert kinds.option_count == 3
        assert kinds.get_option_at_index(1).disabled  # Student pack: out of stock
        await press(pilot, "down", "enter")  # Family pack first; down skips Student (empty)

        assert isinstance(app.screen, PacksScreen)
        said = [n.message for n in notifications(app)]
        assert "Handed out: Welcome bag. 5 left — LOW stock: time to reorder." in said
        assert stock_of(app, "Welcome bag") == ("5", "LOW")
        assert "Welcome bag 5 left (reorder at 5)" in low_line(app)
        assert desk_services.packs.get(CLI_ACTOR, 1).stock == 5

        # The same visitor again: the dialog asks why, and records nothing without a reason.
        await press(pilot, "i")
        await press(pilot, *"emma", "enter")
        await press(pilot, "enter")
        await press(pilot, "down", "enter")
        modal = app.screen
        assert isinstance(modal, IssuePackModal)
        reason = modal.query_one("#override_reason", Input)
        assert reason.has_focus
        await press(pilot, "enter")
        assert "type a reason" in str(
            modal.query_one("#field-override_reason .field-error", Static).content
        )
        assert desk_services.packs.get(CLI_ACTOR, 1).stock == 5
        await press(pilot, *"torn", "enter")
        assert isinstance(app.screen, PacksScreen)
        assert stock_of(app, "Welcome bag") == ("4", "LOW")
        given = desk_services.packs.issues_of(CLI_ACTOR, 1)
        assert [g.override_reason for g in given] == ["torn", None]


async def test_the_lead_retires_a_kind_and_brings_it_back(sqlite_url: str) -> None:
    services = make_services(sqlite_url, FixedClock(MONDAY_10), staff="Lea Lead")
    add_staff(services, "Lea Lead", "lead")
    student = services.packs.add_kind(CLI_ACTOR, "student", "Student pack", 3)
    services.packs.add_kind(CLI_ACTOR, "bag", "Welcome bag", 0)
    app = FrontdeskApp(services, services.settings)
    try:
        async with app.run_test(size=(120, 35)) as pilot:
            await login_to_packs(pilot)
            assert "Student pack OUT OF STOCK" in low_line(app)
            await pilot.press("down")  # by name: Student pack, Welcome bag
            await press(pilot, "up", "x")
            assert stock_of(app, "Student pack") == ("0", "retired")
            assert "Student pack" not in low_line(app)
            assert not services.packs.get(CLI_ACTOR, student.id).active
            await press(pilot, "x")
            assert stock_of(app, "Student pack") == ("0", "OUT")
            assert services.packs.get(CLI_ACTOR, student.id).active
    finally:
        services.close()


def test_packs_screen_snapshot(desk_services: Services, snap_compare: Any) -> None:
    app = FrontdeskApp(desk_services, desk_services.settings)
    assert snap_compare(app, terminal_size=(120, 35), run_before=login_to_packs)
