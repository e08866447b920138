"""Pilot tests of the kiosk: every screen in every shipped language, idle reset, the
ticket's 20 seconds, closed hours, the rate limit, a failed check-in and the pause, a
household check-in, and a printer that fails."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from datetime import time as clock_time
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Input, Static

from frontdesk.clock import FixedClock
from frontdesk.config import Hours
from frontdesk.i18n import languages, text
from frontdesk.services import Services
from frontdesk.services.kiosk import CHECK_IN_FAILURES
from frontdesk.services.printing import TicketSlip
from frontdesk.tui.kiosk import KioskApp
from frontdesk.tui.kiosk.screens import (
    CheckInScreen,
    LanguageScreen,
    ServiceScreen,
    StartScreen,
    TicketScreen,
)
from tests.conftest import make_services
from tests.helpers import click, household, press, settle

SIZE = (100, 40)
# Monday 10:00: walk-in and BSN appointment hours both open (these tests' own hours).
OPEN_ALL = (
    Hours(0, clock_time(9, 0), clock_time(17, 0), "walk_in"),
    Hours(0, clock_time(9, 0), clock_time(12, 15), "bsn_appointments"),
)
LANGUAGES = list(languages("kiosk"))


@pytest.fixture
def kiosk_services(sqlite_url: str, clock: FixedClock) -> Iterator[Services]:
    services = make_services(sqlite_url, clock, hours=OPEN_ALL)
    yield services
    services.close()


def make_kiosk(
    services: Services, printed: bool | None = None
) -> tuple[KioskApp, list[TicketSlip]]:
    slips: list[TicketSlip] = []

    def printer(slip: TicketSlip) -> bool | None:
        slips.append(slip)
        return printed

    return KioskApp(services, services.settings, printer=printer), slips


def shown(app: KioskApp) -> str:
    """Every text on the current screen that a visitor can see."""
    parts = []
    for widget in app.screen.query("*"):
        if not widget.display or not all(
            a.display for a in widget.ancestors if hasattr(a, "display")
        ):
            continue
        if isinstance(widget, Button):
            parts.append(str(widget.label))
        elif isinstance(widget, Static):
            parts.append(str(widget.content))
    return "\n".join(parts)


def say(lang: str, key: str, **values: object) -> str:
    return text("kiosk", lang, key, **values)


async def choose(app: KioskApp, pilot: Pilot[Any], lang: str) -> None:
    await settle(app, pilot)
    await pilot.click(f"#lang-{lang}")
    await settle(app, pilot)
    assert isinstance(app.screen, StartScreen)


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_every_screen_in_every_language(kiosk_services: Services, lang: str) -> None:
    app, slips = make_kiosk(kiosk_services)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, LanguageScreen)
        for name in languages("kiosk").values():
            assert name in shown(app)
        await choose(app, pilot, lang)
        assert say(lang, "take_ticket") in shown(app)
        assert say(lang, "check_in") in shown(app)

        await click(pilot, "#check-in")
        assert isinstance(app.screen, CheckInScreen)
        assert say(lang, "reference_label") in shown(app)
        assert say(lang, "birth_date_label") in shown(app)
        await press(pilot, "escape")

        await click(pilot, "#take")
        assert isinstance(app.screen, ServiceScreen)
        assert say(lang, "pick_service") in shown(app)
        assert say(lang, "no_wait") in shown(app)
        assert say(lang, "service_info") in shown(app)  # the service in their language
        await click(pilot, "#service-info")
        assert isinstance(app.screen, TicketScreen)
        page = shown(app)
        assert "A001" in page and say(lang, "your_number") in page
        assert say(lang, "take_a_seat") in page
        assert say(lang, "service_info") in page
        assert slips[0].label == "A001" and slips[0].language == lang
    with kiosk_services.db.read() as session:
        from sqlalchemy import select

        from frontdesk.db.models import Ticket

        assert session.scalar(select(Ticket.language)) == lang


async def test_a_first_name_greets_and_reaches_the_desk(kiosk_services: Services) -> None:
    app, _slips = make_kiosk(kiosk_services)
    async with app.run_test(size=SIZE) as pilot:
        await choose(app, pilot, "es")
        await press(pilot, "1")
        await press(pilot, *"Lucia", "enter", "enter")  # name, then the first service
        assert isinstance(app.screen, TicketScreen)
        assert say("es", "hello", name="Lucia") in shown(app)


async def test_idle_goes_back_to_languages_and_leaves_nothing(kiosk_services: Services) -> None:
    app, _slips = make_kiosk(kiosk_services)
    async with app.run_test(size=SIZE) as pilot:
        await choose(app, pilot, "nl")
        await click(pilot, "#take")
        await pilot.press(*"Sanne")
        app.tick(now=time.monotonic() + 10)  # not idle long enough
        assert isinstance(app.screen, ServiceScreen)
        app.tick(now=time.monotonic() + app.idle_seconds + 1)
        await settle(app, pilot)
        assert isinstance(app.screen, LanguageScreen)
        assert len(app.screen_stack) == 2
        assert "Sanne" not in shown(app)
        assert not list(app.screen.query(Input))


async def test_the_idle_tick_before_start_and_after_exit_does_nothing(
    kiosk_services: Services,
) -> None:
    """The once-a-second tick can fire while the app starts or shuts down: no screen then."""
    app, _slips = make_kiosk(kiosk_services)
    touched = app.last_touch
    app.tick(now=time.monotonic() + app.idle_seconds + 1)  # not started: it raised here
    assert app.last_touch == touched and not app.screen_stack  # nothing started over
    async with app.run_test(size=SIZE) as pilot:
        await choose(app, pilot, "en")
    touched = app.last_touch
    app.tick(now=time.monotonic() + app.idle_seconds + 1)  # ended: it raised here
    assert app.last_touch == touched and not app.screen_stack


async def test_the_number_stays_twenty_seconds(kiosk_services: Services) -> None:
    app, _slips = make_kiosk(kiosk_services)
    async with app.run_test(size=SIZE) as pilot:
        await choose(app, pilot, "en")
        await click(pilot, "#take")
        await click(pilot, "#service-welcome_pack")
        screen = app.screen
        assert isinstance(screen, TicketScreen) and screen.ticket.label == "W001"
        app.tick(now=screen.shown_at + 19)
        assert app.screen is screen
        app.tick(now=screen.shown_at + app.ticket_seconds)
        await settle(app, pilot)
        assert isinstance(app.screen, LanguageScreen)


async def test_closed_hours_say_when_it_opens_and_offer_nothing(
    kiosk_services: Services, clock: FixedClock
) -> None:
    clock.set(datetime(2026, 11, 22, 20, 0))  # Sunday evening
    app, slips = make_kiosk(kiosk_services)
    async with app.run_test(size=SIZE) as pilot:
        await choose(app, pilot, "pl")
        page = shown(app)
        assert say("pl", "closed") in page
        assert say("pl", "opens_tomorrow", time="09:00") in page
        assert say("pl", "take_ticket") not in page and say("pl", "check_in") not in page
    assert slips == []


async def test_the_rate_limit_says_wait_a_minute(sqlite_url: str, clock: FixedClock) -> None:
    services = make_services(sqlite_url, clock, hours=OPEN_ALL, kiosk_tickets_per_minute=1)
    try:
        app, _slips = make_kiosk(services)
        async with app.run_test(size=SIZE) as pilot:
            for attempt in range(2):
                await choose(app, pilot, "en")
                await click(pilot, "#take")
                await click(pilot, "#service-info")
                if attempt == 0:
                    assert isinstance(app.screen, TicketScreen)
                    await click(pilot, "#done")
            assert isinstance(app.screen, ServiceScreen)
            assert say("en", "rate_limit") in shown(app)
    finally:
        services.close()


async def check_in(app: KioskApp, pilot: Pilot[Any], reference: str, born: str) -> None:
    screen = app.screen
    assert isinstance(screen, CheckInScreen)
    screen.query_one("#reference", Input).value = reference
    screen.query_one("#birth-date", Input).value = born
    screen.query_one("#birth-date", Input).focus()
    await press(pilot, "enter")


async def test_a_failed_check_in_and_the_pause(kiosk_services: Services) -> None:
    from tests.conftest import add_staff

    clerk = add_staff(kiosk_services, "Dirk Desk", "desk")
    kiosk_services.appointments.book(clerk, household(time="10:30", reference="BK-7"))
    app, slips = make_kiosk(kiosk_services)
    async with app.run_test(size=SIZE) as pilot:
        await choose(app, pilot, "uk")
        await click(pilot, "#check-in")
        for _ in range(CHECK_IN_FAILURES):
            await check_in(app, pilot, "BK-7", "01-01-2000")
            assert say("uk", "wrong_pair") in shown(app)
        await check_in(app, pilot, "BK-7", "12-04-1990")  # right, but paused
        assert say("uk", "paused", seconds=60) in shown(app)
        assert isinstance(app.screen, CheckInScreen)
    assert slips == []


async def test_a_household_checks_in_at_the_kiosk(
    kiosk_services: Services, clock: FixedClock
) -> None:
    from tests.conftest import add_staff

    clerk = add_staff(kiosk_services, "Dirk Desk", "desk")
    kiosk_services.appointments.book(clerk, household(time="10:30", reference="BK-2"))
    kiosk_services.appointments.book(clerk, household(time="09:30", reference="BK-1"))
    app, _slips = make_kiosk(kiosk_services, printed=False)
    async with app.run_test(size=SIZE) as pilot:
        for reference in ("BK-2", "BK-1"):
            await choose(app, pilot, "zh")
            await click(pilot, "#check-in")
            await check_in(app, pilot, reference, "12-04-1990")
            assert isinstance(app.screen, TicketScreen)
            page = shown(app)
            assert say("zh", "checked_in") in page
            assert say("zh", "print_failed") in page  # the printer failed; the number stands
            await click(pilot, "#done")
    queue = kiosk_services.queue.today(clerk)
    assert sorted(t.label for t in queue) == ["B001", "B002"]
    called = kiosk_services.queue.call_next(clerk, 1)
    assert called is not None and called.label == "B002"  # the 09:30 household first


async def test_a_closed_queue_asks_the_visitor_to_see_the_desk(kiosk_services: Services) -> None:
    from tests.conftest import add_staff

    lead = add_staff(kiosk_services, "Lea Lead", "lead")
    app, slips = make_kiosk(kiosk_services)
    async with app.run_test(size=SIZE) as pilot:
        await choose(app, pilot, "nl")
        await click(pilot, "#take")
        kiosk_services.queue.close_day(lead)  # the lead closes the day meanwhile
        await click(pilot, "#service-info")
        assert isinstance(app.screen, ServiceScreen)
        assert say("nl", "not_now") in shown(app)
    assert slips == []
