"""Small seams at the desk (issue 19): Ctrl+Q quits from the F1 help; the ticket dialog
and the desk's waiting strip give the same wait."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static

from frontdesk.services import Services
from frontdesk.tui.screens.dialogs import HelpScreen
from frontdesk.tui.screens.queue_dialogs import TicketIssuedModal
from tests.conftest import add_staff
from tests.helpers import log_in, make_app, settle


async def test_ctrl_q_quits_while_the_help_is_open(desk_services: Services) -> None:
    clerk = add_staff(desk_services, "Dirk Desk", "desk")
    app = make_app(desk_services)
    async with app.run_test(size=(80, 24)) as pilot:
        await log_in(app, pilot, clerk)
        await pilot.press("f1")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("ctrl+q")
        await settle(app, pilot)
        assert not app.is_running


def _text(app: Any, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)


async def test_ticket_dialog_and_waiting_strip_say_the_same_wait(desk_services: Services) -> None:
    clerk = add_staff(desk_services, "Dirk Desk", "desk")
    app = make_app(desk_services)
    async with app.run_test(size=(120, 35)) as pilot:
        await log_in(app, pilot, clerk)
        shown = []
        for name in ("Ana", "Bo"):
            await pilot.press("f2")
            await settle(app, pilot)
            await pilot.press(*name, "ctrl+s")
            await settle(app, pilot)
            assert isinstance(app.screen, TicketIssuedModal)
            shown.append(_text(app, "#issued-wait"))
            await pilot.press("enter")
            await settle(app, pilot)
            shown.append(_text(app, "#load"))
        # the first has nobody ahead; the second one visitor of 15 minutes (one desk)
        assert shown[0] == "Estimated wait: no wait" and "A 1 (no wait)" in shown[1]
        assert shown[2] == "Estimated wait: ~15 min" and "A 2 (~15 min)" in shown[3]
