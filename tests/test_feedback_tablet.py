"""The rating tablet (Pilot): the flow in every shipped language, the clear after 60 s
untouched (an injected clock, no waiting), and one rating per ticket."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select, update
from textual.pilot import Pilot
from textual.widgets import Button, Static

from frontdesk.db.models import Rating, Ticket
from frontdesk.i18n import languages, text
from frontdesk.services import Actor, Services
from frontdesk.tui.feedback import FeedbackApp
from frontdesk.tui.feedback.app import ASK_SECONDS, THANKS_SECONDS
from tests.conftest import add_staff
from tests.helpers import click, press, settle, walk_in

SIZE = (100, 30)


class FakeTime:
    """The seconds the tablet's clear-after timers count; tests move it by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def finish_visit(services: Services, clerk: Actor, language: str | None, desk: int = 1) -> int:
    ticket = walk_in(services, clerk, "Ana")
    if language is not None:  # as the kiosk stores it
        with services.db.write() as session:
            session.execute(update(Ticket).where(Ticket.id == ticket.id).values(language=language))
    there = replace(clerk, desk=desk)
    services.queue.call_ticket(there, ticket.id, desk)
    services.queue.finish(there, ticket.id)
    return int(ticket.id)


def ratings(services: Services) -> list[tuple[int, int, str | None, int | None]]:
    with services.db.read() as session:
        rows = session.execute(
            select(Rating.ticket_id, Rating.score, Rating.reason, Rating.desk)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def shown(app: FeedbackApp, selector: str) -> str:
    return str(app.tablet.query_one(selector, Static).content)


async def poll(app: FeedbackApp, pilot: Pilot[Any]) -> None:
    await settle(app, pilot)
    app.poll_now()
    await settle(app, pilot)


@pytest.mark.parametrize("code", list(languages("feedback")))
async def test_the_visitor_rates_in_the_tickets_language(
    desk_services: Services, code: str
) -> None:
    services = desk_services
    clerk = add_staff(services, "Dirk Desk", "desk")
    app = FeedbackApp(services, 1, monotonic=FakeTime())
    async with app.run_test(size=SIZE) as pilot:
        await poll(app, pilot)
        assert app.state == "idle"
        ticket = finish_visit(services, clerk, code)
        await poll(app, pilot)
        assert app.state == "ask"
        assert shown(app, "#feedback-question") == text("feedback", code, "question")
        face = app.tablet.query_one("#face-3", Button)
        assert text("feedback", code, "face_3") in str(face.label)
        chip = app.tablet.query_one("#reason-waiting", Button)
        assert str(chip.label) == text("feedback", code, "reason_waiting")
        await pilot.click("#reason-waiting")
        await click(pilot, "#face-3")
        assert app.state == "thanks"
        assert shown(app, "#feedback-thanks-title") == text("feedback", code, "thanks")
    assert ratings(services) == [(ticket, 3, "waiting", 1)]


def test_every_shipped_language_has_every_text() -> None:
    codes = languages("feedback")
    assert {"en", "nl", "pl", "uk", "es", "zh"} <= set(codes)
    english = set(_keys("en"))
    for code in codes:
        assert set(_keys(code)) == english, code


def _keys(code: str) -> list[str]:
    from frontdesk.i18n import catalogue

    return list(catalogue("feedback", code))


async def test_english_when_the_ticket_has_no_language_and_keys_work(
    desk_services: Services,
) -> None:
    services = desk_services
    clerk = add_staff(services, "Dirk Desk", "desk")
    app = FeedbackApp(services, 2, monotonic=FakeTime())
    async with app.run_test(size=SIZE) as pilot:
        finish_visit(services, clerk, None, desk=1)  # another desk's visit: not asked here
        await poll(app, pilot)
        assert app.state == "idle"
        ticket = finish_visit(services, clerk, None, desk=2)
        await poll(app, pilot)
        assert shown(app, "#feedback-question") == "How was your visit?"
        await press(pilot, "1")
        assert app.state == "thanks"
    assert ratings(services) == [(ticket, 1, None, 2)]


async def test_an_untouched_question_clears_after_60_seconds(desk_services: Services) -> None:
    services = desk_services
    clerk = add_staff(services, "Dirk Desk", "desk")
    clock = FakeTime()
    app = FeedbackApp(services, 1, monotonic=clock)
    async with app.run_test(size=SIZE) as pilot:
        finish_visit(services, clerk, "nl")
        await poll(app, pilot)
        assert app.state == "ask"
        clock.now += ASK_SECONDS - 20
        await pilot.click("#reason-outcome")  # a touch starts the 60 s again
        clock.now += ASK_SECONDS - 1
        app.tick()
        assert app.state == "ask"
        clock.now += 1
        app.tick()
        await pilot.pause()
        assert app.state == "idle"
        assert "Welkom" in shown(app, "#feedback-welcome")
        # Cleared is cleared: the same visit is not asked again at the next poll.
        await poll(app, pilot)
        assert app.state == "idle"
    assert ratings(services) == []


async def test_the_thanks_clears_and_a_second_tap_changes_nothing(
    desk_services: Services,
) -> None:
    services = desk_services
    clerk = add_staff(services, "Dirk Desk", "desk")
    clock = FakeTime()
    app = FeedbackApp(services, 1, monotonic=clock)
    async with app.run_test(size=SIZE) as pilot:
        ticket = finish_visit(services, clerk, "es")
        await poll(app, pilot)
        await pilot.click("#face-4")
        await pilot.press("2")  # a second tap at once, before or after the thanks
        await click(pilot, "#face-1")
        assert app.state == "thanks"
        await poll(app, pilot)  # the rated visit is not asked again
        assert app.state == "thanks"
        clock.now += THANKS_SECONDS
        app.tick()
        await pilot.pause()
        assert app.state == "idle"
        await press(pilot, "3")
        # The next visit at this desk is asked about, and rated on its own.
        second = finish_visit(services, clerk, None)
        await poll(app, pilot)
        assert app.state == "ask" and app.visit is not None and app.visit.ticket_id == second
        await click(pilot, "#face-2")
    assert sorted(ratings(services)) == [(ticket, 4, None, 1), (second, 2, None, 1)]
