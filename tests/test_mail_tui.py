"""The lead's e-mails tab, driven by the keys a lead presses: a refused e-mail shows its
reason and is sent again with the retry key; a queued one is cancelled after a question."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import update
from textual.pilot import Pilot
from textual.widgets import DataTable, TabbedContent

from frontdesk.clock import FixedClock
from frontdesk.db.models import OutboxMessage
from frontdesk.services import Services
from frontdesk.tui.app import FrontdeskApp
from frontdesk.tui.lead import LeadScreen
from frontdesk.tui.screens.dialogs import ConfirmModal
from tests.conftest import add_staff, make_services
from tests.helpers import mail_booking, workers_done


@pytest.fixture
def mail_services(sqlite_url: str) -> Iterator[Services]:
    services = make_services(
        sqlite_url, FixedClock(datetime(2026, 11, 23, 11, 20)), staff="Lea Lead"
    )
    add_staff(services, "Lea Lead", "lead")
    clerk = add_staff(services, "Dirk Desk", "desk")
    services.appointments.book(clerk, mail_booking())  # a confirmation and a reminder
    with services.db.write() as session:  # the server refused the confirmation
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.kind == "confirmation")
            .values(status="failed", attempts=1, last_error="the mail server answered 550")
        )
    yield services
    services.close()


async def settle(pilot: Pilot[Any]) -> None:
    for _ in range(3):
        await workers_done(pilot.app)
        await pilot.pause()


def rows(screen: LeadScreen) -> list[list[str]]:
    table = screen.query_one("#outbox-table", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_the_lead_retries_a_failed_email_and_cancels_a_queued_one(
    mail_services: Services,
) -> None:
    app = FrontdeskApp(mail_services, mail_services.settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press(*"1234", "enter")
        await settle(pilot)
        await pilot.press("alt+5")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LeadScreen)
        await pilot.press("f11")
        await settle(pilot)
        assert screen.query_one(TabbedContent).active == "outbox"
        shown = rows(screen)
        assert [r[0] for r in shown] == ["failed", "queued"]  # failed first
        assert shown[0][1] == "Confirmation" and "550" in shown[0][6]
        screen.query_one("#outbox-table", DataTable).focus()
        await pilot.press("ctrl+b")  # retry the failed one (the cursor is on it)
        await settle(pilot)
        assert sorted(r[0] for r in rows(screen)) == ["queued", "queued"]

        await pilot.press("down", "ctrl+x")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("enter")
        await settle(pilot)
        assert len(rows(screen)) == 1
        counts = mail_services.mail.counts(app.actor) if app.actor else {}
        assert counts["queued"] == 1 and counts["cancelled"] == 1


async def test_the_desk_registers_a_visitor_who_wants_no_emails(desk_services: Services) -> None:
    from tests.helpers import SIZE, log_in, make_app
    from tests.helpers import settle as settle_app

    clerk = add_staff(desk_services, "Dirk Desk", "desk")
    app = make_app(desk_services)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(app, pilot, clerk)
        await pilot.press("f2")
        await settle_app(app, pilot)
        await pilot.press(*"Zoë")
        for _ in range(30):  # Tab through the form to the e-mail choice, as a clerk does
            if app.focused is not None and app.focused.id == "mail_opt_out":
                break
            await pilot.press("tab")
        assert app.focused is not None and app.focused.id == "mail_opt_out"
        await pilot.press("space", "ctrl+s")
        await settle_app(app, pilot)
    [zoe] = desk_services.visitors.search(clerk, "zoe")
    assert zoe.mail_opt_out is True
