"""The lead's e-mails tab, driven by the keys a lead presses: a refused e-mail shows its
reason and is sent again with the retry key; a queued one is cancelled after a question."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import update
from textual.widgets import DataTable, TabbedContent

from frontdesk.clock import FixedClock
from frontdesk.db.models import OutboxMessage
from frontdesk.services import Services
from frontdesk.tui.app import FrontdeskApp
from frontdesk.tui.lead import LeadScreen
from frontdesk.tui.screens.dialogs import ConfirmModal
from tests.conftest import TEST_PIN, add_staff, make_services
from tests.helpers import at_desk, enter_pin, mail_booking, open_register, press


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


def rows(screen: LeadScreen) -> list[list[str]]:
    table = screen.query_one("#outbox-table", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_the_lead_retries_a_failed_email_and_cancels_a_queued_one(
    mail_services: Services,
) -> None:
    app = FrontdeskApp(mail_services, mail_services.settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await enter_pin(pilot, TEST_PIN, "alt+5")
        screen = app.screen
        assert isinstance(screen, LeadScreen)
        await press(pilot, "f11")
        assert screen.query_one(TabbedContent).active == "outbox"
        shown = rows(screen)
        assert [r[0] for r in shown] == ["failed", "queued"]  # failed first
        assert shown[0][1] == "Confirmation" and "550" in shown[0][6]
        screen.query_one("#outbox-table", DataTable).focus()
        await press(pilot, "ctrl+b")  # retry the failed one (the cursor is on it)
        assert sorted(r[0] for r in rows(screen)) == ["queued", "queued"]

        await press(pilot, "down", "ctrl+x")
        assert isinstance(app.screen, ConfirmModal)
        await press(pilot, "enter")
        assert len(rows(screen)) == 1
        counts = mail_services.mail.counts(app.actor) if app.actor else {}
        assert counts["queued"] == 1 and counts["cancelled"] == 1


async def test_the_desk_registers_a_visitor_who_wants_no_emails(desk_services: Services) -> None:
    clerk = add_staff(desk_services, "Dirk Desk", "desk")
    async with at_desk(desk_services, clerk) as (app, pilot, _):
        await open_register(pilot, *"Zoë")
        for _ in range(30):  # Tab through the form to the e-mail choice, as a clerk does
            if app.focused is not None and app.focused.id == "mail_opt_out":
                break
            await pilot.press("tab")
        assert app.focused is not None and app.focused.id == "mail_opt_out"
        await press(pilot, "space", "ctrl+s")
    [zoe] = desk_services.visitors.search(clerk, "zoe")
    assert zoe.mail_opt_out is True
