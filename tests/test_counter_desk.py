"""Small seams at the desk (issue 19): Ctrl+Q quits from the F1 help; the ticket dialog
and the desk's waiting strip give the same wait; the lead's day review refreshes itself."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from textual.widgets import DataTable, Static

from frontdesk.clock import FixedClock
from frontdesk.services import Services
from frontdesk.tui.app import FrontdeskApp
from frontdesk.tui.desk.dialogs import TicketIssuedModal
from frontdesk.tui.lead.review import ReviewTab
from frontdesk.tui.screens.dialogs import HelpScreen
from tests.conftest import add_staff, make_services
from tests.helpers import at_desk, enter_pin, press, settle, walk_in


async def test_ctrl_q_quits_while_the_help_is_open(desk_services: Services) -> None:
    clerk = add_staff(desk_services, "Dirk Desk", "desk")
    async with at_desk(desk_services, clerk, size=(80, 24)) as (app, pilot, _):
        await press(pilot, "f1")
        assert isinstance(app.screen, HelpScreen)
        await press(pilot, "ctrl+q")
        assert not app.is_running


def _text(app: Any, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)


async def test_ticket_dialog_and_waiting_strip_say_the_same_wait(desk_services: Services) -> None:
    clerk = add_staff(desk_services, "Dirk Desk", "desk")
    async with at_desk(desk_services, clerk, size=(120, 35)) as (app, pilot, _):
        shown = []
        for name in ("Ana", "Bo"):
            await press(pilot, "f2")
            await press(pilot, *name, "ctrl+s")
            assert isinstance(app.screen, TicketIssuedModal)
            shown.append(_text(app, "#issued-wait"))
            await press(pilot, "enter")
            shown.append(_text(app, "#load"))
        # the first has nobody ahead; the second one visitor of 15 minutes (one desk)
        assert shown[0] == "Estimated wait: no wait" and "A 1 (no wait)" in shown[1]
        assert shown[2] == "Estimated wait: ~15 min" and "A 2 (~15 min)" in shown[3]


async def test_day_review_refreshes_by_itself_and_keeps_the_ticket(sqlite_url: str) -> None:
    clock = FixedClock(datetime(2026, 11, 23, 15, 10))  # Monday, in walk-in hours
    services = make_services(sqlite_url, clock, staff="Lea Lead")
    add_staff(services, "Lea Lead", "lead", pin="1234")
    clerk = add_staff(services, "Dirk Desk", "desk", desk=2)
    for name in ("Ana", "Bo", "Cas"):
        walk_in(services, clerk, name)
    app = FrontdeskApp(services, services.settings)
    try:
        async with app.run_test(size=(120, 35)) as pilot:
            await enter_pin(pilot, "1234", "alt+5")
            await press(pilot, "f3")
            review = app.screen.query_one(ReviewTab)
            tickets = app.screen.query_one("#review-tickets", DataTable)
            assert tickets.row_count == 3
            tickets.focus()
            await press(pilot, "down")
            looked_at = review.highlighted_id()
            assert looked_at is not None
            # another desk acts: the review, polling, shows it without a key pressed
            services.queue.call_next(clerk, 2)
            walk_in(services, clerk, "Dee")
            review.poll()
            await settle(app, pilot)
            assert tickets.row_count == 4
            assert "Called" in [str(tickets.get_row_at(i)[2]) for i in range(4)]
            assert review.highlighted_id() == looked_at
    finally:
        services.close()
